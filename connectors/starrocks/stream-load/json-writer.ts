/**
 * A minimal JSON text writer for Stream Load bodies. `JSON.stringify` cannot write a bigint and
 * Node 20 has no `JSON.rawJSON` (style §4.7), and decimal/JSON values must be copied token by token
 * to keep their precision (PROTOCOL.md §8.1), so the body is written by hand.
 *
 * Strings: `"` `\` and U+0000–U+001F are escaped (short forms where JSON has them); surrogate pairs
 * are kept. A lone surrogate has no UTF-8 encoding: it becomes U+FFFD (what `TextEncoder` does) and
 * is counted in `replacedSurrogates`. (Escaping it as `\udXXX` would be valid JSON text, but the BE's
 * parser validates surrogate escapes and would reject the whole body — UNCONFIRMED; PostgreSQL text
 * never contains lone surrogates anyway.)
 */

const CHUNK_CHARS = 1 << 16;
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
const SURROGATE = /[\ud800-\udfff]/;
const ENCODER = new TextEncoder();
/** Strings at least this long go straight into the buffer (JsonWriter.string). */
const LONG_TEXT = 1024;
const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

/** JSON number grammar (RFC 8259). */
const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

export function isJsonNumberText(text: string): boolean {
  return JSON_NUMBER.test(text);
}

/** Returns `s` as a JSON string literal; `onLoneSurrogate` is called once per replaced unit. */
export function quoteJsonString(s: string, onLoneSurrogate?: () => void): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  // Without surrogates, JSON.stringify escapes exactly as below (the same short forms, lower-case
  // `\u00xx` for the other control characters) in native code.
  if (!SURROGATE.test(s)) return JSON.stringify(s);
  return quoteSlow(s, onLoneSurrogate);
}

/** The escaping loop (exported for the tests that compare it with the fast paths). */
export function quoteSlow(s: string, onLoneSurrogate?: () => void): string {
  let out = '"';
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let rep: string | undefined;
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      rep = SHORT_ESCAPES[c] ?? `\\u${c.toString(16).padStart(4, '0')}`;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const next = s.charCodeAt(i + 1);
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        i++; // a valid pair: keep both units
        continue;
      }
      rep = '\ufffd';
      onLoneSurrogate?.();
    }
    if (rep !== undefined) {
      out += s.slice(start, i) + rep;
      start = i + 1;
    }
  }
  return `${out}${s.slice(start)}"`;
}

/**
 * Appends JSON text and produces UTF-8 bytes. Text collects in a string of up to 64 Ki characters,
 * which is then encoded straight into one growing Buffer (no list of chunks to concatenate at the
 * end); `reserve` lets the caller size that Buffer once it can estimate the whole body.
 */
export class JsonWriter {
  private buf: Buffer | undefined;
  /** Bytes of `buf` in use. */
  private len = 0;
  private pending = '';
  replacedSurrogates = 0;

  /** Bytes and characters written so far (UTF-8 bytes already encoded + characters not yet). */
  get written(): number {
    return this.len + this.pending.length;
  }

  /** Appends text that is already valid JSON (punctuation, number tokens, raw JSON values). */
  raw(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  string(s: string): void {
    // A long text with nothing to escape is encoded straight into the buffer (no copy into the text
    // collected so far).
    if (s.length >= LONG_TEXT && !NEEDS_ESCAPE.test(s)) {
      this.flush();
      this.ensure(s.length * 3 + 2);
      const buf = this.buf as Buffer;
      buf[this.len++] = 0x22;
      this.len += ENCODER.encodeInto(s, buf.subarray(this.len, this.len + s.length * 3)).written;
      buf[this.len++] = 0x22;
      return;
    }
    this.raw(
      quoteJsonString(s, () => {
        this.replacedSurrogates++;
      }),
    );
  }

  bigint(n: bigint): void {
    this.raw(n.toString());
  }

  /** A finite JS number; callers handle NaN/Infinity (no JSON literal). */
  number(n: number): void {
    if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
    this.raw(Object.is(n, -0) ? '0' : String(n));
  }

  boolean(b: boolean): void {
    this.raw(b ? 'true' : 'false');
  }

  null(): void {
    this.raw('null');
  }

  /** Makes room for `bytes` in all (an estimate of the whole body: more is still possible). */
  reserve(bytes: number): void {
    if (bytes > (this.buf?.length ?? 0)) this.grow(bytes);
  }

  toBuffer(): Buffer {
    if (this.buf === undefined) return Buffer.from(this.pending, 'utf8');
    this.flush();
    const buf = this.buf;
    // An estimate far above the body is not kept alive with it.
    if (buf.length - this.len > (this.len >> 2) + CHUNK_CHARS) return Buffer.from(buf.subarray(0, this.len));
    return buf.subarray(0, this.len);
  }

  private flush(): void {
    if (this.pending === '') return;
    // A UTF-16 unit takes at most 3 bytes of UTF-8 (a surrogate pair 4 for 2 units).
    const need = this.len + this.pending.length * 3;
    this.ensure(this.pending.length * 3);
    // TextEncoder (simdutf in Node.js) encodes about 2.5× faster than Buffer#write's UTF-8; both
    // write a lone surrogate as U+FFFD. A destination bounded to what the text can take: TextEncoder
    // is slower with a larger one.
    this.len += ENCODER.encodeInto(this.pending, (this.buf as Buffer).subarray(this.len, need)).written;
    this.pending = '';
  }

  /** Room for `bytes` more. */
  private ensure(bytes: number): void {
    const have = this.buf?.length ?? 0;
    if (this.len + bytes > have) this.grow(Math.max(this.len + bytes, have * 2));
  }

  private grow(bytes: number): void {
    const next = Buffer.allocUnsafe(bytes);
    if (this.buf !== undefined) this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
