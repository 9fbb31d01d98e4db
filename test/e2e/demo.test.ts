/**
 * `dbmazz demo` run the way a newcomer runs it (non-interactively here: stdout is a pipe, so the demo
 * prints plain lines): a short --duration at a modest rate must replicate, drain, validate every
 * table, exit 0 and leave no process and no temp directory behind; a Ctrl-C (SIGINT) must end the
 * traffic and still drain and validate.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { exitOf, spawnDaemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';

const ARGS = ['--orders', '1500', '--rate', '400', '--grpc-port', '0', '--metrics-port', '0'];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pids and temp dirs the demo announced, checked gone after it exited. */
async function assertCleanedUp(out: string): Promise<void> {
  const m = /processes: dbmazz pid (\d+), postgres pid (\d+); temp dirs: (\S+) (\S+)/.exec(out);
  assert.ok(m, `no processes line in:\n${out.slice(0, 3000)}`);
  const [, daemonPid, pgPid, dir, pgDir] = m;
  assert.ok(dir?.includes('dbmazz-demo-') && pgDir?.includes('dbmazz-pg-'));
  await waitFor(() => !alive(Number(daemonPid)) && !alive(Number(pgPid)), { timeoutMs: 10_000, message: 'a child process outlived the demo' });
  assert.equal(existsSync(dir ?? ''), false, `${dir} was not removed`);
  assert.equal(existsSync(pgDir ?? ''), false, `${pgDir} was not removed`);
  assert.match(out, new RegExp(`removed ${dir}`));
}

describe('dbmazz demo', () => {
  it('copies the seed by the snapshot, streams the traffic, validates every table, exits 0 and cleans up', async () => {
    const demo = spawnDaemon({}, ['demo', ...ARGS, '--duration', '5']);
    const code = await exitOf(demo, 240_000);
    const out = demo.output();
    assert.equal(code, 0, out.slice(-4000));

    // What to export, where to look.
    for (const name of ['SOURCE_URL', 'TABLES', 'SINK_URL', 'SINK_PORT', 'SINK_DATABASE', 'SINK_USER', 'GRPC_PORT', 'METRICS_PORT']) {
      assert.match(out, new RegExp(`^  export ${name}=`, 'm'));
    }
    assert.match(out, /^ {2}export TABLES=orders,order_items,customers$/m);
    assert.equal(out.match(/grpcurl -plaintext /g)?.length, 2);
    const metricsPort = /export METRICS_PORT=(\d+)/.exec(out)?.[1];
    assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${metricsPort}/metrics`));
    assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${metricsPort}/dashboard`));
    const mysqlPort = /export SINK_PORT=(\d+)/.exec(out)?.[1];
    assert.ok(out.includes(`mysql -h 127.0.0.1 -P ${mysqlPort} -u root -e 'select count(*) from demo.orders'`));

    // Progress lines, the seed, the traffic, the drain and the verdicts.
    assert.match(out, /^\[demo \d\d:\d\d:\d\d\] seeding .*seed=\d+\/4650/m);
    assert.match(out, /^seeded 4,650 rows .*before dbmazz starts$/m);
    // The seed is copied by dbmazz's initial snapshot (per-table progress), then the traffic streams.
    assert.match(out, /^\[demo \d\d:\d\d:\d\d\] snapshot .*\| snapshot orders=\w+:\d+\/1500 order_items=\w+:\d+\/3000 customers=\w+:\d+\/150 \|/m);
    assert.match(out, /^snapshot done: the 4,650 seeded rows are in StarRocks/m);
    assert.ok(out.indexOf('snapshot done: ') < out.indexOf('traffic: '), 'the traffic starts after the snapshot');
    assert.match(out, /^traffic done: [\d,]+ changes/m);
    assert.match(out, /^dbmazz caught up/m);
    assert.match(out, /^dbmazz drained and stopped: exit code 0/m);
    for (const table of ['orders', 'order_items', 'customers']) assert.match(out, new RegExp(`^  ok   ${table} `, 'm'));
    assert.match(out, /soft-deleted rows for [1-9][\d,]* deleted in PostgreSQL/, 'the traffic deleted rows');
    assert.match(out, /^Validation PASSED/m);
    await assertCleanedUp(out);
  });

  it('on Ctrl-C ends the traffic, drains, validates and cleans up', async () => {
    const demo = spawnDaemon({}, ['demo', ...ARGS]);
    try {
      await demo.waitForLine(/^traffic: /, 180_000);
      await demo.waitForLine(/^\[demo [\d:]+\] traffic .*changes=[1-9]/, 30_000);
    } catch (err) {
      demo.kill('SIGKILL');
      throw err;
    }
    demo.kill('SIGINT');
    const code = await exitOf(demo, 180_000);
    const out = demo.output();
    assert.equal(code, 0, out.slice(-4000));
    assert.match(out, /^Stopping: traffic ends/m);
    assert.match(out, /^Validation PASSED/m);
    await assertCleanedUp(out);
  });

  it('refuses unknown options with the usage and exit code 2', async () => {
    const demo = spawnDaemon({}, ['demo', '--rate', 'fast']);
    const code = await exitOf(demo, 30_000);
    assert.equal(code, 2);
    assert.match(demo.output(), /--rate needs an integer/);
    assert.match(demo.output(), /usage: dbmazz demo/);
  });
});
