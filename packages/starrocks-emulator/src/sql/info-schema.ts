/**
 * information_schema views (§7.4), built from the catalog on each query: `columns`, `tables`,
 * `schemata`. Names of the database and of its views are case-insensitive (`information_schema.COLUMNS`).
 * columns quirks (Flink connector): DATA_TYPE is the lowercase base type and BOOLEAN is `tinyint` with
 * COLUMN_SIZE NULL; IS_NULLABLE YES/NO; COLUMN_KEY is `PRI` for key columns of PRIMARY KEY tables only
 * ("Only primary key table has value in this field"); ORDINAL_POSITION is 1-based.
 */
import type { Catalog, ColumnDefinition, Table } from '../catalog.js';
import { formatDatetime } from '../convert.js';
import { type ColumnType, formatColumnType, informationSchemaColumnSize, informationSchemaDecimalDigits, isIntegerKind } from '../types.js';
import type { StoredValue } from '../values.js';
import type { Relation } from './eval.js';
import { INFORMATION_SCHEMA } from './names.js';

const V: ColumnType = { kind: 'VARCHAR', length: 65533 };
const B: ColumnType = { kind: 'BIGINT' };
const DT: ColumnType = { kind: 'DATETIME' };

export const INFORMATION_SCHEMA_VIEWS = ['columns', 'schemata', 'tables'] as const;
type View = (typeof INFORMATION_SCHEMA_VIEWS)[number];

const COLUMNS_COLUMNS: readonly [string, ColumnType][] = [
  ['TABLE_CATALOG', V],
  ['TABLE_SCHEMA', V],
  ['TABLE_NAME', V],
  ['COLUMN_NAME', V],
  ['ORDINAL_POSITION', B],
  ['COLUMN_DEFAULT', V],
  ['IS_NULLABLE', V],
  ['DATA_TYPE', V],
  ['CHARACTER_MAXIMUM_LENGTH', B],
  ['CHARACTER_OCTET_LENGTH', B],
  ['NUMERIC_PRECISION', B],
  ['NUMERIC_SCALE', B],
  ['DATETIME_PRECISION', B],
  ['CHARACTER_SET_NAME', V],
  ['COLLATION_NAME', V],
  ['COLUMN_TYPE', V],
  ['COLUMN_KEY', V],
  ['EXTRA', V],
  ['PRIVILEGES', V],
  ['COLUMN_COMMENT', V],
  ['COLUMN_SIZE', B],
  ['DECIMAL_DIGITS', B],
  ['GENERATION_EXPRESSION', V],
  ['SRS_ID', B],
];

const TABLES_COLUMNS: readonly [string, ColumnType][] = [
  ['TABLE_CATALOG', V],
  ['TABLE_SCHEMA', V],
  ['TABLE_NAME', V],
  ['TABLE_TYPE', V],
  ['ENGINE', V],
  ['VERSION', B],
  ['ROW_FORMAT', V],
  ['TABLE_ROWS', B],
  ['AVG_ROW_LENGTH', B],
  ['DATA_LENGTH', B],
  ['MAX_DATA_LENGTH', B],
  ['INDEX_LENGTH', B],
  ['DATA_FREE', B],
  ['AUTO_INCREMENT', B],
  ['CREATE_TIME', DT],
  ['UPDATE_TIME', DT],
  ['CHECK_TIME', DT],
  ['TABLE_COLLATION', V],
  ['CHECKSUM', B],
  ['CREATE_OPTIONS', V],
  ['TABLE_COMMENT', V],
];

const SCHEMATA_COLUMNS: readonly [string, ColumnType][] = [
  ['CATALOG_NAME', V],
  ['SCHEMA_NAME', V],
  ['DEFAULT_CHARACTER_SET_NAME', V],
  ['DEFAULT_COLLATION_NAME', V],
  ['SQL_PATH', V],
];

export function viewColumns(view: View): readonly [string, ColumnType][] {
  return view === 'columns' ? COLUMNS_COLUMNS : view === 'tables' ? TABLES_COLUMNS : SCHEMATA_COLUMNS;
}

export function findView(name: string): View | undefined {
  return INFORMATION_SCHEMA_VIEWS.find((v) => v === name.toLowerCase());
}

function allTables(catalog: Catalog): Table[] {
  const out: Table[] = [];
  for (const dbName of [...catalog.databaseNames()].sort()) {
    const db = catalog.getDatabase(dbName);
    if (!db) continue;
    for (const name of [...db.tableNames()].sort()) {
      const t = db.tables.get(name);
      if (t) out.push(t);
    }
  }
  return out;
}

/** COLUMN_DEFAULT / DESC Default text of a column (NULL when none). */
export function defaultText(c: ColumnDefinition): string | null {
  switch (c.default.kind) {
    case 'value':
      return c.default.text;
    case 'current_timestamp':
      return 'CURRENT_TIMESTAMP';
    default:
      return null;
  }
}

function isString(t: ColumnType): boolean {
  return t.kind === 'CHAR' || t.kind === 'VARCHAR';
}

function columnRow(t: Table, c: ColumnDefinition, i: number): StoredValue[] {
  const type = c.type;
  const len = isString(type) && 'length' in type ? BigInt(type.length) : null;
  const numericPrecision = isIntegerKind(type.kind) || type.kind === 'DECIMAL' || type.kind === 'FLOAT' || type.kind === 'DOUBLE';
  const size = informationSchemaColumnSize(type);
  const digits = informationSchemaDecimalDigits(type);
  return [
    'def',
    t.dbName,
    t.name,
    c.name,
    BigInt(i + 1),
    defaultText(c),
    c.nullable ? 'YES' : 'NO',
    formatColumnType(type, 'data-type'),
    len,
    len,
    numericPrecision && size !== null ? BigInt(size) : null,
    numericPrecision && digits !== null ? BigInt(digits) : null,
    null,
    isString(type) ? 'utf8' : null,
    isString(type) ? 'utf8_general_ci' : null,
    formatColumnType(type, 'show-create'),
    t.keysType === 'PRIMARY_KEYS' && c.isKey ? 'PRI' : '',
    '',
    '',
    c.comment,
    size === null ? null : BigInt(size),
    digits === null ? null : BigInt(digits),
    null,
    null,
  ];
}

function tableRow(t: Table): StoredValue[] {
  return [
    'def',
    t.dbName,
    t.name,
    'BASE TABLE',
    'StarRocks',
    null,
    null,
    BigInt(t.rowCount),
    0n,
    0n,
    null,
    null,
    null,
    null,
    formatDatetime(t.createTime),
    formatDatetime(t.updateTime),
    null,
    'utf8_general_ci',
    null,
    '',
    t.comment,
  ];
}

export function informationSchemaRelation(catalog: Catalog, view: View, alias: string | null): Relation {
  let rows: StoredValue[][];
  if (view === 'columns') rows = allTables(catalog).flatMap((t) => t.columns.map((c, i) => columnRow(t, c, i)));
  else if (view === 'tables') rows = allTables(catalog).map(tableRow);
  else rows = [INFORMATION_SCHEMA, ...catalog.databaseNames()].sort().map((name) => ['def', name, 'utf8', 'utf8_general_ci', null]);
  return {
    name: view,
    db: INFORMATION_SCHEMA,
    alias,
    caseInsensitiveName: true,
    columns: viewColumns(view).map(([name, type]) => ({ name, type })),
    rows,
  };
}
