import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError, formatLsn, type ChangeRecord } from '../../../core/index.js';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { waitFor } from '../../helpers/wait.js';
import { Collector, confirmedFlush, createSource } from './helpers.js';

const keyOf = (r: ChangeRecord): unknown => (r.op === 'delete' ? r.before[0] : r.after[0]);

async function slotActive(pg: PgHarness, slot: string): Promise<boolean> {
  const r = await pg.query<{ active: boolean }>('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  return r.rows[0]?.active === true;
}

describe('PostgreSQL source: acknowledgement, restart and shutdown', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
    await pg.query('CREATE TABLE r (id int PRIMARY KEY, v text)');
    await pg.query('CREATE TABLE s (id int PRIMARY KEY)');
  });
  after(() => pg.close());

  it('a restart resumes after the acknowledged transaction; unacknowledged ones are redelivered', async () => {
    const a = createSource(pg, { slot: 'resume', tables: ['r'] });
    const ca = new Collector();
    await a.setup();
    await a.start(ca.handler);
    await pg.query("INSERT INTO r VALUES (1, 'tx1')");
    await pg.query("INSERT INTO r VALUES (2, 'tx2')");
    await ca.waitForCommits(2);
    const [c1, c2] = ca.commits();
    assert.ok(c1 && c2);
    a.acknowledge(c1.position);
    await waitFor(async () => (await confirmedFlush(pg, 'resume')) === formatLsn(c1.position), { message: 'ack reaches the slot' });
    assert.equal(a.status().confirmedPosition, c1.position);
    const tx2First = ca.changes()[1];
    await a.close();
    await a.close(); // idempotent
    assert.equal(await confirmedFlush(pg, 'resume'), formatLsn(c1.position), 'never more than acknowledged');

    const b = createSource(pg, { slot: 'resume', tables: ['r'] });
    const cb = new Collector();
    await b.setup();
    await b.start(cb.handler);
    await pg.query("INSERT INTO r VALUES (3, 'tx3')");
    await cb.waitForCommits(2);
    assert.deepEqual(cb.changes().map(keyOf), [2, 3], 'tx1 skipped, tx2 redelivered, then tx3');
    const again = cb.changes()[0];
    assert.equal(again?.lsn, tx2First?.lsn, 'a redelivered change has the same LSN');
    assert.equal(again?.commitLsn, tx2First?.commitLsn);
    assert.equal(cb.commits()[0]?.position, c2.position);
    await b.close();
  });

  it('a position acknowledged before start (a checkpoint ahead of the slot) is where streaming resumes', async () => {
    const a = createSource(pg, { slot: 'ahead', tables: ['s'] });
    const ca = new Collector();
    await a.setup();
    await a.start(ca.handler);
    await pg.query('INSERT INTO s VALUES (1)');
    await pg.query('INSERT INTO s VALUES (2)');
    await ca.waitForCommits(2);
    const first = ca.commits()[0];
    assert.ok(first);
    await a.close(); // nothing acknowledged: the slot is behind

    const b = createSource(pg, { slot: 'ahead', tables: ['s'] });
    const cb = new Collector();
    b.acknowledge(first.position);
    await b.start(cb.handler);
    await cb.waitForCommits(1);
    assert.deepEqual(cb.changes().map(keyOf), [2]);
    await b.close();
  });

  it('stop() ends the COPY cleanly: the slot is released and the source is done', async () => {
    const a = createSource(pg, { slot: 'stopper', tables: ['s'] });
    const ca = new Collector();
    await a.setup();
    await a.start(ca.handler);
    await waitFor(() => slotActive(pg, 'stopper'), { message: 'slot active' });
    await a.stop();
    await a.done();
    await waitFor(async () => !(await slotActive(pg, 'stopper')), { message: 'slot released after stop' });
    await a.close();
  });

  it('a fast PostgreSQL shutdown with the source attached completes (exact LSN reporting), then the source resumes', async () => {
    let acked = 0n;
    const a = createSource(pg, { slot: 'shutdown', tables: ['r'] });
    const ca = new Collector();
    ca.onEvent = (ev) => {
      if (ev.kind === 'commit' || ev.kind === 'idle') {
        a.acknowledge(ev.position);
        if (ev.position > acked) acked = ev.position;
      }
    };
    try {
      await a.setup();
      await a.start(ca.handler);
      await pg.query("INSERT INTO r VALUES (100, 'before shutdown')");
      await ca.waitForCommits(1);
      const done = a.done();
      // pg_ctl stop -m fast waits (up to its 60 s timeout, then fails) until the walsender sees its
      // last sent position confirmed; lsn+1 or a lagging position would make this reject.
      await pg.stop();
      await assert.rejects(done, (e: unknown) => e instanceof CdcError && e.retry === 'retry' && e.code === 'SOURCE_CONNECTION');
    } finally {
      await a.close();
    }

    await pg.start();
    // PostgreSQL before 17 keeps an advanced confirmed_flush_lsn in memory until a checkpoint that
    // saves the slot, so after a restart the slot may be behind: a caller with its own durable position
    // (here the last acknowledged one) passes it before start, and streaming resumes from the larger of
    // the two. (The daemon does not: it replays those transactions, see docs/postgres.md.)
    const b = createSource(pg, { slot: 'shutdown', tables: ['r'] });
    const cb = new Collector();
    b.acknowledge(acked);
    try {
      await b.start(cb.handler);
      await pg.query("INSERT INTO r VALUES (101, 'after restart')");
      await cb.waitForCommits(1);
      assert.deepEqual(cb.changes().map(keyOf), [101], 'the acknowledged transaction is not redelivered');
    } finally {
      await b.close();
    }
  });

  it('start() on a missing slot is a clear setup error (SlotLostError)', async () => {
    const a = createSource(pg, { slot: 'never_created', tables: ['r'] });
    try {
      await assert.rejects(
        a.start(new Collector().handler),
        (e: unknown) => e instanceof CdcError && /'never_created' is missing/.test(e.message) && e.retry === 'never',
      );
      await assert.rejects(a.done());
    } finally {
      await a.close();
    }
  });

  it('a slot in use by another connection is a retriable error', async () => {
    const a = createSource(pg, { slot: 'busy', tables: ['s'] });
    await a.setup();
    await a.start(new Collector().handler);
    const b = createSource(pg, { slot: 'busy', tables: ['s'] });
    try {
      await assert.rejects(b.start(new Collector().handler), (e: unknown) => e instanceof CdcError && e.retry === 'retry');
    } finally {
      await b.close();
      await a.close();
    }
  });
});
