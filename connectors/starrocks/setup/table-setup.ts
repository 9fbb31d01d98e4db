/**
 * Setup of one target table over the MySQL protocol: it must exist in SINK_DATABASE under its target
 * name (SINK_TABLE_NAME / SINK_TABLE_MAP, default the source table's name) (or is created, SINK_CREATE_TABLES=true), be a Primary Key table keyed like the source,
 * and hold every source column. Source columns it lacks are added (SCHEMA_EVOLUTION=evolve), left out
 * of the loads with a warning (ignore) or a setup error (fail). Missing audit columns are always added.
 * All missing columns go into one ALTER TABLE, and loads start only after that schema-change job is
 * FINISHED (a load planned earlier would silently ignore the new columns, docs/starrocks-protocol.md §7.3).
 */
import type { ColumnSchema, TableId, TableSchema } from '../../../core/index.js';
import { CdcError, formatTableId } from '../../../core/index.js';
import { AUDIT_COLUMNS, CDC_VERSION_COLUMN, IS_DELETED_COLUMN, OP_TYPE_COLUMN, SYNCED_AT_COLUMN, type AuditColumnDef } from '../audit.js';
import { quoteIdent } from '../identifiers.js';
import type { SchemaEvolutionPolicy } from '../schema-evolution.js';
import { sourceTypeText } from '../schema-evolution.js';
import type { AuditKeys } from '../stream-load/body.js';
import { headerText } from '../stream-load/request.js';
import type { TargetColumn } from '../type-map.js';
import { isIntegerKind, suggestStarRocksType } from '../type-map.js';
import type { DdlOptions } from './alter.js';
import { runSchemaChange } from './alter.js';
import { createTargetTable } from './create-table.js';
import type { Query } from './mysql.js';
import { mysqlError } from './mysql.js';
import { addColumnsStatement, columnsQuery, createTableSuggestion, createTableText, parseColumnRows, parseKeysClause, showCreateTable } from './sql.js';

export interface TargetTable {
  readonly db: string;
  readonly name: string;
  /** All columns in table order. */
  readonly columns: readonly TargetColumn[];
  /** Primary key column names (target spelling). */
  readonly keyColumns: readonly string[];
  /** Lower-case name → column (column names are case-insensitive, §7.2). */
  readonly byLowerName: ReadonlyMap<string, TargetColumn>;
  readonly audit: AuditKeys;
}

/** DdlOptions (SINK_DATABASE, the schema-change polling) plus the table policies. */
export interface TableSetupOptions extends DdlOptions {
  /** SCHEMA_EVOLUTION (default `evolve`). */
  readonly schemaEvolution?: SchemaEvolutionPolicy;
  /** SINK_CREATE_TABLES: create a missing target table from the source definition. */
  readonly createTables?: boolean;
  /** SINK_REPLICATION_NUM for created tables (unset: the cluster's default_replication_num). */
  readonly replicationNum?: number | undefined;
  /** SINK_TABLE_NAME / SINK_TABLE_MAP: the target table of a source table (default: its name). */
  readonly tableName?: (id: TableId) => string;
}

/** The StarRocks table a source table is loaded into. */
export function targetNameOf(schema: TableSchema, o: TableSetupOptions): string {
  return o.tableName?.(schema.id) ?? schema.id.name;
}

/** The comment of a column dbmazz added for a source column. */
export function sourceColumnComment(c: ColumnSchema): string {
  return `source type ${sourceTypeText(c)}`;
}

