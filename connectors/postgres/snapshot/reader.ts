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
import { clientConfig, REPLICATION_SESSION_OPTIONS, type PostgresConfig } from '../config.js';
import { toSourceError } from '../errors.js';
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
const rawText = { getTypeParser: () => (v: string): string => v };

export class SnapshotReader {
  private client: pg.Client | undefined;

  constructor(
    private readonly cfg: PostgresConfig,
    private readonly logger: Logger,
  ) {}

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const base = clientConfig(this.cfg, 'query');
    const options = base.options ? `${base.options} ${REPLICATION_SESSION_OPTIONS}` : REPLICATION_SESSION_OPTIONS;
    const c = new pg.Client({ ...base, options, application_name: `${base.application_name ?? 'dbmazz'}_snapshot` });
    c.on('error', (e) => {
      this.logger.warn({ err: toSourceError(e, `snapshot read on ${this.cfg.target}`).message }, 'snapshot connection lost');
      if (this.client === c) this.client = undefined;
    });
    try {
      await c.connect();
    } catch (e) {
      await c.end().catch(() => undefined);
      throw toSourceError(e, `connect to ${this.cfg.target} for a snapshot read`);
    }
    this.client = c;
    return c;
  }

  /** Reads `sql` in a fresh REPEATABLE READ transaction; `doing` names it in errors. */
  async read(sql: SqlText, doing: string): Promise<RawRead> {
    const c = await this.connect();
    try {
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
        throw e;
      }
    } catch (e) {
      // A failed connection is reopened by the next read.
      if (this.client === c && !(e instanceof Error && 'code' in e)) {
        this.client = undefined;
        await c.end().catch(() => undefined);
      }
      const state = e instanceof Error ? (e as Error & { code?: unknown }).code : undefined;
      if (state === '42703' || state === '42P01') {
        // A column or the table went away under the copy (ALTER/DROP while streaming).
        throw new CdcError({
          code: 'SOURCE_SETUP',
          retry: 'retry',
          message: `${doing} failed: ${e instanceof Error ? e.message : String(e)}`,
          hint: 'The table changed while it was being copied; the read is retried (with the new shape once the stream has it).',
          cause: e,
        });
      }
      throw toSourceError(e, doing);
    }
  }

  /** A single-value query outside any snapshot (estimates). */
  async scalar(sql: SqlText, doing: string): Promise<string | undefined> {
    const c = await this.connect();
    try {
      const res = await c.query<(string | null)[]>({ text: sql.text, values: [...sql.values], rowMode: 'array', types: rawText });
      return res.rows[0]?.[0] ?? undefined;
    } catch (e) {
      throw toSourceError(e, doing);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
