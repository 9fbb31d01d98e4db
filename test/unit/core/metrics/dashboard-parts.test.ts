/**
 * The dashboard's pure parts, without servers: the control routes' refusal rules, the time-series
 * sampler (fake clock and probe), the last-errors list and the per-table counters read from a real
 * prom-client registry fed by PipelineMetrics.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { refusal } from '../../../../core/metrics/dashboard-api.js';
import { DashboardHistory, lagBytesOf, ratePerSecond, type HistoryProbe } from '../../../../core/metrics/dashboard-history.js';
import { DASHBOARD_HTML } from '../../../../core/metrics/dashboard-page.js';
import { PipelineMetrics } from '../../../../core/metrics/pipeline-metrics.js';
import { RecentErrors } from '../../../../core/metrics/recent-errors.js';
import { tableCounters } from '../../../../core/metrics/table-counters.js';
import type { ChangeRecord } from '../../../../core/model/change-record.js';
import type { TableBatch } from '../../../../core/plugin/sink.js';
import { RuntimeState } from '../../../../core/runtime/state.js';

const headers = (h: Record<string, string>): { headers: Record<string, string> } => ({ headers: h });
const JSON_POST = { 'content-type': 'application/json', host: '127.0.0.1:9187' };

describe('dashboard control-route refusals', () => {
  it('allows a same-origin JSON request, with the token when one is set', () => {
    assert.equal(refusal(headers(JSON_POST), undefined), undefined);
    assert.equal(refusal(headers({ ...JSON_POST, origin: 'http://127.0.0.1:9187', 'sec-fetch-site': 'same-origin' }), undefined), undefined);
    assert.equal(refusal(headers({ ...JSON_POST, authorization: 'bearer s3cret' }), 's3cret'), undefined);
    assert.equal(refusal(headers({ 'content-type': 'application/json; charset=utf-8', host: 'h' }), undefined), undefined);
  });

  it('refuses other content types, other origins and missing or wrong tokens', () => {
    assert.equal(refusal(headers({ host: 'h' }), undefined)?.status, 415);
    assert.equal(refusal(headers({ ...JSON_POST, 'content-type': 'text/plain' }), undefined)?.status, 415);
    assert.equal(refusal(headers({ ...JSON_POST, origin: 'http://evil.example' }), undefined)?.status, 403);
    assert.equal(refusal(headers({ ...JSON_POST, origin: 'null' }), undefined)?.status, 403);
    assert.equal(refusal(headers({ ...JSON_POST, 'sec-fetch-site': 'same-site' }), undefined)?.status, 403);
    assert.equal(refusal(headers(JSON_POST), 's3cret')?.status, 401);
    assert.equal(refusal(headers({ ...JSON_POST, authorization: 'Bearer nope' }), 's3cret')?.status, 401);
    assert.equal(refusal(headers({ ...JSON_POST, authorization: 'Basic czNjcmV0' }), 's3cret')?.status, 401);
  });
});

describe('dashboard time series', () => {
  it('computes rates, lag and CPU per interval and keeps a bounded window', async () => {
    const state = new RuntimeState();
    let now = 1_000_000;
    let cpu = 0;
    const probe: HistoryProbe = { nowMs: () => now, rssBytes: () => 50_000_000, cpuMicros: () => cpu };
    let server: bigint | undefined = 5000n;
    const h = new DashboardHistory(state, () => Promise.resolve(server), { intervalMs: 3_600_000, capacity: 3, probe });
    try {
      state.totals.events = 1500;
      state.totals.rowsLoaded = 1000;
      state.receivedLsn = 4000n;
      state.confirmedLsn = 3000n;
      state.bufferedEvents = 7;
      now += 500;
      cpu += 250_000;
      await h.sample();
      assert.deepEqual(h.latest(), {
        t: now,
        eventsPerSecond: 3000,
        rowsPerSecond: 2000,
        lagBytes: 2000,
        lagEvents: 7,
        rssBytes: 50_000_000,
        cpuMillicores: 500,
      });
      server = undefined; // falls back to received − confirmed
      now += 1000;
      await h.sample();
      assert.equal(h.latest()?.lagBytes, 1000);
      assert.equal(h.latest()?.eventsPerSecond, 0);
      for (let i = 0; i < 3; i++) {
        now += 1000;
        await h.sample();
      }
      assert.equal(h.since(0).length, 3);
      assert.deepEqual(
        h.since(now - 1500).map((s) => s.t),
        [now - 1000, now],
      );
    } finally {
      h.dispose();
    }
    assert.equal(ratePerSecond(1, 3000), 0.3);
    assert.equal(ratePerSecond(-5, 1000), 0);
    assert.equal(lagBytesOf(10n, 20n, 30n), 0);
  });
});

describe('dashboard last errors', () => {
  it('records the stage error once per change and folds repeated sink failures', () => {
    let t = 1;
    const state = new RuntimeState();
    const errors = new RecentErrors(state, 3, () => t++);
    try {
      state.setStage('SETUP', 'Setting up');
      state.fail("Table 'public.x' not found");
      state.notify();
      const failure = new CdcError({ code: 'SINK_LOAD', message: 'HTTP 503', retry: 'retry' });
      errors.sinkWriteFailed('public.orders', failure);
      errors.sinkWriteFailed('public.orders', failure);
      const list = errors.list();
      assert.equal(list.length, 2);
      assert.deepEqual(
        { ...list[0], at: 0, lastAt: 0 },
        { at: 0, lastAt: 0, count: 2, source: 'sink public.orders', code: 'SINK_LOAD', message: failure.operatorMessage, retried: true },
      );
      assert.equal(list[1]?.source, 'pipeline');
      assert.equal(list[1]?.code, 'STAGE_SETUP');
      assert.match(list[1]?.message ?? '', /not found/);
      for (const m of ['a', 'b', 'c']) errors.record({ source: 's', code: 'X', message: m, retried: false });
      assert.deepEqual(
        errors.list().map((e) => e.message),
        ['c', 'b', 'a'],
      );
    } finally {
      errors.dispose();
    }
  });
});

describe('dashboard per-table counters', () => {
  it('reads events by operation, batches, rows, load time and failures from the registry', async () => {
    const state = new RuntimeState();
    const metrics = new PipelineMetrics({ state, serverPosition: () => Promise.resolve(undefined), serverStatus: () => Promise.resolve(undefined) });
    const schema = { id: { schema: 'public', name: 'orders' } };
    const rec = (op: ChangeRecord['op']): ChangeRecord => ({ op, schema }) as unknown as ChangeRecord;
    for (const op of ['insert', 'insert', 'update', 'delete'] as const) metrics.change(rec(op));
    const batch = { schema, records: [] } as unknown as TableBatch;
    metrics.written(batch, { rowsWritten: 3 } as never, 0.25, 0n);
    metrics.writeFailed(batch, new CdcError({ code: 'SINK_LOAD', message: 'x', retry: 'retry' }));
    const rows = await tableCounters(metrics.registry, ['public.orders', 'public.empty']);
    assert.deepEqual(rows, [
      { table: 'public.orders', inserts: 2, updates: 1, deletes: 1, truncates: 0, batches: 1, rows: 3, loadSeconds: 0.25, loads: 1, failures: 1 },
      { table: 'public.empty', inserts: 0, updates: 0, deletes: 0, truncates: 0, batches: 0, rows: 0, loadSeconds: 0, loads: 0, failures: 0 },
    ]);
  });
});

describe('dashboard page', () => {
  it('is one self-contained document', () => {
    assert.match(DASHBOARD_HTML, /^<!doctype html>/);
    assert.doesNotMatch(DASHBOARD_HTML, /<script[^>]+src=|(src|href)="(https?:)?\/\//);
    for (const id of ['stage', 'run-state', 'pause', 'resume', 'token', 'events-total', 'chart-throughput', 'chart-lag-bytes', 'tables-body', 'errors']) {
      assert.match(DASHBOARD_HTML, new RegExp(`id="${id}"`));
    }
    // The inline script parses.
    const script = /<script>([\s\S]*)<\/script>/.exec(DASHBOARD_HTML)?.[1] ?? '';
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- compiled, never run: a syntax check of the page's script
    assert.doesNotThrow(() => new Function(script));
  });
});
