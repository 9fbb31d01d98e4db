/**
 * Every CdcControlService / CdcStatusService call through a real gRPC client against the control
 * plane over the memory connectors: the effects on the pipeline and on the written data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { formatLsn } from '../../../../core/model/lsn.js';
import { testTable } from '../../../../core/testing/index.js';
import { waitFor } from '../../../helpers/wait.js';
import { orders, startControl, type ControlHarness } from './harness.js';

async function withControl(fn: (h: ControlHarness) => Promise<void>, flushIntervalMs = 20): Promise<void> {
  const h = await startControl({ flushIntervalMs });
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

const ids = (h: ControlHarness, table = 'orders'): bigint[] => h.sink.rows(table).map((r) => (r.op === 'delete' ? 0n : (r.after[0] as bigint)));

test('before setup every control call answers success=false with the stage; GetStatus still answers', () =>
  withControl(async (h) => {
    for (const r of [await h.client.pause(), await h.client.resume(), await h.client.reload({ flushSize: 5 })]) {
      assert.equal(r.success, false);
      assert.match(r.message, /not replicating yet \(stage INIT/);
    }
    const s = await h.client.getStatus();
    assert.deepEqual(
      { ...s },
      {
        state: 'RUNNING',
        currentLsn: '0',
        confirmedLsn: '0',
        pendingEvents: '0',
        slotName: '',
        tables: [],
        snapshots: [],
        snapshotRunning: false,
        standby: false,
        standbyDetail: '',
        takeovers: '0',
      },
    );
  }));

test('Pause lands what was received, stops reading (nothing lost), GetStatus says PAUSED; Resume continues from there', () =>
  withControl(async (h) => {
    await h.run();
    h.source.emit(...h.stream.inserts(orders, 3, 1));
    await waitFor(() => ids(h).length === 3);
    // Received but not yet flushed (long interval), then Pause: it is written before the answer.
    await h.client.reload({ flushIntervalMs: 60_000 });
    h.source.emit(...h.stream.inserts(orders, 2, 4));
    assert.equal(ids(h).length, 3);
    const paused = await h.client.pause();
    assert.equal(paused.success, true, paused.message);
    assert.deepEqual(ids(h), [1n, 2n, 3n, 4n, 5n]);
    assert.equal(h.source.paused, true, 'the source stopped reading');
    const status = await h.client.getStatus();
    assert.equal(status.state, 'PAUSED');
    assert.equal(status.confirmedLsn, h.state.confirmedLsn.toString());
    assert.equal(status.pendingEvents, '0');
    assert.match(paused.message, new RegExp(`confirmed LSN ${formatLsn(h.state.confirmedLsn).replace('/', '\\/')}`));

    const again = await h.client.pause();
    assert.deepEqual({ ...again }, { success: false, message: 'CDC is already paused' });

    // Written while paused: queued at the source, nothing read.
    h.source.emit(...h.stream.inserts(orders, 2, 6));
    assert.equal(h.source.pending, 4, 'the source holds the events while paused');
    assert.equal(ids(h).length, 5);

    await h.client.reload({ flushIntervalMs: 20 });
    const resumed = await h.client.resume();
    assert.equal(resumed.success, true, resumed.message);
    assert.equal((await h.client.getStatus()).state, 'RUNNING');
    await waitFor(() => ids(h).length === 7, { message: () => String(ids(h)) });
    assert.deepEqual(ids(h), [1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    assert.deepEqual({ ...(await h.client.resume()) }, { success: false, message: 'CDC is already running' });
  }));

test('ReloadConfig: flush_size applies to the next batch; 0 / empty are "unchanged"; nothing requested → success=false', () =>
  withControl(async (h) => {
    await h.run();
    const none = await h.client.reload({});
    assert.equal(none.success, false);
    assert.match(none.message, /No configuration changes provided/);

    const r = await h.client.reload({ flushSize: 2, flushIntervalMs: 600_000 });
    assert.equal(r.success, true, r.message);
    assert.match(r.message, /flush_size=2, flush_interval_ms=600000 apply from the next batch/);
    h.source.emit(...h.stream.inserts(orders, 5, 1));
    // Only the size triggers flushes now: two full batches of 2, the fifth event waits.
    await waitFor(() => ids(h).length === 4);
    assert.deepEqual(
      h.sink.durable.map((b) => b.records.length),
      [2, 2],
    );
    assert.equal(h.state.bufferedEvents, 1);

    const bad = await h.client.reload({ flushSize: '999999999', flushIntervalMs: 5 });
    assert.equal(bad.success, false);
    assert.match(bad.message, /^Nothing was changed: flush_size 999999999 is above 10000 \(MAX_BUFFERED_EVENTS/);
    // The rejected request changed nothing (the interval of 5 ms was not applied either).
    assert.equal(h.state.bufferedEvents, 1);
  }));

test('ReloadConfig.tables adds a table (checked by the source, set up in the sink, then streamed) and removes one', () =>
  withControl(async (h) => {
    const items = testTable('items');
    h.source.catalog.set('public.items', items);
    await h.run();
    const missing = await h.client.reload({ tables: ['orders', 'public.nope'] });
    assert.equal(missing.success, false);
    assert.match(missing.message, /cannot add public\.nope: .*not found.*; nothing was changed/);
    assert.deepEqual(h.state.tables, ['public.orders']);

    const added = await h.client.reload({ tables: ['orders', 'items'] });
    assert.equal(added.success, true, added.message);
    assert.match(added.message, /added public\.items/);
    assert.deepEqual(h.source.added, ['public.items']);
    assert.deepEqual(h.sink.setupTables, [items], 'the sink prepared the new table before it was streamed');
    assert.deepEqual((await h.client.getStatus()).tables, ['public.orders', 'public.items']);
    h.source.emit(...h.stream.inserts(items, 2, 1));
    await waitFor(() => ids(h, 'items').length === 2);

    const removed = await h.client.reload({ tables: ['items'] });
    assert.equal(removed.success, true, removed.message);
    assert.match(removed.message, /removed public\.orders/);
    assert.deepEqual(h.source.removed, ['public.orders']);
    assert.deepEqual((await h.client.getStatus()).tables, ['public.items']);

    const unchanged = await h.client.reload({ tables: ['public.items'] });
    assert.equal(unchanged.success, true);
    assert.match(unchanged.message, /tables unchanged/);
  }));

test('ReloadConfig.tables with a source that cannot change tables live answers success=false and changes nothing', () =>
  withControl(async (h) => {
    await h.run();
    Object.defineProperty(h.source, 'checkTables', { value: undefined });
    const r = await h.client.reload({ tables: ['orders', 'items'], flushSize: 3 });
    assert.equal(r.success, false);
    assert.match(r.message, /cannot add tables while running; nothing was changed.*; flush settings were not changed$/);
    assert.deepEqual(h.state.tables, ['public.orders']);
  }));

test('DrainAndStop writes everything buffered, confirms the final position and answers once stopped; the slot is kept', () =>
  withControl(async (h) => {
    const running = await h.run();
    await h.client.reload({ flushIntervalMs: 600_000 });
    const events = h.stream.inserts(orders, 4, 1);
    h.source.emit(...events);
    assert.equal(ids(h).length, 0, 'nothing flushed yet');
    const answer = h.client.drain();
    await running.done;
    await h.finish();
    const r = await answer;
    assert.equal(r.success, true, r.message);
    assert.deepEqual(ids(h), [1n, 2n, 3n, 4n]);
    const last = events[events.length - 1];
    assert.ok(last?.kind === 'commit');
    assert.equal(h.source.positionSentOnStop, last.position, 'the final position was confirmed to the source');
    assert.match(r.message, new RegExp(`LSN ${formatLsn(last.position).replace('/', '\\/')} confirmed; the replication slot is kept`));
    assert.equal(h.cleanupSources.length, 0, 'no slot cleanup on drain');
    assert.equal((await h.client.getStatus()).state, 'STOPPED');
    assert.equal((await h.client.check()).status, 'NOT_SERVING');
    assert.deepEqual({ ...(await h.client.drain()) }, { success: false, message: 'CDC is already stopped' });
  }));

test('Stop(skip_slot_cleanup=true) stops at once without confirming unwritten changes and keeps the slot', () =>
  withControl(async (h) => {
    const running = await h.run();
    h.source.emit(...h.stream.inserts(orders, 2, 1));
    await waitFor(() => ids(h).length === 2);
    const confirmed = h.state.confirmedLsn;
    h.sink.hold();
    h.source.emit(...h.stream.inserts(orders, 3, 3));
    await waitFor(() => h.sink.inProgress === 1);
    const answer = h.client.stop(true);
    await running.done;
    await h.finish();
    const r = await answer;
    assert.equal(r.success, true, r.message);
    assert.match(r.message, /3 unwritten event\(s\) were not confirmed.*the replication slot and the publication are kept/);
    assert.deepEqual(ids(h), [1n, 2n]);
    assert.equal(h.state.confirmedLsn, confirmed, 'nothing unwritten was confirmed');
    assert.equal(h.source.positionSentOnStop, confirmed);
    assert.equal(h.cleanupSources.length, 0);
  }));

test('Stop(skip_slot_cleanup=false) drops the slot and the publication after the stop (job deletion)', () =>
  withControl(async (h) => {
    const running = await h.run();
    const answer = h.client.stop(false);
    await running.done;
    assert.equal(h.cleanupSources.length, 0, 'the cleanup runs only after the stop');
    await h.finish();
    const r = await answer;
    assert.equal(r.success, true, r.message);
    assert.match(r.message, /the replication slot '.*' and the publication were dropped/);
    assert.equal(h.cleanupSources.length, 1);
    assert.equal(h.cleanupSources[0]?.destroyed, 1);
    assert.equal(h.cleanupSources[0]?.closed, true);
    assert.deepEqual({ ...(await h.client.stop(true)) }, { success: false, message: 'CDC is already stopped' });
  }));

test('a failing slot cleanup makes Stop answer success=false with the reason (after retrying)', async () => {
  const h = await startControl({ failCleanup: true });
  try {
    const running = await h.run();
    const answer = h.client.stop(false);
    await running.done;
    await h.finish();
    const r = await answer;
    assert.equal(r.success, false);
    assert.match(r.message, /CDC stopped, but dropping the replication slot .* failed: .*permission denied.*; remove them by hand/);
    assert.equal(h.cleanupSources[0]?.destroyed, 2, 'tried as often as configured');
    assert.equal(h.cleanupSources[0]?.closed, true);
  } finally {
    await h.close();
  }
});

/** What the daemon does when the pipeline failed on a transient error: it detaches it and reconnects. */
async function reconnecting(h: ControlHarness): Promise<void> {
  const running = await h.run();
  h.source.emit(...h.stream.inserts(orders, 2, 1));
  await waitFor(() => ids(h).length === 2);
  h.source.failStream(new CdcError({ code: 'SOURCE_CONNECTION', retry: 'retry', message: 'PostgreSQL: connection lost' }));
  await running.done.catch(() => undefined);
  h.controller.detach();
  h.state.beginOutage('PostgreSQL: connection lost', Date.now());
  h.state.setStage('CDC', 'Reconnecting: attempt 1 in 0.7 s');
}

