/**
 * Byte-level JSON for the fast Stream Load reader (json-body-fast.ts): a scanner over a body's bytes
 * with RFC 8259's grammar (it only checks and locates tokens; strings are decoded by the caller, and
 * anything it is not sure of throws `BAIL`), and a writer of JSON column text straight from the bytes of
 * a checked value. Pure.
 */
import { jsonColumnNumber } from './json-number.js';
import { JsonNumber, JsonReader, type JsonValue } from './json-raw.js';

/** Node's Buffer slicing methods (present on every Buffer, absent from @types/node). */
export interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Thrown inside the scanner: the general reader must read this body. */
class Bail {}
export const BAIL = new Bail();

export const enum Tok {
  String,
  Number,
  True,
  False,
  Null,
  Nested,
}

/** Nesting below a row value deeper than this is left to the general reader (it limits depth itself). */
const MAX_DEPTH = 500;

/** The bytes of a body and the token last scanned. */
export class Scanner {
  readonly b: SliceBuffer;
  readonly n: number;
  p = 0;
  kind: Tok = Tok.Null;
  /** Token bytes: a string's content without its quotes, a number's or nested value's whole text. */
  s = 0;
  e = 0;
  /** String: holds a backslash. Number: holds `.`, `e` or `E`. */
  special = false;
  /** String: holds a byte ≥ 0x80. */
  wide = false;

  constructor(body: Buffer) {
    this.b = body as SliceBuffer;
    this.n = body.length;
  }

