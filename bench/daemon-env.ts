/** The environment of a benchmark daemon: the benchmark's table, its publication, the emulator. */
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { TABLE } from './workload.js';

export const PUBLICATION = 'dbmazz_pub';

export interface DaemonTuning {
  readonly flushIntervalMs?: number | undefined;
  readonly flushSize?: number | undefined;
}

export function benchDaemonEnv(
  pg: PgHarness,
  em: StarRocksEmulator,
  sink: { readonly database: string; readonly password: string },
  slot: string,
  tuning: DaemonTuning,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    SOURCE_URL: pg.url,
    SOURCE_SLOT_NAME: slot,
    SOURCE_PUBLICATION_NAME: PUBLICATION,
    TABLES: TABLE,
    SINK_URL: em.feHttpUrl,
    SINK_PORT: String(em.mysqlPort),
    SINK_DATABASE: sink.database,
    SINK_USER: 'root',
    SINK_PASSWORD: sink.password,
    SINK_CREATE_TABLES: 'true',
    SINK_REPLICATION_NUM: '1',
    // The benchmark measures the stream (the snapshot part sets its own mode).
    SNAPSHOT_MODE: 'never',
    GRPC_PORT: '0',
    SETUP_MAX_ATTEMPTS: '1',
    LOG_LEVEL: 'warn',
    ...(tuning.flushIntervalMs !== undefined ? { FLUSH_INTERVAL_MS: String(tuning.flushIntervalMs) } : {}),
    ...(tuning.flushSize !== undefined ? { FLUSH_SIZE: String(tuning.flushSize) } : {}),
    ...extra,
  };
}
