/**
 * Overlapping flushes (flush-scheduler.ts, flush-writer.ts): the next flush is prepared while the
 * previous one loads, a table's batches are sent in flush order, other tables load at once, and
 * confirmation stays in flush order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { tableKey } from '../../../../core/model/table.js';
import { commitOf, withColumn } from '../../../../core/testing/index.js';
import { deferred, type Deferred } from '../../../../core/pipeline/deferred.js';
import { items, orders, settle, startPipeline, tick, type Harness } from './harness.js';
import { firstId, PreparingSink } from './preparing-sink.js';

function startPreparing(o: Parameters<typeof startPipeline>[0] = {}): Promise<Harness & { readonly sink: PreparingSink }> {
  return startPipeline({ ...o, makeSink: () => new PreparingSink() }) as Promise<Harness & { readonly sink: PreparingSink }>;
}

/** Holds the writes of `table` (first attempts only) until `open` is called for them, in order. */
function holdTable(h: Harness, table: string): Deferred[] {
  const held: Deferred[] = [];
  h.sink.onWrite = (batch, attempt) => {
    if (batch.schema.id.name !== table || attempt > 1) return undefined;
    const d = deferred();
    held.push(d);
    return d.promise;
  };
  return held;
}

/** Positions in the sink's log of `op` entries of `table` whose first id is `id`. */
function logIndex(h: Harness, op: 'write' | 'durable', table: string, id: bigint): number {
  return h.sink.log.findIndex((e) => e.op === op && e.table === `public.${table}` && firstId(e.batch) === id);
}

test('the next flush is prepared while the previous one loads; its batch of the same table is sent only once the previous one is durable', async () => {
  const h = await startPreparing({ flushSize: 2 });
  h.sink.hold();
  const tx1 = h.stream.inserts(orders, 2);
  h.source.emit(...tx1);
  await settle();
  assert.equal(h.sink.writes.length, 1, 'flush 1 is loading');
  const tx2 = h.stream.inserts(orders, 2, 3);
  h.source.emit(...tx2);
  await settle();
  assert.deepEqual(h.sink.prepared, ['orders:1', 'orders:3'], 'flush 2 was handed to the sink while flush 1 loads');
  assert.deepEqual(h.sink.readyGiven, [true, true]);
  assert.equal(h.sink.writes.length, 1, 'flush 2 sends nothing before its turn');
  assert.equal(h.state.inFlightEvents, 4);
  assert.deepEqual(h.source.acknowledged, []);

  // Flush 2's first attempt fails transiently: it is retried with the same batch.
  h.sink.failNext(new CdcError({ code: 'SINK_LOAD', message: 'busy', retry: 'retry' }));
  h.sink.release();
  await settle();
  await tick(h, 1000);
  const flush2 = h.sink.writes.filter((w) => firstId(w.batch) === 3n);
  assert.deepEqual(
    flush2.map((w) => w.attempt),
    [1, 2],
  );
  assert.equal(flush2[0]?.batch, flush2[1]?.batch, 'the retry resends the identical batch');
  assert.ok(logIndex(h, 'durable', 'orders', 1n) < logIndex(h, 'write', 'orders', 3n), "flush 2's batch is sent after flush 1's is durable");
  assert.equal(h.sink.sameTableOverlaps, 0);
  assert.deepEqual(
    h.sink.rows('orders').map((r) => (r.op === 'insert' ? r.after[0] : undefined)),
    [1n, 2n, 3n, 4n],
  );
  assert.deepEqual(h.source.acknowledged, [commitOf(tx1), commitOf(tx2)]);
  await h.pipeline.stopNow();
});

/** Flush 1 = two orders inserts (their load held), flush 2 = two items inserts; both started. */
async function ordersHeldThenItems() {
  const h = await startPipeline({ flushSize: 2 });
  const held = holdTable(h, 'orders');
  const tx1 = h.stream.inserts(orders, 2);
  const tx2 = h.stream.inserts(items, 2);
  h.source.emit(...tx1, ...tx2);
  await settle();
  return { h, held, tx1, tx2 };
}

