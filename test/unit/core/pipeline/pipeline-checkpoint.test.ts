import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { commitOf } from '../../../../core/testing/index.js';
import { items, orders, settle, startPipeline, tick } from './harness.js';

test('a transaction cut by a flush is confirmed only after the flush holding its last change', async () => {
  const h = await startPipeline({ flushSize: 3 });
  const big = h.stream.transaction((tx) => {
    for (let i = 1; i <= 5; i++) tx.insert(orders, [BigInt(i), `v${i}`]);
  });
  h.source.emit(...big);
  await settle();
  assert.equal(h.sink.durable.length, 1, 'flush 1 took 3 of the 5 changes');
  assert.deepEqual(h.source.acknowledged, [], 'the transaction is not complete in the sink');
  assert.equal(h.state.confirmedLsn, 0n);
  await tick(h, 1000);
  assert.equal(h.sink.durable.length, 2);
  assert.deepEqual(h.source.acknowledged, [commitOf(big)]);
  await h.pipeline.stopNow();
});

test('a commit that arrives after its changes were written is confirmed at once', async () => {
  const h = await startPipeline({ flushSize: 2 });
  const tx = h.stream.transaction((t) => {
    t.insert(orders, [1n, 'a']);
    t.insert(orders, [2n, 'b']);
  });
  h.source.emit(...tx.slice(0, 2));
  await settle();
  assert.equal(h.sink.durable.length, 1);
  assert.deepEqual(h.source.acknowledged, []);
  h.source.emit(...tx.slice(2));
  await settle();
  assert.deepEqual(h.source.acknowledged, [commitOf(tx)]);
  await h.pipeline.stopNow();
});

test('never confirms past a change the sink has not written (hanging sink)', async () => {
  const h = await startPipeline({ flushSize: 2 });
  const tx1 = h.stream.transaction((t) => {
    t.insert(orders, [1n, 'a']);
    t.insert(items, [1n, 'x']);
  });
  h.source.emit(...tx1);
  await settle();
  assert.deepEqual(h.source.acknowledged, [commitOf(tx1)]);
  // The items load of the next flush hangs; the orders load of the same flush succeeds.
  h.sink.onWrite = (batch, _attempt, signal) =>
    batch.schema.id.name === 'items' ? new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason))) : undefined;
  const tx2 = h.stream.transaction((t) => {
    t.insert(orders, [2n, 'b']);
    t.insert(items, [2n, 'y']);
  });
  const tx3 = h.stream.inserts(orders, 3, 3);
  h.source.emit(...tx2, ...tx3);
  await tick(h, 60_000);
  assert.ok(h.sink.durable.some((b) => b.schema.id.name === 'orders' && b.records.length === 1));
  // The next flush (ids 3, 4 of tx3) is written too, but stays unconfirmed behind the hanging one.
  assert.ok(h.sink.durable.some((b) => b.schema.id.name === 'orders' && b.records.length === 2));
  assert.deepEqual(h.source.acknowledged, [commitOf(tx1)], 'nothing after tx1 is confirmed');
  assert.equal(h.state.confirmedLsn, commitOf(tx1));
  assert.equal(h.state.inFlightEvents, 4, 'both flushes count as in flight until confirmed in order');
  assert.equal(h.state.bufferedEvents, 1);
  await h.pipeline.stopNow();
  assert.deepEqual(h.source.acknowledged, [commitOf(tx1)]);
  assert.equal(h.source.positionSentOnStop, commitOf(tx1));
});

test('never confirms past a change the sink failed to write', async () => {
  const h = await startPipeline({ flushSize: 1 });
  const tx1 = h.stream.inserts(orders, 1);
  h.source.emit(...tx1);
  await settle();
  h.sink.failNext(new CdcError({ code: 'SINK_DATA', message: 'Row rejected.' }));
  h.source.emit(...h.stream.inserts(orders, 1, 2));
  await settle();
  await assert.rejects(h.pipeline.done);
  assert.deepEqual(h.source.acknowledged, [commitOf(tx1)]);
  assert.equal(h.source.positionSentOnStop, commitOf(tx1));
});

