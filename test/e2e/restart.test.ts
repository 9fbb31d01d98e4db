import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { createSchemas, diffShop, ShopWorkload, SR_DB } from './shop-fixture.js';
import { daemonEnv, restartStreaming, slotActive, SR_PASSWORD } from './daemon-env.js';
import { assertAppliedOnce, phaseStart, type Phase } from './replay-check.js';

describe('restarts mid-stream: nothing lost, nothing applied twice, the slot kept', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const daemons: DaemonProcess[] = [];

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    await createSchemas(pg, em);
  });
  after(async () => {
    await killDaemons(...daemons);
    await em?.close();
    await pg?.close();
  });

  const env = (): Record<string, string> =>
    // SNAPSHOT_MODE=never: this test is about stream replays; the load that commits without a reply
    // must carry streamed changes, not snapshot rows (restarts during snapshots: snapshot tests).
    daemonEnv(pg, em, SR_DB, 'orders,order_items,customers,"group"', { FLUSH_SIZE: '200', FLUSH_INTERVAL_MS: '100', SNAPSHOT_MODE: 'never' });

  const startDaemon = async (): Promise<DaemonProcess> => {
    const d = await restartStreaming(pg, env());
    daemons.push(d);
    return d;
  };

  const loadedSoFar = (): number => em.loads().filter((l) => l.db === SR_DB && l.status === 'Success').length;

  it('survives SIGTERM and SIGKILL while changes keep coming', async () => {
    const w = new ShopWorkload(pg, 99);
    // The slot is created by the first start; changes from then on are streamed (no initial snapshot).
    const a = await startDaemon();
    let running = true;
    const traffic = (async () => {
      while (running) await w.transaction(15);
    })();
    try {
      await waitFor(() => loadedSoFar() >= 5, { timeoutMs: 30_000, message: 'no loads before SIGTERM' });
      a.kill('SIGTERM');
      const exitA = await a.exited;
      assert.equal(exitA.code, 0, a.output().slice(-3000));
      assert.match(a.output(), /drain|stopp/i);

      const phases: Phase[] = [];
      phases.push(await phaseStart(pg, em, 'after SIGTERM'));
      const b = await startDaemon();
      const before = loadedSoFar();
      await waitFor(() => loadedSoFar() >= before + 5, { timeoutMs: 30_000, message: 'no loads before SIGKILL' });
      // The next load commits in StarRocks but its reply never comes: its changes are durable and not
      // confirmed to PostgreSQL when b dies, so c must receive them again and must not apply them twice.
      em.faults.inject({ kind: 'hang', commit: true, hangMs: 60_000, db: SR_DB });
      await waitFor(() => em.faults.list().length === 0, { timeoutMs: 30_000, message: 'no load reached the hanging fault' });
      await new Promise((r) => setTimeout(r, 300));
      b.kill('SIGKILL');
      await b.exited;

      await waitFor(async () => !(await slotActive(pg)), { timeoutMs: 20_000, message: 'slot still active' });
      phases.push(await phaseStart(pg, em, 'after SIGKILL'));
      const c = await startDaemon();
      await new Promise((r) => setTimeout(r, 1500));
      running = false;
      await traffic;

      let diff = '';
      await waitFor(
        async () => {
          diff = await diffShop(pg, em, w);
          return diff === '';
        },
        { timeoutMs: 60_000, intervalMs: 250, message: () => `tables never converged:\n${diff}\n${c.output().slice(-3000)}` },
      );

      // No label was ever applied twice, and each restart re-applied only transactions the slot had
      // not confirmed (ties at their commit versions); the tables equal PostgreSQL (above).
      assertAppliedOnce(em, SR_DB, phases);
      // c received the committed-but-unconfirmed changes again and the replay guard skipped them.
      const skipped = c.lines.filter((l) => l.includes('replay after restart: skipped changes StarRocks already has'));
      assert.ok(skipped.length > 0, `no replay was skipped after SIGKILL:\n${c.output().slice(-3000)}`);
      assert.ok(skipped.every((l) => Number((JSON.parse(l) as { skipped?: number }).skipped) > 0));

      c.kill('SIGTERM');
      assert.equal((await c.exited).code, 0, c.output().slice(-3000));
      const slots = await pg.query<{ slot_name: string }>('SELECT slot_name FROM pg_replication_slots');
      assert.deepEqual(
        slots.rows.map((r) => r.slot_name),
        ['dbmazz_slot'],
      );
    } finally {
      running = false;
      await traffic.catch(() => undefined);
    }
  });
});
