/**
 * The real daemon (the `dbmazz` CLI as a child process) against a real PostgreSQL and the StarRocks
 * emulator, driven over gRPC. Each job gets its own PostgreSQL database, StarRocks database and slot.
 */
import pg from 'pg';
import { parseLsn } from '../../../core/model/lsn.js';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { exitOf, spawnDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { daemonEnv, SR_PASSWORD } from '../../e2e/daemon-env.js';
import { DbmazzClient, type ClientOptions } from '../../unit/core/control/grpc-client.js';

export interface Job {
  readonly name: string;
  readonly slot: string;
  readonly publication: string;
  readonly url: string;
  readonly db: pg.Client;
  readonly srDb: string;
  /** CREATE TABLE in both databases: (id bigint primary key, note text). */
  createTable(table: string): Promise<void>;
  insert(table: string, ids: readonly number[]): Promise<void>;
  /** Ids in PostgreSQL / in StarRocks (soft-deleted rows excluded), sorted. */
  pgIds(table: string): Promise<number[]>;
  srIds(table: string): number[];
  /** The slot as pg_replication_slots shows it (undefined when it does not exist). */
  slotRow(): Promise<{ active: boolean; confirmed: string } | undefined>;
  publicationTables(): Promise<string[]>;
  /** pg_current_wal_insert_lsn(): past every committed transaction (even with synchronous_commit off). */
  walPosition(): Promise<bigint>;
  env(tables: string, extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export async function createJob(pgh: PgHarness, em: StarRocksEmulator, name: string): Promise<Job> {
  const url = await pgh.createDatabase(name);
  const db = await pgh.connect(name);
  const srDb = name;
  await em.sql(`CREATE DATABASE IF NOT EXISTS ${srDb}`);
  const slot = `slot_${name}`;
  const publication = `pub_${name}`;
  return {
    name,
    slot,
    publication,
    url,
    db,
    srDb,
    async createTable(table) {
      await db.query(`CREATE TABLE ${table} (id bigint PRIMARY KEY, note text)`);
      await em.sql(
        `CREATE TABLE ${table} (id BIGINT NOT NULL, note STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")`,
        srDb,
      );
    },
    async insert(table, ids) {
      if (ids.length === 0) return;
      await db.query(`INSERT INTO ${table} (id, note) SELECT x, 'row ' || x FROM unnest($1::bigint[]) AS x`, [ids]);
    },
    async pgIds(table) {
      const r = await db.query<{ id: string }>(`SELECT id::text AS id FROM ${table}`);
      return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
    },
    srIds(table) {
      let rows: Record<string, unknown>[];
      try {
        rows = em.rows(srDb, table);
      } catch {
        return [];
      }
      return rows
        .filter((r) => r['dbmazz_is_deleted'] !== true && r['dbmazz_is_deleted'] !== 1)
        .map((r) => Number(r['id']))
        .sort((a, b) => a - b);
    },
    async slotRow() {
      const r = await db.query<{ active: boolean; confirmed: string }>(
        'SELECT active, confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
        [slot],
      );
      return r.rows[0];
    },
    async walPosition() {
      const r = await db.query<{ lsn: string }>('SELECT pg_current_wal_insert_lsn()::text AS lsn');
      return parseLsn(r.rows[0]?.lsn ?? '0/0');
    },
    async publicationTables() {
      const r = await db.query<{ t: string }>(`SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1`, [
        publication,
      ]);
      return r.rows.map((x) => x.t);
    },
    env(tables, extra = {}) {
      return {
        ...daemonEnv(pgh, em, srDb, tables),
        SOURCE_URL: url,
        SOURCE_SLOT_NAME: slot,
        SOURCE_PUBLICATION_NAME: publication,
        ...extra,
      };
    },
    async close() {
      await db.end();
    },
  };
}

export interface GrpcDaemon {
  readonly process: DaemonProcess;
  readonly port: number;
  readonly metricsPort: number | undefined;
  readonly client: DbmazzClient;
  clientWith(opts: ClientOptions): DbmazzClient;
  /** Waits for the exit; kills the process if it has not exited within `ms`. */
  exit(ms?: number): Promise<number | null>;
  close(): Promise<void>;
}

interface LogLine {
  readonly msg?: string;
  readonly port?: number;
}

export async function startDaemon(env: Record<string, string>): Promise<GrpcDaemon> {
  const process = spawnDaemon(env);
  const line = JSON.parse(await process.waitForLine(/gRPC control API listening/)) as LogLine;
  const port = line.port;
  if (typeof port !== 'number') throw new Error(`no port in ${JSON.stringify(line)}`);
  let metricsPort: number | undefined;
  if (env['METRICS_PORT'] !== undefined) {
    const m = JSON.parse(await process.waitForLine(/Prometheus metrics on/)) as LogLine;
    metricsPort = m.port;
  }
  const clients: DbmazzClient[] = [];
  const clientWith = (opts: ClientOptions): DbmazzClient => {
    const c = new DbmazzClient(`127.0.0.1:${port}`, opts);
    clients.push(c);
    return c;
  };
  const client = clientWith({ ...(env['GRPC_AUTH_TOKEN'] ? { token: env['GRPC_AUTH_TOKEN'] } : {}) });
  return {
    process,
    port,
    metricsPort,
    client,
    clientWith,
    exit(ms = 30_000) {
      return exitOf(process, ms);
    },
    async close() {
      for (const c of clients) c.close();
      process.kill('SIGKILL');
      await process.exited;
    },
  };
}

/** One PostgreSQL and one StarRocks emulator for a test file, with the jobs and daemons its tests open. */
export interface GrpcWorld {
  /** A job (see createJob) with `tables` created on both sides; closed by `close`. */
  job(name: string, ...tables: string[]): Promise<Job>;
  /** A daemon (see startDaemon); closed by `close`. */
  daemon(env: Record<string, string>): Promise<GrpcDaemon>;
  /** Closes the daemons, then the jobs, then the servers. */
  close(): Promise<void>;
  /** The StarRocks emulator. */
  readonly em: StarRocksEmulator;
}

export async function startGrpcWorld(): Promise<GrpcWorld> {
  const pgh = await startPostgres();
  let em: StarRocksEmulator;
  try {
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
  } catch (err) {
    await pgh.close();
    throw err;
  }
  const daemons: GrpcDaemon[] = [];
  const jobs: Job[] = [];
  return {
    em,
    async job(name, ...tables) {
      const j = await createJob(pgh, em, name);
      jobs.push(j);
      for (const t of tables) await j.createTable(t);
      return j;
    },
    async daemon(env) {
      const d = await startDaemon(env);
      daemons.push(d);
      return d;
    },
    async close() {
      for (const d of daemons) await d.close();
      for (const j of jobs) await j.close();
      await em.close();
      await pgh.close();
    },
  };
}
