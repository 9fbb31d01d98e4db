import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { exitOf, spawnDaemon } from '../helpers/daemon.js';
import { scriptedServers } from '../helpers/scripted-http.js';
import { daemonEnv, SR_PASSWORD } from './daemon-env.js';

const DB = 'errs';

async function runToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const d = spawnDaemon(env);
  const code = await exitOf(d);
  return { code, output: d.output() };
}

/** The stage the startup failed in, from the daemon's JSON log line. */
function stageOf(output: string): string | undefined {
  for (const line of output.split('\n')) {
    try {
      const o = JSON.parse(line) as { msg?: unknown; stage?: unknown };
      if (typeof o.msg === 'string' && / failed$/.test(o.msg) && typeof o.stage === 'string') return o.stage;
    } catch {
      // not a log line
    }
  }
  return undefined;
}

describe('setup failures: a clear message, a non-zero exit, and nothing damaged', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let slotBefore: string;
  const servers = scriptedServers();

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
    await em.sql('CREATE TABLE orders (id BIGINT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")', DB);
    // A slot and a publication that already exist (e.g. from an earlier run) must survive every failure.
    await pg.query("SELECT pg_create_logical_replication_slot('dbmazz_slot', 'pgoutput')");
    await pg.query('CREATE PUBLICATION dbmazz_pub FOR TABLE orders, extra');
    await pg.query("INSERT INTO orders VALUES (1, 'x')");
    slotBefore = await slotState();
  });
  after(async () => {
    await servers.closeAll();
    await em?.close();
    await pg?.close();
  });

  const expectFailure = async (tables: string, extra: Record<string, string>, pattern: RegExp): Promise<string> => {
    const pubBefore = await publicationTables();
    const r = await runToExit(daemonEnv(pg, em, DB, tables, extra));
    assert.equal(r.code, 1, r.output);
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

  it('a DEFERRABLE primary key: refused at setup naming the table and the constraint; no slot, no publication', async () => {
    await pg.query('CREATE TABLE deferred (id bigint PRIMARY KEY DEFERRABLE INITIALLY DEFERRED, v text)');
    const out = await expectFailure(
      'orders,deferred',
      { SOURCE_SLOT_NAME: 'deferred_slot', SOURCE_PUBLICATION_NAME: 'deferred_pub' },
      /Table 'deferred' has a DEFERRABLE INITIALLY DEFERRED primary key \(constraint deferred_pkey\); dbmazz refuses deferrable keys/,
    );
    assert.match(out, /PRIMARY KEY USING INDEX/);
    assert.equal(stageOf(out), 'SETUP');
    const created = await pg.query(
      "SELECT 1 FROM pg_replication_slots WHERE slot_name = 'deferred_slot' UNION ALL SELECT 1 FROM pg_publication WHERE pubname = 'deferred_pub'",
    );
    assert.equal(created.rowCount, 0);
  });

  it('a wrong StarRocks password: refused at INIT by the FE HTTP endpoint, naming SINK_URL, SINK_USER and SINK_PASSWORD', async () => {
    const out = await expectFailure(
      'orders',
      { SINK_PASSWORD: 'wrong-password-123' },
      new RegExp(`StarRocks at SINK_URL=${em.feHttpUrl} refused the credentials of SINK_USER 'root'`),
    );
    assert.match(out, /Check SINK_USER and SINK_PASSWORD/);
    assert.equal(stageOf(out), 'INIT');
    assert.ok(!out.includes('wrong-password-123'), 'the wrong password was echoed');
  });

  it('SINK_URL on a closed port: fails at INIT naming SINK_URL (before any slot or publication change)', async () => {
    const closed = await servers.serve((_req, res) => res.end());
    await closed.close();
    const out = await expectFailure(
      'orders',
      { SINK_URL: closed.url, SOURCE_SLOT_NAME: 'unreached_slot' },
      new RegExp(`Cannot reach the StarRocks FE HTTP endpoint SINK_URL=${closed.url} \\(connect ECONNREFUSED`),
    );
    assert.equal(stageOf(out), 'INIT');
  });

  it('SINK_URL answered by an HTTP server that is not StarRocks (404 page): fails at INIT naming SINK_URL', async () => {
    const web = await servers.serve((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body>404 Not Found</body></html>'));
    const out = await expectFailure(
      'orders',
      { SINK_URL: web.url, SOURCE_SLOT_NAME: 'web_slot' },
      new RegExp(`SINK_URL=${web.url} does not answer like a StarRocks FE: GET /api/\\{db\\}/get_load_state returned HTTP 404`),
    );
    assert.match(out, /SINK_URL must be the StarRocks FE HTTP address/);
    assert.equal(stageOf(out), 'INIT');
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
