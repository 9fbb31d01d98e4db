/**
 * StarRocks column types as the schema evolution compares them (pure): parsed from DDL spellings
 * (`BIGINT`, `DECIMAL(10,2)`, `STRING`, `ARRAY<INT>`) and from `information_schema.columns.COLUMN_TYPE`
 * (`bigint(20)`, `decimal(10, 2)`, `decimal64(10,2)`, `varchar(65533)`, docs/starrocks-protocol.md §7.4; spellings vary
 * by version, so parsing is lenient).
 *
 * Two questions are answered:
 * - `holds(current, desired)`: can a column of type `current` store every value of `desired` as it is,
 *   so nothing needs to change?
 * - `canModify(from, to)`: does StarRocks accept `ALTER TABLE … MODIFY COLUMN` from one to the other?
 *   After the FE's `SchemaChangeTypeCompatibility` and `Column.checkSchemaChangeAllowed`: integers widen
 *   to larger integers, LARGEINT, DOUBLE and VARCHAR (INT also to DATE); FLOAT → DOUBLE/VARCHAR;
 *   DOUBLE/LARGEINT/DECIMAL/JSON → VARCHAR; CHAR → CHAR/VARCHAR; VARCHAR → numbers, DATE, JSON, DECIMAL
 *   and longer VARCHAR (never shorter); DECIMAL → DECIMAL when neither scale nor integer digits shrink;
 *   DATE ↔ DATETIME. BOOLEAN, VARBINARY and complex types cannot change. Key columns of a Primary Key
 *   table can never be modified (`Can not modify key column`).
 */
import { baseTypeName } from '../type-names.js';

export type IntegerName = 'tinyint' | 'smallint' | 'int' | 'bigint' | 'largeint';

export type SrType =
  | { readonly kind: 'boolean' }
  | { readonly kind: IntegerName }
  | { readonly kind: 'float' }
  | { readonly kind: 'double' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'char'; readonly length: number }
  | { readonly kind: 'varchar'; readonly length: number }
  | { readonly kind: 'date' }
  | { readonly kind: 'datetime' }
  | { readonly kind: 'json' }
  | { readonly kind: 'varbinary' }
  /** ARRAY / MAP / STRUCT, by their normalised text. */
  | { readonly kind: 'complex'; readonly text: string }
  | { readonly kind: 'unknown'; readonly text: string };

/** VARCHAR(65533), what STRING stands for (§8.2). */
export const STRING_LENGTH = 65533;

const INTEGER_BYTES: Readonly<Record<IntegerName, number>> = { tinyint: 1, smallint: 2, int: 4, bigint: 8, largeint: 16 };
/** Decimal digits an integer type needs. */
const INTEGER_DIGITS: Readonly<Record<IntegerName, number>> = { tinyint: 3, smallint: 5, int: 10, bigint: 19, largeint: 39 };

function isInteger(t: SrType): t is { readonly kind: IntegerName } {
  return t.kind in INTEGER_BYTES;
}

function normaliseComplex(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, '')
    .replace(/\b(tinyint|smallint|int|integer|bigint|largeint)\(\d+\)/g, '$1')
    .replace(/\binteger\b/g, 'int')
    .replace(/\bstring\b/g, `varchar(${STRING_LENGTH})`)
    .replace(/\bdecimal(?:v2|v3|32|64|128)\b/g, 'decimal');
}

/** Parses a StarRocks type spelling; unknown spellings come back as `unknown`. */
export function parseSrType(text: string): SrType {
  const raw = text.trim();
  const lower = raw.toLowerCase();
  if (/^(array|map|struct)\s*</.test(lower)) return { kind: 'complex', text: normaliseComplex(raw) };
  const m = /^([a-z_0-9]+)\s*(?:\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\))?\s*(?:unsigned\s*)?$/.exec(lower);
  if (!m || m[1] === undefined) return { kind: 'unknown', text: raw };
  const base = m[1];
  const a = m[2] === undefined ? undefined : Number(m[2]);
  const b = m[3] === undefined ? undefined : Number(m[3]);
  switch (baseTypeName(base)) {
    case 'boolean':
      return { kind: 'boolean' };
    case 'tinyint':
      // information_schema shows BOOLEAN as tinyint(1) on some versions.
      return a === 1 ? { kind: 'boolean' } : { kind: 'tinyint' };
    case 'smallint':
      return { kind: 'smallint' };
    case 'int':
      return { kind: 'int' };
    case 'bigint':
      return { kind: 'bigint' };
    case 'largeint':
      return { kind: 'largeint' };
    case 'float':
      return { kind: 'float' };
    case 'double':
      return { kind: 'double' };
    case 'decimal':
      return { kind: 'decimal', precision: a ?? 10, scale: b ?? 0 };
    case 'char':
      return { kind: 'char', length: a ?? 1 };
    case 'varchar':
      return { kind: 'varchar', length: a ?? 1 };
    case 'string':
      return { kind: 'varchar', length: STRING_LENGTH };
    case 'date':
      return { kind: 'date' };
    case 'datetime':
      return { kind: 'datetime' };
    case 'json':
      return { kind: 'json' };
    case 'varbinary':
      return { kind: 'varbinary' };
    default:
      // Unknown names, and ARRAY/MAP/STRUCT without their `<…>` (handled above).
      return { kind: 'unknown', text: raw };
  }
}

