/**
 * Setup of one target table over the MySQL protocol: it must exist in SINK_DATABASE under the source
 * table's name, be a Primary Key table keyed like the source, and hold every source column. Missing
 * audit columns are added with one ALTER TABLE, and loads start only after that schema-change job
 * is FINISHED (a load planned earlier would silently ignore the new columns, PROTOCOL.md §7.3).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectorContext, TableSchema } from '../../../core/index.js';
import { CdcError, formatTableId } from '../../../core/index.js';
import { AUDIT_COLUMNS, CDC_VERSION_COLUMN, IS_DELETED_COLUMN, OP_TYPE_COLUMN, SYNCED_AT_COLUMN } from '../audit.js';
import { quoteIdent } from '../identifiers.js';
import type { AuditKeys } from '../stream-load/body.js';
import { headerText } from '../stream-load/request.js';
import type { TargetColumn } from '../type-map.js';
import { isIntegerKind, suggestStarRocksType } from '../type-map.js';
import type { Query } from './mysql.js';
import { mysqlError, SqlError } from './mysql.js';
import {
  addColumnsStatement,
  columnsQuery,
  createTableSuggestion,
  createTableText,
  parseAlterJob,
  parseColumnRows,
  parseKeysClause,
  showAlterStatement,
  showCreateTable,
} from './sql.js';

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

export interface TableSetupOptions {
  readonly db: string;
  readonly pollIntervalMs: number;
  readonly ddlTimeoutMs: number;
  readonly logger: ConnectorContext['logger'];
  readonly now?: () => number;
}

const IN_PROGRESS = /schema change operation is in progress|state is not normal/i;

export async function prepareTable(query: Query, schema: TableSchema, o: TableSetupOptions): Promise<TargetTable> {
  const { db } = o;
  const name = schema.id.name;
  const fq = `${db}.${name}`;
  let columns = await readColumns(query, db, name);
  if (columns.length === 0) {
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Target table ${fq} does not exist (source table ${formatTableId(schema.id)}).`,
      hint: `Create it as a Primary Key table, for example:\n${createTableSuggestion(db, name, schema)}`,
    });
  }

  const keyColumns = await readKeyColumns(query, db, name, columns);
  checkSourceColumns(schema, db, name, columns, keyColumns);

  const present = new Set(columns.map((c) => c.name.toLowerCase()));
  const missing = AUDIT_COLUMNS.filter((a) => !present.has(a.name));
  if (missing.length > 0) {
    o.logger.info({ table: fq, columns: missing.map((m) => m.name) }, 'adding CDC audit columns to the target table');
    await alterWithRetry(query, addColumnsStatement(db, name, missing), fq, o);
    await waitForSchemaChange(query, db, name, fq, o);
    columns = await readColumns(query, db, name);
    const now = new Set(columns.map((c) => c.name.toLowerCase()));
    const still = missing.filter((m) => !now.has(m.name));
    if (still.length > 0) {
      throw new CdcError({
        code: 'SINK_SETUP',
        retry: 'retry',
        message: `Audit columns ${still.map((s) => s.name).join(', ')} are not visible in ${fq} after the schema change finished`,
      });
    }
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

async function readColumns(query: Query, db: string, table: string): Promise<TargetColumn[]> {
  try {
    return parseColumnRows(await query(columnsQuery(db, table)));
  } catch (err) {
    throw mysqlError(err, `reading the columns of ${db}.${table}`);
  }
}

async function readKeyColumns(query: Query, db: string, table: string, columns: readonly TargetColumn[]): Promise<string[]> {
  let ddl = '';
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

function checkSourceColumns(schema: TableSchema, db: string, name: string, columns: readonly TargetColumn[], keys: readonly string[]): void {
  const fq = `${db}.${name}`;
  const lower = new Set(columns.map((c) => c.name.toLowerCase()));
  const missing = schema.columns.filter((c) => !lower.has(c.name.toLowerCase()));
  if (missing.length > 0) {
    const adds = missing.map((c) => `ADD COLUMN ${quoteIdent(c.name)} ${suggestStarRocksType(c)}`).join(', ');
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Target table ${fq} has no column ${missing.map((c) => c.name).join(', ')} (source ${formatTableId(schema.id)}).`,
      hint: `Add ${missing.length > 1 ? 'them' : 'it'}: ALTER TABLE ${quoteIdent(db)}.${quoteIdent(name)} ${adds};`,
    });
  }
  for (const c of schema.columns) {
    if (AUDIT_COLUMNS.some((a) => a.name === c.name.toLowerCase())) {
      throw new CdcError({ code: 'SINK_SCHEMA', message: `Source table ${formatTableId(schema.id)} has a column named ${c.name}, which is reserved for the CDC audit columns.` });
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
}

async function alterWithRetry(query: Query, sql: string, fq: string, o: TableSetupOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.ddlTimeoutMs;
  for (;;) {
    try {
      await query(sql);
      return;
    } catch (err) {
      const msg = err instanceof SqlError ? err.message : String(err);
      if (!IN_PROGRESS.test(msg)) throw mysqlError(err, `adding audit columns to ${fq}`);
      if (now() >= deadline) {
        throw new CdcError({ code: 'SINK_SETUP', retry: 'retry', message: `Another schema change on ${fq} did not finish within ${o.ddlTimeoutMs} ms: ${msg}` });
      }
      o.logger.info({ table: fq }, 'a schema change is in progress on the target table; waiting');
      await sleep(o.pollIntervalMs);
    }
  }
}

async function waitForSchemaChange(query: Query, db: string, table: string, fq: string, o: TableSetupOptions): Promise<void> {
  const now = o.now ?? Date.now;
  const deadline = now() + o.ddlTimeoutMs;
  for (;;) {
    let job;
    try {
      job = parseAlterJob((await query(showAlterStatement(db, table)))[0]);
    } catch (err) {
      throw mysqlError(err, `checking the schema change of ${fq}`);
    }
    // No job row: the change was applied synchronously (fast schema evolution v2).
    if (!job || job.state === 'FINISHED') return;
    if (job.state === 'CANCELLED') {
      throw new CdcError({
        code: 'SINK_SETUP',
        message: `Adding the audit columns to ${fq} was cancelled by StarRocks: ${job.msg || 'no reason given'}`,
        hint: 'Check SHOW ALTER TABLE COLUMN on the FE, fix the cause, then restart the pipeline.',
      });
    }
    if (now() >= deadline) {
      throw new CdcError({
        code: 'SINK_SETUP',
        retry: 'retry',
        message: `The schema change adding audit columns to ${fq} is still ${job.state} after ${o.ddlTimeoutMs} ms`,
      });
    }
    await sleep(o.pollIntervalMs);
  }
}
