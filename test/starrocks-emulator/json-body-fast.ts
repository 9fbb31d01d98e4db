/**
 * The fast path of a JSON Stream Load body: reads the body's bytes straight into row operations, for
 * the shape every dbmazz load has (no `jsonpaths`, no `json_root`, no `columns` expressions). Pure.
 *
 * It is an optimisation of `readJsonBody` (load-reader.ts), never a second set of rules: it returns a
 * result only when every row of the body loads, and then exactly the rows `readJsonBody` would give;
 * anything else — a syntax error, a row or value that fails or would be filtered, a duplicate key, an
 * escape in a key, a bad `__op`, a shape it does not handle — makes it return `null`, and the caller
 * reads the body again with `readJsonBody`, which decides (errors, messages, filtering, strict mode).
 * `tests/json-body-fast.test.ts` compares the two readers on bodies of every kind.
 *
 * What it saves: the UTF-8 decoding of the whole body, a JSON tree per row, a Map/closure per cell.
 * Strings are decoded from their bytes only when a column needs them; values are converted by a
 * converter chosen once per load for each column; a value this file does not convert itself (a string
 * with an escape, a nested value, an unusual type) is parsed by the general JSON reader from its own
 * bytes and converted by `convertJsonValue`, so its result is the general path's by construction.
 */
import { convertJsonValue, parseDateTimeText } from './convert.js';
import { jsonColumnNumber } from './json-number.js';
import { JsonNumber, JsonReader, type JsonValue } from './json-raw.js';
import type { LoadPlan, TargetColumn } from './load-plan.js';
import type { ReadOutcome, RowOp } from './load-reader.js';
import { type ColumnType, INTEGER_RANGES } from './types.js';
import type { StoredValue } from './values.js';

/** Node's Buffer slicing methods (present on every Buffer, absent from @types/node). */
interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** Thrown inside the scanner: the general reader must read this body. */
class Bail {}
const BAIL = new Bail();

/** A converter's answer when the value does not convert (the general reader decides). */
const FAIL: unique symbol = Symbol('fail');
type Converted = StoredValue | typeof FAIL;

const enum Tok {
  String,
  Number,
  True,
  False,
  Null,
  Nested,
}

/** Nesting below a row value deeper than this is left to the general reader (it limits depth itself). */
const MAX_DEPTH = 500;

const FLOAT_MAX = 3.4028234663852886e38;

/** The bytes of a body and the token last scanned. */
class Scanner {
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

type Converter = (sc: Scanner) => Converted;

/** The general conversion of one token (what `readJsonBody` does with it). */
function generic(t: TargetColumn): Converter {
  return (sc) => {
    const r = convertJsonValue(t.name, t.type, sc.json());
    return r.ok ? r.value : FAIL;
  };
}

/** BigInts of small integers, shared (stored values are immutable). */
const SMALL = Array.from({ length: 1025 }, (_, i) => BigInt(i - 1));

/**
 * The last token a converter read and its value: a load's rows often repeat a value (the batch's sync
 * time and version, flags), and the same bytes convert to the same value.
 */
class LastToken {
  s = -1;
  e = -1;
  v: Converted = FAIL;

  same(sc: Scanner): boolean {
    const len = sc.e - sc.s;
    if (this.s < 0 || this.e - this.s !== len) return false;
    const b = sc.b;
    // From the end: different values of one column mostly differ in their last bytes.
    for (let i = len - 1; i >= 0; i--) if (b[this.s + i] !== b[sc.s + i]) return false;
    return true;
  }

