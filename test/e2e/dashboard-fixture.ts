/**
 * A running daemon replicating real changes, for the dashboard tests: a throwaway PostgreSQL, the
 * emulator, two tables, the real CLI with METRICS_PORT (and optionally GRPC_AUTH_TOKEN), and a
 * background writer that keeps inserting and updating rows until stopped.
 */
import { request } from 'node:http';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, spawnDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { daemonEnv, SR_PASSWORD } from './daemon-env.js';
import type pg from 'pg';

export const DASH_DB = 'dash';

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

export function http(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface DashboardBed {
  readonly pg: PgHarness;
  readonly em: StarRocksEmulator;
  readonly daemon: DaemonProcess;
  readonly metricsPort: number;
  readonly grpcPort: number;
  /** Rows written by the background writer so far. */
  written(): number;
  stopWriting(): Promise<void>;
  close(): Promise<void>;
}

export async function startDashboardBed(extraEnv: Record<string, string> = {}): Promise<DashboardBed> {
  const pgh = await startPostgres();
  const em = await startStarRocksEmulator({ password: SR_PASSWORD });
  const db = await pgh.connect();
  let daemon: DaemonProcess | undefined;
  let writing = true;
  let written = 0;
  let writer: Promise<void> = Promise.resolve();
  const close = async (): Promise<void> => {
    writing = false;
    await writer.catch(() => undefined);
    await killDaemons(daemon);
    await db.end().catch(() => undefined);
    await em.close();
    await pgh.close();
  };
  try {
    await db.query('CREATE TABLE orders (id bigint PRIMARY KEY, status text NOT NULL, total numeric(10,2))');
    await db.query('CREATE TABLE events (id bigint PRIMARY KEY, payload text)');
    await em.sql(`CREATE DATABASE ${DASH_DB}`);
    await em.sql(
      'CREATE TABLE orders (id BIGINT NOT NULL, status STRING, total DECIMAL(10,2)) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")',
      DASH_DB,
    );
    await em.sql(
      'CREATE TABLE events (id BIGINT NOT NULL, payload STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")',
      DASH_DB,
    );
    daemon = spawnDaemon(daemonEnv(pgh, em, DASH_DB, 'orders,events', { METRICS_PORT: '0', FLUSH_INTERVAL_MS: '300', ...extraEnv }));
    const metricsLine = await daemon.waitForLine(/Prometheus metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
    const grpcLine = await daemon.waitForLine(/gRPC control API listening on 127\.0\.0\.1:\d+/);
    const metricsPort = Number(/127\.0\.0\.1:(\d+)\/metrics/.exec(metricsLine)?.[1]);
    const grpcPort = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(grpcLine)?.[1]);
    writer = write(
      db,
      () => writing,
      (n) => (written += n),
    );
    const d = daemon;
    return {
      pg: pgh,
      em,
      daemon: d,
      metricsPort,
      grpcPort,
      written: () => written,
      async stopWriting() {
        writing = false;
        await writer;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Inserts and updates rows (about 400 changes per second) while `go()` says so. */
async function write(db: pg.Client, go: () => boolean, add: (n: number) => void): Promise<void> {
  let next = 1;
  while (go()) {
    const ids = Array.from({ length: 20 }, () => next++);
    await db.query('BEGIN');
    await db.query(`INSERT INTO orders SELECT x, 'new', x % 1000 FROM unnest($1::bigint[]) x`, [ids]);
    await db.query(`INSERT INTO events SELECT x, 'event ' || x FROM unnest($1::bigint[]) x`, [ids]);
    const r = await db.query(`UPDATE orders SET status = 'paid' WHERE id = ANY($1::bigint[])`, [ids.filter((x) => x % 2 === 0)]);
    await db.query('COMMIT');
    add(40 + (r.rowCount ?? 0));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
