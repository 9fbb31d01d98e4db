/**
 * Prometheus: the metrics fed by the observed connectors and read from the state, and the HTTP server
 * with /metrics, /healthz and /readyz.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { MetricsHttpServer } from '../../../../core/metrics/http-server.js';
import { PipelineMetrics } from '../../../../core/metrics/pipeline-metrics.js';
import { healthVerdict, readyVerdict } from '../../../../core/metrics/readiness.js';
import type { SourceServerStatus } from '../../../../core/plugin/source.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { createTestLogger, testTable } from '../../../../core/testing/index.js';
import { waitFor } from '../../../helpers/wait.js';
import { orders, startControl } from './harness.js';
import { httpGet as get, sample } from '../../../helpers/http.js';

test('flow metrics: events by table and operation, batches and rows by table, load latency, failures and retries by reason, commit-to-visible', async () => {
  const h = await startControl({ flushIntervalMs: 10 });
  try {
    await h.run();
    h.sink.failNext(new CdcError({ code: 'SINK_TIMEOUT', retry: 'retry', message: 'Stream Load timed out' }));
    h.source.emit(
      ...h.stream.transaction((tx) => {
        tx.insert(orders, [1n, 'a']);
        tx.insert(orders, [2n, 'b']);
        tx.update(orders, [1n, 'c']);
        tx.delete(orders, [2n, null]);
      }),
    );
    await waitFor(() => h.state.pendingEvents === 0 && h.sink.durable.length === 1, { timeoutMs: 10_000 });
    const text = await h.metrics.metrics();
    const t = 'table="public.orders"';
    assert.equal(sample(text, `dbmazz_events_total{${t},operation="insert"}`), 2);
    assert.equal(sample(text, `dbmazz_events_total{${t},operation="update"}`), 1);
    assert.equal(sample(text, `dbmazz_events_total{${t},operation="delete"}`), 1);
    assert.equal(sample(text, `dbmazz_batches_loaded_total{${t}}`), 1);
    assert.equal(sample(text, `dbmazz_rows_loaded_total{${t}}`), 4);
    assert.equal(sample(text, `dbmazz_load_duration_seconds_count{${t}}`), 1);
    assert.equal(sample(text, `dbmazz_load_failures_total{${t},reason="SINK_TIMEOUT",retriable="true"}`), 1);
    assert.equal(sample(text, `dbmazz_load_retries_total{${t},reason="SINK_TIMEOUT"}`), 1);
    assert.equal(sample(text, `dbmazz_commit_to_visible_seconds_count{${t}}`), 1, 'one transaction in the batch');
    assert.equal(sample(text, 'dbmazz_confirmed_lsn'), Number(h.state.confirmedLsn));
    assert.equal(sample(text, 'dbmazz_stage{stage="CDC"}'), 1);
    assert.equal(sample(text, 'dbmazz_stage{stage="SETUP"}'), 0);
    assert.equal(sample(text, 'dbmazz_run_state{state="RUNNING"}'), 1);
    assert.equal(sample(text, 'dbmazz_healthy'), 1);
    assert.equal(sample(text, 'dbmazz_pending_events'), 0);
    assert.ok(sample(text, 'process_resident_memory_bytes') !== undefined, 'process metrics');
    h.serverPosition = h.state.confirmedLsn + 4096n;
    assert.equal(sample(await h.metrics.metrics(), 'dbmazz_replication_lag_bytes'), 4096);
  } finally {
    await h.close();
  }
});

test('slot metrics come from the source server status: retention (wal_status) as a label, safe bytes, retained bytes, active', async () => {
  const state = new RuntimeState();
  let slot: SourceServerStatus | undefined = {
    name: 'dbmazz_slot',
    exists: true,
    active: true,
    retention: 'extended',
    safeBytes: 1_048_576n,
    retainedBytes: 65_536n,
    confirmedPosition: 100n,
  };
  const m = new PipelineMetrics({ state, serverPosition: async () => undefined, serverStatus: async () => slot });
  let text = await m.metrics();
  assert.equal(sample(text, 'dbmazz_slot_wal_status{slot="dbmazz_slot",status="extended"}'), 1);
  assert.equal(sample(text, 'dbmazz_slot_wal_status{slot="dbmazz_slot",status="reserved"}'), 0);
  assert.equal(sample(text, 'dbmazz_slot_wal_status{slot="dbmazz_slot",status="lost"}'), 0);
  assert.equal(sample(text, 'dbmazz_slot_safe_wal_size_bytes{slot="dbmazz_slot"}'), 1_048_576);
  assert.equal(sample(text, 'dbmazz_slot_retained_wal_bytes{slot="dbmazz_slot"}'), 65_536);
  assert.equal(sample(text, 'dbmazz_slot_active{slot="dbmazz_slot"}'), 1);
  slot = undefined;
  text = await m.metrics();
  assert.equal(sample(text, 'dbmazz_slot_wal_status{slot="dbmazz_slot",status="extended"}'), undefined, 'unknown → absent, not stale');
  assert.equal(sample(text, 'dbmazz_slot_safe_wal_size_bytes{slot="dbmazz_slot"}'), undefined);
});

test('readiness: CDC and running, with the confirmed LSN moving or everything received confirmed', () => {
  const s = new RuntimeState();
  assert.equal(readyVerdict(s, 0).ok, false, 'not in CDC yet');
  assert.equal(healthVerdict(s).ok, true);
  s.setStage('CDC', 'Replicating');
  assert.deepEqual(readyVerdict(s, 999_999), { ok: true, reason: 'replicating; everything received is confirmed' });
  s.receivedLsn = 200n;
  s.confirmedLsn = 100n;
  s.bufferedEvents = 5;
  assert.equal(readyVerdict(s, 1000).ok, true, 'the confirmed LSN moved recently');
  assert.match(readyVerdict(s, 120_000).reason, /has not advanced for 120 s/);
  s.setRunState('PAUSED');
  assert.deepEqual(readyVerdict(s, 0), { ok: false, reason: 'replication is paused' });
  s.fail('boom');
  assert.deepEqual(healthVerdict(s), { ok: false, reason: 'boom' });
});

test('the metrics HTTP server serves /metrics, /healthz and /readyz (200 or 503 with the reason)', async () => {
  const state = new RuntimeState();
  const m = new PipelineMetrics({ state, serverPosition: async () => undefined, serverStatus: async () => undefined });
  const server = await MetricsHttpServer.start({
    host: '127.0.0.1',
    port: 0,
    logger: createTestLogger('silent').logger,
    metrics: () => m.metrics(),
    contentType: m.registry.contentType,
    health: () => healthVerdict(state),
    ready: () => readyVerdict(state, 0),
  });
  try {
    const metrics = await get(server.port, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.type, /^text\/plain/);
    assert.match(metrics.body, /^# HELP dbmazz_/m);
    assert.match(metrics.body, /^dbmazz_stage\{stage="INIT"\} 1$/m);
    assert.deepEqual(await get(server.port, '/healthz'), { status: 200, type: 'application/json', body: '{"status":"ok","reason":"INIT: Initializing"}\n' });
    const notReady = await get(server.port, '/readyz');
    assert.equal(notReady.status, 503);
    assert.match(notReady.body, /"reason":"stage INIT: Initializing"/);
    state.setStage('CDC', 'Replicating');
    assert.equal((await get(server.port, '/readyz')).status, 200);
    state.fail("Table 'orders' not found in PostgreSQL.");
    const unhealthy = await get(server.port, '/healthz');
    assert.equal(unhealthy.status, 503);
    assert.match(unhealthy.body, /not found in PostgreSQL/);
    assert.equal((await get(server.port, '/nope')).status, 404);
  } finally {
    await server.close();
  }
});

test('values the sink had to change (NaN/Infinity written as NULL, decimals rounded) are counted by table and reason', async () => {
  const state = new RuntimeState();
  const metrics = new PipelineMetrics({ state, serverPosition: () => Promise.resolve(undefined), serverStatus: () => Promise.resolve(undefined) });
  const schema = testTable('measurements');
  const batch = { schema, records: [], firstLsn: 1n, lastLsn: 2n, pipelineId: 'p' };
  metrics.written(batch, { rowsWritten: 3, bytesWritten: 10, loads: 1, adjustedValues: { nullified: 2, rounded: 0 } }, 0.01, 0n);
  metrics.written(batch, { rowsWritten: 1, bytesWritten: 10, loads: 1, adjustedValues: { nullified: 1, rounded: 4 } }, 0.01, 0n);
  const text = await metrics.metrics();
  const t = 'table="public.measurements"';
  assert.equal(sample(text, `dbmazz_values_adjusted_total{${t},reason="nullified"}`), 3);
  assert.equal(sample(text, `dbmazz_values_adjusted_total{${t},reason="rounded"}`), 4);
});

test('outage metrics: connected and reconnecting gauges, attempt and recovery counters, from the runtime state', async () => {
  const state = new RuntimeState();
  const m = new PipelineMetrics({ state, serverPosition: async () => undefined, serverStatus: async () => undefined });
  const read = async (): Promise<Record<string, number | undefined>> => {
    const text = await m.metrics();
    return Object.fromEntries(
      ['dbmazz_connected', 'dbmazz_reconnecting', 'dbmazz_reconnect_attempts_total', 'dbmazz_reconnects_total'].map((n) => [n, sample(text, n)]),
    );
  };
  assert.deepEqual(await read(), { dbmazz_connected: 0, dbmazz_reconnecting: 0, dbmazz_reconnect_attempts_total: 0, dbmazz_reconnects_total: 0 });
  state.setConnected(true);
  assert.equal((await read())['dbmazz_connected'], 1);
  state.setConnected(false);
  state.beginOutage('PostgreSQL: connection lost', Date.now());
  state.totals.reconnectAttempts += 3;
  assert.deepEqual(await read(), { dbmazz_connected: 0, dbmazz_reconnecting: 1, dbmazz_reconnect_attempts_total: 3, dbmazz_reconnects_total: 0 });
  state.setConnected(true);
  assert.equal((await read())['dbmazz_connected'], 0, 'streaming again, but not recovered until it made progress');
  state.endOutage();
  assert.deepEqual(await read(), { dbmazz_connected: 1, dbmazz_reconnecting: 0, dbmazz_reconnect_attempts_total: 3, dbmazz_reconnects_total: 1 });
  const text = await m.metrics();
  assert.match(text, /# TYPE dbmazz_reconnects_total counter/);
});