/** DDL spelling, e.g. `BIGINT`, `DECIMAL(20,4)`, `VARCHAR(65533)`. */
export function formatSrType(t: SrType): string {
  switch (t.kind) {
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'char':
    case 'varchar':
      return `${t.kind.toUpperCase()}(${t.length})`;
    case 'complex':
      return t.text.toUpperCase();
    case 'unknown':
      return t.text;
    default:
      return t.kind.toUpperCase();
  }
}

export function sameSrType(a: SrType, b: SrType): boolean {
  return formatSrType(a) === formatSrType(b);
}

/** Can a column of type `current` store every value of type `desired` unchanged? */
export function holds(current: SrType, desired: SrType): boolean {
  if (sameSrType(current, desired)) return true;
  if (isInteger(current) && isInteger(desired)) return INTEGER_BYTES[current.kind] >= INTEGER_BYTES[desired.kind];
  switch (current.kind) {
    case 'double':
      // Exact in a double: FLOAT and integers up to 4 bytes.
      return desired.kind === 'float' || (isInteger(desired) && INTEGER_BYTES[desired.kind] <= 4);
    case 'decimal':
      if (desired.kind === 'decimal') return current.scale >= desired.scale && current.precision - current.scale >= desired.precision - desired.scale;
      return isInteger(desired) && desired.kind !== 'largeint' && current.precision - current.scale >= INTEGER_DIGITS[desired.kind];
    case 'varchar':
      if (desired.kind === 'varchar' || desired.kind === 'char') return current.length >= desired.length;
      // A STRING column holds the text of any scalar value (numbers, dates, JSON text).
      return current.length >= STRING_LENGTH && desired.kind !== 'complex' && desired.kind !== 'unknown' && desired.kind !== 'varbinary';
    case 'datetime':
      return desired.kind === 'date';
    default:
      return false;
  }
}

/** Whether StarRocks accepts `MODIFY COLUMN` from `from` to `to` for a value (non-key) column. */
export function canModify(from: SrType, to: SrType): boolean {
  if (isInteger(from)) {
    if (from.kind === 'largeint') return to.kind === 'varchar';
    if (isInteger(to)) return INTEGER_BYTES[to.kind] > INTEGER_BYTES[from.kind];
    return to.kind === 'double' || to.kind === 'varchar' || (from.kind === 'int' && to.kind === 'date');
  }
  switch (from.kind) {
    case 'float':
      return to.kind === 'double' || to.kind === 'varchar';
    case 'double':
    case 'json':
      return to.kind === 'varchar';
    case 'char':
      return (to.kind === 'char' || to.kind === 'varchar') && to.length >= from.length;
    case 'varchar':
      if (to.kind === 'varchar') return to.length >= from.length;
      return isInteger(to) || to.kind === 'float' || to.kind === 'double' || to.kind === 'date' || to.kind === 'json' || to.kind === 'decimal';
    case 'decimal':
      if (to.kind === 'varchar') return to.length >= from.precision + 2;
      return to.kind === 'decimal' && from.scale <= to.scale && from.precision - from.scale <= to.precision - to.scale;
    case 'date':
      return to.kind === 'datetime';
    case 'datetime':
      return to.kind === 'date';
    default:
      return false;
  }
}

/** Types allowed for Primary Key columns (docs/starrocks-protocol.md §6.1). */
export function isKeyType(t: SrType): boolean {
  return t.kind === 'boolean' || isInteger(t) || t.kind === 'char' || t.kind === 'varchar' || t.kind === 'date' || t.kind === 'datetime';
}

export type TypeChange =
  { readonly action: 'none' } | { readonly action: 'modify'; readonly to: SrType } | { readonly action: 'impossible'; readonly reason: string };

/**
 * What to do when a source column's type changed: nothing when the target column already holds the new
 * values, `MODIFY COLUMN` when StarRocks can widen it, otherwise impossible (with the reason).
 */
export function typeChange(current: SrType, desired: SrType, isKey: boolean): TypeChange {
  if (holds(current, desired)) return { action: 'none' };
  if (isKey) return { action: 'impossible', reason: 'StarRocks cannot change the type of a Primary Key column' };
  if (canModify(current, desired)) return { action: 'modify', to: desired };
  return { action: 'impossible', reason: `StarRocks cannot change a column from ${formatSrType(current)} to ${formatSrType(desired)}` };
}
