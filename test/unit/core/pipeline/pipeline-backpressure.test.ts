import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitOf } from '../../../../core/testing/index.js';
import { estimateRecordBytes } from '../../../../core/pipeline/record-size.js';
import type { RuntimeState } from '../../../../core/runtime/state.js';
import { orders, settle, startPipeline, tick, type Harness } from './harness.js';

/** Lets a held sink finish one round of writes at a time until the source has nothing left. */
async function drainSlowly(h: Harness, rounds: number): Promise<void> {
  for (let i = 0; i < rounds && (h.source.pending > 0 || h.state.pendingEvents > 0); i++) {
    h.sink.release();
    h.sink.hold();
    await tick(h, 1000);
  }
  h.sink.release();
  await tick(h, 1000);
}

test('with a slow sink and a fast source the buffer stays within MAX_BUFFERED_EVENTS and the source waits', async () => {
  let state: RuntimeState | undefined = undefined;
  let maxHeld = 0;
  const h = await startPipeline({
    flushSize: 4,
    maxBufferedEvents: 10,
    source: {
      onDelivered: () => {
        if (state) maxHeld = Math.max(maxHeld, state.bufferedEvents + state.inFlightEvents);
      },
    },
  });
  state = h.state;
  h.sink.hold();
  const events = h.stream.inserts(orders, 100);
  h.source.emit(...events);
  await settle();
  assert.equal(h.state.pendingEvents, 10, 'the buffer filled up to the bound');
  assert.ok(h.source.waiting, 'the source is paused');
  assert.ok(h.source.pending > 0, 'the source holds back the rest');
  assert.equal(h.state.inFlightEvents, 8, 'a full buffer flushes at once: two flushes in flight, counted in the bound');
  assert.equal(h.state.bufferedEvents, 2);

  await drainSlowly(h, 200);
  assert.ok(maxHeld <= 10, `buffer held ${maxHeld} events`);
  assert.ok(h.source.waits > 1);
  assert.equal(h.source.pending, 0);
  assert.deepEqual(
    h.sink.rows('orders').map((r) => (r.op === 'insert' ? r.after[0] : undefined)),
    Array.from({ length: 100 }, (_, i) => BigInt(i + 1)),
  );
  assert.equal(h.source.acknowledged.at(-1), commitOf(events));
  const acks = h.source.acknowledged;
  assert.ok(
    acks.every((a, i) => i === 0 || a > (acks[i - 1] ?? 0n)),
    'confirmations only move forward',
  );
  await h.pipeline.stopNow();
});

test('the source resumes only once the buffer is below the low watermark', async () => {
  const h = await startPipeline({ flushSize: 2, maxBufferedEvents: 8 });
  h.sink.hold();
  h.source.emit(...h.stream.inserts(orders, 20));
  await settle();
  assert.equal(h.state.pendingEvents, 8);
  const waitsBefore = h.source.waits;
  h.sink.release();
  h.sink.hold();
  await settle();
  // 2 written: 6 left (4 is the low watermark), the next flush of 2 is in flight: still waiting.
  assert.equal(h.state.pendingEvents, 6);
  assert.ok(h.source.waiting);
  h.sink.release();
  h.sink.hold();
  await settle();
  // 4 left, not below 4: still waiting. One more round releases the source.
  assert.equal(h.state.pendingEvents, 4);
  assert.ok(h.source.waiting);
  h.sink.release();
  h.sink.hold();
  await settle();
  assert.equal(h.source.waits, waitsBefore + 1, 'the source was released and then waited again');
  assert.equal(h.state.pendingEvents, 8);
  await drainSlowly(h, 50);
  assert.equal(h.sink.rows('orders').length, 20);
  await h.pipeline.stopNow();
});

test('the buffer stays within MAX_BUFFERED_BYTES (plus at most one event)', async () => {
  let state: RuntimeState | undefined = undefined;
  let maxBytes = 0;
  const h = await startPipeline({
    flushSize: 1000,
    maxBufferedBytes: 5000,
    source: {
      onDelivered: () => {
        if (state) maxBytes = Math.max(maxBytes, state.bufferedBytes + state.inFlightBytes);
      },
    },
  });
  state = h.state;
  h.sink.hold();
  const events = h.stream.inserts(orders, 200);
  const one = events[0];
  assert.ok(one?.kind === 'change');
  const recordBytes = estimateRecordBytes(one.record);
  h.source.emit(...events);
  await settle();
  assert.ok(h.source.waiting, 'the byte bound paused the source');
  assert.ok(h.state.inFlightEvents > 0, 'a full buffer flushes without waiting for the interval');
  await drainSlowly(h, 200);
  assert.ok(maxBytes < 5000 + recordBytes, `held ${maxBytes} bytes`);
  assert.equal(h.sink.rows('orders').length, 200);
  assert.equal(h.source.acknowledged.at(-1), commitOf(events));
  await h.pipeline.stopNow();
});
