import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../../../core/pipeline/clock.js';
import { runLifecycle } from '../../../../core/runtime/lifecycle.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { commitOf, createTestLogger, MemorySink, MemorySource, StreamBuilder, testTable } from '../../../../core/testing/index.js';
import { waitFor } from '../../../helpers/wait.js';
import { options } from './harness.js';

test('the system clock sleeps, and an abort ends the sleep', async () => {
  const before = systemClock.now();
  await systemClock.sleep(5);
  assert.ok(systemClock.now() >= before);
  const controller = new AbortController();
  const sleeping = systemClock.sleep(60_000, controller.signal);
  controller.abort(new Error('stop'));
  await assert.rejects(sleeping, /stop/);
});

test('with the real clock an interval flush writes and confirms', async () => {
  const orders = testTable('orders');
  const source = new MemorySource({ tables: [orders] });
  const sink = new MemorySink();
  const running = await runLifecycle({
    source,
    sink,
    state: new RuntimeState(),
    logger: createTestLogger('silent').logger,
    options: { ...options(), flushIntervalMs: 5, summaryIntervalMs: 20 },
  });
  try {
    const events = new StreamBuilder().inserts(orders, 3);
    source.emit(...events);
    await waitFor(() => source.acknowledged.at(-1) === commitOf(events), { timeoutMs: 5000, intervalMs: 5 });
    assert.equal(sink.rows('orders').length, 3);
  } finally {
    await running.drainAndStop();
  }
});
