/**
 * dbmazz's own small Primary Key tables in SINK_DATABASE (`dbmazz_source_identity`, `dbmazz_state`):
 * creating one when missing, and writing its rows with a Stream Load under a fresh label.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectorContext } from '../../../core/index.js';
import { CdcError } from '../../../core/index.js';
import { quoteIdent } from '../identifiers.js';
import type { LoadJob, LoadResult } from '../stream-load/loader.js';
import { headerText, streamLoadPath, timeoutSeconds } from '../stream-load/request.js';
import type { Query } from './mysql.js';
import { mysqlError } from './mysql.js';
import { columnsQuery, parseColumnRows } from './sql.js';

export interface OwnTable {
  readonly db: string;
  readonly table: string;
  /** What dbmazz keeps there, for messages (e.g. "which source writes each target table"). */
  readonly purpose: string;
}

/** The table's column names; empty when it does not exist. */
export async function ownTableColumns(query: Query, db: string, table: string): Promise<string[]> {
  try {
    return parseColumnRows(await query(columnsQuery(db, table))).map((c) => c.name);
  } catch (err) {
    throw mysqlError(err, `reading the columns of ${db}.${table}`);
  }
}

/**
 * Creates the table (`statement(replicationNum)`, a CREATE TABLE IF NOT EXISTS). Without
 * SINK_REPLICATION_NUM the cluster default applies; when the cluster has fewer alive backends than
 * that (a small cluster whose tables were created by hand), the table is created with one replica
 * rather than stopping: these tables are small and can be rebuilt.
 */
export async function createOwnTable(
  query: Query,
  t: OwnTable,
  replicationNum: number | undefined,
  statement: (replicationNum: number | undefined) => string,
  logger: ConnectorContext['logger'],
): Promise<void> {
  const fq = `${t.db}.${t.table}`;
  let rn = replicationNum;
  for (;;) {
    try {
      await query(statement(rn));
      break;
    } catch (err) {
      const e = mysqlError(err, `creating ${fq}`);
      if (rn === undefined && /replication num/i.test(e.message)) {
        rn = 1;
        logger.info({ table: fq }, `fewer alive backends than the default replication_num: creating ${t.table} with replication_num 1`);
        continue;
      }
      throw new CdcError({
        code: e.code,
        retry: e.retry,
        message: `${e.message} (dbmazz records there ${t.purpose})`,
        hint: `Grant SINK_USER CREATE TABLE on ${t.db} (or set SINK_REPLICATION_NUM), or create it once yourself:\n${statement(rn)}`,
        cause: err,
      });
    }
  }
  logger.info({ table: fq, ...(rn !== undefined ? { replicationNum: rn } : {}) }, `created ${t.table}`);
}

export interface OwnRowsLoad extends OwnTable {
  readonly labelPrefix: string;
  /** Short label-safe tag of the table in labels (e.g. `state`). */
  readonly labelTag: string;
  readonly loadTimeoutMs: number;
  /** Sends one Stream Load to the end (the sink's StreamLoader). */
  readonly load: (job: LoadJob) => Promise<LoadResult>;
}

/** JSON objects → one Stream Load into the table, under a label never used before. */
export async function loadOwnRows(o: OwnRowsLoad, columns: readonly string[], rows: readonly Record<string, unknown>[]): Promise<LoadResult> {
  // A fresh label each time: the same content may have to be written again later (A → B → A).
  const label = `${o.labelPrefix}-${o.labelTag}-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
  return o.load({
    db: o.db,
    table: o.table,
    label,
    path: streamLoadPath(o.db, o.table),
    headers: {
      label,
      format: 'json',
      strip_outer_array: 'true',
      columns: headerText(columns.map(quoteIdent).join(',')),
      max_filter_ratio: '0',
      timeout: String(timeoutSeconds(o.loadTimeoutMs)),
    },
    body: Buffer.from(JSON.stringify(rows), 'utf8'),
  });
}
