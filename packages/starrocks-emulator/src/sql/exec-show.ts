/**
 * SHOW DATABASES / TABLES / VARIABLES / WARNINGS / CREATE TABLE / COLUMNS / ALTER TABLE COLUMN, DESC.
 * - DESC: `Field, Type, Null, Key, Default, Extra` (§7.4); Null YES/NO; Key `true`/`false` (sort-key
 *   membership: ORDER BY columns when given, else the key columns); `DESC t ALL` adds IndexName and
 *   IndexKeysType in front (first row only).
 * - SHOW ALTER TABLE COLUMN: `JobId, TableName, CreateTime, FinishTime, IndexName, IndexId,
 *   OriginIndexId, SchemaVersion, TransactionId, State, Msg, Progress, Timeout` (§7.3), filtered and
 *   ordered by the same SELECT machinery (ties keep job order, newest first under DESC).
 */
import type { Catalog, Table } from '../catalog.js';
import { formatDatetime } from '../convert.js';
import { schemaChangesOf } from '../schema-change.js';
import { type ColumnType, formatColumnType } from '../types.js';
import type { QualifiedName, ShowAlterStatement } from './ast.js';
import type { Relation } from './eval.js';
import { runSelect } from './exec-select.js';
import { likeToRegExp } from './functions.js';
import { defaultText, findView, INFORMATION_SCHEMA_VIEWS, viewColumns } from './info-schema.js';
import { INFORMATION_SCHEMA, isInformationSchema, resolveDb, unknownDatabase, unknownTable } from './names.js';
import { type SqlResult, textRows } from './result.js';
import { type SqlSession, SYSTEM_VARIABLES } from './session.js';
import { showCreateTableText } from './show-create.js';

const V: ColumnType = { kind: 'VARCHAR', length: 65533 };
const B: ColumnType = { kind: 'BIGINT' };
const DT: ColumnType = { kind: 'DATETIME' };

function like(names: readonly string[], pattern: string | null, caseInsensitive: boolean): string[] {
  if (pattern === null) return [...names];
  const re = likeToRegExp(pattern, caseInsensitive);
  return names.filter((n) => re.test(n));
}

export function showDatabases(catalog: Catalog, pattern: string | null): SqlResult {
  const names = like([INFORMATION_SCHEMA, ...catalog.databaseNames()].sort(), pattern, false);
  return textRows(
    ['Database'],
    names.map((n) => [n]),
  );
}

export function showTables(catalog: Catalog, session: SqlSession, dbName: string | null, full: boolean, pattern: string | null): SqlResult {
  const db = resolveDb({ db: dbName, name: '' }, session);
  let names: string[];
  let type = 'BASE TABLE';
  if (isInformationSchema(db)) {
    names = [...INFORMATION_SCHEMA_VIEWS];
    type = 'SYSTEM VIEW';
  } else {
    const d = catalog.getDatabase(db);
    if (!d) throw unknownDatabase(db);
    names = d.tableNames().sort();
  }
  names = like(names, pattern, false);
  const header = `Tables_in_${db}`;
  return full
    ? textRows(
        [header, 'Table_type'],
        names.map((n) => [n, type]),
      )
    : textRows(
        [header],
        names.map((n) => [n]),
      );
}

export function showVariables(pattern: string | null): SqlResult {
  const names = like([...SYSTEM_VARIABLES.keys()].sort(), pattern, true);
  return textRows(
    ['Variable_name', 'Value'],
    names.map((n) => [n, String(SYSTEM_VARIABLES.get(n) ?? '')]),
  );
}

export function showWarnings(): SqlResult {
  return textRows(['Level', 'Code', 'Message'], []);
}

function existingTable(catalog: Catalog, session: SqlSession, q: QualifiedName): Table {
  const db = resolveDb(q, session);
  if (!catalog.getDatabase(db)) throw unknownDatabase(db);
  const t = catalog.getTable(db, q.name);
  if (!t) throw unknownTable(`${db}.${q.name}`);
  return t;
}

export function showCreateTable(catalog: Catalog, session: SqlSession, q: QualifiedName): SqlResult {
  const t = existingTable(catalog, session, q);
  return textRows(['Table', 'Create Table'], [[t.name, showCreateTableText(t)]]);
}

interface DescRow {
  readonly field: string;
  readonly type: string;
  readonly nullable: boolean;
  readonly key: boolean;
  readonly dflt: string | null;
  readonly extra: string;
  readonly comment: string;
}