test('idle positions are confirmed only when nothing is pending', async () => {
  const h = await startPipeline({ flushSize: 10 });
  const idle1 = h.stream.idle();
  h.source.emit(idle1);
  await settle();
  assert.ok(idle1.kind === 'idle');
  assert.deepEqual(h.source.acknowledged, [idle1.position], 'nothing pending: confirmed');
  assert.equal(h.state.receivedLsn, idle1.position);

  // Buffered: not confirmed.
  const tx = h.stream.inserts(orders, 1);
  const idle2 = h.stream.idle();
  h.source.emit(...tx, idle2);
  await settle();
  assert.deepEqual(h.source.acknowledged, [idle1.position]);

  // In flight: not confirmed.
  h.sink.hold();
  await tick(h, 1000);
  assert.equal(h.state.inFlightEvents, 1);
  const idle3 = h.stream.idle();
  h.source.emit(idle3);
  await settle();
  assert.deepEqual(h.source.acknowledged, [idle1.position]);
  h.sink.release();
  await settle();
  assert.deepEqual(h.source.acknowledged, [idle1.position, commitOf(tx)]);

  // A transaction still open (its changes written, its commit not seen): not confirmed.
  const open = h.stream.transaction((t) => t.insert(orders, [9n, 'z']));
  h.source.emit(...open.slice(0, 1));
  await tick(h, 1000);
  assert.equal(h.sink.rows('orders').length, 2);
  const idle4 = h.stream.idle();
  h.source.emit(idle4);
  await settle();
  assert.deepEqual(h.source.acknowledged, [idle1.position, commitOf(tx)]);
  h.source.emit(...open.slice(1));
  await settle();
  const idle5 = h.stream.idle();
  h.source.emit(idle5);
  await settle();
  assert.ok(idle5.kind === 'idle');
  assert.deepEqual(h.source.acknowledged, [idle1.position, commitOf(tx), commitOf(open), idle5.position]);
  await h.pipeline.stopNow();
});

test('empty transactions with nothing pending are confirmed at once', async () => {
  const h = await startPipeline();
  const empty = h.stream.transaction(() => undefined);
  h.source.emit(...empty);
  await settle();
  assert.deepEqual(h.source.acknowledged, [commitOf(empty)]);
  assert.equal(h.state.totals.commits, 1);
  await h.pipeline.stopNow();
});

test('a source without transactions has each change confirmed once durable', async () => {
  const h = await startPipeline({ flushSize: 2, source: { capabilities: { transactions: false } } });
  const events = h.stream.inserts(orders, 2).filter((e) => e.kind === 'change');
  h.source.emit(...events);
  await settle();
  const last = events[1];
  assert.ok(last?.kind === 'change');
  assert.deepEqual(h.source.acknowledged, [last.record.commitLsn]);
  await h.pipeline.stopNow();
});

test('progress (what ends an outage): a durable flush, or a quiet keepalive at or past everything received before', async () => {
  const h = await startPipeline({ flushSize: 10 });
  // As after a restart: the previous pipeline had received more than the new one's start position.
  h.state.receivedLsn = 0x5000n;
  const at = h.state.progress;
  h.source.emit({ kind: 'idle', position: 0x1000n });
  await settle();
  assert.equal(h.state.progress, at, 'the keepalive at the start of a replay is not progress');
  h.source.emit({ kind: 'idle', position: 0x5000n });
  await settle();
  assert.equal(h.state.progress, at + 1, 'caught up with nothing unwritten');

  const tx = h.stream.inserts(orders, 1);
  h.source.emit(...tx);
  h.source.emit({ kind: 'idle', position: 0x9000000n });
  await settle();
  assert.equal(h.state.progress, at + 1, 'a change is buffered: not caught up');
  await tick(h, 1000);
  assert.equal(h.sink.durable.length, 1);
  assert.equal(h.state.progress, at + 2, 'the flush became durable');
  await h.pipeline.stopNow();
});
