/**
 * CREATE TABLE analysis with StarRocks' own checks and messages, in the order of
 * `CreateTableAnalyzer` / `KeysDesc` / `HashDistributionDesc` (3.x):
 * 1. table name; 2. ORDER BY columns exist (case-sensitive lookup, as the analyzer does); 3. keys
 * (default DUPLICATE KEY when omitted); key prefix, PK NOT NULL (an unspecified nullability becomes
 * NOT NULL), PK key types, aggregate types; 4. sort-key types; 5. each column (name, reserved
 * `__op`/`__row`, type limits, DEFAULT); duplicate names (case-insensitive); 6. distribution (PK → HASH
 * over keys when omitted; RANDOM only for DUPLICATE KEY; columns exist and are key columns);
 * 7. PROPERTIES (known keys only; one emulated BE, so replication_num must be 1).
 */
import type { ColumnDefinition, TableDefinition } from '../catalog.js';
import { convertText } from '../convert.js';
import { type ColumnType, formatColumnType, isIntegerKind, type KeysType, validateColumnType } from '../types.js';
import type { ColumnDefAst, CreateTableStatement } from './ast.js';
import { analysisError, ddlError, unsupportedStatement } from './errors.js';
import { checkColumnName, checkTableName } from './names.js';
import { analyzeProperties } from './table-properties.js';

const KEYS_SQL: Readonly<Record<KeysType, string>> = {
  PRIMARY_KEYS: 'PRIMARY KEY',
  DUPLICATE_KEYS: 'DUPLICATE KEY',
  UNIQUE_KEYS: 'UNIQUE KEY',
  AGG_KEYS: 'AGGREGATE KEY',
};
export const MAX_COLUMNS_PER_TABLE = 10000;

/** Types allowed for PK columns and sort keys (`KeysDesc`: boolean, integer, largeint, varchar, date, datetime). */
function sortKeyTypeAllowed(t: ColumnType): boolean {
  return t.kind === 'BOOLEAN' || isIntegerKind(t.kind) || t.kind === 'VARCHAR' || t.kind === 'DATE' || t.kind === 'DATETIME';
}

/** `Type.canDistributedBy()`: no FLOAT/DOUBLE, JSON, VARBINARY or complex types. */
export function canDistributeBy(t: ColumnType): boolean {
  return !['FLOAT', 'DOUBLE', 'JSON', 'VARBINARY', 'ARRAY', 'MAP', 'STRUCT'].includes(t.kind);
}

export function typeSql(t: ColumnType): string {
  return formatColumnType(t, 'sql');
}

/** Short-key index size used to pick default DUPLICATE KEY columns. */
function indexSize(t: ColumnType): number {
  switch (t.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
      return 1;
    case 'SMALLINT':
      return 2;
    case 'INT':
      return 4;
    case 'DATE':
      return 3;
    case 'BIGINT':
    case 'DATETIME':
      return 8;
    case 'LARGEINT':
      return 16;
    case 'DECIMAL':
      return 12;
    case 'CHAR':
      return t.length;
    default:
      return 20;
  }
}

function defaultKeys(columns: readonly ColumnDefAst[]): { keysType: KeysType; keys: string[] } {
  if (columns.some((c) => c.aggregation !== null)) return { keysType: 'AGG_KEYS', keys: columns.filter((c) => c.aggregation === null).map((c) => c.name) };
  const keys: string[] = [];
  let length = 0;
  for (const c of columns) {
    length += indexSize(c.type);
    if (keys.length >= 3 || length > 36) {
      if (keys.length === 0 && (c.type.kind === 'CHAR' || c.type.kind === 'VARCHAR')) keys.push(c.name);
      break;
    }
    if (!canDistributeBy(c.type)) break;
    keys.push(c.name);
    if (c.type.kind === 'VARCHAR') break;
  }
  if (keys.length === 0) throw analysisError(`Data type of first column cannot be ${typeSql(columns[0]?.type ?? { kind: 'FLOAT' })}`);
  return { keysType: 'DUPLICATE_KEYS', keys };
}

/** Column DEFAULT checks; returns nothing, throws on an invalid default. */
export function checkDefault(c: ColumnDefAst, nullable: boolean): void {
  switch (c.default.kind) {
    case 'null':
      if (!nullable) throw analysisError(`Can not set null default value to non nullable column: ${c.name}`);
      return;
    case 'current_timestamp':
      if (c.type.kind !== 'DATETIME') throw analysisError(`Invalid default value for '${c.name}'`);
      return;
    case 'value': {
      if (c.type.kind === 'JSON' || c.type.kind === 'ARRAY' || c.type.kind === 'MAP' || c.type.kind === 'STRUCT' || c.type.kind === 'VARBINARY')
        throw analysisError(`Invalid default value for '${c.name}': ${typeSql(c.type)} type does not support default value`);
      const r = convertText(c.name, c.type, c.default.text);
      if (!r.ok) throw analysisError(`Invalid default value for '${c.name}': ${r.error}`);
      return;
    }
    default:
      return;
  }
}

/** Column checks shared by CREATE TABLE and ADD COLUMN. */
export function checkColumn(c: ColumnDefAst): void {
  checkColumnName(c.name);
  if (c.autoIncrement) throw unsupportedStatement('AUTO_INCREMENT columns');
  const typeErr = validateColumnType(c.type);
  if (typeErr) throw analysisError(typeErr);
}

export function toColumnDefinition(c: ColumnDefAst, nullable: boolean, isKey: boolean): ColumnDefinition {
  return { name: c.name, type: c.type, nullable, default: c.default, comment: c.comment, isKey, aggregation: c.aggregation ?? undefined };
}

