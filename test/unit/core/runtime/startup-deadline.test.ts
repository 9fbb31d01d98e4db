// Connector startup calls are bounded (CONNECTOR_STARTUP_TIMEOUT_MS) and abandoned when a stop arrives.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StartupCancelledError, StartupTimeoutError } from '../../../../core/plugin/connector-errors.js';
import { runLifecycle } from '../../../../core/runtime/lifecycle.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { createTestLogger, MemorySink, MemorySource, testTable } from '../../../../core/testing/index.js';
import { options } from '../pipeline/harness.js';

/** A memory sink whose setup() never settles. */
class HangingSetupSink extends MemorySink {
  override setup(): Promise<void> {
    this.calls.push('setup');
    return new Promise(() => undefined);
  }
}

function deps(extra: { startupTimeoutMs?: number; signal?: AbortSignal }) {
  const state = new RuntimeState();
  return {
    source: new MemorySource({ tables: [testTable('orders')] }),
    sink: new HangingSetupSink({ type: 'slow-sink' }),
    state,
    logger: createTestLogger('silent').logger,
    options: options(),
    origins: { sink: "SINK_TYPE './slow' (/srv/slow/index.js)" },
    ...extra,
  };
}

test('a startup call that passes CONNECTOR_STARTUP_TIMEOUT_MS fails the attempt, naming the connector, the call and the setting; both are closed', async () => {
  const d = deps({ startupTimeoutMs: 30 });
  await assert.rejects(runLifecycle(d), (e: unknown) => {
    assert.ok(e instanceof StartupTimeoutError);
    assert.equal(e.code, 'SINK_SETUP');
    assert.equal(e.retry, 'retry');
    assert.equal(e.call, 'setup');
    assert.equal(
      e.message,
      "the sink 'slow-sink' from SINK_TYPE './slow' (/srv/slow/index.js) did not finish setup() within 30 ms (CONNECTOR_STARTUP_TIMEOUT_MS).",
    );
    return true;
  });
  assert.equal(d.state.stage, 'SETUP');
  assert.match(d.state.errorDetail, /did not finish setup\(\) within 30 ms/);
  assert.ok(d.source.closed && d.sink.closed);
  assert.ok(!d.source.calls.includes('start'));
});

test('a stop cancels a hanging startup call at once, with or without a time limit', async () => {
  for (const startupTimeoutMs of [0, 600_000]) {
    const stop = new AbortController();
    const d = deps({ startupTimeoutMs, signal: stop.signal });
    const running = runLifecycle(d);
    while (!d.sink.calls.includes('setup')) await new Promise((r) => setImmediate(r));
    stop.abort('SIGTERM');
    await assert.rejects(running, (e: unknown) => {
      assert.ok(e instanceof StartupCancelledError);
      assert.equal(
        e.message,
        "startup cancelled (SIGTERM) while waiting for the sink 'slow-sink' from SINK_TYPE './slow' (/srv/slow/index.js) to finish setup(); nothing was replicated.",
      );
      return true;
    });
    assert.ok(d.source.closed && d.sink.closed);
  }
});

test('without a limit or a stop, a slow call is simply awaited', async () => {
  const d = { ...deps({ startupTimeoutMs: 0 }), sink: new MemorySink() };
  const running = await runLifecycle(d);
  await running.drainAndStop();
});
