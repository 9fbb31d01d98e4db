/**
 * `node dist/bench/stall.js [--bounds 32,64,128,256] [--flush-size N]`: how much memory the daemon
 * holds when the sink stalls (docs/performance.md, "Memory: what MAX_BUFFERED_BYTES covers").
 *
 * For each bound: a fresh daemon (its own slot) streams the benchmark's table into the emulator, whose
 * Stream Loads then all hang (fault `hang`: nothing is ever durable, two flushes stay in flight); the
 * benchmark's 70/20/10 transactions are written until the daemon has stopped reading (its
 * `dbmazz_pending_bytes` gauge at the bound, unchanged for 3 s, the walsender behind the WAL). Then its
 * RSS is sampled for 3 s: RSS − bound is the fixed overhead the documentation promises.
 */
import { performance } from 'node:perf_hooks';
import { intFlag, readFlags, stringFlag } from '../core/config/cli-flags.js';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { spawnDaemon, type DaemonProcess } from '../test/helpers/daemon.js';
import { markdownTable, mib } from './format.js';
import { sampleProcess } from './proc.js';
import { benchDaemonEnv, PUBLICATION } from './daemon-env.js';
import { backlogSql, CHANGES_PER_TXN, CREATE_TABLE, SEED, TABLE } from './workload.js';

const PASSWORD = 'bench-pw';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Options {
  readonly boundsMiB: readonly number[];
  readonly flushSize: number | undefined;
}

function parse(argv: readonly string[]): Options | string {
  const usage = 'usage: node dist/bench/stall.js [--bounds 32,64,128,256] [--flush-size N]';
  const flags = readFlags(argv, { bounds: { type: 'string' }, 'flush-size': { type: 'string' } });
  if (typeof flags === 'string') return `${flags}; ${usage}`;
  const boundsMiB = (stringFlag(flags, 'bounds') ?? '32,64,128,256').split(',').map(Number);
  if (boundsMiB.some((b) => !Number.isInteger(b) || b < 8)) return `--bounds: whole MiB of at least 8, comma-separated (got ${stringFlag(flags, 'bounds')})`;
  const flushSize = intFlag(flags, 'flush-size', 1, 10_000_000);
  if (typeof flushSize === 'string') return flushSize;
  return { boundsMiB, flushSize };
}

async function gauges(port: number): Promise<{ events: number; bytes: number }> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const gauge = (name: string): number => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { events: gauge('dbmazz_pending_events'), bytes: gauge('dbmazz_pending_bytes') };
}

async function walsenderBehind(pg: PgHarness, slot: string): Promise<boolean> {
  const r = await pg.query<{ behind: boolean | null }>(
    'SELECT (SELECT r.sent_lsn FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid WHERE s.slot_name = $1) < pg_current_wal_lsn() AS behind',
    [slot],
  );
  return r.rows[0]?.behind === true;
}

interface StallRow {
  readonly boundMiB: number;
  readonly pendingBytes: number;
  readonly pendingEvents: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
}

