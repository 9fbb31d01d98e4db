import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { commitOf } from '../../../../core/testing/index.js';
import { items, orders, settle, startPipeline, tick } from './harness.js';

test('drainAndStop writes everything buffered, confirms the final commit and closes', async () => {
  const h = await startPipeline({ flushSize: 100 });
  const events = [...h.stream.inserts(orders, 5), ...h.stream.inserts(items, 3)];
  h.source.emit(...events);
  await settle();
  assert.equal(h.sink.writes.length, 0, 'all buffered');
  let done = false;
  void h.pipeline.done.then(() => (done = true));
  await h.pipeline.drainAndStop();
  assert.equal(h.sink.rows('orders').length, 5);
  assert.equal(h.sink.rows('items').length, 3);
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  assert.equal(h.source.positionSentOnStop, commitOf(events), 'the source sent the final position on stop');
  assert.deepEqual(h.source.calls.slice(-3), ['pause', 'stop', 'close']);
  assert.ok(h.sink.closed);
  assert.equal(h.state.runState, 'STOPPED');
  assert.equal(h.state.errorDetail, '');
  await settle();
  assert.ok(done, 'done resolves');
  assert.equal(await h.pipeline.drainAndStop(), undefined, 'idempotent');
});

test('drainAndStop retries a transient failure before confirming', async () => {
  const h = await startPipeline({ flushSize: 100, retry: { initialDelayMs: 10, maxDelayMs: 10 } });
  const events = h.stream.inserts(orders, 3);
  h.source.emit(...events);
  h.sink.failNext(new CdcError({ code: 'SINK_TIMEOUT', message: 'timeout', retry: 'retry' }));
  const drained = h.pipeline.drainAndStop();
  await settle();
  assert.equal(h.state.runState, 'DRAINING');
  await tick(h, 10);
  await drained;
  assert.equal(h.sink.writes.length, 2);
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  await h.pipeline.done;
});

test('drainAndStop fails when the sink fails for good', async () => {
  const h = await startPipeline({ flushSize: 100 });
  h.source.emit(...h.stream.inserts(orders, 3));
  h.sink.failNext(new CdcError({ code: 'SINK_AUTH', message: 'Access denied.' }));
  await assert.rejects(h.pipeline.drainAndStop(), /Access denied/);
  await assert.rejects(h.pipeline.done, /Access denied/);
  assert.equal(h.state.errorDetail, 'Access denied.');
  assert.deepEqual(h.source.acknowledged, []);
});

test('stopNow writes nothing more and confirms nothing new', async () => {
  const h = await startPipeline({ flushSize: 2 });
  const first = h.stream.inserts(orders, 2);
  h.source.emit(...first);
  await settle();
  assert.deepEqual(h.source.acknowledged, [commitOf(first)]);
  h.sink.hold();
  h.source.emit(...h.stream.inserts(orders, 3, 3));
  await settle();
  assert.equal(h.state.inFlightEvents, 2);
  assert.equal(h.state.bufferedEvents, 1);
  await h.pipeline.stopNow();
  await h.pipeline.done;
  assert.deepEqual(h.source.acknowledged, [commitOf(first)]);
  assert.equal(h.source.positionSentOnStop, commitOf(first));
  assert.equal(h.sink.durable.length, 1, 'the held write was aborted');
  assert.ok(h.sink.closed && h.source.closed);
  assert.equal(h.state.runState, 'STOPPED');
  assert.equal(h.state.errorDetail, '');
});

test('stopNow during a drain stops at once', async () => {
  const h = await startPipeline({ flushSize: 100 });
  h.source.emit(...h.stream.inserts(orders, 3));
  h.sink.hold();
  const drained = h.pipeline.drainAndStop();
  await settle();
  assert.equal(h.sink.inProgress, 1);
  await h.pipeline.stopNow();
  await drained;
  await h.pipeline.done;
  assert.deepEqual(h.source.acknowledged, []);
  assert.equal(h.state.runState, 'STOPPED');
});

test('stopNow releases a source waiting on backpressure', async () => {
  const h = await startPipeline({ flushSize: 2, maxBufferedEvents: 4 });
  h.sink.hold();
  h.source.emit(...h.stream.inserts(orders, 10));
  await settle();
  assert.ok(h.source.waiting);
  await h.pipeline.stopNow();
  assert.ok(!h.source.waiting);
  assert.deepEqual(h.source.acknowledged, []);
});

test('pause stops reading after in-flight batches land; resume reads on', async () => {
  const h = await startPipeline({ flushSize: 2 });
  h.sink.hold();
  const first = h.stream.inserts(orders, 3);
  h.source.emit(...first);
  await settle();
  let paused = false;
  const pausing = h.pipeline.pause().then(() => (paused = true));
  await settle();
  assert.ok(h.source.paused);
  assert.equal(paused, false, 'waits for the in-flight batch');
  assert.equal(h.state.runState, 'RUNNING');
  h.sink.release();
  await pausing;
  assert.equal(h.state.runState, 'PAUSED');
  assert.equal(h.sink.rows('orders').length, 3, 'everything received is written');
  assert.deepEqual(h.source.acknowledged.at(-1), commitOf(first));

  const later = h.stream.inserts(orders, 2, 4);
  h.source.emit(...later);
  await tick(h, 5000);
  assert.equal(h.source.pending, later.length, 'nothing is read while paused');
  h.pipeline.resume();
  assert.equal(h.state.runState, 'RUNNING');
  await settle();
  assert.equal(h.sink.rows('orders').length, 5);
  assert.equal(h.source.acknowledged.at(-1), commitOf(later));
  await h.pipeline.drainAndStop();
});

test('state counters and onChange follow the pipeline', async () => {
  const h = await startPipeline({ flushSize: 2 });
  let changes = 0;
  const off = h.state.onChange(() => changes++);
  const events = h.stream.inserts(orders, 2);
  h.source.emit(...events);
  await settle();
  assert.ok(changes > 0);
  off();
  assert.equal(h.state.totals.events, 2);
  assert.equal(h.state.totals.batches, 1);
  assert.equal(h.state.totals.rowsLoaded, 2);
  assert.equal(h.state.totals.loads, 1);
  assert.equal(h.state.receivedLsn, commitOf(events));
  const snap = h.state.snapshot();
  assert.equal(snap.confirmedLsn, snap.receivedLsn);
  assert.match(snap.confirmedLsn, /^[0-9A-F]+\/[0-9A-F]+$/);
  assert.deepEqual(snap.tables, ['public.orders', 'public.items']);
  assert.equal(snap.slotName, 'dbmazz_slot');
  await h.pipeline.stopNow();
});