function describe(catalog: Catalog, session: SqlSession, q: QualifiedName): { rows: DescRow[]; table: Table | null } {
  const db = resolveDb(q, session);
  if (isInformationSchema(db)) {
    const view = findView(q.name);
    if (!view) throw unknownTable(`${db}.${q.name}`);
    const rows = viewColumns(view).map(([name, type]) => ({
      field: name,
      type: formatColumnType(type, 'show-create'),
      nullable: true,
      key: false,
      dflt: null,
      extra: '',
      comment: '',
    }));
    return { rows, table: null };
  }
  const t = existingTable(catalog, session, q);
  const sortKeys = (t.orderBy.length > 0 ? t.orderBy : t.keyColumns).map((n) => n.toLowerCase());
  const rows = t.columns.map((c) => ({
    field: c.name,
    type: formatColumnType(c.type, 'show-create'),
    nullable: c.nullable,
    key: sortKeys.includes(c.name.toLowerCase()),
    dflt: defaultText(c),
    extra: t.keysType === 'AGG_KEYS' && !c.isKey ? (c.aggregation ?? '') : '',
    comment: c.comment,
  }));
  return { rows, table: t };
}

const KEYS_TYPE_NAME: Readonly<Record<string, string>> = {
  PRIMARY_KEYS: 'PRIMARY_KEYS',
  DUPLICATE_KEYS: 'DUP_KEYS',
  UNIQUE_KEYS: 'UNIQUE_KEYS',
  AGG_KEYS: 'AGG_KEYS',
};

export function desc(catalog: Catalog, session: SqlSession, q: QualifiedName, all: boolean): SqlResult {
  const { rows, table } = describe(catalog, session, q);
  const base = (r: DescRow): (string | null)[] => [r.field, r.type, r.nullable ? 'YES' : 'NO', r.key ? 'true' : 'false', r.dflt, r.extra];
  if (!all) return textRows(['Field', 'Type', 'Null', 'Key', 'Default', 'Extra'], rows.map(base));
  return textRows(
    ['IndexName', 'IndexKeysType', 'Field', 'Type', 'Null', 'Key', 'Default', 'Extra'],
    rows.map((r, i) => [i === 0 ? (table?.name ?? q.name) : '', i === 0 ? (KEYS_TYPE_NAME[table?.keysType ?? ''] ?? '') : '', ...base(r)]),
  );
}

export function showColumns(catalog: Catalog, session: SqlSession, q: QualifiedName, full: boolean): SqlResult {
  const { rows } = describe(catalog, session, q);
  if (!full) return desc(catalog, session, q, false);
  return textRows(
    ['Field', 'Type', 'Collation', 'Null', 'Key', 'Default', 'Extra', 'Privileges', 'Comment'],
    rows.map((r) => [r.field, r.type, null, r.nullable ? 'YES' : 'NO', r.key ? 'true' : 'false', r.dflt, r.extra, '', r.comment]),
  );
}

const ALTER_COLUMNS: readonly [string, ColumnType][] = [
  ['JobId', B],
  ['TableName', V],
  ['CreateTime', DT],
  ['FinishTime', DT],
  ['IndexName', V],
  ['IndexId', B],
  ['OriginIndexId', B],
  ['SchemaVersion', V],
  ['TransactionId', B],
  ['State', V],
  ['Msg', V],
  ['Progress', V],
  ['Timeout', B],
];

export function showAlterTableColumn(catalog: Catalog, session: SqlSession, stmt: ShowAlterStatement): SqlResult {
  const db = resolveDb({ db: stmt.db, name: '' }, session);
  if (!catalog.getDatabase(db)) throw unknownDatabase(db);
  const jobs = schemaChangesOf(catalog).jobs(db);
  const rel: Relation = {
    name: 'alter',
    db,
    alias: null,
    columns: ALTER_COLUMNS.map(([name, type]) => ({ name, type })),
    rows: jobs.map((j) => [
      BigInt(j.jobId),
      j.tableName,
      formatDatetime(j.createTime),
      j.finishTime ? formatDatetime(j.finishTime) : null,
      j.tableName,
      BigInt(j.indexId),
      BigInt(j.tableId),
      j.schemaVersion,
      BigInt(j.transactionId),
      j.state,
      j.msg,
      'N/A',
      BigInt(j.timeoutSeconds),
    ]),
  };
  const r = runSelect(
    {
      kind: 'select',
      distinct: false,
      items: [{ kind: 'star', qualifier: null }],
      from: null,
      alias: null,
      where: stmt.where,
      orderBy: stmt.orderBy,
      limit: stmt.limit,
    },
    rel,
    session,
  );
  // SHOW results are all strings on the wire.
  return r.kind === 'rows'
    ? textRows(
        r.columns.map((c) => c.name),
        r.rows,
      )
    : r;
}
