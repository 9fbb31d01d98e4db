/**
 * Hot standby in the core: the lifecycle waits on Source.awaitTurn before any setup, the state says
 * "standby" everywhere (health NOT_SERVING without an error, /readyz not ready, /livez alive,
 * GetStatus, dbmazz_standby), a stop ends the wait, a takeover is counted.
 */
import { getEventListeners } from 'node:events';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLifecycle, STOPPED_AS_STANDBY } from '../../../core/runtime/lifecycle.js';
import { RuntimeState } from '../../../core/runtime/state.js';
import { healthOf, standardStatus, REPLICATION_SERVICE } from '../../../core/control/health.js';
import { statusOf } from '../../../core/control/status.js';
import { healthVerdict, LoopWatch, readyVerdict, type Verdict } from '../../../core/metrics/readiness.js';
import { MetricsHttpServer } from '../../../core/metrics/http-server.js';
import { PipelineMetrics } from '../../../core/metrics/pipeline-metrics.js';
import { createTestLogger, FakeClock, MemorySink, MemorySource, testTable } from '../../../core/testing/index.js';
import type { TurnOptions } from '../../../core/plugin/source.js';
import { httpGet } from '../../helpers/http.js';
import { options } from './pipeline/harness.js';

const orders = testTable('orders');
const HELD = { detail: "replication slot 'dbmazz_slot' is held by PID 42" };

/** A MemorySource that stands by until `release` (or the stop signal). */
class StandbySource extends MemorySource {
  release: () => void = () => undefined;
  awaitTurn(o: TurnOptions): Promise<'turn' | 'stopped'> {
    this.calls.push('awaitTurn' as never);
    o.standby(HELD);
    return new Promise((resolve) => {
      this.release = () => resolve('turn');
      o.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
  }
}

function deps(signal: AbortSignal) {
  const state = new RuntimeState();
  const source = new StandbySource({ tables: [orders] });
  const sink = new MemorySink();
  return { state, source, sink, logger: createTestLogger('silent').logger, options: options(), clock: new FakeClock(), signal };
}

test('a standby waits before any setup and reports itself: health NOT_SERVING without an error, not ready, alive, GetStatus and the metric', async () => {
  const stop = new AbortController();
  const d = deps(stop.signal);
  const running = runLifecycle(d);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(d.source.calls, ['validateConnection', 'awaitTurn'], 'nothing is set up while standing by');
  assert.deepEqual(d.state.standby, HELD);
  assert.equal(d.state.errorDetail, '');
  assert.deepEqual(healthOf(d.state), { status: 'NOT_SERVING', stage: 'STAGE_INIT', stageDetail: `Standby: ${HELD.detail}`, errorDetail: '' });
  assert.equal(standardStatus(d.state, ''), 'NOT_SERVING');
  assert.equal(standardStatus(d.state, REPLICATION_SERVICE), 'NOT_SERVING');
  assert.equal(standardStatus(d.state, 'dbmazz.CdcStatusService'), 'SERVING', 'the API answers');
  assert.deepEqual(healthVerdict(d.state), { ok: false, reason: `standby: ${HELD.detail}` });
  assert.equal(readyVerdict(d.state, 0).ok, false);
  const status = statusOf(d.state);
  assert.equal(status.standby, true);
  assert.equal(status.standbyDetail, HELD.detail);
  assert.equal(status.takeovers, '0');
  const metrics = new PipelineMetrics({ state: d.state, serverPosition: async () => undefined, serverStatus: async () => undefined });
  assert.match(await metrics.metrics(), /^dbmazz_standby 1$/m);

  // The slot is free: setup, then streaming; the takeover is counted.
  d.source.release();
  const pipeline = await running;
  // The daemon's stop signal outlives every startup attempt: the wait leaves no listener on it (the
  // one left is the test source's own).
  assert.equal(getEventListeners(stop.signal, 'abort').length, 1);
  assert.deepEqual(d.source.calls.slice(0, 4), ['validateConnection', 'awaitTurn', 'setup', 'start']);
  assert.equal(d.state.standby, undefined);
  assert.equal(d.state.takeovers, 1);
  assert.equal(d.state.stage, 'CDC');
  assert.equal(healthOf(d.state).status, 'SERVING');
  assert.match(await metrics.metrics(), /^dbmazz_standby 0$/m);
  assert.match(await metrics.metrics(), /^dbmazz_takeovers_total 1$/m);
  assert.equal(statusOf(d.state).takeovers, '1');
  await pipeline.drainAndStop();
});

test("a stop ends a standby's wait: the lifecycle rejects with STOPPED_AS_STANDBY, nothing was set up, no error is recorded", async () => {
  const stop = new AbortController();
  const d = deps(stop.signal);
  const running = runLifecycle(d);
  await new Promise((r) => setImmediate(r));
  stop.abort();
  await assert.rejects(running, (e: Error) => e.message === STOPPED_AS_STANDBY);
  assert.ok(!d.source.calls.includes('setup'));
  assert.equal(d.state.errorDetail, '');
  assert.equal(d.source.closed, true);
});

test('a stop ends the wait even while the source is stuck in a check (it never looks at the signal)', async () => {
  const stop = new AbortController();
  const d = deps(stop.signal);
  d.source.awaitTurn = (o: TurnOptions) => {
    o.standby(HELD);
    return new Promise(() => undefined);
  };
  const running = runLifecycle(d);
  await new Promise((r) => setImmediate(r));
  stop.abort();
  await assert.rejects(running, (e: Error) => e.message === STOPPED_AS_STANDBY);
  assert.equal(d.source.closed, true, 'the source is closed (its stuck connection with it)');
});

test('without a stop signal (embedded use) awaitTurn is not called', async () => {
  const d = deps(new AbortController().signal);
  const { signal: _unused, ...rest } = d;
  const pipeline = await runLifecycle(rest);
  assert.ok(!d.source.calls.includes('awaitTurn' as never));
  await pipeline.drainAndStop();
});

/** The metrics server with the state's verdicts; `live` undefined: its own event-loop watch. */
function serve(state: RuntimeState, live: (() => Verdict) | undefined): Promise<MetricsHttpServer> {
  const base = { host: '127.0.0.1', port: 0, logger: createTestLogger('silent').logger, metrics: async () => '', contentType: 'text/plain' };
  return MetricsHttpServer.start({ ...base, health: () => healthVerdict(state), ready: () => readyVerdict(state, 0), ...(live === undefined ? {} : { live }) });
}

test("/livez answers from the event loop's delay; /healthz and /readyz keep their meaning", async () => {
  const state = new RuntimeState();
  let now = 0;
  const loop = new LoopWatch(500, () => now);
  const server = await serve(state, () => loop.verdict(10_000));
  try {
    state.beginOutage('PostgreSQL unreachable', 0);
    assert.equal((await httpGet(server.port, '/livez')).status, 200, 'alive while reconnecting');
    assert.equal((await httpGet(server.port, '/healthz')).status, 503, '/healthz reports the outage');
    now = 11_000; // timers ran 10.5 s late
    const stuck = await httpGet(server.port, '/livez');
    assert.equal(stuck.status, 503);
    assert.match(stuck.body, /the event loop is 10500 ms late/);
    assert.match((await httpGet(server.port, '/nope')).body, /\/livez/);
  } finally {
    loop.dispose();
    await server.close();
  }
  // Without `live`, the server measures its own event loop.
  const own = await serve(state, undefined);
  try {
    assert.equal((await httpGet(own.port, '/livez')).status, 200);
  } finally {
    await own.close();
  }
});
