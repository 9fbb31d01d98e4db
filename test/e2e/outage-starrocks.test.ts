/**
 * StarRocks outages against the real daemon: one longer than the sink's retry budget is waited out
 * (the confirmed LSN stays where it was, nothing is lost or applied twice), while an error that needs
 * an operator (the password changed) still ends the process with a message that says what to do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { waitFor } from '../helpers/wait.js';
import { createJob, startDaemon, type GrpcDaemon, type Job } from '../integration/grpc/harness.js';
import { SR_PASSWORD } from './daemon-env.js';
import {
  assertAppliedOnce,
  assertReportedDown,
  attemptsReach,
  FAST_RECONNECT,
  healthWhen,
  metricOf,
  reconnecting,
  replicating,
  Traffic,
} from './outage-fixture.js';

/** A sink retry budget of two quick attempts: an outage of a few seconds outlasts it many times. */
const SHORT_SINK_RETRIES = { SINK_RETRY_MAX_ATTEMPTS: '2', SINK_RETRY_INITIAL_MS: '50', SINK_RETRY_MAX_MS: '100', FLUSH_INTERVAL_MS: '100' } as const;

describe('StarRocks outages: waited out unless an operator is needed', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const daemons: GrpcDaemon[] = [];
  const jobs: Job[] = [];

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
  });
  after(async () => {
    for (const d of daemons) await d.close();
    for (const j of jobs) await j.close();
    await em?.close();
    await pg?.close();
  });

  const job = async (name: string): Promise<Job> => {
    const j = await createJob(pg, em, name);
    jobs.push(j);
    await j.createTable('items');
    return j;
  };
  const streaming = async (j: Job, extra: Record<string, string>): Promise<GrpcDaemon> => {
    // SNAPSHOT_MODE=never: the outages are about streamed changes (snapshots: test/integration/grpc/snapshot.test.ts).
    const d = await startDaemon(j.env('items', { SNAPSHOT_MODE: 'never', ...FAST_RECONNECT, ...SHORT_SINK_RETRIES, ...extra }));
    daemons.push(d);
    await waitFor(async () => (await j.slotRow())?.active === true, { message: () => d.process.output().slice(-3000) });
    return d;
  };
  /** One small transaction after the other, ids 1, 2, 3, ... */
  const inserts = (j: Job): Traffic => {
    let next = 1;
    return new Traffic(async () => {
      const ids = Array.from({ length: 5 }, () => next++);
      await j.insert('items', ids);
    });
  };

  /** A job streaming under continuous inserts; once `rows` arrived, StarRocks refuses every load of it. */
  const outage = async (name: string, rows: number): Promise<{ j: Job; d: GrpcDaemon; traffic: Traffic; fault: number }> => {
    const j = await job(name);
    const d = await streaming(j, {});
    const traffic = inserts(j);
    try {
      await waitFor(() => j.srIds('items').length >= rows, { message: () => d.process.output().slice(-3000) });
    } catch (err) {
      await traffic.stop().catch(() => undefined);
      throw err;
    }
    return { j, d, traffic, fault: em.faults.inject({ kind: 'http503', probability: 1, db: j.srDb }) };
  };

  it('an outage longer than the retry budget: the daemon keeps retrying, confirms nothing meanwhile, then catches up exactly', async (t) => {
    const { j, d, traffic, fault } = await outage('sr_outage', 50);
    try {
      const down = await healthWhen(d, (h) => reconnecting(h) && /HTTP 503/.test(h.errorDetail), 'not reported as reconnecting');
      assert.match(down.errorDetail, /gave up after 2 attempts/);
      const confirmedAtOutage = (await j.slotRow())?.confirmed;
      const statusAtOutage = (await d.client.getStatus()).confirmedLsn;
      await assertReportedDown(d);
      // Several restarts of the pipeline, each failing its batch SINK_RETRY_MAX_ATTEMPTS times.
      await attemptsReach(d, 4);
      assert.equal(d.process.child.exitCode, null, 'still running');
      const wal = await j.walPosition();
      const slot = await j.slotRow();
      assert.equal(slot?.confirmed, confirmedAtOutage, 'the slot was not confirmed during the outage');
      assert.equal((await d.client.getStatus()).confirmedLsn, statusAtOutage);
      assert.ok(BigInt(statusAtOutage) < wal, 'changes were made meanwhile, and are not confirmed');
      const again = d.process.lines.filter((l) => l.includes('Replication stopped again before writing anything (SINK_LOAD)') && l.includes('HTTP 503'));
      assert.ok(
        again.length >= 2,
        `one outage: each restart that fails before writing anything continues it, and says why:\n${d.process.output().slice(-3000)}`,
      );
      assert.equal(await metricOf(d, 'dbmazz_reconnects_total'), 0, 'no recovery counted while nothing is written');

      em.faults.clear(fault);
      const backAt = Date.now();
      await healthWhen(d, replicating, 'did not recover');
      t.diagnostic(`replicating again ${Date.now() - backAt} ms after StarRocks accepted loads`);
      assert.equal(await metricOf(d, 'dbmazz_reconnects_total'), 1);
      assert.equal(await metricOf(d, 'dbmazz_connected'), 1);
      await traffic.stop();
      await waitFor(async () => JSON.stringify(await j.pgIds('items')) === JSON.stringify(j.srIds('items')), {
        message: () => `StarRocks has ${j.srIds('items').length} rows:\n${d.process.output().slice(-3000)}`,
      });
      assertAppliedOnce(em, j.srDb);
      assert.ok(BigInt((await d.client.getStatus()).confirmedLsn) > BigInt(statusAtOutage), 'confirming again');
      d.process.kill('SIGTERM');
      assert.equal(await d.exit(), 0, d.process.output().slice(-3000));
    } finally {
      await traffic.stop().catch(() => undefined);
    }
  });

  it('DrainAndStop and SIGTERM while reconnecting end it at once: exit 0, nothing confirmed past the outage, the slot kept', async () => {
    for (const how of ['DrainAndStop', 'SIGTERM'] as const) {
      const j = await job(`sr_stop_${how.toLowerCase()}`);
      const d = await streaming(j, { RECONNECT_INITIAL_MS: '60000', RECONNECT_MAX_MS: '60000' });
      await j.insert('items', [1, 2, 3]);
      await waitFor(() => j.srIds('items').length === 3, { message: () => d.process.output().slice(-3000) });
      em.faults.inject({ kind: 'http503', probability: 1, db: j.srDb });
      await j.insert('items', [4]);
      await healthWhen(d, reconnecting, 'not reported as reconnecting');
      const confirmed = (await j.slotRow())?.confirmed;
      if (how === 'DrainAndStop') {
        const r = await d.client.drain();
        assert.equal(r.success, true, r.message);
        assert.match(
          r.message,
          /^Stopped while reconnecting \(stage CDC: Reconnecting: attempt 1 in \d+\.\d s\): nothing was buffered; LSN \S+ stays confirmed and the replication slot is kept$/,
        );
      } else {
        d.process.kill('SIGTERM');
      }
      assert.equal(await d.exit(), 0, d.process.output().slice(-3000));
      assert.match(d.process.output(), /stopped while reconnecting; changes after the confirmed LSN are read on the next start/);
      assert.deepEqual(await j.slotRow(), { active: false, confirmed }, `${how}: the slot is kept where it was`);
      em.faults.clear();
    }
  });

  it('the StarRocks password changed during an outage: exit 1 at the next attempt, saying which settings to fix', async () => {
    const { j, d, traffic, fault } = await outage('sr_password', 20);
    try {
      await attemptsReach(d, 2);
      em.catalog.setPassword('rotated-by-the-operator');
      em.faults.clear(fault);
      assert.equal(await d.exit(60_000), 1, d.process.output().slice(-3000));
      const out = d.process.output();
      // The attempt that meets the new password fails at the FE HTTP check (INIT, SINK_URL); when that
      // check ran just before the rotation, at the MySQL login (SETUP); when setup also did, at the next
      // MySQL connection of the stream's first write (CDC: the replay guard reads the target after a
      // restart); when the attempt got that far too, at its first Stream Load (HTTP 401 at the FE, or the
      // BE's "Access denied for user": the restarted pipeline stops). Each says what to fix.
      assert.match(
        out,
        /(Reconnection failed|Pipeline stopped with an error) in stage (INIT|SETUP|CDC): [^"]*Access denied[^"]*Check SINK_USER and SINK_PASSWORD/,
      );
      assert.equal((await j.slotRow())?.active, false, 'the slot is kept for the next start');
    } finally {
      em.catalog.setPassword(SR_PASSWORD);
      await traffic.stop().catch(() => undefined);
    }
  });
});
