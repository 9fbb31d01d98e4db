/**
 * The dashboard's snapshot section: /api/status carries one bar per table snapshot the source reports
 * (percent capped below 100 until done, null when the estimate is unknown), and the page in a real
 * browser (Debian's Chromium through playwright-core) draws them, follows the progress and hides the
 * section when there is nothing. The daemon's dashboard server runs in-process over a RuntimeState
 * whose snapshot progress the test sets.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DashboardApi } from '../../core/metrics/dashboard-api.js';
import { DashboardHistory } from '../../core/metrics/dashboard-history.js';
import { MetricsHttpServer } from '../../core/metrics/http-server.js';
import { PipelineMetrics } from '../../core/metrics/pipeline-metrics.js';
import { RecentErrors } from '../../core/metrics/recent-errors.js';
import type { TableSnapshotProgress } from '../../core/plugin/source.js';
import { RuntimeState } from '../../core/runtime/state.js';
import { createTestLogger } from '../../core/testing/index.js';
import { waitFor } from '../helpers/wait.js';
import { http } from './dashboard-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');

const orders = { schema: 'public', name: 'orders' };
const items = { schema: 'public', name: 'items' };
const events = { schema: 'public', name: 'events' };
const legacy = { schema: 'public', name: 'legacy' };

describe('dashboard snapshot progress bars', () => {
  const progress: TableSnapshotProgress[] = [];
  let server: MetricsHttpServer;
  let history: DashboardHistory;
  let errors: RecentErrors;

  before(async () => {
    const state = new RuntimeState();
    state.setStage('CDC', 'Replicating');
    state.snapshotProgress = () => progress;
    const metrics = new PipelineMetrics({ state, serverPosition: async () => undefined, serverStatus: async () => undefined });
    history = new DashboardHistory(state, async () => undefined);
    errors = new RecentErrors(state);
    const log = createTestLogger('silent');
    const refuse = async (): Promise<{ success: boolean; message: string }> => ({ success: false, message: 'not in this test' });
    const routes = new DashboardApi({
      state,
      control: { pause: refuse, resume: refuse },
      history,
      errors,
      registry: metrics.registry,
      serverPosition: async () => undefined,
      authToken: undefined,
      logger: log.logger,
    });
    server = await MetricsHttpServer.start({
      host: '127.0.0.1',
      port: 0,
      logger: log.logger,
      metrics: () => metrics.metrics(),
      contentType: metrics.registry.contentType,
      health: () => ({ ok: true, reason: '' }),
      ready: () => ({ ok: true, reason: '' }),
      routes,
    });
  });
  after(async () => {
    history?.dispose();
    errors?.dispose();
    await server?.close();
  });

  it('/api/status: one bar per table; percent capped at 99 while running, 100 when done, null when the estimate is unknown', async () => {
    progress.push(
      { table: orders, phase: 'copying', reason: 'initial', rowsCopied: 1500, rowsEstimated: 4000, chunks: 3, rowsPerSecond: 250, etaSeconds: 10 },
      { table: items, phase: 'copying', reason: 'added', rowsCopied: 900, rowsEstimated: 500, chunks: 2, rowsPerSecond: 90, etaSeconds: 0 },
      { table: events, phase: 'copying', reason: 'requested', rowsCopied: 70, rowsEstimated: -1, chunks: 1, rowsPerSecond: 35 },
      {
        table: legacy,
        phase: 'failed',
        reason: 'initial',
        rowsCopied: 5,
        rowsEstimated: 10,
        chunks: 1,
        rowsPerSecond: 0,
        error: 'permission denied for table legacy',
      },
    );
    try {
      const status = JSON.parse((await http(server.port, 'GET', '/api/status')).body) as {
        snapshots: { table: string; percent: number | null; etaSeconds: number | null; error: string }[];
      };
      assert.deepEqual(
        status.snapshots.map((s) => [s.table, s.percent, s.etaSeconds, s.error]),
        [
          ['public.orders', 37, 10, ''],
          ['public.items', 99, 0, ''],
          ['public.events', null, null, ''],
          ['public.legacy', 50, null, 'permission denied for table legacy'],
        ],
      );
    } finally {
      progress.length = 0;
    }
  });

  it('draws the bars in Chromium, follows the progress, and hides the section when there is nothing', async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium; .ci/run does it)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const profile = mkdtempSync(join(tmpdir(), 'dbmazz-chromium-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_FLAGS,
        viewport: { width: 1360, height: 900 },
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console: ${m.text()}`);
      });
      await page.goto(`http://127.0.0.1:${server.port}/dashboard`);
      await waitFor(async () => (await page.textContent('#stage')) === 'CDC', { message: 'the page did not render the status' });
      assert.equal(await page.isVisible('#snapshots'), false, 'hidden without snapshots');

      progress.push(
        { table: orders, phase: 'copying', reason: 'initial', rowsCopied: 1500, rowsEstimated: 4000, chunks: 3, rowsPerSecond: 250, etaSeconds: 10 },
        { table: events, phase: 'copying', reason: 'requested', rowsCopied: 70, rowsEstimated: -1, chunks: 1, rowsPerSecond: 35 },
        {
          table: legacy,
          phase: 'failed',
          reason: 'initial',
          rowsCopied: 5,
          rowsEstimated: 10,
          chunks: 1,
          rowsPerSecond: 0,
          error: 'permission denied for table legacy',
        },
      );
      await waitFor(() => page.isVisible('#snapshots'), { message: 'the snapshot section did not appear' });
      const bar = (table: string): string => `.snap[data-table="${table}"]`;
      await waitFor(async () => (await page.getAttribute(`${bar('public.orders')} .bar`, 'aria-valuenow')) === '37');
      assert.match((await page.textContent(`${bar('public.orders')} .detail`)) ?? '', /^1,500 \/ ~4,000 rows · 37 % · 250 rows\/s · ETA 10 s · 3 chunks$/);
      assert.equal(await fillWidth(page, bar('public.orders')), '37%');
      assert.match((await page.getAttribute(`${bar('public.events')} .bar`, 'class')) ?? '', /unknown/, 'no estimate: an indeterminate bar');
      assert.equal(await page.getAttribute(`${bar('public.events')} .bar`, 'aria-valuenow'), null);
      assert.match((await page.textContent(`${bar('public.events')} .name`)) ?? '', /copying · requested/);
      assert.equal(await page.textContent(`${bar('public.legacy')} .error`), 'permission denied for table legacy');
      assert.equal(await page.textContent('#snapshots-summary'), '2 running');
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard-snapshots.png'), fullPage: true });

      // Progress moves, then the copy is done.
      progress.splice(1);
      progress[0] = { table: orders, phase: 'done', reason: 'initial', rowsCopied: 4100, rowsEstimated: 4000, chunks: 9, rowsPerSecond: 0 };
      await waitFor(async () => (await page.getAttribute(`${bar('public.orders')} .bar`, 'aria-valuenow')) === '100', { message: 'the bar did not reach 100' });
      assert.equal(await page.$$eval('.snap', (rows) => rows.length), 1);
      assert.equal(await page.textContent('#snapshots-summary'), '');

      progress.length = 0;
      await waitFor(async () => !(await page.isVisible('#snapshots')), { message: 'the section stayed visible' });
      assert.deepEqual(problems, []);
    } finally {
      progress.length = 0;
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

function fillWidth(page: Page, row: string): Promise<string | null> {
  return page.getAttribute(`${row} .bar .fill`, 'style').then((style) => /width:\s*([^;]+)/.exec(style ?? '')?.[1]?.trim() ?? null);
}