export async function prepareTable(query: Query, schema: TableSchema, o: TableSetupOptions): Promise<TargetTable> {
  const { db } = o;
  const name = targetNameOf(schema, o);
  const fq = `${db}.${name}`;
  const policy = o.schemaEvolution ?? 'evolve';
  let columns = await readColumns(query, db, name);
  if (columns.length === 0 && o.createTables === true) {
    await createTargetTable(query, schema, o);
    columns = await readColumns(query, db, name);
  }
  if (columns.length === 0) {
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Target table ${fq} does not exist (source table ${formatTableId(schema.id)}).`,
      hint: `Create it as a Primary Key table (or set SINK_CREATE_TABLES=true to let dbmazz create it), for example:\n${createTableSuggestion(db, name, schema)}`,
    });
  }

  const keyColumns = await readKeyColumns(query, db, name, columns);
  const missingSource = checkSourceColumns(schema, db, name, columns, keyColumns, policy);
  if (missingSource.length > 0 && policy === 'ignore') {
    o.logger.warn(
      { table: fq, source: formatTableId(schema.id), columns: missingSource.map((c) => c.name) },
      'SCHEMA_EVOLUTION=ignore: these source columns do not exist in StarRocks and their values are not loaded',
    );
  }
  const addSource: AuditColumnDef[] =
    policy === 'evolve' ? missingSource.map((c) => ({ name: c.name, ddlType: suggestStarRocksType(c), comment: sourceColumnComment(c) })) : [];

  const present = new Set(columns.map((c) => c.name.toLowerCase()));
  const missingAudit = AUDIT_COLUMNS.filter((a) => !present.has(a.name));
  if (addSource.length > 0 || missingAudit.length > 0) {
    if (addSource.length > 0) {
      o.logger.info({ table: fq, columns: addSource.map((c) => `${c.name} ${c.ddlType}`) }, 'adding the new source columns to the target table');
    }
    if (missingAudit.length > 0) o.logger.info({ table: fq, columns: missingAudit.map((m) => m.name) }, 'adding CDC audit columns to the target table');
    columns = await addColumns(query, name, [...addSource, ...missingAudit], o);
  }

  const byLowerName = new Map(columns.map((c) => [c.name.toLowerCase(), c] as const));
  const version = byLowerName.get(CDC_VERSION_COLUMN);
  if (version && !isIntegerKind(version.kind)) {
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Column ${CDC_VERSION_COLUMN} of ${fq} is ${version.dataType}; it must be BIGINT (it is the merge_condition column of every load)`,
      hint: `Drop it (ALTER TABLE ${quoteIdent(db)}.${quoteIdent(name)} DROP COLUMN ${quoteIdent(CDC_VERSION_COLUMN)}) and let dbmazz add it again.`,
    });
  }
  const spelled = (n: string): string => byLowerName.get(n)?.name ?? n;
  return {
    db,
    name,
    columns,
    keyColumns,
    byLowerName,
    audit: {
      opType: spelled(OP_TYPE_COLUMN),
      isDeleted: spelled(IS_DELETED_COLUMN),
      syncedAt: spelled(SYNCED_AT_COLUMN),
      cdcVersion: spelled(CDC_VERSION_COLUMN),
    },
  };
}

/**
 * Adds columns with one ALTER TABLE … ADD COLUMN (…) and returns the table's columns once all of
 * them are visible. Idempotent: columns already there are skipped, and an `already exists` failure
 * (another writer, or a retried statement) re-reads the table and tries the rest again.
 */
async function addColumns(query: Query, table: string, wanted: readonly AuditColumnDef[], o: TableSetupOptions): Promise<TargetColumn[]> {
  const fq = `${o.db}.${table}`;
  const missingOf = (cols: readonly TargetColumn[]): AuditColumnDef[] => {
    const have = new Set(cols.map((c) => c.name.toLowerCase()));
    return wanted.filter((w) => !have.has(w.name.toLowerCase()));
  };
  let columns = await readColumns(query, o.db, table);
  for (let attempt = 0; attempt < 5; attempt++) {
    const missing = missingOf(columns);
    if (missing.length === 0) return columns;
    const what = `adding column${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.name).join(', ')}`;
    await runSchemaChange(query, o, {
      table,
      sql: addColumnsStatement(o.db, table, missing),
      what,
      existsIsOk: true,
      visible: async () => {
        columns = await readColumns(query, o.db, table);
        return missingOf(columns).length === 0;
      },
    });
    columns = await readColumns(query, o.db, table);
  }
  const still = missingOf(columns);
  if (still.length === 0) return columns;
  throw new CdcError({
    code: 'SINK_SETUP',
    retry: 'retry',
    message: `Columns ${still.map((s) => s.name).join(', ')} are not visible in ${fq} after adding them`,
  });
}