export function analyzeCreateTable(stmt: CreateTableStatement): TableDefinition {
  const name = stmt.table.name;
  checkTableName(name);
  if (stmt.engine !== null && stmt.engine.toUpperCase() !== 'OLAP') {
    if (['MYSQL', 'ELASTICSEARCH', 'HIVE', 'ICEBERG', 'HUDI', 'JDBC', 'BROKER', 'FILE'].includes(stmt.engine.toUpperCase()))
      throw unsupportedStatement(`ENGINE=${stmt.engine}`);
    throw analysisError(`Unknown engine name: ${stmt.engine}`);
  }
  const cols = stmt.columns;
  const names = cols.map((c) => c.name);
  for (const o of stmt.orderBy ?? []) {
    if (!names.includes(o)) throw analysisError(`Unknown column '${o}' does not exist`);
  }
  const { keysType, keys } = stmt.keysType ? { keysType: stmt.keysType, keys: [...stmt.keyColumns] } : defaultKeys(cols);
  if (keys.length > cols.length) throw analysisError('The number of key columns should be less than the number of columns.');
  const nullability = cols.map((c) => c.nullable ?? true);
  keys.forEach((k, i) => {
    const col = cols[i];
    if (!col || col.name.toLowerCase() !== k.toLowerCase()) {
      if (!cols.some((c) => c.name.toLowerCase() === k.toLowerCase())) throw analysisError(`Key column(${k}) doesn't exist.`);
      throw analysisError('Key columns should be a ordered prefix of the schema.');
    }
    if (col.aggregation !== null) throw analysisError(`Key column[${col.name}] should not specify aggregate type.`);
    if (keysType === 'PRIMARY_KEYS') {
      if (col.nullable === null) nullability[i] = false; // setPrimaryKeyNonNullable
      if (nullability[i]) throw analysisError(`primary key column[${col.name}] cannot be nullable`);
      if (!sortKeyTypeAllowed(col.type)) throw analysisError(`primary key column[${col.name}] type not supported: ${typeSql(col.type)}`);
    }
  });
  cols.slice(keys.length).forEach((c) => {
    if (keysType === 'AGG_KEYS' && c.aggregation === null) throw analysisError(`AGG_KEYS table should specify aggregate type for non-key column[${c.name}]`);
    if (keysType !== 'AGG_KEYS' && c.aggregation !== null && c.aggregation !== 'REPLACE')
      throw analysisError(`${keysType} table should not specify aggregate type for non-key column[${c.name}]`);
  });
  const sortKeys = stmt.orderBy ?? keys;
  for (const s of sortKeys) {
    const c = cols.find((x) => x.name.toLowerCase() === s.toLowerCase());
    if (c && (keysType === 'PRIMARY_KEYS' ? !sortKeyTypeAllowed(c.type) : !canDistributeBy(c.type)))
      throw analysisError(`sort key column[${c.name}] type not supported: ${typeSql(c.type)}`);
  }
  const seen = new Set<string>();
  cols.forEach((c, i) => {
    checkColumn(c);
    checkDefault(c, nullability[i] ?? true);
    if (seen.has(c.name.toLowerCase())) throw analysisError(`Duplicate column name '${c.name}'`);
    seen.add(c.name.toLowerCase());
  });
  if (cols.length > MAX_COLUMNS_PER_TABLE)
    throw analysisError(
      `The number of columns in a table must be less than or equal to ${MAX_COLUMNS_PER_TABLE}, Please decrease the number of columns or increase frontend config 'max_column_number_per_table'.`,
    );

  let dist = stmt.distribution;
  if (dist === null) {
    if (keysType === 'PRIMARY_KEYS') dist = { kind: 'hash', columns: keys, buckets: 0 };
    else if (keysType === 'DUPLICATE_KEYS') dist = { kind: 'random', buckets: null };
    else throw analysisError(`Currently not support default distribution in ${keysType}`);
  }
  const hasReplace = cols.some((c) => c.aggregation === 'REPLACE' || c.aggregation === 'REPLACE_IF_NOT_NULL');
  if (dist.kind === 'random' && keysType !== 'DUPLICATE_KEYS' && !(keysType === 'AGG_KEYS' && !hasReplace))
    throw analysisError(`${KEYS_SQL[keysType]}${hasReplace ? ' with replace ' : ''} must use hash distribution`);
  if (dist.kind === 'hash') {
    for (const d of dist.columns) {
      if (!seen.has(d.toLowerCase())) throw analysisError(`Distribution column(${d}) doesn't exist.`);
    }
    for (const d of dist.columns) {
      const i = cols.findIndex((c) => c.name.toLowerCase() === d.toLowerCase());
      const c = cols[i];
      if (!c) continue;
      if (i >= keys.length && keysType !== 'DUPLICATE_KEYS') throw ddlError(`Distribution column[${d}] is not key column`);
      if (!canDistributeBy(c.type)) throw ddlError(`${typeSql(c.type)} column can not be distribution column`);
    }
  }
  const properties = analyzeProperties(stmt);
  const columns = cols.map((c, i) => toColumnDefinition(c, nullability[i] ?? true, i < keys.length));
  const buckets = dist.buckets !== null && dist.buckets > 0 ? dist.buckets : undefined;
  return {
    name,
    keysType,
    columns,
    keyColumns: keys.map((k, i) => cols[i]?.name ?? k),
    distribution: dist.kind === 'hash' ? { columns: [...dist.columns], buckets } : { columns: [], buckets, random: true },
    orderBy: stmt.orderBy ? [...stmt.orderBy] : undefined,
    properties,
    comment: stmt.comment ?? undefined,
  };
}
