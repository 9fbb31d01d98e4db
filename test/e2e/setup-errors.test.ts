import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from '../harness/postgres.js';
import { startStarRocksEmulator, type StarRocksEmulator } from '../starrocks-emulator/index.js';
import { exitOf, spawnDaemon } from '../helpers/daemon.js';
import { daemonEnv, SR_PASSWORD } from './daemon-env.js';

const DB = 'errs';

async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const d = spawnDaemon(env);
  const code = await exitOf(d);
  return { code, output: d.output() };
}

describe('setup failures: a clear message, a non-zero exit, and nothing damaged', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let slotBefore: string;

  const slotState = async (): Promise<string> => {
    const r = await pg.query<{ s: string }>(
      `SELECT string_agg(slot_name || ':' || plugin || ':' || coalesce(confirmed_flush_lsn::text, '-'), ',' ORDER BY slot_name) AS s FROM pg_replication_slots`,
    );
    return r.rows[0]?.s ?? '';
  };
  const publicationTables = async (): Promise<string> => {
    const r = await pg.query<{ s: string }>(
      `SELECT string_agg(pubname || ':' || schemaname || '.' || tablename, ',' ORDER BY pubname, tablename) AS s FROM pg_publication_tables`,
    );
    return r.rows[0]?.s ?? '';
  };

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    await pg.query('CREATE TABLE orders (id bigint PRIMARY KEY, v text)');
    await pg.query('CREATE TABLE extra (id int PRIMARY KEY)');
    await pg.query('CREATE TABLE nokey (a int, b text)');
    await pg.query('CREATE TABLE only_in_pg (id int PRIMARY KEY)');
    await em.sql(`CREATE DATABASE ${DB}`);
    await em.sql(
      'CREATE TABLE orders (id BIGINT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")',
      DB,
    );
    // A slot and a publication that already exist (e.g. from an earlier run) must survive every failure.
    await pg.query("SELECT pg_create_logical_replication_slot('dbmazz_slot', 'pgoutput')");
    await pg.query('CREATE PUBLICATION dbmazz_pub FOR TABLE orders, extra');
    await pg.query("INSERT INTO orders VALUES (1, 'x')");
    slotBefore = await slotState();
  });
  after(async () => {
    await em?.close();
    await pg?.close();
  });

  const expectFailure = async (tables: string, extra: Record<string, string>, pattern: RegExp): Promise<string> => {
    const pubBefore = await publicationTables();
    const r = await runToExit(daemonEnv(pg, em, DB, tables, extra));
    assert.notEqual(r.code, 0, r.output);
    assert.match(r.output, pattern, r.output);
    assert.ok(!r.output.includes(SR_PASSWORD), 'a password reached the output');
    assert.equal(await slotState(), slotBefore, 'the existing slot changed');
    assert.equal(await publicationTables(), pubBefore, 'the publication changed');
    return r.output;
  };

  it('a table missing in PostgreSQL', async () => {
    await expectFailure('orders,missing_tbl', {}, /Table '(public\.)?missing_tbl' not found in PostgreSQL\. Verify the table exists and is accessible\./);
  });

  it('a table without a primary key', async () => {
    await expectFailure('orders,nokey', {}, /nokey[^\n]*primary key|primary key[^\n]*nokey/i);
  });

  it('a table missing in StarRocks (checked before any slot or publication change)', async () => {
    await expectFailure('orders,only_in_pg', {}, /only_in_pg/);
  });

  it('a wrong StarRocks password', async () => {
    const out = await expectFailure('orders', { SINK_PASSWORD: 'wrong-password-123' }, /SINK_PASSWORD|Access denied/);
    assert.ok(!out.includes('wrong-password-123'), 'the wrong password was echoed');
  });

  it('a StarRocks database that does not exist', async () => {
    await expectFailure('orders', { SINK_DATABASE: 'no_such_db' }, /no_such_db/);
  });

  it('bad configuration: exit code 2, every problem listed, nothing touched', async () => {
    const r = await runToExit(daemonEnv(pg, em, DB, 'orders', { FLUSH_SIZE: 'abc', SINK_PORT: '-5', SOURCE_TYPE: 'nosuch' }));
    assert.equal(r.code, 2, r.output);
    assert.match(r.output, /FLUSH_SIZE/);
    assert.match(r.output, /SINK_PORT/);
    assert.match(r.output, /SOURCE_TYPE/);
    assert.equal(await slotState(), slotBefore);
  });

  it('wal_level not logical', async () => {
    const replica = await startPostgres({ settings: { wal_level: 'replica' } });
    try {
      await replica.query('CREATE TABLE orders (id bigint PRIMARY KEY, v text)');
      const r = await runToExit({ ...daemonEnv(pg, em, DB, 'orders'), SOURCE_URL: replica.url });
      assert.notEqual(r.code, 0);
      assert.match(r.output, /wal_level/);
      const slots = await replica.query('SELECT 1 FROM pg_replication_slots');
      assert.equal(slots.rowCount, 0);
      const pubs = await replica.query('SELECT 1 FROM pg_publication');
      assert.equal(pubs.rowCount, 0);
    } finally {
      await replica.close();
    }
  });
});
