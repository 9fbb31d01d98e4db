import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { createSchemas, diffShop, ShopWorkload, SR_DB } from './shop-fixture.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';

describe('end to end: PostgreSQL → dbmazz → StarRocks (emulator)', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess | undefined;

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD, bes: 2 });
    await createSchemas(pg, em);
  });
  after(async () => {
    await killDaemons(daemon);
    await em?.close();
    await pg?.close();
  });

  it('replicates a mixed workload until every table equals its source, audit columns included', async () => {
    daemon = await startStreaming(pg, daemonEnv(pg, em, SR_DB, 'orders,order_items,public.customers,"group"'));

    const w = new ShopWorkload(pg, 7);
    for (let i = 0; i < 60; i++) await w.transaction(25);

    let diff = '';
    await waitFor(
      async () => {
        diff = await diffShop(pg, em, w);
        return diff === '';
      },
      { timeoutMs: 60_000, intervalMs: 250, message: () => `tables never converged:\n${diff}\n--- daemon output ---\n${daemon?.output().slice(-4000)}` },
    );

    // Every load was a success with a unique label; the password never reached the logs.
    // The sink recorded which PostgreSQL cluster and database writes each target (one small load).
    const sysid = (await pg.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0]?.id;
    const recorded = em
      .rows(SR_DB, 'dbmazz_source_identity')
      .map((r) => `${String(r['table_name'])}=${String(r['source_id'])}`)
      .sort();
    assert.deepEqual(
      recorded,
      ['customers', 'group', 'order_items', 'orders'].map((t) => `${t}=postgresql:${sysid}:${pg.database}`),
    );
    const loads = em.loads().filter((l) => l.db === SR_DB && l.table !== 'dbmazz_source_identity' && l.table !== 'dbmazz_state');
    assert.ok(loads.length > 0);
    const successes = loads.filter((l) => l.status === 'Success');
    assert.equal(successes.length, loads.length, JSON.stringify(loads.filter((l) => l.status !== 'Success').slice(0, 3)));
    assert.equal(new Set(successes.map((l) => l.label)).size, successes.length, 'a label was loaded twice');
    assert.ok(loads.every((l) => l.headers['merge_condition'] === 'dbmazz_cdc_version'));
    assert.ok(!daemon.output().includes(SR_PASSWORD), 'the StarRocks password appeared in the output');

    // The slot confirmed the work: confirmed_flush_lsn caught up with the WAL we wrote.
    await waitFor(
      async () => {
        const r = await pg.query<{ behind: string }>(
          "SELECT (pg_current_wal_lsn() - confirmed_flush_lsn)::text AS behind FROM pg_replication_slots WHERE slot_name = 'dbmazz_slot'",
        );
        return Number(r.rows[0]?.behind ?? '1e12') < 1_000_000;
      },
      { timeoutMs: 20_000, message: 'slot did not confirm' },
    );

    daemon.kill('SIGTERM');
    const exit = await daemon.exited;
    assert.equal(exit.code, 0, daemon.output().slice(-3000));
    const slot = await pg.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'dbmazz_slot'");
    assert.equal(slot.rowCount, 1, 'the slot must stay after SIGTERM');
  });
});
