/**
 * A commit that is in the WAL (so logical decoding streams it) but not yet visible, as while it waits
 * for a synchronous standby: a previous run may have streamed and confirmed it, so after a restart the
 * snapshot tracker cannot know its keys. The source asks PostgreSQL for such transactions at start
 * (FINISHING_XIDS_SQL: sessions waiting on `SyncRep`) and the tracker makes a chunk read that cannot
 * see one yet be read again whole. Real PostgreSQL: `synchronous_standby_names` naming a standby that
 * does not exist holds a COMMIT after its commit record and commit-log entry are written.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import {
  committedVisible,
  FINISHING_XIDS_SQL,
  finishingFromRow,
  parsePgSnapshot,
  xidFromText,
  type FinishingTransactions,
} from '../../../connectors/postgres/snapshot/pg-snapshot.js';
import { TouchTracker } from '../../../connectors/postgres/snapshot/tracker.js';
import { waitFor } from '../../helpers/wait.js';

describe('PostgreSQL: commits still finishing when the source starts', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
    await pg.query("CREATE TABLE f (id int PRIMARY KEY, v text); INSERT INTO f VALUES (1, 'old')");
  });
  after(async () => {
    await pg.query('ALTER SYSTEM RESET synchronous_standby_names').catch(() => undefined);
    await pg.query('SELECT pg_reload_conf()').catch(() => undefined);
    await pg.close();
  });

  const finishingNow = async (): Promise<FinishingTransactions> =>
    finishingFromRow((await pg.query<{ sync: boolean; sees_all: boolean; xids: string[] }>(FINISHING_XIDS_SQL)).rows[0]);
  const finishing = async (): Promise<readonly number[]> => (await finishingNow()).xids;
  const snapshot = async (): Promise<string> => (await pg.query<{ s: string }>('SELECT pg_current_snapshot()::text AS s')).rows[0]?.s ?? '';
  const value = async (): Promise<string | undefined> => (await pg.query<{ v: string }>('SELECT v FROM f WHERE id = 1')).rows[0]?.v;

  it('lists a commit waiting for a synchronous standby; a chunk read while it waits is read again whole, one after it is not', async () => {
    assert.deepEqual(await finishingNow(), { sync: false, seesAll: true, xids: [] }, 'no synchronous standby configured, nothing waiting');
    await pg.query("ALTER SYSTEM SET synchronous_standby_names = 'no_such_standby'");
    await pg.query('SELECT pg_reload_conf()');
    await waitFor(async () => (await pg.query<{ s: string }>("SELECT current_setting('synchronous_standby_names') AS s")).rows[0]?.s === 'no_such_standby', {
      message: 'synchronous_standby_names not reloaded',
    });
    const writer: pg.Client = await pg.connect();
    let committed: Promise<unknown> | undefined;
    try {
      // The test cluster runs with synchronous_commit off; this transaction waits as a production one would.
      await writer.query('SET synchronous_commit = on');
      await writer.query('BEGIN');
      await writer.query("UPDATE f SET v = 'new' WHERE id = 1");
      const xid = xidFromText((await writer.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]?.x ?? '');
      committed = writer.query('COMMIT'); // waits for the standby
      await waitFor(async () => (await finishing()).includes(xid), { message: 'the waiting commit is not listed' });
      assert.equal((await finishingNow()).sync, true);
      const during = parsePgSnapshot(await snapshot());
      // Still in the process array: not visible, and not even listed in progress (it is the newest
      // transaction, so xmax does not pass it): pg_xact_status calls it 'in progress' too.
      assert.equal(committedVisible(during, xid), false, 'not visible to new snapshots');
      assert.equal(await value(), 'old', 'its change is not visible yet');

      const tracker = new TouchTracker();
      tracker.track('public.f');
      tracker.streamedBeforeStart(await finishing());
      assert.equal(tracker.conflicts('public.f', during, new Set(['k'])).whole, true, 'a read that cannot see it is read again');

      await pg.query('ALTER SYSTEM RESET synchronous_standby_names');
      await pg.query('SELECT pg_reload_conf()');
      await committed;
      committed = undefined;
      assert.deepEqual(await finishing(), []);
      assert.equal(await value(), 'new');
      assert.equal(tracker.conflicts('public.f', parsePgSnapshot(await snapshot()), new Set(['k'])).whole, false, 'a read that sees it is placed');
    } finally {
      if (committed) {
        await pg.query('ALTER SYSTEM RESET synchronous_standby_names');
        await pg.query('SELECT pg_reload_conf()');
        await committed.catch(() => undefined);
      }
      await writer.end();
    }
  });
});
