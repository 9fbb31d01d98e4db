/**
 * dbmazz.HealthService, grpc.health.v1 (Check and Watch) and StreamMetrics through a real client, plus
 * the pure mappings and sample arithmetic behind them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { healthOf, standardStatus } from '../../../../core/control/health.js';
import { lagBytes, MetricsSampler, millicores, perSecond, type ProcessProbe } from '../../../../core/control/metrics-sampler.js';
import { streamInterval } from '../../../../core/control/services/cdc-services.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import type { HealthCheckResponse__Output as StdHealth } from '../../../../core/control/gen/grpc/health/v1/HealthCheckResponse.js';
import { waitFor } from '../../../helpers/wait.js';
import { orders, startControl } from './harness.js';

test('health mapping: SERVING in every stage while healthy; NOT_SERVING with the error or once stopped', () => {
  const s = new RuntimeState();
  assert.deepEqual(healthOf(s), { status: 'SERVING', stage: 'STAGE_INIT', stageDetail: 'Initializing', errorDetail: '' });
  s.setStage('SETUP', 'Configuring source and sink');
  s.fail("Table 'orders' not found in PostgreSQL. Verify the table exists and is accessible.");
  assert.deepEqual(healthOf(s), {
    status: 'NOT_SERVING',
    stage: 'STAGE_SETUP',
    stageDetail: 'Setup failed',
    errorDetail: "Table 'orders' not found in PostgreSQL. Verify the table exists and is accessible.",
  });
  const c = new RuntimeState();
  c.setStage('CDC', 'Replicating');
  assert.equal(standardStatus(c, ''), 'SERVING');
  assert.equal(standardStatus(c, 'dbmazz.Replication'), 'SERVING');
  c.setRunState('STOPPED');
  assert.equal(healthOf(c).status, 'NOT_SERVING');
  assert.equal(standardStatus(c, ''), 'NOT_SERVING');
  assert.equal(standardStatus(c, 'dbmazz.CdcStatusService'), 'SERVING');
  assert.equal(standardStatus(c, 'nope'), undefined);
  assert.equal(standardStatus(new RuntimeState(), 'dbmazz.Replication'), 'NOT_SERVING', 'not replicating before CDC');
});

test('HealthService.Check over gRPC reports STAGE_INIT, then a setup error while the daemon is not replicating, then STAGE_CDC', async () => {
  const h = await startControl();
  try {
    assert.deepEqual({ ...(await h.client.check()) }, { status: 'SERVING', stage: 'STAGE_INIT', stageDetail: 'Initializing', errorDetail: '' });
    h.state.setStage('SETUP', 'Configuring source and sink');
    h.state.fail("Table 'orders' not found in PostgreSQL. Verify the table exists and is accessible.");
    const failed = await h.client.check();
    assert.equal(failed.status, 'NOT_SERVING');
    assert.equal(failed.stage, 'STAGE_SETUP');
    assert.equal(failed.stageDetail, 'Setup failed');
    assert.match(failed.errorDetail, /^Table 'orders' not found/);
    assert.equal((await h.client.stdCheck('')).status, 'NOT_SERVING');
    h.state.errorDetail = '';
    await h.run();
    assert.deepEqual({ ...(await h.client.check()) }, { status: 'SERVING', stage: 'STAGE_CDC', stageDetail: 'Replicating', errorDetail: '' });
  } finally {
    await h.close();
  }
});

test('grpc.health.v1: Check per service (unknown → NOT_FOUND); Watch streams every change and ends at shutdown', async () => {
  const h = await startControl();
  try {
    assert.equal((await h.client.stdCheck('')).status, 'SERVING');
    assert.equal((await h.client.stdCheck('dbmazz.Replication')).status, 'NOT_SERVING');
    await assert.rejects(h.client.stdCheck('no.such.Service'), (err: grpc.ServiceError) => err.code === grpc.status.NOT_FOUND);

    const seen: string[] = [];
    const watch = h.client.std.Watch({ service: 'dbmazz.Replication' });
    const ended = new Promise<void>((resolve) => {
      watch.on('end', resolve);
      watch.on('error', () => resolve());
    });
    watch.on('data', (m: StdHealth) => seen.push(m.status));
    await waitFor(() => seen.length === 1);
    await h.run();
    await waitFor(() => seen.length === 2);
    assert.deepEqual(seen, ['NOT_SERVING', 'SERVING']);
    await h.server.close(1000);
    await ended;
    assert.deepEqual(seen, ['NOT_SERVING', 'SERVING', 'NOT_SERVING'], 'a last NOT_SERVING when the server goes away');
  } finally {
    await h.close();
  }
});

test('sample arithmetic: events/s over the interval, CPU millicores, lag never negative', () => {
  assert.equal(perSecond(500, 2000), 250);
  assert.equal(perSecond(0, 1000), 0);
  assert.equal(millicores(1_000_000, 1000), 1000, 'one core for a second');
  assert.equal(millicores(250_000, 1000), 250);
  assert.equal(lagBytes(1000n, 900n, 400n), 600n, 'server position − confirmed');
  assert.equal(lagBytes(undefined, 900n, 400n), 500n, 'without the server: received − confirmed');
  assert.equal(lagBytes(100n, 100n, 400n), 0n);
  assert.equal(streamInterval(0), 1000);
  assert.equal(streamInterval(20), 100);
  assert.equal(streamInterval(2000), 2000);
});

test('MetricsSampler: each sample covers the interval since the previous one', async () => {
  const state = new RuntimeState();
  let now = 0;
  let cpu = 0;
  const probe: ProcessProbe = { nowMs: () => now, unixSeconds: () => 1_700_000_000, cpuMicros: () => cpu, rssBytes: () => 12345 };
  const sampler = new MetricsSampler(state, async () => 5000n, probe);
  state.totals.events = 300;
  state.totals.batches = 4;
  state.confirmedLsn = 1000n;
  state.bufferedEvents = 7;
  state.inFlightEvents = 3;
  now = 2000;
  cpu = 500_000;
  assert.deepEqual(await sampler.sample(), {
    timestamp: '1700000000',
    eventsPerSecond: 150,
    lagBytes: '4000',
    lagEvents: '10',
    memoryBytes: '12345',
    totalEventsProcessed: '300',
    totalBatchesSent: '4',
    cpuMillicores: '250',
  });
  now = 3000;
  state.totals.events = 400;
  const second = await sampler.sample();
  assert.equal(second.eventsPerSecond, 100);
  assert.equal(second.cpuMillicores, '0');
});

test('StreamMetrics sends real values once per interval (minimum 100 ms) and ends cleanly when the client cancels', async () => {
  const h = await startControl();
  try {
    await h.run();
    h.serverPosition = 0x10_0000n;
    h.source.emit(...h.stream.inserts(orders, 5, 1));
    await waitFor(() => h.sink.durable.length > 0 && h.state.pendingEvents === 0);
    const got = await h.client.streamMetrics(20, 3);
    assert.equal(got.length, 3);
    for (const m of got) {
      assert.equal(m.totalEventsProcessed, '5');
      assert.equal(m.totalBatchesSent, String(h.state.totals.batches));
      assert.equal(m.lagBytes, String(0x10_0000n - h.state.confirmedLsn), 'server WAL position − confirmed LSN');
      assert.equal(m.lagEvents, '0');
      assert.ok(Number(m.memoryBytes) > 1_000_000, 'RSS of this process');
      assert.ok(Math.abs(Number(m.timestamp) - Date.now() / 1000) < 60, 'Unix seconds');
    }
    await waitFor(() => h.server.openStreams === 0, { message: 'the cancelled stream is still registered' });
  } finally {
    await h.close();
  }
});

test('StreamMetrics streams end with status OK when the server shuts down', async () => {
  const h = await startControl();
  try {
    const stream = h.client.metrics.StreamMetrics({ intervalMs: 100 });
    const statuses: grpc.StatusObject[] = [];
    stream.on('status', (s: grpc.StatusObject) => statuses.push(s));
    const messages: unknown[] = [];
    stream.on('data', (m: unknown) => messages.push(m));
    await waitFor(() => messages.length >= 1);
    await h.server.close(1000);
    await waitFor(() => statuses.length === 1);
    assert.equal(statuses[0]?.code, grpc.status.OK);
  } finally {
    await h.close();
  }
});
