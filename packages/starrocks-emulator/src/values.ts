/**
 * Stored values of the emulator and the pure helpers around them (no I/O).
 *
 * Representation (one per column type, see also catalog.ts):
 * - NULL → `null`
 * - BOOLEAN → `boolean`
 * - TINYINT/SMALLINT/INT/BIGINT/LARGEINT → `bigint`
 * - FLOAT/DOUBLE → `number`
 * - DECIMAL(p,s) → canonical `string` with exactly `s` fraction digits (`"-12.50"`, `"0"` for s=0; never `-0`)
 * - CHAR/VARCHAR/STRING → `string`
 * - DATE → `'YYYY-MM-DD'`; DATETIME → `'YYYY-MM-DD HH:MM:SS'` plus `'.ffffff'` only when µs ≠ 0
 * - JSON → canonical minified JSON text (`string`); number tokens kept byte-exact as written
 * - VARBINARY → `Buffer`
 * - ARRAY → `StoredValue[]`; MAP → array of `[key, value]` pairs; STRUCT → plain object `{field: value}`
 */
import type { ColumnType } from './types.js';
import { isIntegerKind } from './types.js';

export type StoredValue = null | boolean | bigint | number | string | Buffer | StoredValue[] | StoredStruct;
export interface StoredStruct {
  readonly [field: string]: StoredValue;
}

/** Compare two stored values of type `t`; NULL sorts first (StarRocks ASC NULLS FIRST). */
export function compareStored(t: ColumnType, a: StoredValue, b: StoredValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  switch (t.kind) {
    case 'DECIMAL':
      return cmp(decimalToScaled(String(a)), decimalToScaled(String(b)));
    case 'CHAR':
    case 'VARCHAR':
    case 'JSON':
      return compareStrings(String(a), String(b));
    case 'VARBINARY':
      return Buffer.isBuffer(a) && Buffer.isBuffer(b) ? Buffer.compare(a, b) : 0;
    case 'ARRAY':
    case 'MAP': {
      if (!Array.isArray(a) || !Array.isArray(b)) return 0;
      const et: ColumnType = t.kind === 'ARRAY' ? t.element : { kind: 'VARCHAR', length: 1 };
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const x = a[i] ?? null;
        const y = b[i] ?? null;
        const c = t.kind === 'ARRAY' ? compareStored(et, x, y) : compareStrings(JSON.stringify(String(x)), JSON.stringify(String(y)));
        if (c !== 0) return c;
      }
      return cmp(a.length, b.length);
    }
    case 'STRUCT':
      return 0;
    default:
      if (typeof a === 'bigint' && typeof b === 'bigint') return cmp(a, b);
      if (typeof a === 'number' && typeof b === 'number') return cmp(a, b);
      if (typeof a === 'boolean' && typeof b === 'boolean') return cmp(Number(a), Number(b));
      return compareStrings(String(a), String(b)); // DATE / DATETIME canonical text sorts correctly
  }
}

function cmp<T extends number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Code-point order (same as UTF-8 byte order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) ?? 0;
    const y = b.codePointAt(i) ?? 0;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return cmp(a.length, b.length);
}

/** `"-12.50"` → -1250n (the scale is implied by the column type). */
export function decimalToScaled(s: string): bigint {
  return BigInt(s.replace('.', ''));
}

/** A Map key for key values: a number for one integer key within ±2^53, else a tagged string. */
export type EncodedKey = string | number;

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Encode key values into a Map key; unambiguous for any mix of values. */
export function encodeKey(values: readonly StoredValue[]): EncodedKey {
  // One key column (keys of one table all have the same length): the tagged value alone — or, for an
  // integer that a double holds exactly, the number itself (no string per row; never equal to a string).
  if (values.length === 1) {
    const v = values[0] ?? null;
    if (typeof v === 'bigint' && v <= SAFE && v >= -SAFE) return Number(v);
    return encodeOne(v);
  }
  return JSON.stringify(values.map(encodeOne));
}

