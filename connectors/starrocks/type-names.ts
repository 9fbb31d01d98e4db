/**
 * StarRocks base type names (pure): every spelling a type is known by folded onto one name. DDL,
 * `information_schema.columns.DATA_TYPE` and `COLUMN_TYPE` spell the same type differently by version
 * (`decimal64`, `decimalv3`, `integer`, `text` for STRING, docs/starrocks-protocol.md §7.4), so lookups are lenient.
 */

export type BaseTypeName =
  | 'boolean'
  | 'tinyint'
  | 'smallint'
  | 'int'
  | 'bigint'
  | 'largeint'
  | 'float'
  | 'double'
  | 'decimal'
  | 'char'
  | 'varchar'
  /** STRING (VARCHAR(65533), §8.2). */
  | 'string'
  | 'date'
  | 'datetime'
  | 'json'
  | 'varbinary'
  | 'array'
  | 'map'
  | 'struct';

const ALIASES: ReadonlyMap<string, BaseTypeName> = new Map<string, BaseTypeName>([
  ['boolean', 'boolean'],
  ['bool', 'boolean'],
  ['tinyint', 'tinyint'],
  ['smallint', 'smallint'],
  ['int', 'int'],
  ['integer', 'int'],
  ['bigint', 'bigint'],
  ['largeint', 'largeint'],
  ['float', 'float'],
  ['double', 'double'],
  ['decimal', 'decimal'],
  ['decimalv2', 'decimal'],
  ['decimalv3', 'decimal'],
  ['decimal32', 'decimal'],
  ['decimal64', 'decimal'],
  ['decimal128', 'decimal'],
  ['decimal256', 'decimal'],
  ['numeric', 'decimal'],
  ['char', 'char'],
  ['varchar', 'varchar'],
  ['string', 'string'],
  ['text', 'string'],
  ['date', 'date'],
  ['datetime', 'datetime'],
  ['timestamp', 'datetime'],
  ['json', 'json'],
  ['jsonb', 'json'],
  ['varbinary', 'varbinary'],
  ['binary', 'varbinary'],
  ['array', 'array'],
  ['map', 'map'],
  ['struct', 'struct'],
]);

/** The base type a lower-case name without arguments (`decimal64`, not `DECIMAL64(10,2)`) stands for; `undefined` when unknown. */
export function baseTypeName(name: string): BaseTypeName | undefined {
  return ALIASES.get(name);
}
