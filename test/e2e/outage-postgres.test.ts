/**
 * PostgreSQL outages against the real daemon and a real cluster: a restart longer than the old startup
 * retry window and a cut connection with a load in flight are waited out (nothing lost, nothing applied
 * twice, the same slot); a slot dropped meanwhile and RECONNECT_MAX_DURATION_MS end the process with a
 * message that says what to do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { waitFor } from '../helpers/wait.js';
import { startDaemon, type GrpcDaemon } from '../integration/grpc/harness.js';
import { daemonEnv, SR_PASSWORD } from './daemon-env.js';
import { assertAppliedOnce, assertReportedDown, FAST_RECONNECT, healthWhen, metricOf, reconnecting, replicating, Traffic } from './outage-fixture.js';
import { parseLsn } from '../../core/model/lsn.js';
import { createSchemas, diffShop, ShopWorkload, SR_DB } from './shop-fixture.js';

const SLOT = 'dbmazz_slot';
/** Longer than the old default startup retries (3 attempts, 2 s apart). */
const OUTAGE_MS = 8000;

describe('PostgreSQL outages: waited out, resumed from the confirmed position, the same slot', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let w: ShopWorkload;
  const daemons: GrpcDaemon[] = [];

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    await createSchemas(pg, em);
    w = new ShopWorkload(pg, 2024);
  });
  after(async () => {
    for (const d of daemons) await d.close();
    await em?.close();
    await pg?.close();
  });

  const slot = async (): Promise<{ active: boolean; confirmed: string } | undefined> => {
    const r = await pg.query<{ active: boolean; confirmed: string }>(
      'SELECT active, confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
      [SLOT],
    );
    return r.rows[0];
  };
  const streaming = async (extra: Record<string, string> = {}): Promise<GrpcDaemon> => {
    // A daemon an earlier test left running (it failed before stopping it) would hold the slot.
    for (const old of daemons.splice(0)) await old.close();
    await waitFor(async () => (await slot())?.active !== true, { message: 'the slot is still in use' });
    // SNAPSHOT_MODE=never: these outages are about the stream; a fault must hit streamed changes, not a
    // snapshot chunk left unfinished by an earlier test's outage.
    const env = daemonEnv(pg, em, SR_DB, 'orders,order_items,customers,"group"', {
      FLUSH_SIZE: '200',
      FLUSH_INTERVAL_MS: '100',
      SNAPSHOT_MODE: 'never',
      ...FAST_RECONNECT,
      ...extra,
    });
    const d = await startDaemon(env);
    daemons.push(d);
    await waitFor(async () => (await slot())?.active === true, { message: () => d.process.output().slice(-3000) });
    return d;
  };
  const loads = (): number => em.loads().filter((l) => l.db === SR_DB && l.status === 'Success').length;
  const converged = async (d: GrpcDaemon): Promise<void> => {
    let diff = '';
    await waitFor(
      async () => {
        diff = await diffShop(pg, em, w);
        return diff === '';
      },
      { timeoutMs: 60_000, intervalMs: 250, message: () => `tables never converged:\n${diff}\n${d.process.output().slice(-3000)}` },
    );
  };
  const terminateWalsender = (): Promise<unknown> =>
    pg.query('SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL', [SLOT]);

  it('a PostgreSQL restart longer than the startup retries: the daemon keeps running, reports it, resumes exactly', async (t) => {
    const d = await streaming();
    const traffic = new Traffic(() => w.transaction(10));
    let stopped = false;
    try {
      await waitFor(() => loads() >= 5, { message: () => d.process.output().slice(-3000) });
      // The workload pauses around the stop only, so every transaction it counts was committed.
      await traffic.hold();
      await pg.stop();
      stopped = true;
      const stoppedAt = Date.now();
      const down = await healthWhen(d, reconnecting, 'not reported as reconnecting');
      assert.match(down.errorDetail, /^PostgreSQL: failed to /);
      await assertReportedDown(d);
      await d.process.waitForLine(/Reconnection attempt 3 failed in stage INIT \(SOURCE_CONNECTION\)/, 30_000);
      const during = await d.client.check();
      assert.equal(during.status, 'NOT_SERVING');
      assert.match(during.errorDetail, /ECONNREFUSED|connect/);
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt)));
      assert.equal(d.process.child.exitCode, null, 'still running after the outage');

      await pg.start();
      stopped = false;
      const upAt = Date.now();
      traffic.release();
      await healthWhen(d, replicating, 'did not recover');
      t.diagnostic(`replicating again ${Date.now() - upAt} ms after PostgreSQL accepted connections (outage ${upAt - stoppedAt} ms)`);
      const m = await metricOf(d, 'dbmazz_reconnects_total');
      assert.equal(m, 1);
      assert.ok(((await metricOf(d, 'dbmazz_reconnect_attempts_total')) ?? 0) >= 4);
      assert.equal(await metricOf(d, 'dbmazz_connected'), 1);
      const resumed = loads();
      await waitFor(() => loads() >= resumed + 5, { message: () => d.process.output().slice(-3000) });
      await traffic.stop();
      await converged(d);
      assertAppliedOnce(em, SR_DB);
      assert.equal(d.process.lines.filter((l) => l.includes('created replication slot')).length, 1, 'the slot was created once, at the first start');
      assert.ok(d.process.lines.some((l) => /Reconnected after \d+\.\d s and \d+ attempt\(s\)/.test(l)));
      d.process.kill('SIGTERM');
      assert.equal(await d.exit(), 0, d.process.output().slice(-3000));
      const slots = await pg.query<{ slot_name: string }>('SELECT slot_name FROM pg_replication_slots');
      assert.deepEqual(
        slots.rows.map((r) => r.slot_name),
        [SLOT],
      );
    } finally {
      if (stopped) await pg.start();
      await traffic.stop().catch(() => undefined);
    }
  });

  it('the connection cut while a committed load hangs: unconfirmed changes are read again and applied once', async () => {
    const d = await streaming();
    const traffic = new Traffic(() => w.transaction(10));
    try {
      await waitFor(() => loads() >= 3, { message: () => d.process.output().slice(-3000) });
      // The next orders load is applied, then its reply never comes: the flush is in flight, unconfirmed.
      em.faults.inject({ kind: 'hang', commit: true, hangMs: 120_000, db: SR_DB, table: 'orders' });
      await waitFor(() => em.faults.list().length === 0, { message: () => d.process.output().slice(-3000) });
      // Taken is not applied yet: on a busy machine the body may still be read after the cut, and the
      // new pipeline's replay guard would read StarRocks' versions before the hung load's rows are there.
      await waitFor(() => em.loads().some((l) => l.db === SR_DB && l.fault === 'hang' && l.status === 'Success'), {
        message: () => d.process.output().slice(-3000),
      });
      const cutAt = em.loads().length;
      await terminateWalsender();
      await healthWhen(d, (h) => h.status === 'NOT_SERVING', 'the cut was not reported');
      await healthWhen(d, replicating, 'did not recover');
      await traffic.stop();
      await converged(d);
      const hung = em.loads().find((l) => l.db === SR_DB && l.fault === 'hang');
      assert.equal(hung?.status, 'Success', 'the hanging load was applied before the cut');
      const interrupted = d.process.lines.find((l) => l.includes('Replication interrupted'));
      assert.ok(interrupted, 'the pipeline in flight was abandoned');
      const confirmed = (JSON.parse(interrupted) as { confirmedLsn: string }).confirmedLsn;
      // The replay reached changes StarRocks already had (the hung load's): the replay guard skipped
      // those a later change of the same row had overtaken, and the loads re-applied the others as ties
      // of merge_condition (same commit version). Either way, only changes after the confirmed LSN.
      const skipped = d.process.lines.some((l) => /replay after restart/.test(l) && /"skipped":[1-9]/.test(l));
      const ties = em
        .loads()
        .slice(cutAt)
        .some((l) => l.db === SR_DB && l.status === 'Success' && (l.conditionTieValues ?? []).length > 0);
      assert.ok(skipped || ties, `the replay did not reach the hung load's changes\n${d.process.output().slice(-3000)}`);
      assertAppliedOnce(em, SR_DB, [{ name: 'after the cut', from: cutAt, floor: parseLsn(confirmed) }]);
      assert.equal(await metricOf(d, 'dbmazz_reconnects_total'), 1);
      d.process.kill('SIGTERM');
      assert.equal(await d.exit(), 0, d.process.output().slice(-3000));
    } finally {
      await traffic.stop().catch(() => undefined);
    }
  });

  it('RECONNECT_MAX_DURATION_MS bounds an outage: exit 1 after it, saying what to do', async () => {
    const d = await streaming({ RECONNECT_MAX_DURATION_MS: '3000', RECONNECT_INITIAL_MS: '200', RECONNECT_MAX_MS: '500' });
    await pg.stop();
    try {
      assert.equal(await d.exit(60_000), 1, d.process.output().slice(-3000));
      const out = d.process.output();
      const gaveUp =
        /Gave up reconnecting after (\d+\.\d) s and (\d+) attempt\(s\) \(RECONNECT_MAX_DURATION_MS=3000\); the last error: PostgreSQL: failed to [^"]*Set RECONNECT_MAX_DURATION_MS=0 to keep trying/.exec(
          out,
        );
      assert.ok(gaveUp, out.slice(-3000));
      assert.ok(Number(gaveUp[1]) >= 3, 'not before the bound');
      assert.ok(Number(gaveUp[2]) >= 3, 'it kept trying until then');
      assert.match(out, /Reconnection failed in stage INIT/);
    } finally {
      await pg.start();
    }
  });

  it('a slot dropped while the connection was down: exit 1, the slot is not created again', async () => {
    const d = await streaming({ RECONNECT_INITIAL_MS: '500', RECONNECT_MAX_MS: '1000' });
    // Cut the connection and drop the slot before the daemon is back on it.
    await waitFor(
      async () => {
        await terminateWalsender();
        try {
          await pg.query('SELECT pg_drop_replication_slot($1)', [SLOT]);
          return true;
        } catch {
          return false;
        }
      },
      { intervalMs: 20, message: () => d.process.output().slice(-3000) },
    );
    assert.equal(await d.exit(60_000), 1, d.process.output().slice(-3000));
    assert.match(
      d.process.output(),
      /Reconnection failed in stage CDC: Replication slot 'dbmazz_slot' is missing, although this pipeline streamed from it[^"]*SOURCE_ON_SLOT_LOST=resnapshot/,
    );
    assert.equal(await slot(), undefined, 'not created again: that would skip the changes in between silently');
  });
});
