/**
 * The sweep after a completed snapshot (core `Sink.sweep`): rows of the target whose
 * `dbmazz_cdc_version` is below the snapshot's first version and that are not deleted yet are rows
 * the source no longer has (deleted while changes could not be streamed, e.g. after a lost slot,
 * or while the table was not replicated). They are soft-deleted like any delete: a partial update of
 * the key and the audit columns, `merge_condition` on the version, written with version `before - 1`,
 * so a row that the stream writes meanwhile (always at `before` or later) is never touched.
 *
 * Rows are found with `SELECT <key> ... LIMIT n` and removed in rounds of that size: each round's rows
 * no longer match, so the loop ends; a round that finds exactly the keys of the previous one (rows the
 * condition kept, e.g. a NULL version StarRocks would not compare) stops it with a warning.
 */
import { randomBytes } from 'node:crypto';
import type { ConnectorContext, Lsn } from '../../core/index.js';
import { OP_DELETE } from './audit.js';
import { quoteIdent } from './identifiers.js';
import type { Query } from './setup/mysql.js';
import { mysqlError } from './setup/mysql.js';
import type { TargetTable } from './setup/table-setup.js';
import { formatSyncedAt } from './stream-load/body.js';
import type { LoadJob, LoadResult } from './stream-load/loader.js';
import { streamLoadHeaders, streamLoadPath } from './stream-load/request.js';

export const SWEEP_ROUND_ROWS = 10_000;

export interface SweepDeps {
  readonly labelPrefix: string;
  readonly loadTimeoutMs: number;
  readonly logger: ConnectorContext['logger'];
  readonly sql: <T>(fn: (query: Query) => Promise<T>) => Promise<T>;
  readonly load: (job: LoadJob, signal: AbortSignal) => Promise<LoadResult>;
  readonly now: () => Date;
  readonly roundRows?: number;
}

/** The SELECT of up to `limit` stale keys (pure). */
export function staleKeysQuery(t: TargetTable, before: Lsn, limit: number): string {
  const v = quoteIdent(t.audit.cdcVersion);
  const del = quoteIdent(t.audit.isDeleted);
  const keys = t.keyColumns.map((k, i) => `${quoteIdent(k)} AS ${quoteIdent(`k${i}`)}`).join(', ');
  return (
    `SELECT ${keys} FROM ${quoteIdent(t.db)}.${quoteIdent(t.name)} ` +
    `WHERE (${v} < ${before.toString()} OR ${v} IS NULL) AND (${del} IS NULL OR ${del} = false) LIMIT ${limit}`
  );
}

/** Soft-deletes the target's rows older than `before`; returns how many rows it wrote. */
export async function sweepTarget(d: SweepDeps, t: TargetTable, before: Lsn, signal: AbortSignal): Promise<number> {
  const limit = d.roundRows ?? SWEEP_ROUND_ROWS;
  const version = before > 0n ? before - 1n : 0n;
  const fq = `${t.db}.${t.name}`;
  let removed = 0;
  let previous = '';
  for (;;) {
    const rows = await d.sql(async (query) => {
      try {
        return await query(staleKeysQuery(t, before, limit));
      } catch (err) {
        throw mysqlError(err, `reading the rows of ${fq} older than the snapshot`);
      }
    });
    if (rows.length === 0) break;
    const keys = rows.map((r) => t.keyColumns.map((_, i) => r[`k${i}`] ?? null));
    const text = JSON.stringify(keys);
    if (text === previous) {
      d.logger.warn(
        { table: fq, rows: rows.length },
        'sweep: some rows older than the snapshot could not be removed (their version did not compare); they stay',
      );
      break;
    }
    previous = text;
    const syncedAt = formatSyncedAt(d.now());
    const body = keys.map((k) => {
      const row: Record<string, unknown> = {};
      t.keyColumns.forEach((c, i) => (row[c] = k[i]));
      row[t.audit.opType] = OP_DELETE;
      row[t.audit.isDeleted] = true;
      row[t.audit.syncedAt] = syncedAt;
      row[t.audit.cdcVersion] = version.toString();
      return row;
    });
    const label = `${d.labelPrefix}-sweep-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    const columns = [...t.keyColumns, t.audit.opType, t.audit.isDeleted, t.audit.syncedAt, t.audit.cdcVersion];
    await d.load(
      {
        db: t.db,
        table: t.name,
        label,
        path: streamLoadPath(t.db, t.name),
        headers: streamLoadHeaders({
          label,
          columns: columns.map(quoteIdent).join(','),
          partial: true,
          maxFilterRatio: 0,
          timeoutMs: d.loadTimeoutMs,
          mergeConditionColumn: t.audit.cdcVersion,
        }),
        body: Buffer.from(JSON.stringify(body), 'utf8'),
      },
      signal,
    );
    removed += rows.length;
    if (rows.length < limit) break;
  }
  return removed;
}
