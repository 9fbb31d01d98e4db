/**
 * One snapshot reader connection (I/O). Each read is its own short transaction, REPEATABLE READ and
 * READ ONLY, so the MVCC snapshot printed by its first statement is the one the rows were read in;
 * nothing stays open between reads. The session uses the replication connection's output settings
 * (config.ts REPLICATION_SESSION_OPTIONS), so every value comes back as the exact text pgoutput sends
 * for it and decodes to the same value as a streamed change.
 */
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
  /** Rows as text cells (null for NULL), in select-list order. */
  readonly rows: readonly (readonly (string | null)[])[];
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

  /** Reads `sql` in a fresh REPEATABLE READ transaction; `doing` names it in errors. */
  read(sql: SqlText, doing: string): Promise<RawRead> {
    return this.conn.run(doing, async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const head = await c.query<{ snap: string; lsn: string }>(
          'SELECT pg_catalog.pg_current_snapshot()::text AS snap, ' +
            '(CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_flush_lsn() END)::text AS lsn',
        );
        const res = await c.query<(string | null)[]>({ text: sql.text, values: [...sql.values], rowMode: 'array', types: rawText });
        await c.query('COMMIT');
        const h = head.rows[0];
        if (!h) throw new Error('pg_current_snapshot() returned no row');
        return { snapshot: parsePgSnapshot(h.snap), walLsn: parseLsn(h.lsn), rows: res.rows };
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