  ws(): void {
    const b = this.b;
    let p = this.p;
    while (p < this.n) {
      const c = b[p] ?? 0;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
    this.p = p;
  }

  byte(): number {
    return this.p < this.n ? (this.b[this.p] ?? -1) : -1;
  }

  expect(c: number): void {
    if (this.byte() !== c) throw BAIL;
    this.p++;
  }

  /** A string at `p` (its opening quote). */
  string(): void {
    const b = this.b;
    const n = this.n;
    let p = this.p + 1;
    const s = p;
    let esc = false;
    let wide = false;
    for (;;) {
      if (p >= n) throw BAIL;
      const c = b[p] ?? 0;
      if (c === 0x22) break;
      if (c === 0x5c) {
        // The escaped character is skipped whatever it is (the general reader judges escapes).
        esc = true;
        p += 2;
        continue;
      }
      if (c < 0x20) throw BAIL;
      if (c >= 0x80) wide = true;
      p++;
    }
    if (p >= n) throw BAIL;
    this.kind = Tok.String;
    this.s = s;
    this.e = p;
    this.special = esc;
    this.wide = wide;
    this.p = p + 1;
  }

  /** A number at `p`, with RFC 8259's grammar. */
  number(): void {
    const b = this.b;
    const s = this.p;
    let p = s;
    let frac = false;
    if (b[p] === 0x2d) p++;
    const d0 = p < this.n ? (b[p] ?? 0) : 0;
    if (d0 === 0x30) p++;
    else if (d0 >= 0x31 && d0 <= 0x39) p = this.digits(p + 1);
    else throw BAIL;
    if (p < this.n && b[p] === 0x2e) {
      frac = true;
      const q = this.digits(p + 1);
      if (q === p + 1) throw BAIL;
      p = q;
    }
    const x = p < this.n ? b[p] : 0;
    if (x === 0x65 || x === 0x45) {
      frac = true;
      p++;
      const sign = p < this.n ? b[p] : 0;
      if (sign === 0x2b || sign === 0x2d) p++;
      const q = this.digits(p);
      if (q === p) throw BAIL;
      p = q;
    }
    this.kind = Tok.Number;
    this.s = s;
    this.e = p;
    this.special = frac;
    this.p = p;
  }

  digits(p: number): number {
    const b = this.b;
    while (p < this.n) {
      const c = b[p] ?? 0;
      if (c < 0x30 || c > 0x39) break;
      p++;
    }
    return p;
  }

  literal(bytes: readonly number[], kind: Tok): void {
    const b = this.b;
    const p = this.p;
    if (p + bytes.length > this.n) throw BAIL;
    for (let i = 0; i < bytes.length; i++) if (b[p + i] !== bytes[i]) throw BAIL;
    this.kind = kind;
    this.p = p + bytes.length;
  }

  /** Any value at `p` (after whitespace); nested values are checked and kept as a byte range. */
  value(): void {
    const c = this.byte();
    if (c === 0x22) return this.string();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    if (c === 0x74) return this.literal(TRUE, Tok.True);
    if (c === 0x66) return this.literal(FALSE, Tok.False);
    if (c === 0x6e) return this.literal(NULL, Tok.Null);
    if (c === 0x7b || c === 0x5b) {
      const s = this.p;
      this.skipNested(0);
      this.kind = Tok.Nested;
      this.s = s;
      this.e = this.p;
      return;
    }
    throw BAIL;
  }

  /** Checks the object or array at `p` and moves past it. */
  skipNested(depth: number): void {
    if (depth > MAX_DEPTH) throw BAIL;
    const open = this.byte();
    const close = open === 0x7b ? 0x7d : 0x5d;
    this.p++;
    this.ws();
    if (this.byte() === close) {
      this.p++;
      return;
    }
    for (;;) {
      if (open === 0x7b) {
        if (this.byte() !== 0x22) throw BAIL;
        this.string();
        this.ws();
        this.expect(0x3a);
        this.ws();
      }
      const c = this.byte();
      if (c === 0x7b || c === 0x5b) this.skipNested(depth + 1);
      else this.value();
      this.ws();
      const d = this.byte();
      this.p++;
      if (d === close) return;
      if (d !== 0x2c) throw BAIL;
      this.ws();
    }
  }

  text(): string {
    return this.wide ? this.b.utf8Slice(this.s, this.e) : this.b.latin1Slice(this.s, this.e);
  }

  /** The token as the general reader's JSON value (strings with escapes: parsed from their own bytes). */
  json(): JsonValue {
    switch (this.kind) {
      case Tok.String:
        return this.special ? lazyJson(this.b.utf8Slice(this.s - 1, this.e + 1)) : this.text();
      case Tok.Number:
        return new JsonNumber(this.b.latin1Slice(this.s, this.e));
      case Tok.True:
        return true;
      case Tok.False:
        return false;
      case Tok.Null:
        return null;
      case Tok.Nested:
        return lazyJson(this.b.utf8Slice(this.s, this.e));
    }
  }
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** One value read as `readJsonBody` reads it (escapes judged lazily, see json-raw.ts). */
function lazyJson(text: string): JsonValue {
  return new JsonReader(text, true).value();
}

/**
 * JSON column text straight from the bytes of a checked value, when that is plainly the general
 * path's text (`jsonColumnText`): no escape in any string, object keys already in strictly increasing
 * byte order (so nothing to sort or de-duplicate). Else null (the general path decides). The text is
 * written into a scratch buffer and decoded once: one flat string per value.
 */
export class JsonColumnWriter {
  static #out = Buffer.allocUnsafe(4096) as SliceBuffer;
  p: number;
  #o = 0;
  #wide = false;
  constructor(
    readonly b: SliceBuffer,
    start: number,
    readonly end: number,
  ) {
    this.p = start;
  }

  text(): string | null {
    if (!this.value()) return null;
    const out = JsonColumnWriter.#out;
    return this.#wide ? out.utf8Slice(0, this.#o) : out.latin1Slice(0, this.#o);
  }

  #room(n: number): SliceBuffer {
    let out = JsonColumnWriter.#out;
    if (this.#o + n > out.length) {
      const bigger = Buffer.allocUnsafe(Math.max(out.length * 2, this.#o + n)) as SliceBuffer;
      out.copy(bigger, 0, 0, this.#o);
      JsonColumnWriter.#out = out = bigger;
    }
    return out;
  }

  #put(c: number): void {
    this.#room(1)[this.#o++] = c;
  }

  #copy(s: number, e: number): void {
    const out = this.#room(e - s);
    if (e - s > 64) this.b.copy(out, this.#o, s, e);
    else for (let i = s, o = this.#o; i < e; i++, o++) out[o] = this.b[i] ?? 0; // short: no native call
    this.#o += e - s;
  }

  ws(): void {
    const b = this.b;
    while (this.p < this.end) {
      const c = b[this.p] ?? 0;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.p++;
      else break;
    }
  }

  /** A string without escapes at `p`, copied as is; false when it has an escape. */
  string(): boolean {
    const b = this.b;
    const s = this.p;
    let q = s + 1;
    for (;;) {
      const c = b[q] ?? 0;
      if (c === 0x22) break;
      if (c === 0x5c) return false;
      if (c >= 0x80) this.#wide = true;
      q++;
    }
    this.p = q + 1;
    this.#copy(s, q + 1);
    return true;
  }

  value(): boolean {
    this.ws();
    const b = this.b;
    const c = b[this.p] ?? 0;
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object();
    if (c === 0x5b) return this.array();
    const s = this.p;
    while (this.p < this.end) {
      const x = b[this.p] ?? 0;
      if (x === 0x2c || x === 0x5d || x === 0x7d || x === 0x20 || x === 0x0a || x === 0x0d || x === 0x09) break;
      this.p++;
    }
    if (c === 0x74 || c === 0x66 || c === 0x6e) {
      this.#copy(s, this.p); // true, false, null
      return true;
    }
    const raw = b.latin1Slice(s, this.p);
    const text = jsonColumnNumber(raw);
    if (text === null) return false;
    if (text === raw) this.#copy(s, this.p);
    else for (let i = 0; i < text.length; i++) this.#put(text.charCodeAt(i));
    return true;
  }

  array(): boolean {
    this.p++;
    this.#put(0x5b);
    this.ws();
    if (this.b[this.p] === 0x5d) {
      this.p++;
      this.#put(0x5d);
      return true;
    }
    for (;;) {
      if (!this.value()) return false;
      this.ws();
      const c = this.b[this.p++] ?? 0;
      this.#put(c);
      if (c === 0x5d) return true;
    }
  }

  object(): boolean {
    const b = this.b;
    this.p++;
    this.#put(0x7b);
    this.ws();
    if (b[this.p] === 0x7d) {
      this.p++;
      this.#put(0x7d);
      return true;
    }
    let prevStart = -1;
    let prevEnd = -1;
    for (;;) {
      this.ws();
      const ks = this.p;
      if (!this.string() || (prevStart >= 0 && compareBytes(b, prevStart, prevEnd, ks + 1, this.p - 1) >= 0)) return false;
      prevStart = ks + 1;
      prevEnd = this.p - 1;
      this.ws();
      this.p++; // :
      this.#put(0x3a);
      if (!this.value()) return false;
      this.ws();
      const c = b[this.p++] ?? 0;
      this.#put(c);
      if (c === 0x7d) return true;
    }
  }
}

/** memcmp order of two byte ranges, the shorter first on a common prefix (VelocyPack's key order). */
function compareBytes(b: Buffer, as: number, ae: number, bs: number, be: number): number {
  const n = Math.min(ae - as, be - bs);
  for (let i = 0; i < n; i++) {
    const d = (b[as + i] ?? 0) - (b[bs + i] ?? 0);
    if (d !== 0) return d;
  }
  return ae - as - (be - bs);
}
