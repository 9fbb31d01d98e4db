/**
 * Type rules. Target column types (read from `information_schema.columns`, docs/starrocks-protocol.md §7.4) drive
 * how a value is written into the JSON body; source types drive the CREATE TABLE suggestion.
 */
import { codeAt, type CodeSource, type ColumnSchema } from '../../core/index.js';
import { baseTypeName } from './type-names.js';

/** How the sink treats a target column when writing JSON (docs/starrocks-protocol.md §8.1). */
export type TargetKind =
  'boolean' | 'integer' | 'largeint' | 'float' | 'decimal' | 'string' | 'date' | 'datetime' | 'json' | 'binary' | 'array' | 'map' | 'struct' | 'other';

export interface TargetColumn {
  /** The name as the target spells it (JSON keys are matched by exact name, §2). */
  readonly name: string;
  /** `information_schema.columns.DATA_TYPE` (lower-case base type). */
  readonly dataType: string;
  readonly kind: TargetKind;
  readonly nullable: boolean;
  /** Primary key column (`COLUMN_KEY = 'PRI'`). */
  readonly isKey: boolean;
  /**
   * `information_schema.columns.COLUMN_TYPE` when read (`decimal(38,9)`, `varchar(65533)`,
   * `array<array<int(11)>>`). Optional: values are checked against the limits it tells (valueLimits).
   */
  readonly columnType?: string | null;
  /** `COLUMN_SIZE`: DECIMAL precision, CHAR/VARCHAR/VARBINARY length in bytes (§7.4). */
  readonly columnSize?: number | null;
  /** `DECIMAL_DIGITS`: DECIMAL scale. */
  readonly decimalDigits?: number | null;
}

/**
 * `DATA_TYPE` + `COLUMN_SIZE` → kind. BOOLEAN is reported as `tinyint` with a NULL `COLUMN_SIZE`
 * (how the Flink connector tells it from TINYINT, §7.4).
 */
