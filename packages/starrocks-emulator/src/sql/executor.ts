/**
 * SQL entry point of the emulator: `executeSql(catalog, session, sql)` parses one statement and runs it
 * against the in-memory catalog. Errors are `SqlError { code, sqlState, message }` (never another
 * exception type); `USE` updates `session.db`.
 */
import type { Catalog } from '../catalog.js';
import type { SelectStatement, Statement } from './ast.js';
import { SqlError, unknownDatabaseOnUse } from './errors.js';
import type { Relation } from './eval.js';
import { addColumns, createDatabase, createTable, dropDatabase, dropTable, modifyColumns, truncateTable } from './exec-ddl.js';
import { runSelect } from './exec-select.js';
import { pointLookupRows } from './point-lookup.js';
import { desc, showAlterTableColumn, showColumns, showCreateTable, showDatabases, showTables, showVariables, showWarnings } from './exec-show.js';
import { findView, informationSchemaRelation } from './info-schema.js';
import { INFORMATION_SCHEMA, isInformationSchema, resolveDb, unknownDatabase, unknownTable } from './names.js';
import { parseStatement } from './parser.js';
import { okResult, type SqlResult } from './result.js';
import type { SqlSession } from './session.js';

export { SqlError } from './errors.js';
export type { SqlColumn, SqlResult, MysqlType } from './result.js';
export type { SqlSession } from './session.js';

function relationFor(catalog: Catalog, session: SqlSession, stmt: SelectStatement): Relation | null {
  if (!stmt.from) return null;
  const db = resolveDb(stmt.from, session);
  if (isInformationSchema(db)) {
    const view = findView(stmt.from.name);
    if (!view) throw unknownTable(`${INFORMATION_SCHEMA}.${stmt.from.name}`);
    return informationSchemaRelation(catalog, view, stmt.alias);
  }
  if (!catalog.getDatabase(db)) throw unknownDatabase(db);
  const table = catalog.getTable(db, stmt.from.name);
  if (!table) throw unknownTable(`${db}.${stmt.from.name}`);
  const columns = table.columns.map((c) => ({ name: c.name, type: c.type }));
  const ctx = { relation: { name: table.name, db, alias: stmt.alias, columns, rows: [] }, row: null, session, now: new Date(), aggregates: null };
  const keyed = stmt.where ? pointLookupRows(stmt.where, table, ctx) : undefined;
  if (keyed !== undefined) return { name: table.name, db, alias: stmt.alias, columns, rows: keyed };
  // A scan sorts only the rows its WHERE keeps (the end-of-snapshot sweep filters a whole table).
  return { name: table.name, db, alias: stmt.alias, columns, rows: table.unsortedRows(), order: (rows) => table.sortByKey(rows) };
}

function useDatabase(catalog: Catalog, session: SqlSession, name: string): SqlResult {
  if (isInformationSchema(name)) session.db = INFORMATION_SCHEMA;
  else if (catalog.getDatabase(name)) session.db = name;
  else throw unknownDatabaseOnUse(name);
  return okResult();
}

function run(catalog: Catalog, session: SqlSession, stmt: Statement): SqlResult {
  switch (stmt.kind) {
    case 'select':
      return runSelect(stmt, relationFor(catalog, session, stmt), session);
    case 'showDatabases':
      return showDatabases(catalog, stmt.like);
    case 'showTables':
      return showTables(catalog, session, stmt.db, stmt.full, stmt.like);
    case 'showVariables':
      return showVariables(stmt.like);
    case 'showWarnings':
      return showWarnings();
    case 'showCreateTable':
      return showCreateTable(catalog, session, stmt.table);
    case 'showColumns':
      return showColumns(catalog, session, stmt.table, stmt.full);
    case 'showAlterColumn':
      return showAlterTableColumn(catalog, session, stmt);
    case 'desc':
      return desc(catalog, session, stmt.table, stmt.all);
    case 'use':
      return useDatabase(catalog, session, stmt.db);
    case 'set':
    case 'noop':
      return okResult();
    case 'createDatabase':
      return createDatabase(catalog, stmt.name, stmt.ifNotExists);
    case 'dropDatabase':
      return dropDatabase(catalog, stmt.name, stmt.ifExists);
    case 'createTable':
      return createTable(catalog, session, stmt);
    case 'dropTable':
      return dropTable(catalog, session, stmt.table, stmt.ifExists);
    case 'truncate':
      return truncateTable(catalog, session, stmt.table);
    case 'alterAddColumns':
      return addColumns(catalog, session, stmt.table, stmt.columns);
    case 'alterModifyColumns':
      return modifyColumns(catalog, session, stmt.table, stmt.columns);
  }
}

/** Parse and run one statement. Rejects with a `SqlError` only. */
export async function executeSql(catalog: Catalog, session: SqlSession, sql: string): Promise<SqlResult> {
  try {
    return run(catalog, session, parseStatement(sql));
  } catch (e) {
    if (e instanceof SqlError) throw e;
    const message = e instanceof Error ? e.message : String(e);
    throw new SqlError(1064, 'HY000', `StarRocks emulator internal error: ${message}`);
  }
}
