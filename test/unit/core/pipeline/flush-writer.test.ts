/**
 * FlushWriter on its own (no pipeline around it to abort on the first failure): overlapping flushes
 * stay in order per table and a failure stops every later flush.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import type { SourceEvent } from '../../../../core/plugin/source.js';
import type { BufferItem } from '../../../../core/pipeline/event-buffer.js';
import { FlushWriter } from '../../../../core/pipeline/flush-writer.js';
import { deferred } from '../../../../core/pipeline/deferred.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { createTestLogger, FakeClock, MemorySink, settle, StreamBuilder } from '../../../../core/testing/index.js';
import type { InsertRecord, RowBlock, Value } from '../../../../core/index.js';
import { items, orders } from './harness.js';
import { firstId, PreparingSink } from './preparing-sink.js';

let seq = 0;
function toItems(events: readonly SourceEvent[]): BufferItem[] {
  return events.flatMap((e) => (e.kind === 'change' ? [{ kind: 'change' as const, seq: ++seq, record: e.record, bytes: 100, at: 0 }] : []));
}

function writer(sink: MemorySink): FlushWriter {
  return new FlushWriter({
    sink,
    state: new RuntimeState(),
    logger: createTestLogger('silent').logger,
    clock: new FakeClock(),
    random: () => 0.5,
    retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 },
    tableConcurrency: 4,
    signal: new AbortController().signal,
    pipelineId: 'slot',
    tables: [orders, items],
    truncatePolicy: 'ignore',
  });
}

test('a failed flush makes the later flushes send nothing more and reject with its error', async () => {
  const sink = new PreparingSink();
  const w = writer(sink);
  const s = new StreamBuilder();
  const first = deferred();
  sink.onWrite = (batch) => (firstId(batch) === 1n ? first.promise : undefined);
  const flush1 = w.write(toItems(s.inserts(orders, 2)));
  flush1.catch(() => undefined);
  const flush2 = w.write(toItems([...s.inserts(orders, 2, 3), ...s.inserts(items, 1, 10)]));
  flush2.catch(() => undefined);
  await settle();
  assert.deepEqual(
    sink.durable.map((b) => `${b.schema.id.name}:${String(firstId(b))}`),
    ['items:10'],
    "flush 2's other table loads at once",
  );
  assert.deepEqual(sink.prepared, ['orders:1', 'orders:3', 'items:10']);

  const error = new CdcError({ code: 'SINK_DATA', message: 'Row rejected.', retry: 'never' });
  first.reject(error);
  await assert.rejects(flush1, (err: unknown) => err === error);
  await assert.rejects(flush2, (err: unknown) => err === error, 'the later flush reports the first error');
  assert.equal(sink.writes.filter((e) => firstId(e.batch) === 3n).length, 0, "flush 2's orders batch was never sent");
  await assert.rejects(w.write(toItems(s.inserts(items, 1, 20))), (err: unknown) => err === error);
  assert.equal(sink.prepared.length, 3, 'nothing is handed to the sink after the failure');
});

test('a sink without awaitsReady gets the next batch of a table only once the previous one is durable', async () => {
  const sink = new PreparingSink();
  Object.defineProperty(sink, 'awaitsReady', { value: false });
  const w = writer(sink);
  const s = new StreamBuilder();
  const first = deferred();
  sink.onWrite = (batch) => (firstId(batch) === 1n ? first.promise : undefined);
  const flush1 = w.write(toItems(s.inserts(orders, 2)));
  const flush2 = w.write(toItems([...s.inserts(orders, 2, 3), ...s.inserts(items, 1, 10)]));
  await settle();
  assert.deepEqual(sink.prepared, ['orders:1', 'items:10'], 'orders of flush 2 is not even handed over');
  assert.deepEqual(sink.readyGiven, [false, false], 'no ready for a sink that does not await it');
  first.resolve();
  await flush2;
  await flush1;
  assert.deepEqual(sink.prepared, ['orders:1', 'items:10', 'orders:3']);
  assert.equal(sink.sameTableOverlaps, 0);
});

/** A block of snapshot rows of `orders` (ids, values `v<id>`). */
function block(ids: readonly number[], read: string): RowBlock {
  const values = (i: number, out: Value[]): void => {
    out.length = 0;
    out.push(BigInt(ids[i] ?? 0), `v${ids[i]}`);
  };
  const value = (i: number, c: number): Value => {
    const out: Value[] = [];
    values(i, out);
    return out[c] ?? null;
  };
  const record = (i: number): InsertRecord => {
    const after: Value[] = [];
    values(i, after);
    return { schema: orders, lsn: 50n, ordinal: i, commitLsn: 50n, commitTimeMicros: 1n, op: 'insert', after, snapshotRead: read };
  };
  return { schema: orders, length: ids.length, version: 50n, commitTimeMicros: 1n, snapshotRead: read, bytes: 100, values, value, record };
}

const rowsItem = (b: RowBlock): BufferItem => ({ kind: 'rows', seq: ++seq, rows: b, bytes: 100, at: 0 });

test("a table's snapshot blocks are written at once; its changes wait for every earlier block, and later blocks for those changes", async () => {
  const sink = new MemorySink({ capabilities: { rowBlocks: true } });
  const w = writer(sink);
  const s = new StreamBuilder();
  const heldA = deferred();
  const heldChange = deferred();
  sink.onWrite = (batch) => (batch.rows?.snapshotRead === 'A' ? heldA.promise : batch.rows === undefined ? heldChange.promise : undefined);
  const written = (): string[] => sink.durable.map((b) => b.rows?.snapshotRead ?? `change:${String(firstId(b))}`);

  const flushA = w.write([rowsItem(block([1, 2], 'A'))]);
  const flushB = w.write([rowsItem(block([3, 4], 'B'))]);
  const flushChange = w.write(toItems(s.inserts(orders, 1, 9)));
  const flushC = w.write([rowsItem(block([5], 'C'))]);
  await settle();
  assert.deepEqual(written(), ['B'], 'block B lands while block A is still loading');
  assert.equal(sink.blockOverlaps, 1);
  heldA.resolve();
  await Promise.all([flushA, flushB]);
  await settle();
  assert.deepEqual(written(), ['B', 'A'], 'the change waits for both blocks; block C waits for the change');
  heldChange.resolve();
  await Promise.all([flushChange, flushC]);
  assert.deepEqual(written(), ['B', 'A', 'change:9', 'C']);
  assert.equal(sink.sameTableOverlaps, 0, 'a change never overlaps a block or another change of its table');
});
