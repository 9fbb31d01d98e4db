import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, spawnDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';

export const SR_PASSWORD = 'sr-s3cret-pw';

/** The environment a user would export to run dbmazz against these two servers. */
export function daemonEnv(pg: PgHarness, em: StarRocksEmulator, db: string, tables: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SOURCE_URL: pg.url,
    TABLES: tables,
    SINK_URL: em.feHttpUrl,
    SINK_PORT: String(em.mysqlPort),
    SINK_DATABASE: db,
    SINK_USER: 'root',
    SINK_PASSWORD: SR_PASSWORD,
    FLUSH_SIZE: '500',
    FLUSH_INTERVAL_MS: '200',
    GRPC_PORT: '0',
    SETUP_MAX_ATTEMPTS: '1',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    ...extra,
  };
}

/** Whether the slot is in use by a walsender (a daemon streams from it). */
export async function slotActive(pg: PgHarness, slot = 'dbmazz_slot'): Promise<boolean> {
  const r = await pg.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return r.rows[0]?.active === true;
}

/** Starts the daemon once the previous one has released the slot, then waits until it streams. */
export async function restartStreaming(pg: PgHarness, env: Record<string, string>, slot = 'dbmazz_slot'): Promise<DaemonProcess> {
  await waitFor(async () => !(await slotActive(pg, slot)), { timeoutMs: 20_000, message: 'slot still active' });
  return startStreaming(pg, env, slot);
}

/**
 * Starts the daemon and waits until its slot streams (`slot` active in pg_replication_slots). A daemon
 * that does not get there within `timeoutMs` is killed before the error is thrown.
 */
export async function startStreaming(pg: PgHarness, env: Record<string, string>, slot = 'dbmazz_slot', timeoutMs = 30_000): Promise<DaemonProcess> {
  const d = spawnDaemon(env);
  try {
    await waitFor(() => slotActive(pg, slot), { timeoutMs, message: () => `daemon did not start streaming:\n${d.output().slice(-4000)}` });
  } catch (err) {
    await killDaemons(d);
    throw err;
  }
  return d;
}
