/**
 * Type rules. Target column types (read from `information_schema.columns`, PROTOCOL.md §7.4) drive
 * how a value is written into the JSON body; source types drive the CREATE TABLE suggestion.
 */
import type { ColumnSchema } from '../../core/index.js';

/** How the sink treats a target column when writing JSON (PROTOCOL.md §8.1). */
export type TargetKind =
  | 'boolean'
  | 'integer'
  | 'largeint'
  | 'float'
  | 'decimal'
  | 'string'
  | 'date'
  | 'datetime'
  | 'json'
  | 'binary'
  | 'array'
  | 'map'
  | 'struct'
  | 'other';

export interface TargetColumn {
  /** The name as the target spells it (JSON keys are matched by exact name, §2). */
  readonly name: string;
  /** `information_schema.columns.DATA_TYPE` (lower-case base type). */
  readonly dataType: string;
  readonly kind: TargetKind;
  readonly nullable: boolean;
  /** Primary key column (`COLUMN_KEY = 'PRI'`). */
  readonly isKey: boolean;
}

/**
 * `DATA_TYPE` + `COLUMN_SIZE` → kind. BOOLEAN is reported as `tinyint` with a NULL `COLUMN_SIZE`
 * (how the Flink connector tells it from TINYINT, §7.4).
 */
export function targetKindOf(dataType: string, columnSize: number | null): TargetKind {
  const t = dataType.trim().toLowerCase().replace(/\(.*$/, '');
  switch (t) {
    case 'boolean':
    case 'bool':
      return 'boolean';
    case 'tinyint':
      return columnSize === null ? 'boolean' : 'integer';
    case 'smallint':
    case 'int':
    case 'integer':
    case 'bigint':
      return 'integer';
    case 'largeint':
      return 'largeint';
    case 'float':
    case 'double':
      return 'float';
    case 'decimal':
    case 'decimalv2':
    case 'decimalv3':
    case 'decimal32':
    case 'decimal64':
    case 'decimal128':
    case 'decimal256':
    case 'numeric':
      return 'decimal';
    case 'char':
    case 'varchar':
    case 'string':
    case 'text':
      return 'string';
    case 'date':
      return 'date';
    case 'datetime':
    case 'timestamp':
      return 'datetime';
    case 'json':
    case 'jsonb':
      return 'json';
    case 'binary':
    case 'varbinary':
      return 'binary';
    case 'array':
      return 'array';
    case 'map':
      return 'map';
    case 'struct':
      return 'struct';
    default:
      return 'other';
  }
}

/** Integer-typed target columns that may hold `dbmazz_cdc_version` (merge_condition, §6.4). */
export function isIntegerKind(kind: TargetKind): boolean {
  return kind === 'integer' || kind === 'largeint';
}

/**
 * The StarRocks type suggested for a source column (the seed's mapping), used in the CREATE TABLE
 * suggestion of setup errors and in docs/starrocks.md.
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
      return numericType(col.typeModifier);
    case 'money':
      return 'DECIMAL(19,2)';
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
      const inner = el && el !== 'array' ? suggestStarRocksType({ ...col, family: el, typeModifier: -1 }) : 'STRING';
      return `ARRAY<${inner}>`;
    }
    case 'text':
    case 'uuid':
    case 'time':
    case 'timetz':
    case 'interval':
    case 'other':
      return 'STRING';
  }
}

/** numeric(p,s): typmod = ((p << 16) | s) + 4. Unconstrained numeric → DECIMAL(38,9) (seed). */
function numericType(typmod: number): string {
  if (typmod < 4) return 'DECIMAL(38,9)';
  const v = typmod - 4;
  const p = (v >> 16) & 0xffff;
  const s = v & 0xffff;
  if (p < 1 || p > 38 || s > p) return 'DECIMAL(38,9)';
  return `DECIMAL(${p},${s})`;
}
