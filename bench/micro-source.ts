/**
 * `node dist/bench/micro-source.js [N]`: CPU per change of dbmazz's PostgreSQL source path in this
 * process, without PostgreSQL: the benchmark's transactions (70 inserts, 20 updates, 10 deletes of the
 * 8-column table) as hand-made XLogData frames, through frame decoding, pgoutput decoding, the
 * transaction assembler (values decoded), the metrics observer and the pipeline's byte estimate. A
 * quick way to compare changes to those parts; `npm run bench` measures the daemon as a whole.
 */
import { performance } from 'node:perf_hooks';
import { TypeRegistry } from '../connectors/postgres/codec/pg-types.js';
import { TransactionAssembler } from '../connectors/postgres/codec/to-change-record.js';
import { decodePgoutput } from '../connectors/postgres/replication/pgoutput-decoder.js';
import { RelationCache } from '../connectors/postgres/replication/relation-cache.js';
import { XLOG_DATA_HEADER, xlogDataStart } from '../connectors/postgres/replication/xlog.js';
import { PipelineMetrics } from '../core/metrics/pipeline-metrics.js';
import { estimateRecordBytes } from '../core/pipeline/record-size.js';
import { RuntimeState } from '../core/runtime/state.js';
import { begin, commit, del, insert, relation, update, xlogData, type CellSpec } from '../test/unit/postgres/frames.js';

const COLS = [
  { name: 'id', oid: 20, key: true },
  { name: 'amount', oid: 1700 },
  { name: 'note', oid: 25 },
  { name: 'created_at', oid: 1184 },
  { name: 'payload', oid: 3802 },
  { name: 'active', oid: 16 },
  { name: 'qty', oid: 23 },
  { name: 'score', oid: 701 },
];

function row(g: number, updated: boolean): CellSpec[] {
  return [
    String(g),
    (g * 1.2345 + (updated ? 1 : 0)).toFixed(4),
    `note ${g}${updated ? '+' : ''}`,
    `2026-12-07 03:${String(g % 60).padStart(2, '0')}:12.${String(g % 1_000_000).padStart(6, '0')}+00`,
    updated ? `{"k": ${g}, "s": "v${g % 97}", "u": 1}` : `{"k": ${g}, "s": "v${g % 97}"}`,
    (g % 2 === 0) !== updated ? 't' : 'f',
    String(g % 1000),
    String(g / 7),
  ];
}

function frames(txns: number): Buffer[] {
  const out: Buffer[] = [];
  let lsn = 0x1000n;
  const w = (data: Buffer): void => {
    lsn += 0x100n;
    out.push(xlogData(lsn, lsn, data));
  };
  for (let t = 0; t < txns; t++) {
    const finalLsn = lsn + 0x100n * 102n;
    w(begin(finalLsn, 1_796_000_000_000_000n, t + 1));
    if (t === 0) w(relation(16384, 'public', 'bench_events', 'd', COLS));
    const base = (t + 1) * 70;
    const prev = t * 70;
    for (let i = 1; i <= 70; i++) w(insert(16384, row(base + i, false)));
    for (let i = 21; i <= 40; i++) w(update(16384, row(prev + i, true)));
    for (let i = 41; i <= 50; i++) w(del(16384, 'K', [String(prev + i), null, null, null, null, null, null, null]));
    w(commit(finalLsn, finalLsn + 0x10n, 1_796_000_000_000_000n));
  }
  return out;
}

function run(input: readonly Buffer[]): { changes: number; bytes: number } {
  const registry = new TypeRegistry();
  const relations = new RelationCache({ lookupType: (oid) => registry.lookup(oid), tables: [{ schema: 'public', name: 'bench_events' }] });
  const assembler = new TransactionAssembler(relations, 0n);
  const metrics = new PipelineMetrics({
    state: new RuntimeState(),
    serverPosition: () => Promise.resolve(undefined),
    serverStatus: () => Promise.resolve(undefined),
  });
  let changes = 0;
  let bytes = 0;
  for (const buf of input) {
    const walStart = xlogDataStart(buf);
    if (walStart === undefined) continue;
    for (const ev of assembler.apply(decodePgoutput(buf, XLOG_DATA_HEADER), walStart)) {
      if (ev.kind !== 'change') continue;
      metrics.change(ev.record);
      bytes += estimateRecordBytes(ev.record);
      changes += 1;
    }
  }
  return { changes, bytes };
}

const n = Number(process.argv[2] ?? 300_000);
const input = frames(Math.ceil(n / 100));
run(input.slice(0, 20_000)); // warm-up
const rounds: number[] = [];
let changes = 0;
for (let i = 0; i < 5; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  changes = run(input).changes;
  const c = process.cpuUsage(c0);
  rounds.push(((c.user + c.system) * 1000) / changes);
  void t0;
}
rounds.sort((a, b) => a - b);
process.stdout.write(`${changes} changes per round; CPU ns/change, best of 5: ${rounds[0]?.toFixed(0)}, median ${rounds[2]?.toFixed(0)}\n`);
