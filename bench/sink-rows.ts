/**
 * `node dist/bench/sink-rows.js [ROUNDS]`: the StarRocks sink's CPU per row without I/O: the batch
 * plan (rows/plan.ts, what `write` runs before any load) and the Stream Load bodies
 * (stream-load/body.ts), for 10,000-row batches of the benchmark's tables:
 * - snapshot: a chunk of `bench_snapshot` (bench/snapshot-workload.ts): distinct ascending keys,
 *   one row in 20 with a 2,500-character text, one in 7 NULL;
 * - stream: `bench_events` traffic (bench/workload.ts): 100-change transactions of 70 inserts, 20
 *   updates and 10 key-only deletes of the previous transaction's rows.
 * - snapshot block: the same chunk as the PostgreSQL source hands it over (a RowBlock of the cells'
 *   text, connectors/postgres/snapshot/chunk-rows.ts), planned and written row by row from the text
 *   (rows/block-rows.ts), as the sink writes snapshot chunks.
 * Process CPU (user + system) over ROUNDS batches (default 40) after a warm-up, split into plan and
 * body. No PostgreSQL, no emulator: run it before and after a change to the sink, on the same machine.
 */
import type { ChangeRecord } from '../core/index.js';
import { BATCH, blockLoad, encodeBlockLoad, encodeLoad, planLoads, snapshotBatch, snapshotBlock, streamBatch } from './sink-batches.js';

function cpuMicros(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return u.user + u.system;
}

/** Plans and encodes one batch as the sink does; returns [plan µs, body µs, body bytes]. */
function sink(records: readonly ChangeRecord[]): [number, number, number] {
  const t0 = process.cpuUsage();
  const loads = planLoads(records);
  const plan = cpuMicros(t0);
  const t1 = process.cpuUsage();
  let bytes = 0;
  for (const load of loads) bytes += encodeLoad(load).body.length;
  return [plan, cpuMicros(t1), bytes];
}

const rounds = Number(process.argv[2] ?? 40);
for (const [kind, make] of [
  ['snapshot', snapshotBatch],
  ['stream', streamBatch],
] as const) {
  const batches = [0, 1, 2, 3].map((i) => make(i * BATCH));
  for (let i = 0; i < 8; i++) sink(batches[i % 4] ?? []);
  let plan = 0;
  let body = 0;
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    const [p, b, n] = sink(batches[i % 4] ?? []);
    plan += p;
    body += b;
    bytes += n;
  }
  const rows = rounds * BATCH;
  process.stdout.write(
    `${kind.padEnd(8)} ${((plan + body) / rows).toFixed(2)} µs/row CPU (plan ${(plan / rows).toFixed(2)}, body ${(body / rows).toFixed(2)}), ${Math.round(bytes / rows)} body bytes/row\n`,
  );
}

// The snapshot chunk as a block (made beforehand, as the source's read makes it).
{
  const blocks = [0, 1, 2, 3].map((i) => snapshotBlock(i * BATCH));
  // Both paths must write the same body for the same rows.
  const viaRecords = planLoads(snapshotBatch(0)).map((l) => encodeLoad(l).body);
  if (viaRecords.length !== 1 || !viaRecords[0]?.equals(encodeBlockLoad(blockLoad(blocks[0] ?? snapshotBlock(0)))))
    throw new Error('sink-rows: the snapshot block and its records give different bodies');
  const once = (i: number): [number, number, number] => {
    const t0 = process.cpuUsage();
    const load = blockLoad(blocks[i % 4] ?? snapshotBlock(0));
    const plan = cpuMicros(t0);
    const t1 = process.cpuUsage();
    const bytes = encodeBlockLoad(load).length;
    return [plan, cpuMicros(t1), bytes];
  };
  for (let i = 0; i < 8; i++) once(i);
  let plan = 0;
  let body = 0;
  let bytes = 0;
  for (let i = 0; i < rounds; i++) {
    const [p, b, n] = once(i);
    plan += p;
    body += b;
    bytes += n;
  }
  const rows = rounds * BATCH;
  process.stdout.write(
    `${'snapshot block'} ${((plan + body) / rows).toFixed(2)} µs/row CPU (plan ${(plan / rows).toFixed(2)}, body ${(body / rows).toFixed(2)}), ${Math.round(bytes / rows)} body bytes/row\n`,
  );
}
