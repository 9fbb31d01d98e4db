import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLsn } from '../../../core/index.js';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { waitFor } from '../../helpers/wait.js';
import { Collector, createSource } from './helpers.js';

const ROWS = 20_000;

async function lag(pg: PgHarness): Promise<{ sent: bigint; current: bigint }> {
  const r = await pg.query<{ sent: string | null; current: string }>(
    "SELECT (SELECT sent_lsn::text FROM pg_stat_replication WHERE application_name = 'dbmazz') AS sent, pg_current_wal_lsn()::text AS current",
  );
  const row = r.rows[0];
  return { sent: parseLsn(row?.sent ?? '0/0'), current: parseLsn(row?.current ?? '0/0') };
}

describe('PostgreSQL source backpressure', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
    await pg.query('CREATE TABLE bp (id int PRIMARY KEY, pad text)');
  });
  after(() => pg.close());

  it('a blocked handler pauses the socket: the server is held back, the queue stays bounded, events resume on release', async () => {
    const src = createSource(pg, { slot: 'bp', tables: ['bp'], statusIntervalMs: 500 });
    const c = new Collector();
    let first = true;
    c.onEvent = (ev) => {
      if (ev.kind === 'change' && first) {
        first = false;
        c.block(); // this and every later call returns a pending promise until release()
      }
    };
    try {
      await src.setup();
      await src.start(c.handler);
      // ~40 MB of changes in 100 transactions.
      for (let i = 0; i < 100; i++) {
        const lo = i * (ROWS / 100) + 1;
        await pg.query(`INSERT INTO bp SELECT g, repeat(md5(g::text), 64) FROM generate_series($1::int, $2::int) g`, [lo, lo + ROWS / 100 - 1]);
      }
      await waitFor(() => src.socketPaused, { message: 'socket paused' });
      // Let the server push as much as it can; a paused socket means it cannot push much.
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(c.changes().length, 1, 'no event while the handler blocks');
      assert.ok(src.bufferedFrames < 500, `queue bounded by one socket read (got ${src.bufferedFrames})`);
      assert.ok(src.socketPaused);
      const l = await lag(pg);
      assert.ok(l.sent < l.current, 'the walsender is held back (its sent position is behind the WAL end)');

      c.release();
      await c.waitForChanges(ROWS, 120_000);
      const ids = c.changes().map((r) => (r.op === 'insert' ? r.after[0] : undefined));
      assert.deepEqual(ids.slice(0, 3), [1, 2, 3]);
      assert.equal(ids.at(-1), ROWS);
      assert.equal(new Set(ids).size, ROWS);
    } finally {
      c.release();
      await src.close();
    }
  });

  it('pause()/resume() stop and restart events; stop() while the handler blocks still completes', async () => {
    const src = createSource(pg, { slot: 'pr', tables: ['bp'] });
    const c = new Collector();
    try {
      await src.setup();
      await src.start(c.handler);
      src.pause();
      await pg.query('UPDATE bp SET pad = NULL WHERE id <= 10');
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(c.changes().length, 0, 'no events while paused');
      src.resume();
      await c.waitForChanges(10);
      const seen = c.events.length;
      c.block();
      await pg.query('UPDATE bp SET pad = NULL WHERE id <= 20');
      await waitFor(() => c.events.length > seen, { message: 'an event while blocked' });
      await src.stop(); // the handler still holds a promise
      await src.done();
    } finally {
      c.release();
      await src.close();
    }
  });
});
