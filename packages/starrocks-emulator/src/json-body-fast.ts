/**
 * The fast path of a JSON Stream Load body: reads the body's bytes straight into row operations, for
 * the shape every dbmazz load has (no `jsonpaths`, no `json_root`, no `columns` expressions but constants). Pure.
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
import { BAIL, JsonColumnWriter, Scanner, Tok } from './json-bytes.js';
import { jsonColumnNumber } from './json-number.js';
import type { LoadPlan, TargetColumn } from './load-plan.js';
import { constantValue, type ReadOutcome, type RowOp } from './load-reader.js';
import { type ColumnType, INTEGER_RANGES } from './types.js';
import type { StoredValue } from './values.js';

/** A converter's answer when the value does not convert (the general reader decides). */
const FAIL: unique symbol = Symbol('fail');
type Converted = StoredValue | typeof FAIL;

const FLOAT_MAX = 3.4028234663852886e38;

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
    if (fracLen === scale && (intDigits > 0 || intEnd - intStart === 1) && (nonZero || !neg) && (scale > 0 || fracStart === sc.e))
      return b.latin1Slice(sc.s, sc.e);
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
  /** Per target not read from a field: its value in every row (a DEFAULT, a constant mapping). */
  readonly constants: readonly StoredValue[];
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
  const constants: StoredValue[] = [];
  for (const [i, t] of plan.targets.entries()) {
    constants.push(null);
    if (t.source.kind === 'expr') {
      // A constant mapping (the sink's audit columns of a snapshot load) is one value for every row.
      const v = constantValue(t, t.source.expr);
      if (v === undefined) return null;
      constants[i] = v;
      convert.push(null);
    } else if (t.source.kind === 'field') {
      if (slots.has(t.source.field)) return null;
      slots.set(t.source.field, i);
      convert.push(converterFor(t));
    } else {
      constants[i] = t.source.value;
      convert.push(null);
    }
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
  return { targets: plan.targets, convert, constants, slots, opSlot, names, plain, constOp, strip: plan.stripOuterArray };
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
      else v = fp.constants[i] ?? null;
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
