/**
 * TRUNCATE_POLICY end to end: the real CLI between a harness PostgreSQL and the StarRocks emulator.
 * Each policy gets its own source table, slot, publication and StarRocks database.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inTransaction, startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { exitOf, killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';

const SR_TABLE = (name: string): string =>
  `CREATE TABLE ${name} (id INT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")`;

describe('end to end: TRUNCATE_POLICY=apply|ignore|fail', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const daemons: DaemonProcess[] = [];

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    for (const policy of ['apply', 'ignore', 'fail']) {
      await em.sql(`CREATE DATABASE tr_${policy}`);
      await em.sql(SR_TABLE(`t_${policy}`), `tr_${policy}`);
      await pg.query(`CREATE TABLE t_${policy} (id int PRIMARY KEY, v text)`);
    }
    await em.sql(SR_TABLE('u_apply'), 'tr_apply');
    await pg.query('CREATE TABLE u_apply (id int PRIMARY KEY, v text)');
  });
  after(async () => {
    await killDaemons(...daemons);
    await em?.close();
    await pg?.close();
  });

  /** `id=v` of the live (not soft-deleted) rows, sorted. */
  const live = (db: string, table: string): string[] =>
    em
      .rows(db, table)
      .filter((r) => r['dbmazz_is_deleted'] !== true)
      .map((r) => `${String(r['id'])}=${String(r['v'])}`)
      .sort();

  const start = async (policy: string, tables: string, extra: Record<string, string> = {}): Promise<DaemonProcess> => {
    const slot = `slot_${policy}`;
    const d = await startStreaming(
      pg,
      // The tables start empty and these tests are about streamed TRUNCATEs: no initial snapshot, whose
      // read could otherwise land after a TRUNCATE and sweep the rows an ignored TRUNCATE keeps
      // (docs/starrocks.md, "TRUNCATE").
      daemonEnv(pg, em, `tr_${policy}`, tables, { SOURCE_SLOT_NAME: slot, SOURCE_PUBLICATION_NAME: `pub_${policy}`, SNAPSHOT_MODE: 'never', ...extra }),
      slot,
    );
    daemons.push(d);
    return d;
  };

  const converge = async (d: DaemonProcess, db: string, table: string, expected: readonly string[]): Promise<void> => {
    await waitFor(() => JSON.stringify(live(db, table)) === JSON.stringify(expected), {
      timeoutMs: 30_000,
      message: () => `${db}.${table} is ${JSON.stringify(live(db, table))}, expected ${JSON.stringify(expected)}\n${d.output().slice(-3000)}`,
    });
  };

  const confirmedFlush = async (slot: string): Promise<string> => {
    const r = await pg.query<{ lsn: string | null }>('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
    return r.rows[0]?.lsn ?? '0/0';
  };
  const lsnAfter = async (a: string, b: string): Promise<boolean> => {
    const r = await pg.query<{ ok: boolean }>('SELECT $1::pg_lsn > $2::pg_lsn AS ok', [a, b]);
    return r.rows[0]?.ok === true;
  };
  /** Waits until the slot confirmed a transaction that started after `mark`. */
  const confirmedAfter = (slot: string, mark: string, what: string): Promise<boolean> =>
    waitFor(async () => lsnAfter(await confirmedFlush(slot), mark), { timeoutMs: 20_000, message: what });
  const currentLsn = async (): Promise<string> => (await pg.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]?.lsn ?? '0/0';

  it('apply: rows written before the TRUNCATE are gone, rows after it are there, in stream order inside one flush', async () => {
    // A long flush interval keeps the whole transaction in one flush: inserts, TRUNCATE and inserts.
    const d = await start('apply', 't_apply,u_apply', { TRUNCATE_POLICY: 'apply', FLUSH_INTERVAL_MS: '1500' });
    await inTransaction(pg, async (c) => {
      await c.query("INSERT INTO t_apply VALUES (1, 'before'), (2, 'before'), (3, 'before')");
      await c.query("INSERT INTO u_apply VALUES (1, 'u'), (2, 'u')");
      await c.query("UPDATE t_apply SET v = 'updated' WHERE id = 2");
      await c.query('DELETE FROM t_apply WHERE id = 1');
      await c.query('TRUNCATE t_apply');
      await c.query("INSERT INTO t_apply VALUES (3, 'after'), (4, 'after')");
    });
    await converge(d, 'tr_apply', 't_apply', ['3=after', '4=after']);
    assert.equal(em.rows('tr_apply', 't_apply').length, 2, 'the soft-deleted row written before the TRUNCATE is gone too');
    assert.deepEqual(live('tr_apply', 'u_apply'), ['1=u', '2=u'], 'a table the TRUNCATE did not name keeps its rows');
    const loads = em.loads().filter((l) => l.db === 'tr_apply' && l.table === 't_apply');
    assert.ok(loads.length >= 2 && loads.every((l) => l.status === 'Success'), JSON.stringify(loads.map((l) => [l.label, l.status])));

    // A TRUNCATE of two tables in its own transaction, then a row.
    await pg.query('TRUNCATE t_apply, u_apply');
    const mark = await currentLsn();
    await pg.query("INSERT INTO u_apply VALUES (9, 'later')");
    await converge(d, 'tr_apply', 'u_apply', ['9=later']);
    assert.deepEqual(live('tr_apply', 't_apply'), []);
    assert.equal((await d.waitForLine(/"msg":"TRUNCATE applied"/)).includes('t_apply'), true);
    assert.equal(d.lines.filter((l) => l.includes('"msg":"TRUNCATE applied"')).length, 2);

    await confirmedAfter('slot_apply', mark, 'the slot did not confirm past the TRUNCATEs');
    d.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.output().slice(-3000));
  });

  it('ignore (the default): a warning, the rows stay, replication goes on', async () => {
    const d = await start('ignore', 't_ignore');
    await pg.query("INSERT INTO t_ignore VALUES (1, 'a'), (2, 'b')");
    await pg.query('TRUNCATE t_ignore');
    const mark = await currentLsn();
    await pg.query("INSERT INTO t_ignore VALUES (3, 'c')");
    await converge(d, 'tr_ignore', 't_ignore', ['1=a', '2=b', '3=c']);
    const warning = await d.waitForLine(/TRUNCATE ignored \(TRUNCATE_POLICY=ignore\)/);
    const parsed = JSON.parse(warning) as { level: unknown; tables: string[] };
    assert.equal(parsed.level, 'warn');
    assert.deepEqual(parsed.tables, ['public.t_ignore']);
    const pgRows = await pg.query<{ id: number }>('SELECT id FROM t_ignore');
    assert.deepEqual(
      pgRows.rows.map((r) => r.id),
      [3],
      'PostgreSQL was truncated; StarRocks kept its rows',
    );
    await confirmedAfter('slot_ignore', mark, 'the slot did not confirm past the TRUNCATE');
    d.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.output().slice(-3000));
  });

  it('fail: a stage error and a non-zero exit, nothing confirmed past the TRUNCATE; a restart with apply resumes from it', async () => {
    const d = await start('fail', 't_fail', { TRUNCATE_POLICY: 'fail' });
    const mark = await currentLsn();
    await pg.query("INSERT INTO t_fail VALUES (1, 'a'), (2, 'b')");
    await converge(d, 'tr_fail', 't_fail', ['1=a', '2=b']);
    await confirmedAfter('slot_fail', mark, 'the inserts were not confirmed');
    const beforeTruncate = await currentLsn();

    await pg.query('TRUNCATE t_fail');
    await pg.query("INSERT INTO t_fail VALUES (3, 'c')");
    assert.equal(await exitOf(d), 1, d.output().slice(-3000));
    assert.match(d.output(), /TRUNCATE of public\.t_fail at [0-9A-F]+\/[0-9A-F]+ stops replication \(TRUNCATE_POLICY=fail\)/);
    assert.match(d.output(), /TRUNCATE_POLICY=apply truncates the target table too, TRUNCATE_POLICY=ignore keeps its rows/);
    assert.deepEqual(live('tr_fail', 't_fail'), ['1=a', '2=b'], 'nothing after the TRUNCATE was written');
    const confirmed = await confirmedFlush('slot_fail');
    const r = await pg.query<{ ok: boolean }>('SELECT $1::pg_lsn <= $2::pg_lsn AS ok', [confirmed, beforeTruncate]);
    assert.equal(r.rows[0]?.ok, true, `confirmed ${confirmed} is past the TRUNCATE (which starts after ${beforeTruncate})`);

    // The TRUNCATE was not confirmed: a restart reads it again, and with apply it is applied.
    const again = await start('fail', 't_fail', { TRUNCATE_POLICY: 'apply' });
    await converge(again, 'tr_fail', 't_fail', ['3=c']);
    again.kill('SIGTERM');
    assert.equal((await again.exited).code, 0, again.output().slice(-3000));
  });
});