test('while reconnecting: Pause, Resume and ReloadConfig say so; GetStatus reads RUNNING, nothing pending; DrainAndStop ends it', () =>
  withControl(async (h) => {
    await reconnecting(h);
    const calls = [
      ['pause', await h.client.pause()],
      ['resume', await h.client.resume()],
      ['reload the configuration', await h.client.reload({ flushSize: 5 })],
    ] as const;
    for (const [what, r] of calls) {
      assert.deepEqual(
        { ...r },
        { success: false, message: `Cannot ${what}: reconnecting (stage CDC: Reconnecting: attempt 1 in 0.7 s; last error: PostgreSQL: connection lost)` },
      );
    }
    const s = await h.client.getStatus();
    assert.equal(s.state, 'RUNNING');
    assert.equal(s.pendingEvents, '0');
    assert.deepEqual(
      { ...(await h.client.check()) },
      { status: 'NOT_SERVING', stage: 'STAGE_CDC', stageDetail: 'Reconnecting: attempt 1 in 0.7 s', errorDetail: 'PostgreSQL: connection lost' },
    );
    const confirmed = formatLsn(h.state.confirmedLsn);
    const answer = h.client.drain();
    await waitFor(() => h.controller.stopRequest !== undefined);
    await h.controller.finish(undefined);
    const r = await answer;
    assert.equal(r.success, true, r.message);
    assert.equal(
      r.message,
      `Stopped while reconnecting (stage CDC: Reconnecting: attempt 1 in 0.7 s): nothing was buffered; LSN ${confirmed} stays confirmed and the replication slot is kept`,
    );
  }));

test('Stop(skip_slot_cleanup=true) while reconnecting says nothing after the confirmed LSN was confirmed', () =>
  withControl(async (h) => {
    await reconnecting(h);
    const confirmed = formatLsn(h.state.confirmedLsn);
    const answer = h.client.stop(true);
    await waitFor(() => h.controller.stopRequest !== undefined);
    await h.controller.finish(undefined);
    const r = await answer;
    assert.equal(r.success, true, r.message);
    assert.equal(
      r.message,
      `CDC stopped while reconnecting (stage CDC: Reconnecting: attempt 1 in 0.7 s); nothing after LSN ${confirmed} was confirmed; the replication slot and the publication are kept`,
    );
  }));
