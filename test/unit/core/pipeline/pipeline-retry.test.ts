import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { commitOf } from '../../../../core/testing/index.js';
import { orders, settle, startPipeline, tick } from './harness.js';

const transient = (retryAfterMs?: number) =>
  new CdcError({
    code: 'SINK_LOAD',
    message: 'Stream Load failed: HTTP 503.',
    retry: 'retry',
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });

test('a retriable write error is retried with backoff and the same batch, then succeeds', async () => {
  const h = await startPipeline({ flushSize: 2, retry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000 } });
  h.sink.failNext(transient(), 2);
  const events = h.stream.inserts(orders, 2);
  h.source.emit(...events);
  await settle();
  assert.equal(h.sink.writes.length, 1);
  assert.deepEqual(h.clock.sleeps, [50], 'full jitter (random 0.5) of 100 ms');
  await tick(h, 49);
  assert.equal(h.sink.writes.length, 1, 'waits the backoff');
  await tick(h, 1);
  assert.equal(h.sink.writes.length, 2);
  assert.deepEqual(h.clock.sleeps, [50, 100], 'doubles');
  assert.deepEqual(h.source.acknowledged, []);
  await tick(h, 100);
  const writes = h.sink.writes;
  assert.equal(writes.length, 3);
  assert.ok(
    writes.every((w) => w.batch === writes[0]?.batch),
    'the same batch object every attempt',
  );
  assert.deepEqual(
    writes.map((w) => w.attempt),
    [1, 2, 3],
  );
  assert.equal(h.sink.durable.length, 1);
  assert.equal(h.state.totals.retries, 2);
  assert.equal(h.state.errorDetail, '');
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  assert.equal(h.log.find('Sink write failed; retrying').length, 2);
  await h.pipeline.stopNow();
});

test('the backoff is capped and honours the server Retry-After', async () => {
  const h = await startPipeline({ flushSize: 1, retry: { maxAttempts: 10, initialDelayMs: 400, maxDelayMs: 1000 }, random: () => 0.99 });
  h.sink.failNext(transient(), 3);
  h.sink.failNext(transient(7000), 1);
  h.source.emit(...h.stream.inserts(orders, 1));
  for (let i = 0; i < 5; i++) await tick(h, 10_000);
  assert.deepEqual(h.clock.sleeps, [396, 792, 990, 7000]);
  assert.equal(h.sink.durable.length, 1);
  await h.pipeline.stopNow();
});

test('retries stop after maxAttempts and the pipeline fails with a transient error (the runtime restarts it)', async () => {
  const h = await startPipeline({ flushSize: 1, retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 } });
  h.sink.failNext(transient(), 10);
  h.source.emit(...h.stream.inserts(orders, 1));
  for (let i = 0; i < 5; i++) await tick(h, 10);
  await assert.rejects(h.pipeline.done, (err: unknown) => err instanceof CdcError && err.retry === 'retry' && /gave up after 3 attempts/.test(err.message));
  assert.equal(h.sink.writes.length, 3);
  assert.equal(h.state.totals.retries, 2);
  assert.match(h.state.errorDetail, /HTTP 503.*gave up after 3 attempts/);
  assert.deepEqual(h.source.acknowledged, []);
});

test('a non-retriable error fails the pipeline at once: error detail set, nothing confirmed past it', async () => {
  const h = await startPipeline({ flushSize: 2 });
  const first = h.stream.inserts(orders, 2);
  h.source.emit(...first);
  await settle();
  assert.deepEqual(h.source.acknowledged, [commitOf(first)]);

  const error = new CdcError({
    code: 'SINK_SCHEMA',
    message: "Column 'note' does not exist in StarRocks table 'orders'.",
    hint: 'Add the column or exclude it.',
  });
  h.sink.failNext(error);
  h.source.emit(...h.stream.inserts(orders, 2, 3));
  await settle();
  await assert.rejects(h.pipeline.done, (err) => err === error);
  assert.equal(h.sink.writes.length, 2, 'not retried');
  assert.equal(h.state.errorDetail, "Column 'note' does not exist in StarRocks table 'orders'. Add the column or exclude it.");
  assert.equal(h.state.stage, 'CDC');
  assert.equal(h.state.stageDetail, 'Replication failed');
  assert.equal(h.state.runState, 'STOPPED');
  assert.deepEqual(h.source.acknowledged, [commitOf(first)]);
  assert.ok(h.source.calls.includes('stop') && h.source.closed && h.sink.closed);
  assert.equal(h.log.find('Replication failed').length, 1);

  // Stopped reading: later events are neither written nor confirmed; control calls are harmless.
  assert.throws(() => h.source.emit(...h.stream.inserts(orders, 1, 9)));
  await assert.rejects(h.pipeline.drainAndStop(), (err) => err === error);
  await h.pipeline.stopNow();
  assert.equal(h.sink.writes.length, 2);
});

test('a source stream failure fails the pipeline', async () => {
  const h = await startPipeline();
  h.source.emit(...h.stream.inserts(orders, 1));
  await settle();
  h.source.failStream(new CdcError({ code: 'SOURCE_CONNECTION', message: 'Connection to PostgreSQL lost.' }));
  await assert.rejects(h.pipeline.done, /Connection to PostgreSQL lost/);
  assert.equal(h.state.errorDetail, 'Connection to PostgreSQL lost.');
  assert.deepEqual(h.source.acknowledged, [], 'the buffered change was never written');
  assert.equal(h.sink.writes.length, 0);
});

test('a source stream that ends by itself fails the pipeline', async () => {
  const h = await startPipeline();
  h.source.endStream();
  await assert.rejects(h.pipeline.done, /ended unexpectedly/);
  assert.match(h.state.errorDetail, /ended unexpectedly/);
});