async function stallAt(
  pg: PgHarness,
  em: Awaited<ReturnType<typeof startStarRocksEmulator>>,
  boundMiB: number,
  firstTxn: number,
  opts: Options,
): Promise<{ row: StallRow; nextTxn: number }> {
  const db = `stall_${boundMiB}`;
  const slot = `dbmazz_stall_${boundMiB}`;
  await em.sql(`CREATE DATABASE ${db}`);
  const bound = boundMiB * 2 ** 20;
  const d: DaemonProcess = spawnDaemon(
    benchDaemonEnv(
      pg,
      em,
      { database: db, password: PASSWORD },
      slot,
      { flushSize: opts.flushSize },
      {
        MAX_BUFFERED_BYTES: String(bound),
        MAX_BUFFERED_EVENTS: '10000000',
        METRICS_PORT: '0',
        LOG_LEVEL: 'info',
      },
    ),
  );
  try {
    const port = Number(/127\.0\.0\.1:(\d+)\/metrics/.exec(await d.waitForLine(/Prometheus metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/, 60_000))?.[1]);
    for (let i = 0; ; i++) {
      const active = (await pg.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.active === true;
      if (active) break;
      if (i > 600) throw new Error(`stall ${boundMiB} MiB: the daemon did not start streaming\n${d.output().slice(-2000)}`);
      await sleep(100);
    }
    em.faults.inject({ kind: 'hang', probability: 1, db });
    // ~650 heap bytes per buffered change of this table: write 1.5× what the bound holds, in steps,
    // until the daemon stops reading.
    const txns = Math.ceil((bound / 650 / CHANGES_PER_TXN) * 1.5);
    let next = firstTxn;
    const step = Math.max(50, Math.ceil(txns / 10));
    let last = { events: 0, bytes: 0 };
    let stableSince = 0;
    // Walsenders only send flushed WAL and the harness runs with synchronous_commit=off (bench/run.ts).
    const writer = await pg.connect();
    writer.on('error', () => undefined);
    await writer.query('SET synchronous_commit = on');
    const deadline = performance.now() + 300_000;
    // Written until the walsender is held back (TCP buffers absorb a few MiB of WAL beyond what the
    // daemon reads), then watched until the gauge stops moving for 3 s.
    for (let written = 0; ;) {
      const now = await gauges(port);
      const full = now.bytes >= bound * 0.95 && (await walsenderBehind(pg, slot));
      if (!full || written < txns) {
        await writer.query(backlogSql(next, step));
        next += step;
        written += step;
        stableSince = 0;
      } else if (now.bytes === last.bytes) {
        if (stableSince === 0) stableSince = performance.now();
        else if (performance.now() - stableSince >= 3000) break;
        await sleep(250);
      } else {
        stableSince = 0;
        await sleep(250);
      }
      last = now;
      if (performance.now() > deadline)
        throw new Error(`stall ${boundMiB} MiB: the daemon never stopped reading (${JSON.stringify(now)})\n${d.output().slice(-2000)}`);
    }
    await writer.end();
    let rss = 0;
    for (let i = 0; i < 12; i++) {
      rss = Math.max(rss, sampleProcess(d.child.pid ?? 0).rssBytes);
      await sleep(250);
    }
    const peak = sampleProcess(d.child.pid ?? 0).peakRssBytes;
    return { row: { boundMiB, pendingBytes: last.bytes, pendingEvents: last.events, rssBytes: rss, peakRssBytes: peak }, nextTxn: next };
  } finally {
    em.faults.clear();
    d.kill('SIGKILL');
    await d.exited;
  }
}

async function main(): Promise<void> {
  const opts = parse(process.argv.slice(2));
  if (typeof opts === 'string') {
    process.stderr.write(`${opts}\n`);
    process.exit(2);
  }
  const pg = await startPostgres();
  const em = await startStarRocksEmulator({ password: PASSWORD });
  try {
    await pg.query(CREATE_TABLE);
    await pg.query(SEED);
    await pg.query(`CREATE PUBLICATION ${PUBLICATION} FOR TABLE ${TABLE}`);
    const rows: StallRow[] = [];
    let txn = 1;
    for (const b of opts.boundsMiB) {
      const { row, nextTxn } = await stallAt(pg, em, b, txn, opts);
      rows.push(row);
      txn = nextTxn;
      process.stderr.write(`stall: ${b} MiB done\n`);
    }
    process.stdout.write(
      `${markdownTable(
        ['MAX_BUFFERED_BYTES', 'pending (gauge)', 'pending changes', 'RSS (max of 3 s)', 'RSS − bound', 'peak RSS (VmHWM)'],
        rows.map((r) => [
          `${r.boundMiB} MiB`,
          mib(r.pendingBytes),
          String(r.pendingEvents),
          mib(r.rssBytes),
          mib(r.rssBytes - r.boundMiB * 2 ** 20),
          mib(r.peakRssBytes),
        ]),
      )}\n`,
    );
  } finally {
    await em.close();
    await pg.close();
  }
}

await main().catch((err: unknown) => {
  process.stderr.write(`stall: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
