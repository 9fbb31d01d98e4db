/**
 * A minimal JSON text writer for Stream Load bodies. `JSON.stringify` cannot write a bigint and
 * Node 20 has no `JSON.rawJSON` (docs/stack-traps.md §4.7), and decimal/JSON values must be copied token by token
 * to keep their precision (docs/starrocks-protocol.md §8.1), so the body is written by hand.
 *
 * Strings: `"` `\` and U+0000–U+001F are escaped (short forms where JSON has them); surrogate pairs
 * are kept. A lone surrogate has no UTF-8 encoding: it becomes U+FFFD (what `TextEncoder` does) and
 * is counted in `replacedSurrogates`. (Escaping it as `\udXXX` would be valid JSON text, but the BE's
 * parser validates surrogate escapes and would reject the whole body — UNCONFIRMED; PostgreSQL text
 * never contains lone surrogates anyway.)
 */

/** Text up to this long is copied byte by byte when it is ASCII (longer text: TextEncoder). */
const SHORT_TEXT = 64;
/** Unused capacity above this (and a quarter of the body) is not handed out with the body. */
const SLACK_BYTES = 1 << 16;
const MIN_BYTES = 4096;
/**
 * Runs of bytes longer than this are copied natively (`set` of a `subarray`: a view object per copy);
 * shorter ones byte by byte, which costs about as much and allocates nothing.
 */
const NATIVE_COPY_BYTES = 256;
const EMPTY = Buffer.alloc(0);
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;
const SURROGATE = /[\ud800-\udfff]/;
const ENCODER = new TextEncoder();
const SHORT_ESCAPES: Readonly<Record<number, string>> = {
  0x08: '\\b',
  0x09: '\\t',
  0x0a: '\\n',
  0x0c: '\\f',
  0x0d: '\\r',
  0x22: '\\"',
  0x5c: '\\\\',
};

/** The byte after the backslash of JSON.stringify's short escapes, by character. */
const SHORT_ESCAPE_BYTES: Readonly<Record<number, number>> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };
/** Lower-case hex digits (JSON.stringify writes `\u001f`). */
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

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
 * Appends JSON text as UTF-8 bytes into one growing Buffer. Short ASCII text (punctuation, keys,
 * numbers, dates, most cells) is copied byte by byte, with no intermediate string, no concatenation
 * and no native call; anything else (non-ASCII, long text) is encoded with `TextEncoder.encodeInto`.
 * `reserve` lets the caller size the Buffer once it can estimate the whole body.
 */
export class JsonWriter {
  private buf: Buffer = EMPTY;
  /** Bytes of `buf` in use. */
  private len = 0;
  replacedSurrogates = 0;

  /** Bytes written so far. */
  get written(): number {
    return this.len;
  }

  /** Bytes the buffer holds before it must grow. */
  get capacity(): number {
    return this.buf.length;
  }

