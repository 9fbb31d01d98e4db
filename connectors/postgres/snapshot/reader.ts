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
import { copyStatement, type SqlText } from './chunk-sql.js';
import type { RowsInto } from './chunk-rows.js';

export interface RawRead {
  /** The MVCC snapshot the rows were read in. */
  readonly snapshot: PgSnapshot;
  /** The server's flushed WAL position inside that transaction (every visible commit is below it). */
  readonly walLsn: Lsn;
}

/**
 * `COPY (SELECT …) TO STDOUT` whose data goes to `into` as it arrives (pg's Submittable interface, as
 * pg-copy-streams uses it). PostgreSQL sends one CopyData message per row, each handed over as a view of
 * the socket's buffer: no string, no array per row or cell (the rows' text is copied into the chunk's
 * own buffer, chunk-rows.ts). A throw of `into` ends the read with that error (the remaining data is
 * skipped; the transaction is rolled back).
 */
class CopyQuery implements pg.Submittable {
  failure: Error | undefined = undefined;
  private settled = false;

  constructor(
    private readonly text: string,
    private readonly into: RowsInto,
    private readonly done: (err: Error | undefined) => void,
  ) {}

  submit(connection: pg.Connection): void {
    (connection as unknown as { query(text: string): void }).query(this.text);
  }

  handleCopyData(msg: { readonly chunk: Buffer }): void {
    if (this.failure !== undefined) return;
    try {
      this.into.copyData(msg.chunk);
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(`snapshot row callback failed: ${JSON.stringify(err)}`);
    }
  }

  handleCommandComplete(): void {
    if (this.failure !== undefined) return;
    try {
      this.into.end();
    } catch (err) {
      this.failure = err instanceof Error ? err : new Error(String(err));
    }
  }

  /**
   * A server error (ReadyForQuery follows; pg sends the next query only after it) or the connection
   * lost (nothing follows): either way the read ends now, as pg's own queries end.
   */
  handleError(err: Error): void {
    this.settle(err);
  }

  handleReadyForQuery(): void {
    this.settle(undefined);
  }

  private settle(err: Error | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.done(err);
  }

  // Not sent for COPY TO; present because pg may call them on any active query.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
}

/** Runs `sql` as COPY on `c`, its data to `into`. */
function copyRows(c: pg.Client, sql: SqlText, into: RowsInto): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const q: CopyQuery = new CopyQuery(copyStatement(sql), into, (err) => {
      if (err) reject(err);
      else if (q.failure !== undefined) reject(q.failure);
      else resolve();
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
   * Reads `sql` in a fresh REPEATABLE READ transaction, its rows to `into` as they arrive (as COPY
   * text); `doing` names it in errors. A failed read may have handed some rows already: the caller
   * drops them.
   */
  read(sql: SqlText, doing: string, into: RowsInto): Promise<RawRead> {
    return this.conn.run(doing, async (c) => {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        const head = await c.query<{ snap: string; lsn: string }>(
          'SELECT pg_catalog.pg_current_snapshot()::text AS snap, ' +
            '(CASE WHEN pg_catalog.pg_is_in_recovery() THEN pg_catalog.pg_last_wal_replay_lsn() ELSE pg_catalog.pg_current_wal_flush_lsn() END)::text AS lsn',
        );
        await copyRows(c, sql, into);
        await c.query('COMMIT');
        const h = head.rows[0];
        if (!h) throw new Error('pg_current_snapshot() returned no row');
        return { snapshot: parsePgSnapshot(h.snap), walLsn: parseLsn(h.lsn) };
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
