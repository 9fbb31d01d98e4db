/**
 * The dashboard of a daemon replicating real changes: its HTTP routes (page, status JSON, control
 * routes with the GRPC_AUTH_TOKEN and the cross-site guards, /metrics unchanged), then the page in a
 * real browser — Debian's Chromium, headless, through playwright-core — whose charts and counters must
 * move, whose Pause and Resume buttons must change the state the gRPC API reports, and whose errors
 * panel must show a failed load. Screenshots go to dist/test-artifacts/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { waitFor } from '../helpers/wait.js';
import { DbmazzClient } from '../unit/core/control/grpc-client.js';
import { DASH_DB, http, startDashboardBed, type DashboardBed } from './dashboard-fixture.js';

const TOKEN = 'dash-token-7f3a';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
/** dist/test-artifacts, from dist/test/e2e. */
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

const json = (body: string): Record<string, unknown> => JSON.parse(body) as Record<string, unknown>;

describe('dashboard of a replicating daemon', () => {
  let bed: DashboardBed;
  let grpc: DbmazzClient;

  before(async () => {
    bed = await startDashboardBed({ GRPC_AUTH_TOKEN: TOKEN });
    grpc = new DbmazzClient(`127.0.0.1:${bed.grpcPort}`, { token: TOKEN });
    await waitFor(async () => (await grpc.getStatus()).state === 'RUNNING' && (await grpc.check()).stage === 'STAGE_CDC', {
      timeoutMs: 60_000,
      message: () => `daemon did not start replicating:\n${bed.daemon.output().slice(-3000)}`,
    });
  });
  after(async () => {
    grpc?.close();
    await bed?.close();
  });

  it('serves the page, the status JSON and guarded control routes next to /metrics', async () => {
    const port = bed.metricsPort;
    const root = await http(port, 'GET', '/');
    assert.equal(root.status, 302);
    assert.equal(root.headers['location'], '/dashboard');

    const page = await http(port, 'GET', '/dashboard');
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(page.body, /<svg class="chart" id="chart-throughput"/);
    assert.doesNotMatch(page.body, /<script[^>]+src=|<link[^>]+stylesheet|(src|href)="(https?:)?\/\//, 'the page must be self-contained');
    assert.match(String(page.headers['content-security-policy']), /default-src 'none'/);

    const status = json((await http(port, 'GET', '/api/status')).body);
    assert.equal(status['stage'], 'CDC');
    assert.equal(status['auth'], true);
    assert.deepEqual(status['tables'], ['public.orders', 'public.events']);
    assert.ok(Array.isArray(status['samples']));

    // The Prometheus endpoints are unchanged.
    await waitFor(
      async () => {
        const totals = json((await http(port, 'GET', '/api/status')).body)['totals'] as { events?: number } | undefined;
        return (totals?.events ?? 0) > 0;
      },
      { timeoutMs: 20_000, message: 'no change event received' },
    );
    const metrics = await http(port, 'GET', '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^dbmazz_events_total\{table="public.orders",operation="insert"\} \d+/m);
    assert.equal((await http(port, 'GET', '/healthz')).status, 200);
    assert.equal((await http(port, 'POST', '/metrics')).status, 405);
    assert.match((await http(port, 'GET', '/nope')).body, /\/dashboard/);

    // Control routes: JSON only, same-origin only, the gRPC token required.
    const j = { 'content-type': 'application/json' };
    assert.equal((await http(port, 'GET', '/api/pause')).status, 405);
    assert.equal((await http(port, 'POST', '/api/pause', { 'content-type': 'text/plain' }, '{}')).status, 415);
    const noToken = await http(port, 'POST', '/api/pause', j, '{}');
    assert.equal(noToken.status, 401);
    assert.match(String(json(noToken.body)['message']), /GRPC_AUTH_TOKEN/);
    assert.equal((await http(port, 'POST', '/api/pause', { ...j, authorization: 'Bearer wrong' }, '{}')).status, 401);
    const crossSite = { ...j, authorization: `Bearer ${TOKEN}` };
    assert.equal((await http(port, 'POST', '/api/pause', { ...crossSite, origin: 'http://evil.example' }, '{}')).status, 403);
    assert.equal((await http(port, 'POST', '/api/pause', { ...crossSite, 'sec-fetch-site': 'cross-site' }, '{}')).status, 403);
    assert.equal((await grpc.getStatus()).state, 'RUNNING', 'a refused request must not pause');

    // With the token the routes run the controller's pause/resume: the gRPC API sees the same state.
    const paused = json((await http(port, 'POST', '/api/pause', crossSite, '{}')).body);
    assert.equal(paused['success'], true, String(paused['message']));
    assert.equal((await grpc.getStatus()).state, 'PAUSED');
    const again = json((await http(port, 'POST', '/api/pause', crossSite, '{}')).body);
    assert.deepEqual(again, { success: false, message: 'CDC is already paused' });
    const resumed = json((await http(port, 'POST', '/api/resume', crossSite, '{}')).body);
    assert.equal(resumed['success'], true, String(resumed['message']));
    assert.equal((await grpc.getStatus()).state, 'RUNNING');
  });

  it('shows moving charts and counters in Chromium, pauses and resumes, lists a failed load', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does it)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), 'dbmazz-chromium-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: { width: 1360, height: 1000 },
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const problems: string[] = [];
      const base = `http://127.0.0.1:${bed.metricsPort}`;
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      let refusals = 0;
      page.on('console', (m) => {
        // The one Pause sent without the token below is answered 401, which Chromium logs.
        if (m.type() === 'error' && /status of 401/.test(m.text()) && refusals++ === 0) return;
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      page.on('request', (r) => {
        if (!r.url().startsWith(base)) problems.push(`request to another origin: ${r.url()}`);
      });
      await page.goto(`${base}/`);
      assert.equal(page.url(), `${base}/dashboard`);
      await waitText(page, '#stage', (t) => t === 'CDC');
      await waitText(page, '#run-state', (t) => t === 'RUNNING');

      // Counters and charts move while changes are replicated.
      const events0 = await number(page, '#events-total');
      await waitFor(async () => (await number(page, '#events-total')) > events0, { timeoutMs: 20_000, message: 'total events did not grow' });
      await waitFor(async () => (await samples(page, '#chart-throughput')) >= 3, { timeoutMs: 20_000, message: 'no chart samples' });
      const points0 = await points(page, '#chart-throughput');
      await waitFor(async () => (await points(page, '#chart-throughput')) !== points0, { timeoutMs: 10_000, message: 'the throughput chart did not move' });
      const ys = (await points(page, '#chart-throughput')).split(' ').map((p) => Number(p.split(',')[1]));
      assert.ok(Math.min(...ys) < Math.max(...ys), `the events/s line is flat: ${ys.join(' ')}`);
      assert.ok((await samples(page, '#chart-lag-bytes')) >= 3);
      await waitFor(async () => (await cellNumber(page, 'public.orders', 2)) > 0, { timeoutMs: 10_000, message: 'no inserts counted for public.orders' });
      assert.ok((await cellNumber(page, 'public.orders', 3)) > 0, 'updates of public.orders');
      assert.ok((await cellNumber(page, 'public.events', 6)) > 0, 'rows loaded into public.events');

      // A failed (retried) load appears under the last errors.
      bed.em.faults.inject({ kind: 'http503', times: 1, db: DASH_DB, table: 'orders' });
      await waitText(page, '#errors', (t) => /sink public\.orders/.test(t) && /retried/.test(t), 30_000);

      // Pause: without the token the daemon refuses and the page asks for it.
      await page.click('#pause');
      await waitText(page, '#action-result', (t) => /GRPC_AUTH_TOKEN/.test(t));
      assert.equal(await page.isVisible('#token'), true);
      assert.equal((await grpc.getStatus()).state, 'RUNNING');
      await page.fill('#token', TOKEN);
      await page.click('#pause');
      await waitText(page, '#run-state', (t) => t === 'PAUSED');
      await waitText(page, '#action-result', (t) => /^CDC paused/.test(t));
      assert.equal((await grpc.getStatus()).state, 'PAUSED', 'the gRPC API reports the pause made on the page');
      assert.equal(await page.isDisabled('#pause'), true);
      assert.equal(await page.isEnabled('#resume'), true);
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-paused.png'), fullPage: true });

      // Resume: replication goes on and the counters move again.
      const events1 = await number(page, '#events-total');
      await page.click('#resume');
      await waitText(page, '#run-state', (t) => t === 'RUNNING');
      assert.equal((await grpc.getStatus()).state, 'RUNNING');
      await waitFor(async () => (await number(page, '#events-total')) > events1, { timeoutMs: 20_000, message: 'events did not grow after Resume' });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
      assert.ok(existsSync(join(ARTIFACTS, 'dashboard.png')));
      assert.deepEqual(problems, []);
    } finally {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

async function waitText(page: Page, selector: string, ok: (text: string) => boolean, timeoutMs = 15_000): Promise<void> {
  let last = '';
  await waitFor(async () => ok((last = (await page.textContent(selector)) ?? '')), {
    timeoutMs,
    message: () => `${selector} never matched; last text: ${last}`,
  });
}

async function number(page: Page, selector: string): Promise<number> {
  return Number(((await page.textContent(selector)) ?? '').replace(/[^\d.]/g, '') || 'NaN');
}

async function samples(page: Page, selector: string): Promise<number> {
  return Number((await page.getAttribute(selector, 'data-samples')) ?? '0');
}

async function points(page: Page, chart: string): Promise<string> {
  return (await page.getAttribute(`${chart} polyline.s0`, 'points')) ?? '';
}

/** The number in column `col` (1-based) of a table's row in the tables panel. */
async function cellNumber(page: Page, table: string, col: number): Promise<number> {
  const text = await page.textContent(`#tables-body tr[data-table="${table}"] td:nth-child(${col})`);
  return Number((text ?? '').replace(/[^\d]/g, '') || 'NaN');
}