  /** Appends text that is already valid JSON (punctuation, number tokens, raw JSON values). */
  raw(text: string): void {
    const n = text.length;
    if (n > SHORT_TEXT) return this.encode(text);
    if (this.len + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    let p = this.len;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80) {
        this.len = p;
        return this.encode(text.slice(i));
      }
      buf[p++] = c;
    }
    this.len = p;
  }

  /**
   * Appends bytes that are already JSON text as UTF-8: pieces encoded once per body and repeated on
   * every row (a row's audit tail), without encoding them again per row.
   */
  bytes(b: Uint8Array): void {
    const n = b.length;
    if (this.len + n > this.buf.length) this.grow(n);
    // TypedArray#set: ~15 ns for a 110-byte tail, against ~75 for a JS loop or TextEncoder.encodeInto.
    this.buf.set(b, this.len);
    this.len += n;
  }

  /** Bytes known to be ASCII JSON text (digits of a number), copied as they are. */
  ascii(b: Uint8Array, s: number, e: number): void {
    const n = e - s;
    if (this.len + n > this.buf.length) this.grow(n);
    const buf = this.buf;
    if (n > NATIVE_COPY_BYTES) buf.set(b.subarray(s, e), this.len);
    else for (let i = s, p = this.len; i < e; i++, p++) buf[p] = b[i] as number;
    this.len += n;
  }

  /**
   * The ASCII text `b[s, e)` as a JSON string, escaped as `string` escapes it (JSON.stringify's forms);
   * false, with nothing written, when it holds a byte above 0x7f (the caller writes the decoded text).
   */
  asciiString(b: Uint8Array, s: number, e: number): boolean {
    // At most 6 bytes per byte (`\u00xx`) and the quotes.
    const most = (e - s) * 6 + 2;
    if (this.len + most > this.buf.length) this.grow(most);
    const buf = this.buf;
    const from = this.len;
    let p = from;
    buf[p++] = 0x22;
    let run = s;
    for (let i = s; i < e; i++) {
      const c = b[i] as number;
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) {
        if (c >= 0x80) {
          this.len = from;
          return false;
        }
        continue;
      }
      if (i > run) {
        if (i - run > NATIVE_COPY_BYTES) buf.set(b.subarray(run, i), p);
        else for (let k = run, q = p; k < i; k++, q++) buf[q] = b[k] as number;
        p += i - run;
      }
      const short = SHORT_ESCAPE_BYTES[c];
      if (short !== undefined) {
        buf[p++] = 0x5c;
        buf[p++] = short;
      } else {
        buf[p++] = 0x5c;
        buf[p++] = 0x75; // u
        buf[p++] = 0x30;
        buf[p++] = 0x30;
        buf[p++] = HEX[c >> 4] as number;
        buf[p++] = HEX[c & 15] as number;
      }
      run = i + 1;
    }
    if (e > run) {
      if (e - run > NATIVE_COPY_BYTES) buf.set(b.subarray(run, e), p);
      else for (let k = run, q = p; k < e; k++, q++) buf[q] = b[k] as number;
      p += e - run;
    }
    buf[p++] = 0x22;
    this.len = p;
    return true;
  }

  /** One byte of ASCII punctuation (`"`, `,`, `{`…). */
  byte(c: number): void {
    if (this.len === this.buf.length) this.grow(1);
    this.buf[this.len++] = c;
  }

  string(s: string): void {
    const n = s.length;
    if (n <= SHORT_TEXT) {
      // Printable ASCII without `"` or `\`: copied as is between quotes.
      if (this.len + n + 2 > this.buf.length) this.grow(n + 2);
      const buf = this.buf;
      const from = this.len;
      let p = from;
      buf[p++] = 0x22;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 0x20 || c >= 0x80 || c === 0x22 || c === 0x5c) {
          this.len = from;
          return this.escaped(s);
        }
        buf[p++] = c;
      }
      buf[p++] = 0x22;
      this.len = p;
      return;
    }
    // A long text with nothing to escape is encoded straight into the buffer (no quoted copy).
    if (!NEEDS_ESCAPE.test(s)) {
      this.byte(0x22);
      this.encode(s);
      this.byte(0x22);
      return;
    }
    this.escaped(s);
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
    if (bytes > this.buf.length) this.resize(bytes);
  }

  toBuffer(): Buffer {
    const buf = this.buf;
    // An estimate far above the body is not kept alive with it.
    if (buf.length - this.len > (this.len >> 2) + SLACK_BYTES) return Buffer.from(buf.subarray(0, this.len));
    return buf.subarray(0, this.len);
  }

  private escaped(s: string): void {
    this.encode(
      quoteJsonString(s, () => {
        this.replacedSurrogates++;
      }),
    );
  }

  /** Any text, as UTF-8 (a lone surrogate becomes U+FFFD, as in TextEncoder). */
  private encode(text: string): void {
    // A UTF-16 unit takes at most 3 bytes of UTF-8 (a surrogate pair 4 for 2 units).
    const most = text.length * 3;
    if (this.len + most > this.buf.length) this.grow(most);
    // TextEncoder (simdutf in Node.js) encodes about 2.5× faster than Buffer#write's UTF-8; both
    // write a lone surrogate as U+FFFD. A destination bounded to what the text can take: TextEncoder
    // is slower with a larger one.
    this.len += ENCODER.encodeInto(text, this.buf.subarray(this.len, this.len + most)).written;
  }

  /** Room for `bytes` more. */
  private grow(bytes: number): void {
    this.resize(Math.max(this.len + bytes, this.buf.length * 2, MIN_BYTES));
  }

  private resize(bytes: number): void {
    const next = Buffer.allocUnsafe(bytes);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}