  keep(sc: Scanner, v: Converted): Converted {
    this.s = sc.s;
    this.e = sc.e;
    this.v = v;
    return v;
  }
}

/** JSON integer token → TINYINT…LARGEINT, exactly as `BigInt(token)` with the type's range check. */
function integer(t: TargetColumn, kind: keyof typeof INTEGER_RANGES): Converter {
  const range = INTEGER_RANGES[kind];
  const min = Number(range.min);
  const max = Number(range.max);
  const slow = generic(t);
  const last = new LastToken();
  return (sc) => {
    if (sc.kind !== Tok.Number || sc.special) return slow(sc);
    if (last.same(sc)) return last.v;
    const b = sc.b;
    let p = sc.s;
    const neg = b[p] === 0x2d;
    if (neg) p++;
    if (sc.e - p <= 15) {
      // Exact in a double; BIGINT and LARGEINT hold every 15-digit integer.
      let v = 0;
      for (; p < sc.e; p++) v = v * 10 + ((b[p] ?? 0) - 0x30);
      if (neg) v = -v;
      if (v < min || v > max) return FAIL;
      return last.keep(sc, v >= -1 && v <= 1023 ? (SMALL[v + 1] as bigint) : BigInt(v));
    }
    const v = BigInt(b.latin1Slice(sc.s, sc.e));
    return last.keep(sc, v < range.min || v > range.max ? FAIL : v);
  };
}

function float(t: TargetColumn, isFloat: boolean): Converter {
  const slow = generic(t);
  return (sc) => {
    if (sc.kind !== Tok.Number) return slow(sc);
    const x = Number(sc.b.latin1Slice(sc.s, sc.e));
    if (!Number.isFinite(x) || (isFloat && Math.abs(x) > FLOAT_MAX)) return FAIL;
    return x;
  };
}

function boolean(t: TargetColumn): Converter {
  const slow = generic(t);
  return (sc) => (sc.kind === Tok.True ? true : sc.kind === Tok.False ? false : slow(sc));
}

/**
 * DECIMAL(p,s) from a plain number token (no exponent) that fits without rounding: at most p−s
 * integer digits and s fraction digits — then `stringToDecimal` gives exactly these digits, padded to
 * s fraction digits, and never `-0`. Any other token goes the general way.
 */
function decimal(t: TargetColumn, precision: number, scale: number): Converter {
  const slow = generic(t);
  const zeros = '0'.repeat(scale);
  return (sc) => {
    if (sc.kind !== Tok.Number) return slow(sc);
    const b = sc.b;
    let p = sc.s;
    const neg = b[p] === 0x2d;
    if (neg) p++;
    const intStart = p;
    while (p < sc.e && b[p] !== 0x2e) {
      const c = b[p] ?? 0;
      if (c === 0x65 || c === 0x45) return slow(sc);
      p++;
    }
    const intEnd = p;
    const fracStart = p < sc.e ? p + 1 : p;
    const fracLen = sc.e - fracStart;
    for (let q = fracStart; q < sc.e; q++) {
      const c = b[q] ?? 0;
      if (c === 0x65 || c === 0x45) return slow(sc);
    }
    // JSON allows no leading zero but a lone "0".
    const intDigits = intEnd - intStart === 1 && b[intStart] === 0x30 ? 0 : intEnd - intStart;
    if (intDigits > precision - scale || fracLen > scale) return slow(sc);
    let nonZero = false;
    for (let q = intStart; q < sc.e; q++) {
      const c = b[q] ?? 0;
      if (c > 0x30 && c <= 0x39) {
        nonZero = true;
        break;
      }
    }
    // The token is already the canonical text (one flat string) unless it needs padding or a sign fix.
    if (fracLen === scale && (intDigits > 0 || intEnd - intStart === 1) && (nonZero || !neg) && (scale > 0 || fracStart === sc.e)) return b.latin1Slice(sc.s, sc.e);
    const intText = intDigits === 0 ? '0' : b.latin1Slice(intStart, intEnd);
    const fracText = scale === 0 ? '' : `.${fracLen > 0 ? b.latin1Slice(fracStart, sc.e) : ''}${zeros.slice(fracLen)}`;
    return `${neg && nonZero ? '-' : ''}${intText}${fracText}`;
  };
}

function varchar(t: TargetColumn, length: number): Converter {
  const slow = generic(t);
  return (sc) => {
    if (sc.kind !== Tok.String || sc.special) return slow(sc);
    if (!sc.wide) return sc.e - sc.s > length ? FAIL : sc.b.latin1Slice(sc.s, sc.e);
    const s = sc.b.utf8Slice(sc.s, sc.e);
    // convertText's check, on the decoded text (invalid UTF-8 became U+FFFD there too).
    return s.length * 3 > length && Buffer.byteLength(s, 'utf8') > length ? FAIL : s;
  };
}

function temporal(t: TargetColumn, date: boolean): Converter {
  const slow = generic(t);
  const last = new LastToken();
  return (sc) => {
    if (sc.kind !== Tok.String || sc.special || sc.wide) return slow(sc);
    if (last.same(sc)) return last.v;
    const d = parseDateTimeText(sc.b.latin1Slice(sc.s, sc.e));
    if (d === null) return FAIL;
    return last.keep(sc, date ? d.date : d.datetime);
  };
}

/**
 * JSON column text straight from the bytes of a checked value, when that is plainly the general
 * path's text (`jsonColumnText`): no escape in any string, object keys already in strictly increasing
 * byte order (so nothing to sort or de-duplicate). Else null (the general path decides). The text is
 * written into a scratch buffer and decoded once: one flat string per value.
 */
class JsonColumnWriter {
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

function jsonColumn(t: TargetColumn): Converter {
  const slow = generic(t);
  return (sc) => {
    let text: string | null = null;
    if (sc.kind === Tok.Nested) text = new JsonColumnWriter(sc.b, sc.s, sc.e).text();
    else if (sc.kind === Tok.Number) text = jsonColumnNumber(sc.b.latin1Slice(sc.s, sc.e));
    else if (sc.kind === Tok.String && !sc.special) text = `"${sc.text()}"`;
    return text ?? slow(sc);
  };
}

function converterFor(t: TargetColumn): Converter {
  const ty: ColumnType = t.type;
  switch (ty.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'LARGEINT':
      return integer(t, ty.kind);
    case 'FLOAT':
    case 'DOUBLE':
      return float(t, ty.kind === 'FLOAT');
    case 'BOOLEAN':
      return boolean(t);
    case 'DECIMAL':
      return decimal(t, ty.precision, ty.scale);
    case 'CHAR':
    case 'VARCHAR':
      return varchar(t, ty.length);
    case 'DATE':
    case 'DATETIME':
      return temporal(t, ty.kind === 'DATE');
    case 'JSON':
      return jsonColumn(t);
    default:
      return generic(t);
  }
}

/** Per load: which key of a row object feeds which target (or `__op`), and how each converts. */
interface FastPlan {
  readonly targets: readonly TargetColumn[];
  readonly convert: readonly (Converter | null)[];
  /** Source field name → slot: a target index, or `opSlot`. */
  readonly slots: ReadonlyMap<string, number>;
  readonly opSlot: number;
  readonly names: readonly Buffer[];
  /** `names` that hold no quote, backslash or control byte: matched in place (see `RowReader.row`). */
  readonly plain: readonly (Buffer | undefined)[];
  readonly constOp: 0 | 1;
  readonly strip: boolean;
}

function fastPlan(plan: LoadPlan): FastPlan | null {
  if (plan.format !== 'json' || plan.jsonRoot !== null || plan.jsonPaths !== null) return null;
  const slots = new Map<string, number>();
  const convert: (Converter | null)[] = [];
  for (const [i, t] of plan.targets.entries()) {
    if (t.source.kind === 'expr') return null;
    if (t.source.kind === 'field') {
      if (slots.has(t.source.field)) return null;
      slots.set(t.source.field, i);
      convert.push(converterFor(t));
    } else convert.push(null);
  }
  const opSlot = plan.targets.length;
  let constOp: 0 | 1 = 0;
  const op = plan.op;
  if (op.kind === 'auto' || op.kind === 'field') {
    const field = op.kind === 'auto' ? '__op' : op.field;
    // The general reader also finds a mapped `__op` source listed in another case: leave that to it.
    if (op.kind === 'field' && !plan.sourceFields.includes(field)) return null;
    if (slots.has(field)) return null;
    slots.set(field, opSlot);
  } else if (op.kind === 'const') constOp = op.value;
  const names: Buffer[] = [];
  const plain: (Buffer | undefined)[] = [];
  for (const [name, slot] of slots) {
    const bytes = Buffer.from(name, 'utf8');
    names[slot] = bytes;
    // Matched in place only when these bytes decode back to the name (no lone surrogate in it).
    const isPlain = bytes.every((c) => c >= 0x20 && c !== 0x22 && c !== 0x5c) && bytes.toString('utf8') === name;
    plain[slot] = isPlain ? bytes : undefined;
  }
  return { targets: plan.targets, convert, slots, opSlot, names, plain, constOp, strip: plan.stripOuterArray };
}

/** `__op` from its token: `0`/`1` as a number or a plain string; anything else → the general reader. */
function opOf(sc: Scanner): 0 | 1 {
  let text: string;
  if (sc.kind === Tok.Number) text = sc.b.latin1Slice(sc.s, sc.e);
  else if (sc.kind === Tok.String && !sc.special && !sc.wide) text = sc.b.latin1Slice(sc.s, sc.e).trim();
  else throw BAIL;
  if (text === '0') return 0;
  if (text === '1') return 1;
  throw BAIL;
}

/** Reads rows; one instance per load. */
class RowReader {
  readonly #fp: FastPlan;
  readonly #sc: Scanner;
  /** Row number that last set each slot (duplicate keys). */
  readonly #seen: Int32Array;
  /** Per key position of the previous row: its slot, to skip the name lookup while rows repeat keys. */
  readonly #lastSlot: number[] = [];
  #row = 0;
  readonly rows: RowOp[] = [];