test('another table of the next flush loads while the previous flush loads; confirmation waits for the earlier flush', async () => {
  const { h, held, tx2 } = await ordersHeldThenItems();
  assert.equal(held.length, 1, 'flush 1 (orders) is loading');
  assert.deepEqual(
    h.sink.durable.map((b) => tableKey(b.schema.id)),
    ['public.items'],
    'flush 2 (items) is durable first',
  );
  assert.deepEqual(h.source.acknowledged, [], 'flush 2 is not confirmed before flush 1');
  assert.equal(h.state.confirmedLsn, 0n);
  assert.equal(h.state.inFlightEvents, 4, 'flush 2 counts as in flight until confirmed');

  held[0]?.resolve();
  await settle();
  assert.deepEqual(h.source.acknowledged, [commitOf(tx2)], 'both confirmed at once, in order');
  assert.equal(h.state.inFlightEvents, 0);
  await h.pipeline.stopNow();
});

test('a failed flush aborts the next one: it sends nothing, and the pipeline fails with the first error', async () => {
  const h = await startPreparing({ flushSize: 2 });
  const held = holdTable(h, 'orders');
  const tx1 = h.stream.inserts(orders, 2);
  const tx2 = h.stream.inserts(orders, 2, 3);
  h.source.emit(...tx1, ...tx2);
  await settle();
  assert.deepEqual(h.sink.prepared, ['orders:1', 'orders:3'], 'flush 2 is prepared and waits for its turn');

  const rejected = new CdcError({ code: 'SINK_DATA', message: 'Row rejected.', retry: 'never' });
  held[0]?.reject(rejected);
  await assert.rejects(h.pipeline.done, (err: unknown) => err instanceof CdcError && err.message === 'Row rejected.');
  await settle();
  assert.equal(logIndex(h, 'write', 'orders', 3n), -1, 'flush 2 sent nothing');
  assert.deepEqual(h.sink.prepared, ['orders:1', 'orders:3'], 'and was not retried');
  assert.deepEqual(h.source.acknowledged, []);
  assert.match(h.state.errorDetail, /Row rejected\./);
});

test("a failed flush aborts a later flush's load of another table", async () => {
  const h = await startPipeline({ flushSize: 2 });
  const aborted: boolean[] = [];
  const first = deferred();
  h.sink.onWrite = (batch, _attempt, signal) => {
    if (batch.schema.id.name === 'orders') return first.promise;
    return new Promise<void>((_resolve, reject) =>
      signal.addEventListener('abort', () => {
        aborted.push(true);
        reject(signal.reason);
      }),
    );
  };
  h.source.emit(...h.stream.inserts(orders, 2), ...h.stream.inserts(items, 2));
  await settle();
  assert.equal(h.sink.inProgress, 2, 'flush 1 (orders) and flush 2 (items) load at once');
  first.reject(new CdcError({ code: 'SINK_DATA', message: 'Row rejected.', retry: 'never' }));
  await assert.rejects(h.pipeline.done, (err: unknown) => err instanceof CdcError && err.message === 'Row rejected.');
  assert.deepEqual(aborted, [true], "flush 2's load was aborted");
  assert.deepEqual(h.sink.durable, []);
  assert.deepEqual(h.source.acknowledged, []);
});

