/**
 * `node dist/bench/emulator-load.js [BATCHES]`: the StarRocks emulator's CPU per row for the Stream
 * Loads the sink sends, with no daemon and no PostgreSQL: the benchmark's batches (bench/sink-batches.ts)
 * are planned and encoded by the sink's own code beforehand, then loaded one after another into an
 * emulator in this process over HTTP (FE 307, `Expect: 100-continue`, BE), with the sink's headers
 * (`merge_condition`, `partial_update` where the plan says so).
 * - snapshot: BATCHES (default 30) chunks of 10,000 new rows each into a growing table, the audit columns
 *   set by the header (as a copy does);
 * - stream: BATCHES batches of the 70/20/10 traffic (inserts, updates, key-only deletes).
 * Prints process CPU (user + system) per loaded row: the emulator plus the small HTTP client. Run it
 * before and after a change to the emulator's load path, alternating, on the same machine.
 */
import mysql from 'mysql2/promise';
import { startStarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { streamLoad } from 'dbmazz-starrocks-emulator/client';
import { streamLoadHeaders } from '../connectors/starrocks/stream-load/request.js';
import { BATCH, encodeLoads, SNAPSHOT_AUDIT, snapshotBatch, streamBatch, type EncodedLoad } from './sink-batches.js';

const DDL = (table: string): string =>
  `CREATE TABLE bench.${table} (id BIGINT NOT NULL, amount DECIMAL(18,4), title VARCHAR(65533), created_at DATETIME, payload JSON, active BOOLEAN, qty INT, body VARCHAR(65533), ` +
  `dbmazz_op_type TINYINT, dbmazz_is_deleted BOOLEAN, dbmazz_synced_at DATETIME, dbmazz_cdc_version BIGINT) ` +
  `PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")`;

function cpuMicros(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return u.user + u.system;
}

const batches = Number(process.argv[2] ?? 30);
const em = await startStarRocksEmulator({ feHttpPort: 0, beHttpPort: 0, mysqlPort: 0, user: 'root', password: '' });
try {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: em.mysqlPort, user: 'root', password: '' });
  await conn.query('CREATE DATABASE bench');
  for (const t of ['snapshot', 'stream']) await conn.query(DDL(t));
  await conn.end();

  let label = 0;
  const load = async (table: string, l: EncodedLoad): Promise<void> => {
    const headers = streamLoadHeaders({ label: `bench_${label++}`, columns: l.columns, partial: l.partial, maxFilterRatio: 0, timeoutMs: 600_000 });
    const r = await streamLoad({ feUrl: em.feHttpUrl, db: 'bench', table, user: 'root', password: '', headers, body: l.body });
    if (r.json['Status'] !== 'Success') throw new Error(`load into ${table} failed: ${JSON.stringify(r.json)}`);
  };

  for (const [kind, make, audit] of [
    ['snapshot', snapshotBatch, SNAPSHOT_AUDIT],
    ['stream', streamBatch, undefined],
  ] as const) {
    // Encoded before timing: only the loads are measured.
    const loads = Array.from({ length: batches }, (_, i) => encodeLoads(make(i * BATCH), audit));
    const rows = loads.flat().reduce((n, l) => n + l.rows, 0);
    const t0 = process.cpuUsage();
    const w0 = performance.now();
    for (const batch of loads) for (const l of batch) await load(kind, l);
    const cpu = cpuMicros(t0);
    const wall = performance.now() - w0;
    process.stdout.write(
      `${kind.padEnd(8)} ${(cpu / rows).toFixed(2)} µs/row CPU, ${((wall * 1000) / rows).toFixed(2)} µs/row wall, ${rows} rows in ${loads.flat().length} loads, ${em.rows('bench', kind).length} rows stored\n`,
    );
  }
} finally {
  await em.close();
}
