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

/** Appends JSON text and produces UTF-8 bytes; chunks keep the intermediate strings small. */
export class JsonWriter {
  private readonly chunks: Buffer[] = [];
  private pending = '';
  replacedSurrogates = 0;

  /** Appends text that is already valid JSON (punctuation, number tokens, raw JSON values). */
  raw(text: string): void {
    this.pending += text;
    if (this.pending.length >= CHUNK_CHARS) this.flush();
  }

  string(s: string): void {
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

  toBuffer(): Buffer {
    this.flush();
    return this.chunks.length === 1 && this.chunks[0] ? this.chunks[0] : Buffer.concat(this.chunks);
  }

  private flush(): void {
    if (this.pending === '') return;
    this.chunks.push(Buffer.from(this.pending, 'utf8'));
    this.pending = '';
  }
}
