/**
 * SCHEMA_EVOLUTION=fail and =ignore, and SINK_CREATE_TABLES, end to end: the real CLI against one
 * harness PostgreSQL (a database and a slot per scenario) and the StarRocks emulator (one BE).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { startPostgres, type PgHarness, type ColumnCheck } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator, schemaChangesOf } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from '../helpers/daemon.js';
import { exitOf, killDaemons, spawnDaemon } from '../helpers/daemon.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';
import { queryOf, srLive, srTypes, waitConverged, type PgQuery } from './schema-evolution-fixture.js';

describe('schema evolution policies and SINK_CREATE_TABLES end to end', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const daemons: DaemonProcess[] = [];
  const clients: pg.Client[] = [];

  /** A database of its own: a query function and the daemon environment for it. */
  const scenario = async (
    name: string,
    tables: string,
    srDb: string,
    extra: Record<string, string>,
  ): Promise<{ q: PgQuery; env: Record<string, string>; slot: string }> => {
    const url = await pg.createDatabase(name);
    const c = await pg.connect(name);
    clients.push(c);
    const slot = `slot_${name}`;
    // The tables start empty and these tests are about schema changes while streaming: no initial
    // snapshot running concurrently with the first writes (snapshot.test.ts and the engine's unit
    // tests cover that race: a sweep once removed rows a chunk's read did not see).
    const env = daemonEnv(pg, em, srDb, tables, {
      SOURCE_URL: url,
      SOURCE_SLOT_NAME: slot,
      SINK_POLL_INTERVAL_MS: '50',
      SETUP_MAX_ATTEMPTS: '1',
      SNAPSHOT_MODE: 'never',
      ...extra,
    });
    return { q: queryOf(c), env, slot };
  };
  const start = async (env: Record<string, string>, slot: string): Promise<DaemonProcess> => {
    const d = await startStreaming(pg, env, slot);
    daemons.push(d);
    return d;
  };

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD, schemaChangeMs: 500 });
  });
  after(async () => {
    await killDaemons(...daemons);
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    await em?.close();
    await pg?.close();
  });

  const T = { pg: 'public.t', sr: 't', key: ['id'] };

  it('SCHEMA_EVOLUTION=fail: a column change stops the pipeline with a stage error; applying it in StarRocks lets a restart continue', async () => {
    await em.sql('CREATE DATABASE pfail');
    await em.sql('CREATE TABLE t (id INT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")', 'pfail');
    const s = await scenario('pol_fail', 't', 'pfail', { SCHEMA_EVOLUTION: 'fail' });
    await s.q('CREATE TABLE t (id int PRIMARY KEY, v text)');
    const d = await start(s.env, s.slot);
    await s.q("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    await waitConverged(s.q, em, 'pfail', { ...T, cols: [{ name: 'id' }, { name: 'v' }] }, d);

    await s.q('ALTER TABLE t ADD COLUMN extra integer');
    await s.q("INSERT INTO t VALUES (3, 'c', 7)");
    const code = await exitOf(d);
    assert.equal(code, 1, d.output().slice(-3000));
    assert.match(
      d.output(),
      /Source table public\.t changed \(added extra \(int4\)\) and SCHEMA_EVOLUTION=fail stops on a column change StarRocks does not fit yet/,
    );
    assert.match(d.output(), /Apply the same change to the StarRocks table pfail\.t yourself/);
    assert.equal('extra' in srTypes(em, 'pfail', 't'), false, 'no DDL ran');
    assert.equal(srLive(em, 'pfail', 't', ['id'], [{ name: 'id' }]).has('3'), false);

    // What the hint says: apply the change in StarRocks, then restart; the row arrives with its value.
    await em.sql('ALTER TABLE t ADD COLUMN extra INT', 'pfail');
    await new Promise((r) => setTimeout(r, 700));
    const again = await start(s.env, s.slot);
    await waitConverged(s.q, em, 'pfail', { ...T, cols: [{ name: 'id' }, { name: 'v' }, { name: 'extra' }] }, again);
    again.kill('SIGTERM');
    assert.equal(await exitOf(again), 0, again.output().slice(-3000));
  });

  it('SCHEMA_EVOLUTION=ignore: no DDL; the new columns are not loaded, with a warning; rows keep flowing', async () => {
    await em.sql('CREATE DATABASE pign');
    await em.sql('CREATE TABLE t (id INT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")', 'pign');
    const s = await scenario('pol_ignore', 't', 'pign', { SCHEMA_EVOLUTION: 'ignore' });
    await s.q('CREATE TABLE t (id int PRIMARY KEY, v text)');
    const d = await start(s.env, s.slot);
    await s.q("INSERT INTO t VALUES (1, 'a')");
    await s.q('ALTER TABLE t ADD COLUMN extra integer, ADD COLUMN note text');
    await s.q("INSERT INTO t VALUES (2, 'b', 7, 'n'), (3, 'c', 8, NULL)");
    await s.q("UPDATE t SET v = 'a2', extra = 9 WHERE id = 1");
    await s.q('DELETE FROM t WHERE id = 3');
    await waitConverged(s.q, em, 'pign', { ...T, cols: [{ name: 'id' }, { name: 'v' }] }, d);
    const types = srTypes(em, 'pign', 't');
    assert.equal('extra' in types, false);
    assert.equal('note' in types, false);
    const jobs = schemaChangesOf(em.catalog).jobs('pign');
    assert.equal(jobs.length, 1, 'only the audit columns were added');
    assert.match(d.output(), /SCHEMA_EVOLUTION=ignore: these source columns do not exist in StarRocks and their values are not loaded/);
    assert.match(d.output(), /"columns":\["extra","note"\]/);
    d.kill('SIGTERM');
    assert.equal(await exitOf(d), 0, d.output().slice(-3000));
  });

  it('SINK_CREATE_TABLES=true creates the missing tables (Primary Key, mapped types, audit columns) and replicates into them', async () => {
    await em.sql('CREATE DATABASE pcreate');
    const s = await scenario('pol_create', 'accounts,lines', 'pcreate', { SINK_CREATE_TABLES: 'true', SINK_REPLICATION_NUM: '1' });
    await s.q('CREATE TABLE accounts (id bigint PRIMARY KEY, name text NOT NULL, balance numeric(12,2), opened date, meta jsonb, tags text[], active boolean)');
    await s.q('CREATE TABLE lines (account_id bigint, line integer, amount double precision, memo varchar(40), PRIMARY KEY (account_id, line))');
    const d = await start(s.env, s.slot);

    const accounts = em.catalog.getTable('pcreate', 'accounts');
    const lines = em.catalog.getTable('pcreate', 'lines');
    assert.ok(accounts && lines, 'both tables created before streaming');
    assert.equal(accounts.keysType, 'PRIMARY_KEYS');
    assert.deepEqual(accounts.keyColumns, ['id']);
    assert.deepEqual(lines.keyColumns, ['account_id', 'line']);
    assert.deepEqual(lines.distribution.columns, ['account_id', 'line']);
    assert.equal(accounts.properties['replication_num'], '1');
    assert.deepEqual(srTypes(em, 'pcreate', 'accounts'), {
      id: 'BIGINT',
      name: 'VARCHAR(65533)',
      balance: 'DECIMAL(12,2)',
      opened: 'DATE',
      meta: 'JSON',
      tags: 'ARRAY<VARCHAR(65533)>',
      active: 'BOOLEAN',
      dbmazz_op_type: 'TINYINT',
      dbmazz_is_deleted: 'BOOLEAN',
      dbmazz_synced_at: 'DATETIME',
      dbmazz_cdc_version: 'BIGINT',
    });
    assert.equal(lines.findColumn('line')?.nullable, false);
    assert.equal(lines.findColumn('amount')?.nullable, true);
    assert.deepEqual(schemaChangesOf(em.catalog).jobs('pcreate'), [], 'created with the audit columns: no ALTER');

    for (let i = 1; i <= 20; i++) {
      await s.q('INSERT INTO accounts VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        i,
        `acct ${i}`,
        (i * 10.25).toFixed(2),
        '2024-01-15',
        JSON.stringify({ i }),
        ['x', `t${i}`],
        i % 2 === 0,
      ]);
      await s.q('INSERT INTO lines VALUES ($1, 1, $2, $3), ($1, 2, $4, NULL)', [i, i / 4, `memo ${i}`, -i]);
    }
    await s.q('UPDATE accounts SET balance = balance + 1 WHERE id % 3 = 0');
    await s.q('DELETE FROM lines WHERE account_id = 5');
    await waitConverged(
      s.q,
      em,
      'pcreate',
      {
        pg: 'public.accounts',
        sr: 'accounts',
        key: ['id'],
        cols: [
          { name: 'id' },
          { name: 'name' },
          { name: 'balance' },
          { name: 'opened' },
          { name: 'meta', json: true },
          { name: 'tags', pgExpr: 'array_to_json("tags")::text', json: true },
          { name: 'active' },
        ] satisfies ColumnCheck[],
      },
      d,
    );
    await waitConverged(
      s.q,
      em,
      'pcreate',
      { pg: 'public.lines', sr: 'lines', key: ['account_id', 'line'], cols: [{ name: 'account_id' }, { name: 'line' }, { name: 'amount' }, { name: 'memo' }] },
      d,
    );
    assert.match(d.output(), /created the target table \(SINK_CREATE_TABLES=true\)/);

    // A created table evolves like any other.
    await s.q('ALTER TABLE accounts ADD COLUMN note text');
    await s.q("UPDATE accounts SET note = 'hello' WHERE id = 1");
    await waitFor(() => srLive(em, 'pcreate', 'accounts', ['id'], [{ name: 'id' }, { name: 'note' }]).get('1')?.['note'] === 'hello', d);
    d.kill('SIGTERM');
    assert.equal(await exitOf(d), 0, d.output().slice(-3000));
  });

  it('SINK_CREATE_TABLES without a fitting replication_num: a setup error that names SINK_REPLICATION_NUM; without the setting the missing table error names SINK_CREATE_TABLES', async () => {
    await em.sql('CREATE DATABASE pnorep');
    const s = await scenario('pol_norep', 'lonely', 'pnorep', { SINK_CREATE_TABLES: 'true' });
    await s.q('CREATE TABLE lonely (id int PRIMARY KEY)');
    const d = spawnDaemon(s.env);
    daemons.push(d);
    assert.notEqual(await exitOf(d), 0);
    assert.match(d.output(), /replication num/i);
    assert.match(d.output(), /SINK_REPLICATION_NUM/);
    assert.equal(em.catalog.getTable('pnorep', 'lonely'), undefined);

    const without = spawnDaemon({ ...s.env, SINK_CREATE_TABLES: 'false' });
    daemons.push(without);
    assert.notEqual(await exitOf(without), 0);
    assert.match(without.output(), /Target table pnorep\.lonely does not exist/);
    assert.match(without.output(), /SINK_CREATE_TABLES=true/);
  });
});

async function waitFor(check: () => boolean, d: DaemonProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met:\n${d.output().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
