/**
 * Another PostgreSQL cluster behind the same StarRocks tables (a dump/restore, an upgrade by logical
 * replication): its LSNs start lower than the versions the first cluster stored, so merge_condition and
 * the replay guard would silently drop every update and delete of a key StarRocks already holds. The
 * sink records each target's source (dbmazz_source_identity) and refuses another one at setup, unless
 * SINK_ON_SOURCE_CHANGE=truncate starts over.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, spawnDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';

const DB = 'ident';

describe('end to end: a second PostgreSQL cluster writing into the same StarRocks tables', () => {
  let first: PgHarness;
  let second: PgHarness;
  let em: StarRocksEmulator;
  const daemons: DaemonProcess[] = [];

  before(async () => {
    [first, second] = await Promise.all([startPostgres(), startPostgres()]);
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    await em.sql(`CREATE DATABASE ${DB}`);
    await em.sql('CREATE TABLE t (id INT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")', DB);
    for (const pg of [first, second]) await pg.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
    // The first cluster has written far more WAL: its LSNs are well above the second one's.
    for (let i = 0; i < 3; i++) {
      await first.query(`CREATE TABLE filler_${i} AS SELECT 1 AS x`);
      await first.query('SELECT pg_switch_wal()');
    }
  });
  after(async () => {
    await killDaemons(...daemons);
    await em?.close();
    await Promise.all([first?.close(), second?.close()]);
  });

  const sysid = async (pg: PgHarness): Promise<string> =>
    (await pg.query<{ id: string }>('SELECT system_identifier::text AS id FROM pg_control_system()')).rows[0]?.id ?? '';
  /** `id=v` of the live rows, sorted. */
  const live = (): string[] =>
    em
      .rows(DB, 't')
      .filter((r) => r['dbmazz_is_deleted'] !== true)
      .map((r) => `${String(r['id'])}=${String(r['v'])}`)
      .sort();
  const all = (): string => JSON.stringify(em.rows(DB, 't').map((r) => [r['id'], r['v'], r['dbmazz_is_deleted'], r['dbmazz_cdc_version']].map(String)));
  const recorded = (): string[] => em.rows(DB, 'dbmazz_source_identity').map((r) => `${String(r['table_name'])}=${String(r['source_id'])}`);
  const converge = async (d: DaemonProcess, expected: readonly string[]): Promise<void> => {
    await waitFor(() => JSON.stringify(live()) === JSON.stringify(expected), {
      timeoutMs: 30_000,
      message: () => `StarRocks has ${JSON.stringify(live())}, expected ${JSON.stringify(expected)}\n${d.output().slice(-3000)}`,
    });
  };
  const env = (pg: PgHarness, extra: Record<string, string> = {}): Record<string, string> => daemonEnv(pg, em, DB, 't', extra);

  it('refuses the second cluster (exit 1, nothing changed); with SINK_ON_SOURCE_CHANGE=truncate it starts over and its updates and deletes apply', async () => {
    // 1. The first cluster replicates three rows.
    const a = await startStreaming(first, env(first));
    daemons.push(a);
    await first.query("INSERT INTO t VALUES (1, 'a1'), (2, 'a2'), (3, 'a3')");
    await converge(a, ['1=a1', '2=a2', '3=a3']);
    a.kill('SIGTERM');
    assert.equal((await a.exited).code, 0, a.output().slice(-3000));
    const firstId = `postgresql:${await sysid(first)}:${first.database}`;
    assert.deepEqual(recorded(), [`t=${firstId}`]);

    // 2. The same rows "restored" into the second cluster, which then is the configured source.
    await second.query("INSERT INTO t VALUES (1, 'a1'), (2, 'a2'), (3, 'a3')");
    const secondId = `postgresql:${await sysid(second)}:${second.database}`;
    assert.notEqual(secondId, firstId);
    const before = all();
    const refused = spawnDaemon(env(second));
    daemons.push(refused);
    const exit = await refused.exited;
    assert.equal(exit.code, 1, refused.output().slice(-3000));
    const out = refused.output();
    assert.match(
      out,
      new RegExp(`${DB}\\.t \\(source table public\\.t\\) holds rows written from PostgreSQL system ${await sysid(first)}, database ${first.database}`),
    );
    assert.match(out, new RegExp(`configured now, PostgreSQL system ${await sysid(second)}, database ${second.database}`));
    assert.match(out, /SINK_ON_SOURCE_CHANGE=truncate/);
    assert.equal(all(), before, 'StarRocks rows changed');
    assert.deepEqual(recorded(), [`t=${firstId}`], 'the recorded source changed');
    const slots = await second.query('SELECT slot_name FROM pg_replication_slots');
    assert.equal(slots.rowCount, 0, 'a slot was created although setup was refused');

    // 3. Starting over: the table is emptied, the new source recorded, the initial snapshot copies the
    // second cluster's rows (a1 of key 1 is never changed again) and changes of existing keys apply.
    const b = await startStreaming(second, env(second, { SINK_ON_SOURCE_CHANGE: 'truncate' }));
    daemons.push(b);
    await b.waitForLine(/written from another source; emptying it/, 10_000);
    assert.deepEqual(recorded(), [`t=${secondId}`]);
    await second.query("UPDATE t SET v = 'b2' WHERE id = 2");
    await second.query('DELETE FROM t WHERE id = 3');
    await second.query("INSERT INTO t VALUES (4, 'b4')");
    await converge(b, ['1=a1', '2=b2', '4=b4']);
    await second.query("UPDATE t SET v = 'b2x' WHERE id = 2");
    await second.query('DELETE FROM t WHERE id = 4');
    await converge(b, ['1=a1', '2=b2x']);
    const deleted = em
      .rows(DB, 't')
      .filter((r) => r['dbmazz_is_deleted'] === true)
      .map((r) => String(r['id']))
      .sort();
    assert.deepEqual(deleted, ['3', '4']);
    b.kill('SIGTERM');
    assert.equal((await b.exited).code, 0, b.output().slice(-3000));

    // 4. A restart with the same source keeps everything (nothing is truncated again).
    const again = await startStreaming(second, env(second, { SINK_ON_SOURCE_CHANGE: 'truncate' }));
    daemons.push(again);
    assert.deepEqual(live(), ['1=a1', '2=b2x']);
    again.kill('SIGTERM');
    assert.equal((await again.exited).code, 0, again.output().slice(-3000));
  });
});