  constructor(fp: FastPlan, sc: Scanner) {
    this.#fp = fp;
    this.#sc = sc;
    this.#seen = new Int32Array(fp.opSlot + 1).fill(-1);
  }

  /** The slot of the key whose bytes are `sc.s`…`sc.e` at key position `k` (-1: not loaded). */
  #slot(k: number): number {
    const sc = this.#sc;
    const b = sc.b;
    const len = sc.e - sc.s;
    const guess = this.#lastSlot[k];
    if (guess !== undefined && guess >= 0) {
      const name = this.#fp.names[guess];
      if (name !== undefined && name.length === len) {
        let i = 0;
        while (i < len && b[sc.s + i] === name[i]) i++;
        if (i === len) return guess;
      }
    }
    const slot = this.#fp.slots.get(sc.text()) ?? -1;
    this.#lastSlot[k] = slot;
    return slot;
  }

  /** Whether `name` and a closing quote are the bytes at `at`. */
  #at(at: number, name: Buffer): boolean {
    const b = this.#sc.b;
    const len = name.length;
    if (at + len >= this.#sc.n || b[at + len] !== 0x22) return false;
    for (let i = 0; i < len; i++) if (b[at + i] !== name[i]) return false;
    return true;
  }

  /** One row object at `p`. */
  row(): void {
    const fp = this.#fp;
    const sc = this.#sc;
    const row = this.#row++;
    const seen = this.#seen;
    const values = new Array<StoredValue>(fp.targets.length);
    let op: 0 | 1 = fp.constOp;
    sc.p++; // {
    sc.ws();
    if (sc.byte() === 0x7d) sc.p++;
    else {
      for (let k = 0; ; k++) {
        if (sc.byte() !== 0x22) throw BAIL;
        let slot: number;
        const guess = this.#lastSlot[k];
        const name = guess !== undefined && guess >= 0 ? fp.plain[guess] : undefined;
        if (guess !== undefined && name !== undefined && this.#at(sc.p + 1, name)) {
          // The key of the previous row at this position, in place: `"name"` (a plain name cannot end
          // early or hold an escape, so these bytes are that JSON string and nothing else).
          sc.p += name.length + 2;
          slot = guess;
        } else {
          sc.string();
          // A key with an escape fails the whole row in StarRocks; the general reader says how.
          if (sc.special) throw BAIL;
          slot = this.#slot(k);
        }
        sc.ws();
        sc.expect(0x3a);
        sc.ws();
        sc.value();
        if (slot >= 0) {
          if (seen[slot] === row) throw BAIL; // duplicate key: the general reader keeps the last one
          seen[slot] = row;
          if (slot === fp.opSlot) op = opOf(sc);
          else if (sc.kind !== Tok.Null) {
            const v = (fp.convert[slot] as Converter)(sc);
            if (v === FAIL) throw BAIL;
            values[slot] = v;
          }
        }
        sc.ws();
        const c = sc.byte();
        sc.p++;
        if (c === 0x7d) break;
        if (c !== 0x2c) throw BAIL;
        sc.ws();
      }
    }
    const targets = fp.targets;
    for (let i = 0; i < targets.length; i++) {
      const t = targets[i] as TargetColumn;
      let v: StoredValue;
      if (op === 1 && !t.isKey) {
        values[i] = null; // a delete keeps only its key (§6.1)
        continue;
      }
      if (seen[i] === row) v = values[i] ?? null;
      else v = t.source.kind === 'default' ? t.source.value : null;
      if (v === null && !t.nullable) throw BAIL; // the general reader reports the NOT NULL column
      values[i] = v;
    }
    this.rows.push({ op, values });
  }
}

/**
 * The rows of a JSON body when every row loads (see the file comment), else `null`: read the body with
 * `readJsonBody` then.
 */
export function readJsonBodyFast(plan: LoadPlan, body: Buffer): ReadOutcome | null {
  const fp = fastPlan(plan);
  if (fp === null) return null;
  const sc = new Scanner(body);
  const reader = new RowReader(fp, sc);
  try {
    sc.ws();
    const first = sc.byte();
    if (first !== 0x5b && first !== 0x7b) return null;
    while (sc.p < sc.n) {
      if (fp.strip) {
        sc.expect(0x5b);
        sc.ws();
        if (sc.byte() === 0x5d) sc.p++;
        else {
          for (;;) {
            if (sc.byte() !== 0x7b) throw BAIL;
            reader.row();
            sc.ws();
            const c = sc.byte();
            sc.p++;
            if (c === 0x5d) break;
            if (c !== 0x2c) throw BAIL;
            sc.ws();
          }
        }
      } else {
        if (sc.byte() !== 0x7b) throw BAIL;
        reader.row();
      }
      sc.ws();
    }
  } catch (e) {
    if (e === BAIL) return null;
    throw e;
  }
  const rows = reader.rows;
  return { ok: true, rows, stats: { total: rows.length, filtered: 0, unselected: 0, errorLines: [] } };
}
