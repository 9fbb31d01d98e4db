/** Identifies a table at the source: schema (namespace) and name, both case-sensitive. */
export interface TableId {
  readonly schema: string;
  readonly name: string;
}

export function tableKey(id: TableId): string {
  return `${id.schema}.${id.name}`;
}

export function formatTableId(id: TableId): string {
  return `${id.schema}.${id.name}`;
}

/** A column as the source describes it. */
export interface ColumnSchema {
  readonly name: string;
  /** Source type name, e.g. `int8`, `numeric`, `_text` for arrays, or the enum/domain name. */
  readonly typeName: string;
  /** Source type id (PostgreSQL OID); 0 when unknown. */
  readonly typeOid: number;
  /** Type modifier (atttypmod), -1 when none. */
  readonly typeModifier: number;
  /** Part of the primary key / replica identity. */
  readonly isKey: boolean;
  /** Base-type family used for value mapping, filled in by the source. */
  readonly family: ValueFamily;
  /** Element family for arrays. */
  readonly elementFamily?: ValueFamily;
}

export type ValueFamily =
  | 'boolean'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'float8'
  | 'numeric'
  | 'money'
  | 'text'
  | 'json'
  | 'uuid'
  | 'bytea'
  | 'date'
  | 'time'
  | 'timetz'
  | 'timestamp'
  | 'timestamptz'
  | 'interval'
  | 'array'
  | 'other';

/** A table's shape at one point of the stream. A new object is created whenever it changes. */
export interface TableSchema {
  readonly id: TableId;
  readonly columns: readonly ColumnSchema[];
  /** Names of the key columns in key order. */
  readonly keyColumns: readonly string[];
  /** Source-specific version that changes whenever the shape changes. */
  readonly version: number;
}
