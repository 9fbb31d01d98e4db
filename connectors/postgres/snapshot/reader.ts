/**
 * One snapshot reader connection (I/O). Each read is its own short transaction, REPEATABLE READ and
 * READ ONLY, so the MVCC snapshot printed by its first statement is the one the rows were read in;
 * nothing stays open between reads. The session uses the replication connection's output settings
 * (config.ts REPLICATION_SESSION_OPTIONS), so every value comes back as the exact text pgoutput sends
 * for it and decodes to the same value as a streamed change.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { CdcError, parseLsn, type Lsn } from '../../../core/index.js';
import { REPLICATION_SESSION_OPTIONS, type PostgresConfig } from '../config.js';
import { QueryConnection } from '../query-connection.js';
import { parsePgSnapshot, type PgSnapshot } from './pg-snapshot.js';
import type { SqlText } from './chunk-sql.js';

export interface RawRead {
  /** The MVCC snapshot the rows were read in. */
  readonly snapshot: PgSnapshot;
  /** The server's flushed WAL position inside that transaction (every visible commit is below it). */
  readonly walLsn: Lsn;
  /** How many rows were handed to the row callback. */
  readonly rows: number;
}

/**
 * One row as text cells (null for NULL), in select-list order, as it comes off the socket. The array
 * is the protocol message's own: keep what you need from it, not the array. A throw ends the read
 * with that error (the remaining rows are skipped; the transaction is rolled back).
 */
export type RowCallback = (cells: readonly (string | null)[]) => void;

/**
 * A query whose rows go to a callback as they arrive, as PostgreSQL's text cells: no row objects of
 * pg's (no parsed copy of each row, nothing accumulated), so a row's texts that the decoder does not
 * keep die young instead of living (and being copied by the collector) until the whole chunk is in.
 * `handleDataRow` is pg's Submittable hook for a DataRow message (pg-cursor and pg-query-stream use it).
 */
class RowQuery extends pg.Query<unknown[], string[]> {
  failure: Error | undefined = undefined;
  count = 0;

  constructor(
    sql: SqlText,
    private readonly row: RowCallback,
    done: (err: Error | undefined) => void,
  ) {
    super({ text: sql.text, values: [...sql.values], types: rawText }, (err: Error | undefined) => done(err ?? undefined));
  }

  handleDataRow(msg: { readonly fields: readonly (string | null)[] }): void {
    if (this.failure !== undefined) return;
    try {
      this.row(msg.fields);
      this.count += 1;
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(`snapshot row callback failed: ${JSON.stringify(err)}`);
    }
  }
}

/** Runs `sql` on `c`, each row to `row`; resolves with the number of rows. */
function streamRows(c: pg.Client, sql: SqlText, row: RowCallback): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const q: RowQuery = new RowQuery(sql, row, (err) => {
      if (err) reject(err);
      else if (q.failure !== undefined) reject(q.failure);
      else resolve(q.count);
    });
    void c.query(q);
  });
}

/** Every value as PostgreSQL's text output, never parsed by pg. */
const rawText = {
  getTypeParser:
    () =>
    (v: string): string =>
      v,
};

/** A column or the table went away under the copy (ALTER/DROP while streaming): retried. */
function goneError(e: unknown, doing: string): CdcError | undefined {
  const state = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
  if (state !== '42703' && state !== '42P01') return undefined;
  return new CdcError({
    code: 'SOURCE_SETUP',
    retry: 'retry',
    message: `${doing} failed: ${e instanceof Error ? e.message : String(e)}`,
    hint: 'The table changed while it was being copied; the read is retried (with the new shape once the stream has it).',
    cause: e,
  });
}

export class SnapshotReader {
  private readonly conn: QueryConnection;

  constructor(cfg: PostgresConfig, logger: Logger) {
    this.conn = new QueryConnection(cfg, logger, (base) => ({
      ...base,
      options: base.options ? `${base.options} ${REPLICATION_SESSION_OPTIONS}` : REPLICATION_SESSION_OPTIONS,
      application_name: `${base.application_name ?? 'dbmazz'}_snapshot`,
    }));
  }

  /**
   * Reads `sql` in a fresh REPEATABLE READ transaction, each row to `row` as it arrives; `doing` names
   * it in errors. A failed read may have handed some rows already: the caller drops them.
   */
  read(sql: SqlText, doing: string, row: RowCallback): Promise<RawRead> {
    return this.conn.run(doing, async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const head = await c.query<{ snap: string; lsn: string }>(
          'SELECT pg_catalog.pg_current_snapshot()::text AS snap, ' +
            '(CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_flush_lsn() END)::text AS lsn',
        );
        const rows = await streamRows(c, sql, row);
        await c.query('COMMIT');
        const h = head.rows[0];
        if (!h) throw new Error('pg_current_snapshot() returned no row');
        return { snapshot: parsePgSnapshot(h.snap), walLsn: parseLsn(h.lsn), rows };
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw goneError(e, doing) ?? e;
      }
    });
  }

  /** A single-value query outside any snapshot (estimates). */
  scalar(sql: SqlText, doing: string): Promise<string | undefined> {
    return this.conn.run(doing, async (c) => {
      const res = await c.query<(string | null)[]>({ text: sql.text, values: [...sql.values], rowMode: 'array', types: rawText });
      return res.rows[0]?.[0] ?? undefined;
    });
  }

  close(): Promise<void> {
    return this.conn.close();
  }
}
