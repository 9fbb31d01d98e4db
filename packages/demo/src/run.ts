/**
 * `dbmazz demo`: a throwaway PostgreSQL and the StarRocks emulator, three tables seeded before the
 * real daemon (configured by environment variables) starts, its initial snapshot copying the seed,
 * then traffic at --rate streamed, then drain, validation and cleanup.
 * Resolves with the exit code: 0 when every target table equals its source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { DaemonProcess } from './daemon-process.js';
import { exportLines, pickPort, whereToLook } from './info.js';
import { Cleanup, StopSignal, until, withoutNewSignalHandlers, type SignalSource } from './lifecycle.js';
import type { DemoOptions } from './options.js';
import { DEMO_DB, DEMO_TABLES, PG_DDL, SR_DDL, TABLE_SPECS } from './schema.js';
import { seed, seedPlan, type SeedCounts } from './seed.js';
import { Stage, type StageContext } from './stage.js';
import { TrafficGenerator } from './traffic.js';
import { validateTable, type TableVerdict } from './validate.js';
import { Screen, type ScreenOutput } from './view.js';
import { Workload } from './workload.js';

export interface DemoIo {
  readonly stdout: ScreenOutput;
  readonly stderr: { write(text: string): unknown };
  readonly signals: SignalSource;
}

export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_ABORTED = 130;

const n = (v: number): string => Math.round(v).toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export async function runDemo(opts: DemoOptions, io: DemoIo): Promise<number> {
  const screen = new Screen(io.stdout, !opts.plain && io.stdout.isTTY === true);
  const cleanup = new Cleanup();
  let traffic: TrafficGenerator | undefined;
  const stop = new StopSignal(io.signals, () => {
    screen.log('Stopping: traffic ends, then dbmazz catches up and drains (Ctrl-C again to abort).');
    traffic?.stop();
  });
  const ctx: StageContext = { screen, started: Date.now(), stop };
  const flow = demoFlow(opts, ctx, cleanup, (t) => (traffic = t));
  const aborted = stop.aborted.then(() => 'aborted' as const);
  let code: number;
  try {
    const outcome = await Promise.race([flow, aborted]);
    if (outcome === 'aborted') {
      screen.log('Aborted: stopping every process without validation.');
      code = EXIT_ABORTED;
    } else code = outcome;
  } catch (err) {
    screen.log(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    code = EXIT_FAILED;
  } finally {
    flow.catch(() => undefined);
    const problems = await cleanup.run();
    for (const p of problems) screen.log(`cleanup problem: ${p}`);
    stop.dispose();
    screen.close();
  }
  return code;
}

async function demoFlow(opts: DemoOptions, ctx: StageContext, cleanup: Cleanup, onTraffic: (t: TrafficGenerator) => void): Promise<number> {
  const { screen, stop } = ctx;
  screen.log('dbmazz demo: PostgreSQL → dbmazz → StarRocks (emulator), no Docker needed.');
  const dir = mkdtempSync(join(tmpdir(), 'dbmazz-demo-'));
  cleanup.add('remove the demo directory', () => {
    rmSync(dir, { recursive: true, force: true });
    screen.log(`removed ${dir}`);
  });

  // Always a throwaway cluster of its own: TEST_DATABASE_URL (an existing server) is for the test suite.
  if (process.env['TEST_DATABASE_URL'] !== undefined) screen.log('(TEST_DATABASE_URL is ignored: the demo starts its own PostgreSQL)');
  delete process.env['TEST_DATABASE_URL'];
  const pgh = await withoutNewSignalHandlers(() => startPostgres());
  const pgDir = pgh.dataDir ?? '';
  const pgPid = pgDir === '' ? undefined : Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  cleanup.add('stop PostgreSQL', async () => {
    await pgh.close();
    screen.log(`stopped PostgreSQL${pgPid === undefined ? '' : ` (pid ${pgPid})`} and removed ${pgDir}`);
  });
  const version = (await pgh.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? '?';
  const url = await pgh.createDatabase(DEMO_DB);
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  db.on('error', () => undefined);
  cleanup.add('close the PostgreSQL connection', () => db.end());
  screen.log(`PostgreSQL ${version} on 127.0.0.1:${pgh.port} (pid ${pgPid ?? '?'}, data ${pgDir})`);

  const em = await startStarRocksEmulator({});
  cleanup.add('stop the StarRocks emulator', async () => {
    await em.close();
    screen.log('stopped the StarRocks emulator');
  });
  screen.log(`StarRocks emulator: FE HTTP ${em.feHttpPort}, BE HTTP ${em.beHttpPorts.join(',')}, MySQL ${em.mysqlPort} (in this process, in memory)`);
  for (const ddl of PG_DDL) await db.query(ddl);
  await em.sql(`CREATE DATABASE ${DEMO_DB}`);
  for (const ddl of SR_DDL) await em.sql(ddl, DEMO_DB);
  screen.log(`created ${DEMO_TABLES.join(', ')} in PostgreSQL database "${DEMO_DB}" and StarRocks database "${DEMO_DB}"`);

  // Seed first: the rows exist before dbmazz starts, and its initial snapshot copies them.
  const stage = new Stage(ctx, em);
  const plan = seedPlan(opts.orders);
  let seeded: SeedCounts = { customers: 0, orders: 0, items: 0 };
  let written = 0;
  stage.seed = { total: plan.total, written: (): number => written };
  const seededCounts = () => ({
    orders: { rows: seeded.orders, deleted: 0 },
    order_items: { rows: seeded.items, deleted: 0 },
    customers: { rows: seeded.customers, deleted: 0 },
  });
  stage.counts = seededCounts;
  if (!stop.requested) {
    const t0 = Date.now();
    await stage.run('seeding', async () => {
      seeded = await seed(
        db,
        plan,
        opts.profileBytes,
        (d) => (written = d),
        () => stop.requested,
      );
    });
    screen.log(
      `seeded ${n(written)} rows in ${secs(Date.now() - t0)} (${n(seeded.customers)} customers with ${n(opts.profileBytes)}-byte profiles, ${n(seeded.orders)} orders, ${n(seeded.items)} order items), before dbmazz starts`,
    );
  }
  stage.seed = undefined;

  const grpcPort = await pickPort(opts.grpcPort);
  const metricsPort = await pickPort(opts.metricsPort);
  const env: Record<string, string> = {
    SOURCE_URL: url,
    TABLES: DEMO_TABLES.join(','),
    SINK_URL: em.feHttpUrl,
    SINK_PORT: String(em.mysqlPort),
    SINK_DATABASE: DEMO_DB,
    SINK_USER: 'root',
    GRPC_PORT: String(grpcPort),
    METRICS_PORT: String(metricsPort),
    ...(opts.token === undefined ? {} : { GRPC_AUTH_TOKEN: opts.token }),
    LOG_FORMAT: 'json',
  };
  const daemon = DaemonProcess.start(env, dir, metricsPort);
  const killOnExit = (): void => daemon.signal('SIGKILL');
  process.once('exit', killOnExit);
  cleanup.add('stop dbmazz', async () => {
    process.off('exit', killOnExit);
    if (!daemon.running) return;
    daemon.signal('SIGTERM');
    const t = setTimeout(() => daemon.signal('SIGKILL'), 15_000);
    await daemon.exited;
    clearTimeout(t);
    screen.log(`stopped dbmazz (pid ${daemon.pid ?? '?'})`);
  });
  const daemonStarted = Date.now();
  screen.log('');
  screen.log('dbmazz runs with this configuration, the way you would start it yourself:');
  for (const l of exportLines(env)) screen.log(`  ${l}`);
  screen.log('  npx dbmazz');
  screen.log('(SNAPSHOT_MODE is left at its default, initial: the rows already in the tables are copied first, then changes stream)');
  screen.log('');
  screen.log('Where to look while it runs:');
  for (const l of whereToLook({ grpcPort, metricsPort, mysqlPort: em.mysqlPort, pgUrl: url, token: opts.token, logFile: daemon.logFile })) screen.log(l);
  screen.log('');
  screen.log(`processes: dbmazz pid ${daemon.pid ?? '?'}, postgres pid ${pgPid ?? '?'}; temp dirs: ${dir} ${pgDir}`);

  stage.daemon = daemon;
  const died = (): string | undefined => (daemon.running ? undefined : `dbmazz exited early:\n${daemon.logTail(30)}`);
  const snapshotDone = (): boolean => daemon.snapshot.allDone(DEMO_TABLES);
  await stage.run('starting', async () => {
    const ready = await until(
      async () => {
        if (daemon.snapshot.anyStarted(DEMO_TABLES)) return true;
        const s = await daemon.status();
        return s?.stage === 'CDC' && s.runState === 'RUNNING';
      },
      { timeoutMs: 90_000, abortWhen: died, stop },
    );
    if (ready === 'timeout') throw new Error(`dbmazz did not start replicating within 90 s:\n${daemon.logTail(30)}`);
  });
  if (!stop.requested) screen.log(`dbmazz is running (slot created, snapshot started) after ${secs(Date.now() - ctx.started)}`);

  // The initial snapshot copies the seed; the stream already runs beside it.
  stage.snapshot = seededCounts();
  if (!stop.requested) {
    const total = seeded.customers + seeded.orders + seeded.items;
    const r = await stage.run('snapshot', async () => {
      const done = await until(snapshotDone, { stop, abortWhen: died, everyMs: 200, timeoutMs: opts.catchUpTimeoutS * 1000 });
      if (done !== 'ok') return done;
      // "snapshot done" is logged once every chunk is durable: the rows are in StarRocks.
      return until(() => stage.behind() === 0, { stop, abortWhen: died, everyMs: 100, timeoutMs: 10_000 });
    });
    const s = (Date.now() - daemonStarted) / 1000;
    if (r === 'ok')
      screen.log(`snapshot done: the ${n(total)} seeded rows are in StarRocks ${s.toFixed(1)} s after dbmazz started (${n(total / s)} rows/s end to end)`);
    else if (r === 'timeout')
      screen.log(
        `the snapshot did not finish with every seeded row in StarRocks (${n(stage.targetTotal())} of ${n(total)}; ${snapshotDone() ? 'every table logged "snapshot done"' : `not done after ${opts.catchUpTimeoutS} s`}); going on`,
      );
  }
  stage.snapshot = undefined;

  const workload = new Workload(seeded);
  const seedChanges = workload.totalChanges;
  stage.counts = () => workload.counts;
  // Events the daemon counted before the traffic (the snapshot's rows may or may not count as events).
  const eventsBefore = (await daemon.status())?.totals.events ?? 0;
  if (!stop.requested) {
    const gen = new TrafficGenerator(db, workload, { rate: opts.rate, txSize: opts.txSize, profileBytes: opts.profileBytes });
    onTraffic(gen);
    stage.traffic = { gen, rate: opts.rate, endsAt: opts.durationS === undefined ? undefined : Date.now() + opts.durationS * 1000 };
    screen.log(
      `traffic: ${n(opts.rate)} changes/s in transactions of ~${opts.txSize} changes${opts.durationS === undefined ? ' until Ctrl-C' : ` for ${opts.durationS} s`}`,
    );
    await stage.run('traffic', () => gen.run(stage.traffic?.endsAt));
    const ms = Date.now() - gen.stats.startedAt;
    screen.log(
      `traffic done: ${n(gen.stats.changes)} changes in ${n(gen.stats.transactions)} transactions over ${secs(ms)} (${n((gen.stats.changes * 1000) / Math.max(1, ms))} changes/s)`,
    );
  }
  // Catch up: everything written to PostgreSQL received and written by dbmazz, then drain.
  const trafficChanges = workload.totalChanges - seedChanges;
  const expected = eventsBefore + trafficChanges;
  const t2 = Date.now();
  const caught = await stage.run('catching up', () =>
    until(
      async () => {
        const s = await daemon.status();
        return s !== undefined && s.totals.events >= expected && s.lagEvents === 0 && stage.behind() === 0 && snapshotDone();
      },
      { timeoutMs: opts.catchUpTimeoutS * 1000, abortWhen: died, everyMs: 250 },
    ),
  );
  const last = await daemon.status();
  if (caught === 'ok')
    screen.log(
      `dbmazz caught up ${secs(Date.now() - t2)} after the traffic stopped: ${n(last?.totals.events ?? 0)} events received (${n(expected)} expected: ${n(eventsBefore)} before the traffic, ${n(trafficChanges)} row changes of the traffic)`,
    );
  else
    screen.log(
      `dbmazz did not catch up within ${opts.catchUpTimeoutS} s (${n(last?.totals.events ?? 0)} of ${n(expected)} events, snapshot ${snapshotDone() ? 'done' : 'not done'}); validating anyway`,
    );

  const exit = await stage.run('draining', async () => {
    daemon.signal('SIGTERM');
    const t = setTimeout(() => daemon.signal('SIGKILL'), 60_000);
    const e = await daemon.exited;
    clearTimeout(t);
    return e;
  });
  screen.log(
    `dbmazz drained and stopped: exit code ${exit.code ?? exit.signal ?? '?'}${exit.code === 0 ? ' (everything buffered written, last LSN confirmed)' : ''}`,
  );
  if (exit.code !== 0) screen.log(daemon.logTail(20));

  const verdicts = await stage.run('validating', async () => {
    const out: TableVerdict[] = [];
    for (const spec of TABLE_SPECS) out.push(await validateTable(db, em, spec, workload.counts[spec.name].deleted));
    return out;
  });
  screen.freeze();
  return report(screen, verdicts, exit.code === 0, last);
}

function report(screen: Screen, verdicts: readonly TableVerdict[], drained: boolean, last: Awaited<ReturnType<DaemonProcess['status']>>): number {
  screen.log('');
  screen.log('Validation: every column of every row, PostgreSQL vs StarRocks:');
  for (const v of verdicts) {
    screen.log(
      `  ${v.ok ? 'ok  ' : 'FAIL'} ${v.table.padEnd(12)} ${n(v.equal)} of ${n(v.sourceRows)} live rows equal · ${n(v.softDeleted)} soft-deleted rows for ${n(v.expectedDeleted)} deleted in PostgreSQL · ${n(v.targetRows)} rows in StarRocks`,
    );
    for (const p of v.problems) screen.log(`         ${p}`);
    if (v.problemCount > v.problems.length) screen.log(`         … ${n(v.problemCount - v.problems.length)} more`);
  }
  const passed = drained && verdicts.every((v) => v.ok);
  if (last !== undefined)
    screen.log(
      `dbmazz: ${n(last.totals.events)} events, ${n(last.totals.batches)} batches, ${n(last.totals.rowsLoaded)} rows loaded, ${n(last.totals.commits)} transactions`,
    );
  screen.log(passed ? 'Validation PASSED: every target table equals its source.' : 'Validation FAILED: see the lines above.');
  return passed ? EXIT_PASSED : EXIT_FAILED;
}
