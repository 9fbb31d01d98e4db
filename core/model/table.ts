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

/**
 * A column as the source describes it. Core and sinks read only the normalised facts (`family`,
 * `elementFamily`, `length`, `precision`, `scale`, `withTimeZone`, `typeText`); `typeName`, `typeOid` and
 * `typeModifier` are the source's own identifiers of the type, opaque outside the source: compared for
 * equality (a changed type), never decoded. A source fills the facts from whatever its catalog says
 * (PostgreSQL: the type OID and the typmod; docs/architecture.md "Table schemas and type facts").
 */
export interface ColumnSchema {
  readonly name: string;
  /** The source's name of the type, e.g. `int8`, `_text`, an enum or domain name (opaque). */
  readonly typeName: string;
  /** The source's type id (PostgreSQL: the OID); 0 when none (opaque). */
  readonly typeOid: number;
  /** The source's type modifier (PostgreSQL: atttypmod); -1 when none (opaque). */
  readonly typeModifier: number;
  /** Part of the primary key / replica identity. */
  readonly isKey: boolean;
  /** How values of the column are represented (value mapping and the sink's type choice). */
  readonly family: ValueFamily;
  /** Element family for arrays. */
  readonly elementFamily?: ValueFamily;
  /** Declared maximum length in characters of a bounded character column (`varchar(20)` → 20); absent when unbounded. */
  readonly length?: number;
  /**
   * Exact decimals: declared total digits (absent when unconstrained). Times and timestamps: declared
   * fractional-second digits.
   */
  readonly precision?: number;
  /** Exact decimals: declared digits after the point; may be negative or exceed `precision` where the source allows it. */
  readonly scale?: number;
  /** Times and timestamps: the value is an instant with a time zone (converted to UTC), not a wall clock. */
  readonly withTimeZone?: boolean;
  /** The declared type as the source spells it, for messages and column comments (`numeric(12,2)`, `text[]`); `typeName` when absent. */
  readonly typeText?: string;
}

/** The declared type as the source spells it (`typeText`, else `typeName`). */
export function columnTypeText(c: ColumnSchema): string {
  return c.typeText ?? c.typeName;
}

/** Two columns have the same type: same source identifiers and same normalised facts. */
export function sameColumnType(a: ColumnSchema, b: ColumnSchema): boolean {
  return (
    a.typeOid === b.typeOid &&
    a.typeModifier === b.typeModifier &&
    a.typeName === b.typeName &&
    a.family === b.family &&
    a.elementFamily === b.elementFamily &&
    a.length === b.length &&
    a.precision === b.precision &&
    a.scale === b.scale &&
    a.withTimeZone === b.withTimeZone
  );
}

/**
 * Value families: how a value travels (core/model/value.ts) and what a sink maps the column to. The
 * names are short spellings of generic representations, whatever the source calls its types: `int2`,
 * `int4`, `int8` are 16-, 32- and 64-bit integers; `float4`/`float8` single/double precision; `numeric`
 * an exact decimal (`precision`, `scale`); `money` an exact decimal currency amount; `text` character
 * data (`length`); `bytea` bytes; `date`, `time`/`timetz`, `timestamp`/`timestamptz` (`withTimeZone`),
 * `interval` a duration; `array` with `elementFamily`; `other` anything else, carried as text.
 */
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
