import type { PgHarness } from '../harness/postgres.js';
import type { StarRocksEmulator } from '../starrocks-emulator/index.js';

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
