/**
 * Harness for StarRocks sink tests against the StarRocks emulator (real HTTP on 127.0.0.1).
 * Setup SQL goes over the emulator's MySQL port (mysql2, as in production); `mysql: false` uses the
 * emulator's in-process SQL executor instead (the sink's `sql` dependency).
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import type { ChangeRecord, ConnectorContext, Lsn, Settings, TableBatch, TableSchema } from '../../../core/index.js';
import { connectorContext } from '../../../core/index.js';
import type { Query, SqlRunner } from '../../../connectors/starrocks/index.js';
import { readStarRocksConfig, StarRocksSink } from '../../../connectors/starrocks/index.js';
import { type StarRocksEmulator, type StarRocksEmulatorOptions, startStarRocksEmulator } from 'dbmazz-starrocks-emulator';

export const DB = 'cdc';
export const PIPELINE = 'dbmazz_slot';

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [k: string]: unknown;
}

export interface Harness {
  readonly emu: StarRocksEmulator;
  readonly logs: LogLine[];
  readonly query: Query;
  /** `CREATE TABLE <ddl> PROPERTIES("replication_num" = "1")` (the emulator has one BE). */
  create(ddl: string): Promise<void>;
  /** `opts.sql` replaces the setup SQL connection (e.g. to watch the queries). */
  sink(settings?: Settings, opts?: { mysql?: boolean; now?: () => Date; sql?: SqlRunner }): StarRocksSink;
  close(): Promise<void>;
}

interface SqlResultRows {
  readonly kind: 'rows';
  readonly columns: readonly { readonly name: string }[];
  readonly rows: readonly (readonly unknown[])[];
}

function isRows(r: unknown): r is SqlResultRows {
  return typeof r === 'object' && r !== null && (r as { kind?: unknown }).kind === 'rows';
}

export async function startHarness(opts: StarRocksEmulatorOptions = {}): Promise<Harness> {
  const emu = await startStarRocksEmulator(opts);
  await emu.sql(`CREATE DATABASE ${DB}`);
  const logs: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as LogLine);
      cb();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  const query: Query = async (sql) => {
    const r = await emu.sql(sql, DB);
    if (!isRows(r)) return [];
    return r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c.name, row[i] ?? null])));
  };
  const runner: SqlRunner = (fn) => fn(query);
  const sinks: StarRocksSink[] = [];
  const ctx: ConnectorContext = connectorContext({ logger, pipelineId: PIPELINE });
  return {
    emu,
    logs,
    query,
    async create(ddl) {
      await emu.sql(`CREATE TABLE ${ddl} PROPERTIES("replication_num" = "1")`);
    },
    sink(settings = {}, o = {}) {
      const cfg = readStarRocksConfig({
        SINK_URL: emu.feHttpUrl,
        SINK_DATABASE: DB,
        SINK_POLL_INTERVAL_MS: 20,
        SINK_CONTINUE_TIMEOUT_MS: 2000,
        ...(emu.mysqlPort > 0 ? { SINK_PORT: emu.mysqlPort } : {}),
        ...settings,
      });
      // Setup SQL goes over the MySQL port (as in production) unless the test asks otherwise.
      const useMysql = o.mysql ?? emu.mysqlPort > 0;
      const sql = o.sql ?? (useMysql ? undefined : runner);
      const s = new StarRocksSink(cfg, ctx, { ...(sql ? { sql } : {}), ...(o.now ? { now: o.now } : {}) });
      sinks.push(s);
      return s;
    },
    async close() {
      for (const s of sinks) await s.close();
      await emu.close();
    },
  };
}

export function batch(schema: TableSchema, records: readonly ChangeRecord[], range?: { first: Lsn; last: Lsn }): TableBatch {
  const lsns = records.map((r) => r.lsn);
  const first = range?.first ?? lsns.reduce((a, b) => (b < a ? b : a), lsns[0] ?? 0n);
  const last = range?.last ?? lsns.reduce((a, b) => (b > a ? b : a), lsns[0] ?? 0n);
  return { schema, records, firstLsn: first, lastLsn: last, pipelineId: PIPELINE };
}

export function signal(): AbortSignal {
  return new AbortController().signal;
}

/** Rows of a table keyed by the `id` column's text. */
export function rowsById(h: Harness, table: string): Map<string, Record<string, unknown>> {
  return new Map(h.emu.rows(DB, table).map((r) => [String(r['id']), r]));
}