function encodeOne(v: StoredValue): string {
  if (v === null) return 'n';
  if (typeof v === 'bigint') return `i${v}`;
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'boolean') return v ? 'b1' : 'b0';
  if (typeof v === 'number') return `f${v}`;
  if (Buffer.isBuffer(v)) return `x${v.toString('hex')}`;
  return `j${storedToText({ kind: 'JSON' }, v)}`;
}

/**
 * The value a NOT NULL column without DEFAULT gets when a row is created without it (partial update
 * of a new key, §6.3: "the type's zero value"). [UNCONFIRMED] for DATE/DATETIME/JSON/complex types:
 * the emulator uses 1970-01-01, 1970-01-01 00:00:00, JSON `null`, empty array/map, all-NULL struct.
 */
export function zeroValue(t: ColumnType): StoredValue {
  if (isIntegerKind(t.kind)) return 0n;
  switch (t.kind) {
    case 'BOOLEAN':
      return false;
    case 'FLOAT':
    case 'DOUBLE':
      return 0;
    case 'DECIMAL':
      return t.scale > 0 ? `0.${'0'.repeat(t.scale)}` : '0';
    case 'CHAR':
    case 'VARCHAR':
      return '';
    case 'DATE':
      return '1970-01-01';
    case 'DATETIME':
      return '1970-01-01 00:00:00';
    case 'JSON':
      return 'null';
    case 'VARBINARY':
      return Buffer.alloc(0);
    case 'ARRAY':
    case 'MAP':
      return [];
    case 'STRUCT': {
      const o: Record<string, StoredValue> = {};
      for (const f of t.fields) o[f.name] = null;
      return o;
    }
    default:
      return null;
  }
}

/**
 * Text rendering of a stored value, close to what StarRocks' MySQL protocol returns:
 * BOOLEAN `1`/`0`, numbers as decimal text, DATE/DATETIME/DECIMAL/JSON as stored, VARBINARY as the raw
 * bytes decoded latin1-free (hex is used here: `0x…` is NOT added), ARRAY `[1,2]` / `["a","b"]`,
 * MAP `{1:"a"}`, STRUCT `{"f":1}`. NULL → null.
 */
export function storedToText(t: ColumnType, v: StoredValue): string | null {
  if (v === null) return null;
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return formatDouble(v);
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('hex').toUpperCase();
  if (Array.isArray(v)) {
    if (t.kind === 'MAP') {
      return `{${v
        .map((pair) => {
          const p = Array.isArray(pair) ? pair : [null, null];
          return `${nested(t.key, p[0] ?? null)}:${nested(t.value, p[1] ?? null)}`;
        })
        .join(',')}}`;
    }
    const et: ColumnType = t.kind === 'ARRAY' ? t.element : { kind: 'JSON' };
    return `[${v.map((e) => nested(et, e)).join(',')}]`;
  }
  const fields = t.kind === 'STRUCT' ? t.fields : Object.keys(v).map((name): { name: string; type: ColumnType } => ({ name, type: { kind: 'JSON' } }));
  return `{${fields.map((f) => `${JSON.stringify(f.name)}:${nested(f.type, v[f.name] ?? null)}`).join(',')}}`;
}

function nested(t: ColumnType, v: StoredValue): string {
  if (v === null) return 'null';
  const text = storedToText(t, v) ?? 'null';
  const quoted = t.kind === 'CHAR' || t.kind === 'VARCHAR' || t.kind === 'DATE' || t.kind === 'DATETIME' || t.kind === 'VARBINARY';
  return quoted ? JSON.stringify(text) : text;
}

function formatDouble(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** Deep copy (rows handed out by inspection APIs must not alias storage). */
export function cloneStored(v: StoredValue): StoredValue {
  if (v === null || typeof v !== 'object') return v;
  if (Buffer.isBuffer(v)) return Buffer.from(v);
  if (Array.isArray(v)) return v.map(cloneStored);
  const o: Record<string, StoredValue> = {};
  for (const [k, x] of Object.entries(v)) o[k] = cloneStored(x);
  return o;
}

/** Deep equality of stored values. */
export function storedEquals(a: StoredValue, b: StoredValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => storedEquals(x, b[i] ?? null));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => storedEquals(a[k] ?? null, b[k] ?? null));
}
