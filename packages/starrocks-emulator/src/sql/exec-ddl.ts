/**
 * DDL statements: CREATE/DROP DATABASE, CREATE/DROP/TRUNCATE TABLE, ALTER TABLE ADD COLUMN and
 * ALTER TABLE MODIFY COLUMN (asynchronous schema-change jobs, schema-change.ts; §7.3).
 */
import { type Catalog, CatalogError, type ColumnDefault, type ModifiedColumn, type NewColumn } from '../catalog.js';
import { modifyTypeError } from '../column-modify.js';
import { schemaChangesOf } from '../schema-change.js';
import type { AddColumnAst, CreateTableStatement, ModifyColumnAst, QualifiedName } from './ast.js';
import { analysisError, ddlError, SqlError, unsupportedStatement } from './errors.js';
import { checkDbName, isInformationSchema, resolveDb, unknownDatabase, unknownTable } from './names.js';
import { okResult, type SqlResult } from './result.js';
import type { SqlSession } from './session.js';
import { analyzeCreateTable, checkColumn, checkDefault, toColumnDefinition } from './table-analyzer.js';

export const SHOW_ALTER_DOC = 'https://docs.starrocks.io/en-us/latest/sql-reference/sql-statements/data-manipulation/SHOW%20ALTER';

/** The newer (3.x) message of InvalidOlapTableStateException for SCHEMA_CHANGE (§7.3). */
export function schemaChangeInProgress(table: string): SqlError {
  return ddlError(
    `A schema change operation is in progress on the table "${table}". Please wait until the current operation completes.\n` +
      `To check the status of the operation, see ${SHOW_ALTER_DOC}`,
  );
}

function rethrowCatalog(e: unknown): never {
  if (e instanceof CatalogError) throw ddlError(e.message);
  throw e;
}

export function createDatabase(catalog: Catalog, name: string, ifNotExists: boolean): SqlResult {
  checkDbName(name);
  if (isInformationSchema(name) || catalog.getDatabase(name)) {
    if (ifNotExists) return okResult();
    throw new SqlError(1007, 'HY000', `Can't create database '${name}'; database exists`);
  }
  catalog.createDatabase(name);
  return okResult(1);
}

export function dropDatabase(catalog: Catalog, name: string, ifExists: boolean): SqlResult {
  if (isInformationSchema(name)) throw ddlError(`Access denied; you need (at least one of) the DROP privilege(s) for this operation`);
  if (!catalog.getDatabase(name)) {
    if (ifExists) return okResult();
    throw new SqlError(1008, 'HY000', `Can't drop database '${name}'; database doesn't exist`);
  }
  schemaChangesOf(catalog).cancelFor(name, null, 'database is dropped');
  catalog.dropDatabase(name);
  return okResult();
}

function existingDb(catalog: Catalog, q: QualifiedName, session: SqlSession): string {
  const db = resolveDb(q, session);
  if (isInformationSchema(db)) throw ddlError(`Access denied; you need (at least one of) the ALTER privilege(s) on DATABASE ${db} for this operation`);
  if (!catalog.getDatabase(db)) throw unknownDatabase(db);
  return db;
}

export function createTable(catalog: Catalog, session: SqlSession, stmt: CreateTableStatement): SqlResult {
  const db = existingDb(catalog, stmt.table, session);
  const exists = catalog.getTable(db, stmt.table.name) !== undefined;
  if (exists && !stmt.ifNotExists) throw analysisError(`Table '${stmt.table.name}' already exists`);
  const def = analyzeCreateTable(stmt);
  if (exists) return okResult();
  try {
    catalog.createTable(db, def);
  } catch (e) {
    rethrowCatalog(e);
  }
  return okResult();
}

export function dropTable(catalog: Catalog, session: SqlSession, q: QualifiedName, ifExists: boolean): SqlResult {
  const db = existingDb(catalog, q, session);
  if (!catalog.getTable(db, q.name)) {
    if (ifExists) return okResult();
    throw unknownTable(q.name);
  }
  schemaChangesOf(catalog).cancelFor(db, q.name, 'table is dropped');
  catalog.dropTable(db, q.name);
  return okResult();
}

export function truncateTable(catalog: Catalog, session: SqlSession, q: QualifiedName): SqlResult {
  const db = existingDb(catalog, q, session);
  const table = catalog.getTable(db, q.name);
  if (!table) throw unknownTable(q.name);
  if (table.state !== 'NORMAL') throw ddlError(`Table' state is not NORMAL: ${table.state}`);
  catalog.truncate(db, q.name);
  return okResult();
}

