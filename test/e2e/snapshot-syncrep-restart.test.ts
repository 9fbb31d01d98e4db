/**
 * A daemon SIGKILLed during a snapshot while a COMMIT waits for a synchronous standby
 * (docs/architecture.md, "Restarts"). Logical decoding streams a commit as soon as it is in the WAL,
 * but snapshots see it only once the standby confirms: the killed run streamed the waiting
 * transaction, wrote it and confirmed past it, then began a re-snapshot of its table (`dbmazz
 * resnapshot`); the new run never receives the transaction again, yet resumes that copy while the
 * transaction is still invisible. The source lists the sessions waiting on `SyncRep` when it starts
 * (FINISHING_XIDS_SQL) and the tracker makes every read that cannot see them be read again, so the
 * copy must not put the old value back over the streamed one. Real PostgreSQL and a real daemon:
 * `synchronous_standby_names` naming a standby that does not exist holds the COMMIT.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { e2eWorld } from './world.js';
import { daemonEnv, restartStreaming, slotActive } from './daemon-env.js';
import { waitFor } from '../helpers/wait.js';
import { exitOf, spawnDaemon } from '../helpers/daemon.js';

const DB = 'syncrepdb';
const ROWS = 1000;
/** The key the waiting commit changes: in the last chunk of the copy (chunks of 100 rows). */
const KEY = 950;

describe('end to end: SIGKILL during a snapshot while a commit waits for a synchronous standby', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const { daemons } = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await pg.query('CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)');
    await pg.query(`INSERT INTO t SELECT g, 'old' FROM generate_series(1, ${ROWS}) g`);
    await em.sql(`CREATE DATABASE ${DB}`);
  });

  const env = (): Record<string, string> =>
    daemonEnv(pg, em, DB, 't', {
      SINK_CREATE_TABLES: 'true',
      SINK_REPLICATION_NUM: '1',
      SNAPSHOT_MODE: 'initial',
      SNAPSHOT_PARALLELISM: '1',
      SNAPSHOT_CHUNK_ROWS: '100',
      FLUSH_SIZE: '100',
      FLUSH_INTERVAL_MS: '50',
    });
  const rows = async (table: string): Promise<Map<number, string>> =>
    new Map((await pg.query<{ id: number; v: string }>(`SELECT id, v FROM ${table}`)).rows.map((r) => [r.id, r.v]));
  const stored = (table: string): Map<number, string> => {
    const out = new Map<number, string>();
    for (const r of em.rows(DB, table)) if (r['dbmazz_is_deleted'] !== true) out.set(Number(r['id']), String(r['v']));
    return out;
  };
  const syncStandby = async (name: string | null): Promise<void> => {
    await pg.query(name === null ? 'ALTER SYSTEM RESET synchronous_standby_names' : `ALTER SYSTEM SET synchronous_standby_names = '${name}'`);
    await pg.query('SELECT pg_reload_conf()');
    await waitFor(async () => (await pg.query<{ s: string }>("SELECT current_setting('synchronous_standby_names') AS s")).rows[0]?.s === (name ?? ''), {
      message: 'synchronous_standby_names not reloaded',
    });
  };

  it('the restarted copy does not put back the value the waiting commit replaced', async () => {
    const first = await restartStreaming(pg, env());
    daemons.push(first);
    await first.waitForLine(/"table":"public.t".*"msg":"snapshot done"/, 30_000);

    await syncStandby('no_such_standby');
    const writer: pg.Client = await pg.connect();
    let committed: Promise<unknown> | undefined;
    try {
      await writer.query('SET synchronous_commit = on');
      await writer.query('BEGIN');
      await writer.query(`UPDATE t SET v = 'new' WHERE id = ${KEY}`);
      committed = writer.query('COMMIT');
      await waitFor(async () => (await pg.query("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'SyncRep'")).rowCount === 1, {
        message: 'the COMMIT is not waiting for the standby',
      });
      assert.equal((await rows('t')).get(KEY), 'old', 'the waiting commit is not visible yet');
      const inWal = (await pg.query<{ lsn: string }>('SELECT pg_current_wal_flush_lsn()::text AS lsn')).rows[0]?.lsn ?? '';
      // The first run streams the waiting transaction, writes it and confirms past it.
      await waitFor(
        async () =>
          (await pg.query<{ ok: boolean }>("SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = 'dbmazz_slot'", [inWal]))
            .rows[0]?.ok === true,
        { timeoutMs: 30_000, message: () => `the first run did not confirm the waiting commit:\n${first.output().slice(-3000)}` },
      );
      assert.equal(stored('t').get(KEY), 'new', 'the first run streamed the waiting commit into StarRocks');

      // A re-snapshot of t (its loads slowed: each held 500 ms), killed while it runs.
      const slow = em.faults.inject({ kind: 'slow', db: DB, table: 't', delayMs: 500 });
      const address = /gRPC control API listening on ([\d.]+:\d+)/.exec(first.output())?.[1];
      assert.ok(address !== undefined, 'the gRPC address is logged');
      const ask = spawnDaemon(env(), ['resnapshot', '--address', address, 't']);
      assert.equal(await exitOf(ask), 0, ask.output());
      await first.waitForLine(/"table":"public.t".*"reason":"requested".*"msg":"snapshot started"/, 30_000);
      await new Promise((r) => setTimeout(r, 2500));
      first.kill('SIGKILL');
      await waitFor(async () => !(await slotActive(pg)), { timeoutMs: 20_000, message: 'slot still active after the kill' });
      em.faults.clear(slow);

      // The second run resumes the re-snapshot, the waiting commit's chunk included, while it still waits.
      const second = await restartStreaming(pg, env());
      daemons.push(second);
      await second.waitForLine(/"table":"public.t".*"msg":"snapshot started"/, 60_000);
      // The killed run's re-snapshot is still pending (no chunk of it became durable: every read conflicted
      // whole with the transaction it streamed before tracking t); the new run takes it up, told of the
      // waiting commit.
      assert.match(second.output(), /"table":"public.t","reason":"requested".*"msg":"snapshot started"/, 'the second run resumes the re-snapshot');
      assert.match(second.output(), /"transactions":1,"msg":"transactions are waiting for the synchronous standby/);
      // A read of t that cannot see the waiting commit is read again: the copy of t cannot finish now.
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(
        !/"table":"public.t".*"msg":"snapshot done"/.test(second.output()),
        `t's copy finished while the commit it cannot see still waits:\n${second.output().slice(-3000)}`,
      );

      await syncStandby(null);
      await committed;
      committed = undefined;
      await second.waitForLine(/"table":"public.t".*"msg":"snapshot done"/, 60_000);
      assert.equal(stored('t').get(KEY), 'new', 'the copy put the value the waiting commit replaced back');
      assert.deepEqual(
        [...stored('t')].sort((a, b) => a[0] - b[0]),
        [...(await rows('t'))].sort((a, b) => a[0] - b[0]),
      );
    } finally {
      await syncStandby(null).catch(() => undefined);
      await committed?.catch(() => undefined);
      await writer.end().catch(() => undefined);
    }
  });
});
