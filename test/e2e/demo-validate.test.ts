/**
 * The demo's parts against real servers: the seed (written before the daemon starts, copied by its
 * initial snapshot) and the traffic generator (with its exact row bookkeeping) replicated by the real daemon, and the final validation — which must pass on a faithful
 * copy, page through PostgreSQL correctly (small pages here), and name every kind of difference: a
 * changed value, a missing row, a row deleted in PostgreSQL but live in StarRocks, a wrong number of
 * soft deletes. Also the unchanged-TOAST path: customers whose large profile was not touched by an
 * update keep it in StarRocks.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { startStreaming } from './daemon-env.js';
import { DEMO_DB, DEMO_TABLES, PG_DDL, SR_DDL, TABLE_SPECS, type DemoTableSpec } from 'dbmazz-demo/parts';
import { seed, seedPlan } from 'dbmazz-demo/parts';
import { TrafficGenerator } from 'dbmazz-demo/parts';
import { validateTable } from 'dbmazz-demo/parts';
import { Workload } from 'dbmazz-demo/parts';

const spec = (name: string): DemoTableSpec => {
  const s = TABLE_SPECS.find((t) => t.name === name);
  assert.ok(s);
  return s;
};

describe('demo seed, traffic and validation against the real daemon', () => {
  let pgh: PgHarness;
  let em: StarRocksEmulator;
  let db: pg.Client;
  let daemon: DaemonProcess | undefined;
  let workload: Workload;

  before(async () => {
    pgh = await startPostgres();
    em = await startStarRocksEmulator({});
    const url = await pgh.createDatabase(DEMO_DB);
    db = new pg.Client({ connectionString: url });
    await db.connect();
    for (const ddl of PG_DDL) await db.query(ddl);
    await em.sql(`CREATE DATABASE ${DEMO_DB}`);
    for (const ddl of SR_DDL) await em.sql(ddl, DEMO_DB);
    const env = {
      SOURCE_URL: url,
      TABLES: DEMO_TABLES.join(','),
      SINK_URL: em.feHttpUrl,
      SINK_PORT: String(em.mysqlPort),
      SINK_DATABASE: DEMO_DB,
      GRPC_PORT: '0',
      FLUSH_INTERVAL_MS: '200',
      SETUP_MAX_ATTEMPTS: '1',
    };
    // As the demo does: the seed exists before dbmazz starts, so its initial snapshot copies it.
    const plan = seedPlan(150);
    const seeded = await seed(
      db,
      plan,
      3000,
      () => undefined,
      () => false,
    );
    assert.deepEqual(seeded, { customers: plan.customers, orders: plan.orders, items: plan.items });
    daemon = await startStreaming(pgh, env, 'dbmazz_slot', 60_000);
    for (const t of DEMO_TABLES) await daemon.waitForLine(new RegExp(`"table":"public\\.${t}".*"msg":"snapshot done"`), 60_000);
    workload = new Workload(seeded);
    const gen = new TrafficGenerator(db, workload, { rate: 400, txSize: 20, profileBytes: 3000 });
    await gen.run(Date.now() + 2500);
    assert.ok(gen.stats.changes > 0);
    const target = (t: (typeof DEMO_TABLES)[number]): number => em.catalog.getTable(DEMO_DB, t)?.rowCount ?? 0;
    await waitFor(() => DEMO_TABLES.every((t) => target(t) === workload.counts[t].rows + workload.counts[t].deleted), {
      timeoutMs: 60_000,
      message: () => `not replicated: ${JSON.stringify(workload.counts)} vs ${DEMO_TABLES.map(target).join(',')}\n${daemon?.output().slice(-2000)}`,
    });
    // The last updates of rows that already exist do not change the counts: drain to be sure.
    daemon.kill('SIGTERM');
    assert.equal((await daemon.exited).code, 0, daemon.output().slice(-3000));
  });
  after(async () => {
    await killDaemons(daemon);
    await db?.end();
    await em?.close();
    await pgh?.close();
  });

  it('accepts a faithful copy, paging through PostgreSQL', async () => {
    for (const s of TABLE_SPECS) {
      const v = await validateTable(db, em, s, workload.counts[s.name].deleted, 7);
      assert.equal(v.ok, true, `${s.name}: ${v.problems.join('\n')}`);
      assert.equal(v.sourceRows, workload.counts[s.name].rows);
      assert.equal(v.equal, v.sourceRows);
      assert.equal(v.softDeleted, workload.counts[s.name].deleted);
      assert.equal(v.targetRows, v.sourceRows + v.softDeleted);
    }
  });

  it('kept the large profiles of customers updated only in their small columns', async () => {
    const r = await db.query<{ n: string }>("SELECT count(*)::text AS n FROM customers WHERE visits > 0 AND profile LIKE '%(v0)%' AND length(profile) = 3000");
    assert.ok(Number(r.rows[0]?.n) > 0, 'the traffic updated no customer in its small columns only');
    const v = await validateTable(db, em, spec('customers'), workload.counts.customers.deleted);
    assert.equal(v.ok, true, v.problems.join('\n'));
  });

  it('names every difference', async () => {
    const orders = em.catalog.getTable(DEMO_DB, 'orders');
    assert.ok(orders);
    const live = (await db.query<{ id: string }>('SELECT id::text AS id FROM orders ORDER BY id LIMIT 2')).rows.map((r) => BigInt(r.id));
    const [changed, dropped] = live;
    assert.ok(changed !== undefined && dropped !== undefined);
    const statusAt = orders.columnIndex('status');
    const deletedAt = orders.columnIndex('dbmazz_is_deleted');
    const row = orders.getRow([changed]);
    assert.ok(row);
    orders.putRow(row.map((v, i) => (i === statusAt ? 'tampered' : v)));
    orders.deleteKey([dropped]);
    const softDeleted = orders.scan().find((r) => r[deletedAt] === true);
    assert.ok(softDeleted, 'the traffic soft-deleted no order');
    orders.putRow(softDeleted.map((v, i) => (i === deletedAt ? false : v)));

    const v = await validateTable(db, em, spec('orders'), workload.counts.orders.deleted, 7);
    assert.equal(v.ok, false);
    const text = v.problems.join('\n');
    assert.match(text, new RegExp(`orders ${changed}: status: StarRocks "tampered", PostgreSQL "`));
    assert.match(text, new RegExp(`orders ${dropped}: missing in StarRocks`));
    assert.match(text, /live in StarRocks, deleted in PostgreSQL/);
    assert.match(
      text,
      new RegExp(`orders: ${workload.counts.orders.deleted - 1} soft-deleted rows in StarRocks, ${workload.counts.orders.deleted} rows deleted in PostgreSQL`),
    );
    assert.equal(v.problemCount, 4);
  });
});