export function targetKindOf(dataType: string, columnSize: number | null): TargetKind {
  const t = dataType.trim().toLowerCase().replace(/\(.*$/, '');
  switch (baseTypeName(t)) {
    case 'boolean':
      return 'boolean';
    case 'tinyint':
      return columnSize === null ? 'boolean' : 'integer';
    case 'smallint':
    case 'int':
    case 'bigint':
      return 'integer';
    case 'largeint':
      return 'largeint';
    case 'float':
    case 'double':
      return 'float';
    case 'decimal':
      return 'decimal';
    case 'char':
    case 'varchar':
    case 'string':
      return 'string';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'json':
      return 'json';
    case 'varbinary':
      return 'binary';
    case 'array':
      return 'array';
    case 'map':
      return 'map';
    case 'struct':
      return 'struct';
    case undefined:
      return 'other';
  }
}

/** Integer-typed target columns that may hold `dbmazz_cdc_version` (merge_condition, §6.4). */
export function isIntegerKind(kind: TargetKind): boolean {
  return kind === 'integer' || kind === 'largeint';
}

/** What a value must fit in a target column; every field is optional (unknown → not checked). */
export interface ValueLimits {
  /** DECIMAL(P,S). */
  readonly decimal?: { readonly precision: number; readonly scale: number };
  /** CHAR/VARCHAR/VARBINARY length in bytes. */
  readonly maxBytes?: number;
  /** Range of an integer column. */
  readonly integer?: { readonly min: bigint; readonly max: bigint; readonly type: string };
  /** Nesting depth of an ARRAY column (`ARRAY<ARRAY<INT>>` = 2) and whether its innermost element is JSON. */
  readonly array?: { readonly depth: number; readonly jsonElements: boolean };
}

const INTEGER_RANGES: Readonly<Record<string, { readonly min: bigint; readonly max: bigint }>> = {
  tinyint: { min: -(2n ** 7n), max: 2n ** 7n - 1n },
  smallint: { min: -(2n ** 15n), max: 2n ** 15n - 1n },
  int: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  integer: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  bigint: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  largeint: { min: -(2n ** 127n), max: 2n ** 127n - 1n },
};

/** The part of a target column the limits are read from (TargetColumn satisfies it). */
export interface LimitSource {
  readonly kind: TargetKind;
  readonly dataType?: string;
  readonly columnType?: string | null;
  readonly columnSize?: number | null;
  readonly decimalDigits?: number | null;
}

/**
 * Limits of a target column from `COLUMN_TYPE` (preferred) or `COLUMN_SIZE`/`DECIMAL_DIGITS`
 * (docs/starrocks-protocol.md §7.4, §8.2). Spellings vary by version (`decimal(27, 9)`, `decimal128(27,9)`), so the
 * parsing is lenient and anything it does not recognise stays unchecked.
 */
export function valueLimits(col: LimitSource): ValueLimits {
  const type = (col.columnType ?? '').trim().toLowerCase();
  const size = typeof col.columnSize === 'number' && col.columnSize > 0 ? col.columnSize : undefined;
  switch (col.kind) {
    case 'decimal': {
      const m = /^decimal(?:v2|v3|32|64|128|256)?\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(type);
      const precision = m ? Number(m[1]) : size;
      const scale = m ? Number(m[2] ?? 0) : typeof col.decimalDigits === 'number' ? col.decimalDigits : undefined;
      return precision !== undefined && scale !== undefined && scale <= precision ? { decimal: { precision, scale } } : {};
    }
    case 'string':
    case 'binary': {
      const m = /^(?:var)?(?:char|binary)\s*\(\s*(\d+)\s*\)/.exec(type);
      const maxBytes = m ? Number(m[1]) : size;
      return maxBytes !== undefined ? { maxBytes } : {};
    }
    case 'integer':
    case 'largeint': {
      const base = (col.dataType ?? type).trim().toLowerCase().replace(/\(.*$/, '');
      const r = INTEGER_RANGES[base];
      return r ? { integer: { ...r, type: base.toUpperCase() } } : {};
    }
    case 'array': {
      if (!type.startsWith('array')) return {};
      let rest = type;
      let depth = 0;
      while (/^array\s*</.test(rest)) {
        rest = rest.replace(/^array\s*</, '');
        depth++;
      }
      return { array: { depth, jsonElements: /^json\b/.test(rest) } };
    }
    default:
      return {};
  }
}

/** Result of fitting an exact decimal text into DECIMAL(P,S). */
export type DecimalFit = { readonly ok: true; readonly text: string; readonly rounded: boolean } | { readonly ok: false; readonly reason: string };

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * Fits a plain decimal text (PostgreSQL numeric output: no exponent) into DECIMAL(P,S): fraction
 * digits beyond S are rounded half away from zero (what PostgreSQL does for `::numeric(p,s)`); an
 * integer part longer than P−S cannot be stored (StarRocks would turn it into NULL, §8.2), so it is
 * an error. Exact string arithmetic, no floating point.
 */
export function fitDecimal(text: string, precision: number, scale: number): DecimalFit {
  const m = DECIMAL_TEXT.exec(text.trim());
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return { ok: false, reason: 'not a decimal number' };
  const negative = m[1] === '-';
  let intDigits = (m[2] ?? '').replace(/^0+/, '');
  let frac = m[3] ?? '';
  let rounded = false;
  if (frac.length > scale) {
    const dropped = frac.slice(scale);
    rounded = /[1-9]/.test(dropped);
    frac = frac.slice(0, scale);
    if (dropped.charCodeAt(0) - 48 >= 5) {
      // Round the magnitude up by one unit in the last kept place.
      const digits = (intDigits + frac).split('');
      let i = digits.length - 1;
      for (; i >= 0; i--) {
        if (digits[i] === '9') digits[i] = '0';
        else {
          digits[i] = String(Number(digits[i]) + 1);
          break;
        }
      }
      const all = (i < 0 ? '1' : '') + digits.join('');
      intDigits = all.slice(0, all.length - frac.length).replace(/^0+/, '');
      frac = all.slice(all.length - frac.length);
    }
  }
  if (intDigits.length > precision - scale) {
    return { ok: false, reason: `it needs ${intDigits.length} integer digits, DECIMAL(${precision},${scale}) holds ${precision - scale}` };
  }
  const body = (intDigits === '' ? '0' : intDigits) + (frac === '' ? '' : `.${frac}`);
  const zero = !/[1-9]/.test(body);
  return { ok: true, text: negative && !zero ? `-${body}` : body, rounded };
}

/**
 * True when `fitDecimal(text, p, s)` would return `text` itself, not rounded: a canonical decimal
 * (`-?(0|[1-9][0-9]*)(\.[0-9]+)?`, not a negative zero) with at most `intDigits` (= p − s) integer
 * digits (a lone `0` counts none) and at most `scale` fraction digits. One pass over the characters,
 * nothing allocated: the body writer's check for the common case (PostgreSQL's numeric output).
 */
export function decimalFitsAsIs(text: string, intDigits: number, scale: number): boolean {
  return decimalCodesFitAsIs(text, 0, text.length, intDigits, scale);
}

/** `decimalFitsAsIs` of the `n` codes at `s` of a text or bytes. */
export function decimalCodesFitAsIs(src: CodeSource, s: number, n: number, intDigits: number, scale: number): boolean {
  const end = s + n;
  let i = n > 0 && codeAt(src, s) === 0x2d ? s + 1 : s;
  const negative = i > s;
  const start = i;
  while (i < end && isDigitCode(codeAt(src, i))) i++;
  const intLen = i - start;
  if (intLen === 0) return false;
  const leadingZero = codeAt(src, start) === 0x30;
  if (leadingZero && intLen > 1) return false;
  if ((leadingZero ? 0 : intLen) > intDigits) return false;
  let nonZero = !leadingZero;
  if (i < end) {
    if (codeAt(src, i) !== 0x2e) return false;
    const fracStart = ++i;
    for (; i < end; i++) {
      const c = codeAt(src, i);
      if (!isDigitCode(c)) return false;
      if (c !== 0x30) nonZero = true;
    }
    const fracLen = i - fracStart;
    if (fracLen === 0 || fracLen > scale) return false;
  }
  return nonZero || !negative;
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/**
 * The StarRocks type suggested for a source column (the seed's mapping, see "Type mapping by family" in
 * docs/starrocks.md), used in CREATE TABLE, ADD/MODIFY COLUMN and the suggestions of setup errors. Driven
 * only by the normalised facts of core/model/table.ts (family, element family, length, precision, scale),
 * so any source that fills them gets the same mapping.
 */
export function suggestStarRocksType(col: ColumnSchema): string {
  switch (col.family) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int2':
      return 'SMALLINT';
    case 'int4':
      return 'INT';
    case 'int8':
      return 'BIGINT';
    case 'float4':
      return 'FLOAT';
    case 'float8':
      return 'DOUBLE';
    case 'numeric':
    case 'money':
      return decimalType(col.precision, col.scale);
    case 'json':
      return 'JSON';
    case 'bytea':
      return 'VARBINARY';
    case 'date':
      return 'DATE';
    case 'timestamp':
    case 'timestamptz':
      return 'DATETIME';
    case 'array': {
      const el = col.elementFamily;
      // For arrays the facts describe the elements. JSON Stream Load cannot fill VARBINARY elements (§8.2):
      // byte-array elements travel as `\x…` text.
      const inner = el && el !== 'array' && el !== 'bytea' ? suggestStarRocksType({ ...col, family: el }) : 'STRING';
      return `ARRAY<${inner}>`;
    }
    case 'text':
      return textType(col.length);
    case 'uuid':
    case 'time':
    case 'timetz':
    case 'interval':
    case 'other':
      return 'STRING';
  }
}

/** DECIMAL's widest precision; wider or unconstrained decimals become DECIMAL(38,9) (seed). */
const MAX_DECIMAL_PRECISION = 38;

/** VARCHAR limits are bytes, a source's lengths are characters (≤ 4 UTF-8 bytes each, §8.2), up to 1 MiB. */
function textType(length: number | undefined): string {
  if (length === undefined || length < 1) return 'STRING';
  return `VARCHAR(${Math.min(1_048_576, length * 4)})`;
}

/**
 * An exact decimal of `precision` digits, `scale` of them after the point. A negative scale (digits
 * rounded off before the point) needs `precision − scale` integer digits; a scale above the precision
 * needs `scale` digits. Unconstrained, or wider than DECIMAL's 38 digits → DECIMAL(38,9) (seed).
 */
export function decimalType(precision: number | undefined, scale: number | undefined): string {
  if (precision === undefined || precision < 1) return 'DECIMAL(38,9)';
  const s = scale ?? 0;
  const digits = s < 0 ? precision - s : Math.max(precision, s);
  if (digits > MAX_DECIMAL_PRECISION) return 'DECIMAL(38,9)';
  return `DECIMAL(${digits},${Math.max(0, s)})`;
}