async function readColumns(query: Query, db: string, table: string): Promise<TargetColumn[]> {
  try {
    return parseColumnRows(await query(columnsQuery(db, table)));
  } catch (err) {
    throw mysqlError(err, `reading the columns of ${db}.${table}`);
  }
}

async function readKeyColumns(query: Query, db: string, table: string, columns: readonly TargetColumn[]): Promise<string[]> {
  let ddl: string;
  try {
    ddl = createTableText((await query(showCreateTable(db, table)))[0]);
  } catch (err) {
    throw mysqlError(err, `reading the definition of ${db}.${table}`);
  }
  const keys = parseKeysClause(ddl);
  const fromInfo = columns.filter((c) => c.isKey).map((c) => c.name);
  if (keys ? keys.keysType !== 'PRIMARY' : fromInfo.length === 0) {
    const kind = keys ? `a ${keys.keysType} KEY table` : 'not a Primary Key table';
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Target table ${db}.${table} is ${kind}; dbmazz needs a Primary Key table (upserts, soft deletes, partial updates).`,
      hint: 'Recreate it with PRIMARY KEY (<source key columns>) — see docs/starrocks.md, "Table requirements".',
    });
  }
  const names = keys ? keys.columns : fromInfo;
  // Use the column spelling of the table.
  return names.map((k) => columns.find((c) => c.name.toLowerCase() === k.toLowerCase())?.name ?? k);
}

/**
 * Checks names, keys and reserved columns; returns the non-key source columns the target lacks
 * (an error under SCHEMA_EVOLUTION=fail).
 */
function checkSourceColumns(
  schema: TableSchema,
  db: string,
  name: string,
  columns: readonly TargetColumn[],
  keys: readonly string[],
  policy: SchemaEvolutionPolicy,
): ColumnSchema[] {
  const fq = `${db}.${name}`;
  for (const c of schema.columns) {
    if (AUDIT_COLUMNS.some((a) => a.name === c.name.toLowerCase())) {
      throw new CdcError({
        code: 'SINK_SCHEMA',
        message: `Source table ${formatTableId(schema.id)} has a column named ${c.name}, which is reserved for the CDC audit columns.`,
      });
    }
  }
  // Names travel in the `columns` header: fail at setup, not at the first load.
  for (const c of schema.columns) headerText(quoteIdent(c.name));
  const targetKeys = new Set(keys.map((k) => k.toLowerCase()));
  const sourceNames = new Set(schema.columns.map((c) => c.name.toLowerCase()));
  const notInSource = keys.filter((k) => !sourceNames.has(k.toLowerCase()));
  const sourceKeys = schema.keyColumns.map((k) => k.toLowerCase());
  const differs = sourceKeys.length > 0 && (sourceKeys.length !== targetKeys.size || sourceKeys.some((k) => !targetKeys.has(k)));
  if (notInSource.length > 0 || differs) {
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Primary key of ${fq} (${keys.join(', ')}) does not match the key of ${formatTableId(schema.id)} (${schema.keyColumns.join(', ') || 'none'}).`,
      hint: 'The StarRocks PRIMARY KEY must be the source primary key (or replica identity) columns.',
    });
  }
  const lower = new Set(columns.map((c) => c.name.toLowerCase()));
  const missing = schema.columns.filter((c) => !lower.has(c.name.toLowerCase()));
  if (missing.length > 0 && policy === 'fail') {
    const adds = missing.map((c) => `ADD COLUMN ${quoteIdent(c.name)} ${suggestStarRocksType(c)}`).join(', ');
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Target table ${fq} has no column ${missing.map((c) => c.name).join(', ')} (source ${formatTableId(schema.id)}).`,
      hint:
        `Add ${missing.length > 1 ? 'them' : 'it'}: ALTER TABLE ${quoteIdent(db)}.${quoteIdent(name)} ${adds}; ` +
        'or set SCHEMA_EVOLUTION=evolve (the default) to let dbmazz add missing columns.',
    });
  }
  return missing;
}