/** ALTER TABLE ADD COLUMN: analyzer checks, table state, SchemaChangeHandler checks, then an async job. */
export function addColumns(catalog: Catalog, session: SqlSession, q: QualifiedName, adds: readonly AddColumnAst[]): SqlResult {
  const db = existingDb(catalog, q, session);
  const table = catalog.getTable(db, q.name);
  if (!table) throw unknownTable(q.name);
  const prepared: NewColumn[] = [];
  for (const a of adds) {
    const c = a.column;
    checkColumn(c);
    const nullable = c.nullable ?? true;
    checkDefault(c, nullable);
    if (!nullable && c.default.kind === 'none') throw ddlError(`Can not add column which is not nullable and has no default value: ${c.name}`);
    prepared.push({ column: toColumnDefinition(c, nullable, false), first: a.first, after: a.after ?? undefined });
  }
  const jobs = schemaChangesOf(catalog);
  if (table.state !== 'NORMAL' || jobs.activeJob(table)) throw schemaChangeInProgress(table.name);

  const model: Readonly<Record<string, string>> = {
    PRIMARY_KEYS: 'Primary',
    UNIQUE_KEYS: 'Unique',
    DUPLICATE_KEYS: 'Duplicate',
  };
  const seen = new Set<string>();
  const keyCount = table.keyColumns.length;
  for (const a of adds) {
    const name = a.column.name;
    const agg = a.column.aggregation;
    if (table.keysType === 'AGG_KEYS') {
      if (agg === null) throw ddlError(`StarRocks emulator: adding key columns to an AGGREGATE KEY table is not supported: ${name}`);
    } else if (agg !== null && !(agg === 'REPLACE' && table.keysType === 'PRIMARY_KEYS')) {
      throw ddlError(`Can not assign aggregation method on column in ${model[table.keysType] ?? ''} data model table: ${name}`);
    }
    if (table.findColumn(name)) throw ddlError(`Can not add column which already exists in base table: ${name}`);
    if (seen.has(name.toLowerCase())) throw ddlError(`Repeatedly add column: ${name}`);
    seen.add(name.toLowerCase());
    if (a.after !== null) {
      const i = table.columnIndex(a.after);
      if (i < 0) throw ddlError(`Column[${a.after}] does not found`);
      if (i + 1 < keyCount) throw ddlError(`Invalid column order. value should be after key. index[${table.name}]`);
    }
    if (a.first && keyCount > 0) throw ddlError(`Invalid column order. value should be after key. index[${table.name}]`);
  }
  jobs.submit(table, prepared);
  return okResult();
}

/** StarRocks `Column.isSameDefaultValue`: no default and DEFAULT NULL are the same; values must match. */
function sameDefault(a: ColumnDefault, b: ColumnDefault): boolean {
  const cls = (d: ColumnDefault): string => (d.kind === 'none' || d.kind === 'null' ? 'null' : d.kind === 'value' ? `v:${d.text}` : 'now');
  return cls(a) === cls(b);
}

/**
 * ALTER TABLE MODIFY COLUMN: analyzer checks, table state, SchemaChangeHandler.processModifyColumn and
 * Column.checkSchemaChangeAllowed checks, then an async job that converts the stored values.
 */
export function modifyColumns(catalog: Catalog, session: SqlSession, q: QualifiedName, mods: readonly ModifyColumnAst[]): SqlResult {
  const db = existingDb(catalog, q, session);
  const table = catalog.getTable(db, q.name);
  if (!table) throw unknownTable(q.name);
  const prepared: ModifiedColumn[] = [];
  const seen = new Set<string>();
  for (const m of mods) {
    const c = m.column;
    checkColumn(c);
    const nullable = c.nullable ?? true;
    checkDefault(c, nullable);
    if (m.first || m.after !== null) throw unsupportedStatement('MODIFY COLUMN ... FIRST / AFTER (column reordering)');
    if (seen.has(c.name.toLowerCase())) throw ddlError(`Repeatedly modify column: ${c.name}`);
    seen.add(c.name.toLowerCase());
    prepared.push({ column: toColumnDefinition(c, nullable, false) });
  }
  const jobs = schemaChangesOf(catalog);
  if (table.state !== 'NORMAL' || jobs.activeJob(table)) throw schemaChangeInProgress(table.name);
  for (const m of mods) {
    const c = m.column;
    const old = table.findColumn(c.name);
    if (!old) throw ddlError(`Column[${c.name}] does not exists`);
    if (table.keysType === 'PRIMARY_KEYS') {
      if (old.isKey) throw ddlError(`Can not modify key column: ${c.name} for primary key table`);
      if (table.orderBy.some((o) => o.toLowerCase() === c.name.toLowerCase())) throw ddlError(`Can not modify sort column in primary key table: ${c.name}`);
    }
    const typeError = modifyTypeError(old.type, c.type);
    if (typeError?.startsWith('Can not change')) throw ddlError(typeError);
    if ((c.aggregation ?? undefined) !== (old.aggregation ?? undefined)) throw ddlError('Can not change aggregation type');
    if (old.nullable && c.nullable === false) throw ddlError('Can not change from nullable to non-nullable');
    if (!sameDefault(old.default, c.default)) throw ddlError('Can not change default value');
    if (typeError) throw ddlError(typeError);
  }
  jobs.submit(table, [], new Date(), prepared);
  return okResult();
}
