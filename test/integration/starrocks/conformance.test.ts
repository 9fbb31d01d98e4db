/**
 * The conformance kit (dbmazz/testing) against the StarRocks sink and the StarRocks emulator: a new
 * database per check, target tables created by the sink (SINK_CREATE_TABLES), rows read back from
 * the emulator's storage (live rows only: the sink soft-deletes).
 */
import { after, before } from 'node:test';
import { starrocksSink } from '../../../connectors/starrocks/index.js';
import { sinkConformance, type StoredRow } from '../../../core/testing/index.js';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { freePort } from 'dbmazz-postgres-sandbox';

let emu: StarRocksEmulator;
let databases = 0;
// Nothing listens on this port: the connection check must fail with a typed error, without the password.
const closedPort = await freePort();

before(async () => {
  emu = await startStarRocksEmulator();
});
after(async () => {
  await emu?.close();
});

const text = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

sinkConformance({
  manifest: starrocksSink,
  // SCHEMA_EVOLUTION predates the prefix rule; it is shared with the seed's configuration.
  settingPrefixes: ['SINK_', 'SCHEMA_EVOLUTION'],
  unreachable: {
    SINK_URL: `http://127.0.0.1:${closedPort}`,
    SINK_PORT: String(closedPort),
    SINK_DATABASE: 'kit',
    SINK_PASSWORD: 'kit-secret-pw',
    SINK_CONNECT_TIMEOUT_MS: '2000',
  },
  async target() {
    const db = `kit_${++databases}`;
    await emu.sql(`CREATE DATABASE ${db}`);
    return {
      env: {
        SINK_URL: emu.feHttpUrl,
        SINK_PORT: String(emu.mysqlPort),
        SINK_DATABASE: db,
        SINK_CREATE_TABLES: 'true',
        SINK_REPLICATION_NUM: '1',
        SINK_POLL_INTERVAL_MS: '20',
      },
      async read(schema) {
        const names = schema.columns.map((c) => c.name);
        return emu
          .rows(db, schema.id.name)
          .filter((r) => r['dbmazz_is_deleted'] !== true)
          .map((r): StoredRow => Object.fromEntries(names.map((n) => [n, text(r[n])])));
      },
    };
  },
});
