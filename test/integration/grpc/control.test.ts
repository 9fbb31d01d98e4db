/**
 * The control calls through a real gRPC client against the real daemon, PostgreSQL and the StarRocks
 * emulator, asserting their effects on the data and on the replication slot.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLsn } from '../../../core/model/lsn.js';
import { waitFor } from '../../helpers/wait.js';
import { startGrpcWorld, type GrpcDaemon, type GrpcWorld, type Job } from './harness.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('gRPC control of a running daemon (PostgreSQL → StarRocks emulator)', () => {
  let world: GrpcWorld;

  before(async () => {
    world = await startGrpcWorld();
  });
  after(async () => {
    await world?.close();
  });

  const job = (name: string, ...tables: string[]): Promise<Job> => world.job(name, ...tables);

  async function daemon(env: Record<string, string>): Promise<GrpcDaemon> {
    const d = await world.daemon(env);
    await waitFor(async () => (await d.client.check()).stage === 'STAGE_CDC', { message: () => d.process.output().slice(-3000) });
    return d;
  }

  it('Pause stops reading after in-flight batches land (nothing lost, lag grows); Resume continues from there', async () => {
    const j = await job('pause_resume', 'orders');
    const d = await daemon(j.env('orders'));
    await j.insert('orders', range(1, 10));
    await waitFor(() => j.srIds('orders').length === 10, { message: () => String(j.srIds('orders')) });

    const paused = await d.client.pause();
    assert.equal(paused.success, true, paused.message);
    const atPause = await d.client.getStatus();
    assert.equal(atPause.state, 'PAUSED');
    assert.equal(atPause.pendingEvents, '0', 'everything received was written before the answer');
    const [before] = await d.client.streamMetrics(100, 1);

    // Written while paused: not read, so not replicated and not confirmed; the lag grows.
    await j.insert('orders', range(11, 20));
    assert.ok(before);
    let lag = before.lagBytes;
    await waitFor(
      async () => {
        const [m] = await d.client.streamMetrics(100, 1);
        lag = m?.lagBytes ?? lag;
        return BigInt(lag) > BigInt(before.lagBytes);
      },
      { message: () => `lag_bytes stayed at ${lag}` },
    );
    const stillPaused = await d.client.getStatus();
    assert.equal(stillPaused.state, 'PAUSED');
    assert.equal(stillPaused.confirmedLsn, atPause.confirmedLsn, 'nothing was confirmed while paused');
    assert.deepEqual(j.srIds('orders'), range(1, 10));

    const resumed = await d.client.resume();
    assert.equal(resumed.success, true, resumed.message);
    await waitFor(() => j.srIds('orders').length === 20, { message: () => String(j.srIds('orders')) });
    assert.deepEqual(j.srIds('orders'), await j.pgIds('orders'));
    const after = await d.client.getStatus();
    assert.equal(after.state, 'RUNNING');
    await waitFor(async () => BigInt((await d.client.getStatus()).confirmedLsn) > BigInt(atPause.confirmedLsn));
  });

  it('ReloadConfig: flush settings apply to the next batch; tables are added and removed live; impossible changes say why', async () => {
    const j = await job('reload', 'orders', 'items');
    // SNAPSHOT_MODE=never: the batches counted below hold streamed changes only. With a snapshot, a
    // copy that starts after the inserts reads the same 7 rows as snapshot rows (correct, but other batches).
    const d = await daemon(j.env('orders', { SNAPSHOT_MODE: 'never' }));

    // Only the size flushes now: 7 events → two batches of 3, the 7th waits for the interval.
    const flush = await d.client.reload({ flushSize: 3, flushIntervalMs: 600_000 });
    assert.equal(flush.success, true, flush.message);
    await j.insert('orders', range(1, 7));
    await waitFor(() => j.srIds('orders').length === 6, { message: () => `${String(j.srIds('orders'))}\n${d.process.output().slice(-3000)}` });
    await waitFor(async () => (await d.client.getStatus()).pendingEvents === '1');
    assert.deepEqual(j.srIds('orders'), range(1, 6));
    const interval = await d.client.reload({ flushIntervalMs: 50 });
    assert.equal(interval.success, true, interval.message);
    await waitFor(() => j.srIds('orders').length === 7);

    const missing = await d.client.reload({ tables: ['orders', 'nosuch'] });
    assert.equal(missing.success, false);
    assert.match(missing.message, /cannot add public\.nosuch: .*not found in PostgreSQL.*nothing was changed/);
    assert.deepEqual(await j.publicationTables(), ['public.orders']);

    const added = await d.client.reload({ tables: ['orders', 'items'] });
    assert.equal(added.success, true, added.message);
    assert.match(added.message, /added public\.items/);
    assert.deepEqual(await j.publicationTables(), ['public.items', 'public.orders']);
    assert.deepEqual((await d.client.getStatus()).tables, ['public.orders', 'public.items']);
    await j.insert('items', [1, 2, 3]);
    await waitFor(() => j.srIds('items').length === 3, { message: () => d.process.output().slice(-3000) });

    const removed = await d.client.reload({ tables: ['items'] });
    assert.equal(removed.success, true, removed.message);
    assert.deepEqual(await j.publicationTables(), ['public.items']);
    assert.deepEqual((await d.client.getStatus()).tables, ['public.items']);
    // orders is no longer replicated: its row is committed before the items row, which does arrive.
    await j.insert('orders', [100]);
    await j.insert('items', [4]);
    await waitFor(() => j.srIds('items').length === 4);
    assert.deepEqual(j.srIds('orders'), range(1, 7));
  });

  it('DrainAndStop writes everything buffered, confirms the final LSN, keeps the slot and exits 0: target = source', async () => {
    const j = await job('drain', 'orders');
    // SNAPSHOT_MODE=never: the counts below are of streamed changes only (no snapshot items buffered).
    const d = await daemon(j.env('orders', { FLUSH_SIZE: '100000', FLUSH_INTERVAL_MS: '600000', MAX_BUFFERED_EVENTS: '100000', SNAPSHOT_MODE: 'never' }));
    await j.insert('orders', range(1, 50));
    await j.insert('orders', range(51, 60));
    await waitFor(async () => (await d.client.getStatus()).pendingEvents === '60');
    assert.deepEqual(j.srIds('orders'), [], 'nothing flushed before the drain');
    const r = await d.client.drain();
    assert.equal(r.success, true, r.message);
    assert.equal(await d.exit(), 0, d.process.output().slice(-3000));
    assert.deepEqual(j.srIds('orders'), await j.pgIds('orders'));
    const slot = await j.slotRow();
    assert.ok(slot, 'the slot is kept');
    assert.equal(slot.active, false);
    const m = /LSN ([0-9A-F]+\/[0-9A-F]+) confirmed/.exec(r.message);
    assert.ok(m?.[1], r.message);
    assert.equal(parseLsn(slot.confirmed), parseLsn(m[1]), 'the final LSN was confirmed to PostgreSQL');
  });

  it('Stop(skip_slot_cleanup=true) stops without confirming unwritten changes; a restart replays them', async () => {
    const j = await job('stop_keep', 'orders');
    const env = j.env('orders', { FLUSH_SIZE: '100000', FLUSH_INTERVAL_MS: '600000', MAX_BUFFERED_EVENTS: '100000', SNAPSHOT_MODE: 'never' });
    const d = await daemon(env);
    await j.insert('orders', range(1, 5));
    const afterInsert = await j.walPosition();
    await waitFor(async () => (await d.client.getStatus()).pendingEvents === '5');
    const r = await d.client.stop(true);
    assert.equal(r.success, true, r.message);
    assert.match(r.message, /5 unwritten event\(s\) were not confirmed/);
    assert.equal(await d.exit(), 0);
    assert.deepEqual(j.srIds('orders'), [], 'nothing was written');
    const slot = await j.slotRow();
    assert.ok(slot, 'the slot is kept');
    assert.ok(parseLsn(slot.confirmed) < afterInsert, 'the unwritten transaction was not confirmed');
    assert.deepEqual(await j.publicationTables(), ['public.orders']);

    // PostgreSQL sends the unconfirmed transaction again: nothing was lost.
    const again = await daemon({ ...env, FLUSH_INTERVAL_MS: '100' });
    await waitFor(() => j.srIds('orders').length === 5, { message: () => again.process.output().slice(-3000) });
    assert.deepEqual(j.srIds('orders'), range(1, 5));
  });

  it('Stop(skip_slot_cleanup=false) stops, then drops the slot and the publication (job deletion)', async () => {
    const j = await job('stop_delete', 'orders');
    const d = await daemon(j.env('orders'));
    await j.insert('orders', [1]);
    await waitFor(() => j.srIds('orders').length === 1);
    const r = await d.client.stop(false);
    assert.equal(r.success, true, r.message);
    assert.match(r.message, /replication slot 'slot_stop_delete' and the publication were dropped/);
    assert.equal(await d.exit(), 0, d.process.output().slice(-3000));
    assert.equal(await j.slotRow(), undefined, 'the slot is gone');
    const pubs = await j.db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [j.publication]);
    assert.equal(pubs.rowCount, 0, 'the publication is gone');
  });
});