test('a flush with a truncate starts only after the flush before it; the flush after it waits for it', async () => {
  const h = await startPreparing({ flushSize: 2, truncatePolicy: 'apply' });
  const held = holdTable(h, 'orders');
  const tx1 = h.stream.inserts(orders, 2);
  // Flush 2: a truncate of items, then an orders row. Flush 3: two items rows.
  const tx2 = h.stream.transaction((tx) => {
    tx.truncate(items);
    tx.insert(orders, [3n, 'c']);
  });
  h.source.emit(...tx1, ...tx2);
  await settle();
  assert.deepEqual(h.sink.prepared, ['orders:1'], 'flush 2 waits for flush 1 entirely (it truncates)');
  assert.equal(h.sink.log.filter((e) => e.op === 'truncate').length, 0);
  held[0]?.resolve();
  await settle();
  assert.equal(held.length, 2, "flush 2's orders row is loading");
  const tx3 = h.stream.inserts(items, 2, 10);
  h.source.emit(...tx3);
  await settle();
  assert.deepEqual(h.sink.prepared, ['orders:1', 'orders:3'], 'flush 3 (items) waits for flush 2 entirely');
  assert.equal(h.state.inFlightEvents, 4, 'flushes 2 and 3 are in flight');
  held[1]?.resolve();
  await settle();
  assert.deepEqual(h.sink.prepared, ['orders:1', 'orders:3', 'items:10']);
  assert.deepEqual(
    h.sink.log.map((e) => (e.op === 'truncate' ? 'truncate' : `${e.op}:${e.table}`)),
    ['write:public.orders', 'durable:public.orders', 'truncate', 'write:public.orders', 'durable:public.orders', 'write:public.items', 'durable:public.items'],
  );
  assert.deepEqual(h.source.acknowledged, [commitOf(tx1), commitOf(tx2), commitOf(tx3)]);
  await h.pipeline.stopNow();
});

test('a flush with a schema change waits for the flush before it, even when that one loads other tables', async () => {
  const h = await startPreparing({ flushSize: 2 });
  const held = holdTable(h, 'items');
  const v2 = withColumn(orders, { name: 'note' });
  const tx1 = h.stream.inserts(items, 2);
  h.source.emit(...tx1);
  const tx2 = h.stream.transaction((tx) => {
    tx.schema(v2, orders);
    tx.insert(v2, [1n, 'a', 'n']);
  });
  h.source.emit(...tx2);
  await settle();
  assert.equal(held.length, 1, 'flush 1 (items) is loading');
  assert.equal(h.sink.log.filter((e) => e.op === 'schemaChanged').length, 0, 'the schema change waits');
  assert.deepEqual(h.sink.prepared, ['items:1']);
  held[0]?.resolve();
  await settle();
  assert.deepEqual(
    h.sink.log.map((e) => `${e.op}:${e.op === 'truncate' ? '' : e.table}`),
    ['write:public.items', 'durable:public.items', 'schemaChanged:public.orders', 'write:public.orders', 'durable:public.orders'],
  );
  assert.deepEqual(h.source.acknowledged, [commitOf(tx1), commitOf(tx2)]);
  await h.pipeline.stopNow();
});

test('pause and drain wait for every flush in flight, not only the last one to finish', async () => {
  const { h, held, tx2 } = await ordersHeldThenItems();
  assert.deepEqual(
    h.sink.durable.map((b) => tableKey(b.schema.id)),
    ['public.items'],
    'flush 2 is durable, flush 1 loads',
  );
  let paused = false;
  const pause = h.pipeline.pause().then(() => {
    paused = true;
  });
  await settle();
  assert.equal(paused, false, 'pause waits for flush 1');
  assert.notEqual(h.state.runState, 'PAUSED');
  held[0]?.resolve();
  await pause;
  assert.equal(h.state.runState, 'PAUSED');
  assert.deepEqual(h.source.acknowledged, [commitOf(tx2)]);

  h.pipeline.resume();
  const tx3 = h.stream.inserts(orders, 2, 3);
  const tx4 = h.stream.inserts(items, 2, 3);
  h.source.emit(...tx3, ...tx4);
  await settle();
  assert.equal(held.length, 2, 'flush 3 (orders) loads, flush 4 (items) is durable');
  let drained = false;
  const drain = h.pipeline.drainAndStop().then(() => {
    drained = true;
  });
  await settle();
  assert.equal(drained, false, 'the drain waits for flush 3');
  held[1]?.resolve();
  await drain;
  assert.deepEqual(h.source.acknowledged, [commitOf(tx2), commitOf(tx4)]);
  assert.equal(h.source.positionSentOnStop, commitOf(tx4));
});
