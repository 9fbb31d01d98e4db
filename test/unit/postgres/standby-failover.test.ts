/**
 * The pure parts of the hot standby (slot-holder.ts) and of PostgreSQL failover (slot-loss.ts,
 * failover slots in slot.ts, the settings check in config.ts). The behaviour against a real server is
 * in test/e2e/standby.test.ts and test/integration/grpc/snapshot.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../core/errors/errors.js';
import { holderDetail, HolderWatch, type SlotHolder } from '../../../connectors/postgres/replication/slot-holder.js';
import { invalidation, SlotLostError, slotInvalidatedError, slotMissingError } from '../../../connectors/postgres/replication/slot-loss.js';
import { alterFailoverCommand, createSlotSql, failoverSlotProblem } from '../../../connectors/postgres/replication/slot.js';
import { standbyProblems } from '../../../connectors/postgres/config.js';
import { postgresSource } from '../../../connectors/postgres/index.js';

const held = (pid: number, replyTime: string | undefined, over: Partial<SlotHolder> = {}): SlotHolder => ({
  exists: true,
  active: true,
  pid,
  clientAddr: '10.0.0.7',
  applicationName: 'dbmazz',
  detailsVisible: true,
  replyTime,
  backendStart: '2026-12-07 10:00:00+00',
  ...over,
});

test('HolderWatch: a holder whose reply_time keeps changing is held; one silent for longer than staleMs is stale', () => {
  const w = new HolderWatch(5000);
  assert.deepEqual(w.observe(held(42, 't1'), 0), { kind: 'held', quietMs: 0 });
  assert.deepEqual(w.observe(held(42, 't2'), 4000), { kind: 'held', quietMs: 0 }, 'a new reply resets the watch');
  assert.deepEqual(w.observe(held(42, 't2'), 9000), { kind: 'held', quietMs: 5000 }, 'exactly staleMs is not yet stale');
  assert.deepEqual(w.observe(held(42, 't2'), 9001), { kind: 'stale', quietMs: 5001 });
});

test("HolderWatch: another PID starts a new watch; time is the observer's, never compared with reply_time", () => {
  const w = new HolderWatch(5000);
  w.observe(held(42, 'same'), 0);
  assert.equal(w.observe(held(42, 'same'), 6000).kind, 'stale');
  assert.deepEqual(w.observe(held(43, 'same'), 6500), { kind: 'held', quietMs: 0 }, 'a new holder');
  // A holder that never replied: backend_start is its mark, and it goes stale the same way.
  const fresh = new HolderWatch(1000);
  assert.equal(fresh.observe(held(7, undefined), 0).kind, 'held');
  assert.equal(fresh.observe(held(7, undefined), 1500).kind, 'stale');
});

test('HolderWatch: a free or missing slot is free; hidden pg_stat_replication details cannot be judged', () => {
  const w = new HolderWatch(5000);
  assert.deepEqual(w.observe(held(42, 't', { active: false, pid: undefined }), 0), { kind: 'free' });
  assert.deepEqual(w.observe(held(42, 't', { exists: false }), 0), { kind: 'free' });
  assert.deepEqual(w.observe(held(42, undefined, { detailsVisible: false }), 0), { kind: 'unknown' });
  assert.deepEqual(w.observe(held(42, undefined, { detailsVisible: false }), 60_000), { kind: 'unknown' }, 'never stale without details');
});

test('holderDetail names the slot, the PID and where the holder connects from', () => {
  assert.equal(holderDetail('dbmazz_slot', held(42, 't')), "replication slot 'dbmazz_slot' is held by PID 42 (10.0.0.7, dbmazz)");
  assert.equal(holderDetail('s', held(9, 't', { clientAddr: undefined, applicationName: undefined })), "replication slot 's' is held by PID 9");
});

test('invalidation: wal_status lost (PostgreSQL 13+), conflicting (16+), invalidation_reason (17+); a valid slot has none', () => {
  assert.equal(invalidation({ walStatus: 'reserved', conflicting: null, invalidationReason: null }), undefined);
  assert.equal(invalidation({ walStatus: 'extended', conflicting: false, invalidationReason: null }), undefined);
  assert.equal(invalidation({ walStatus: 'lost', conflicting: null, invalidationReason: null }), 'wal_status = lost');
  assert.match(invalidation({ walStatus: 'reserved', conflicting: true, invalidationReason: null }) ?? '', /^conflicting = true/);
  assert.equal(invalidation({ walStatus: 'lost', conflicting: true, invalidationReason: 'wal_removed' }), 'invalidation_reason = wal_removed');
  assert.equal(invalidation({ walStatus: 'reserved', conflicting: false, invalidationReason: 'idle_timeout' }), 'invalidation_reason = idle_timeout');
});

test('SlotLostError: typed, never retried, says what happened and what to run', () => {
  const missing = slotMissingError('dbmazz_slot', { slot: 'dbmazz_slot', createdAt: '2026-12-01T00:00:00.000Z', lsn: '0/16B3748' });
  assert.ok(missing instanceof SlotLostError && missing instanceof CdcError);
  assert.equal(missing.problem, 'missing');
  assert.equal(missing.code, 'SOURCE_SETUP');
  assert.equal(missing.retry, 'never');
  assert.match(missing.message, /'dbmazz_slot' \(created 2026-12-01T00:00:00.000Z at 0\/16B3748\) is missing/);
  assert.match(missing.operatorMessage, /SOURCE_ON_SLOT_LOST=resnapshot/);
  assert.match(missing.operatorMessage, /SOURCE_FAILOVER_SLOT=true on PostgreSQL 17\+/);
  const lost = slotInvalidatedError('dbmazz_slot', 'wal_status = lost');
  assert.equal(lost.problem, 'invalidated');
  assert.match(lost.operatorMessage, /SOURCE_ON_SLOT_LOST=resnapshot/);
  assert.match(lost.operatorMessage, /pg_drop_replication_slot\('dbmazz_slot'\)/);
  assert.match(lost.operatorMessage, /max_slot_wal_keep_size/);
});

test('failover slots: the creation arguments, the ALTER command, refused before PostgreSQL 17', () => {
  assert.equal(createSlotSql(false), "SELECT lsn::text AS lsn FROM pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput')");
  // PostgreSQL 17: (slot_name, plugin, temporary, twophase, failover).
  assert.equal(createSlotSql(true), "SELECT lsn::text AS lsn FROM pg_catalog.pg_create_logical_replication_slot($1, 'pgoutput', false, false, true)");
  assert.equal(alterFailoverCommand('dbmazz_slot'), 'ALTER_REPLICATION_SLOT "dbmazz_slot" ( FAILOVER true )');
  assert.equal(failoverSlotProblem(170000, '17.0', 'db:5432/shop'), undefined);
  assert.equal(failoverSlotProblem(180002, '18.2', 'db:5432/shop'), undefined);
  assert.equal(
    failoverSlotProblem(160004, '16.4', 'db:5432/shop'),
    'SOURCE_FAILOVER_SLOT=true needs PostgreSQL 17 or later (failover slots); db:5432/shop runs PostgreSQL 16.4.',
  );
  assert.ok(failoverSlotProblem(150010, '15.10', 'x') !== undefined);
});

test('settings: the standby defaults, and a stale threshold that a healthy holder could exceed is refused', () => {
  const byEnv = new Map(postgresSource.settings.map((s) => [s.env, s]));
  assert.equal(byEnv.get('SOURCE_STANDBY_RETRY_MS')?.default, 1000);
  assert.equal(byEnv.get('SOURCE_STANDBY_STALE_MS')?.default, 5000);
  assert.equal(byEnv.get('SOURCE_ON_SLOT_LOST')?.default, 'fail');
  assert.equal(byEnv.get('SOURCE_FAILOVER_SLOT')?.default, false);
  assert.deepEqual(standbyProblems({ SOURCE_STATUS_INTERVAL_MS: 1000, SOURCE_STANDBY_STALE_MS: 5000 }), []);
  assert.deepEqual(standbyProblems({ SOURCE_STATUS_INTERVAL_MS: 1000, SOURCE_STANDBY_STALE_MS: 3000 }), []);
  const [problem] = standbyProblems({ SOURCE_STATUS_INTERVAL_MS: 10_000, SOURCE_STANDBY_STALE_MS: 5000 });
  assert.match(problem ?? '', /SOURCE_STANDBY_STALE_MS \(5000\) must be at least 3 x SOURCE_STATUS_INTERVAL_MS \(10000\)/);
  assert.deepEqual(postgresSource.checkConfig?.({ SOURCE_STATUS_INTERVAL_MS: 10_000, SOURCE_STANDBY_STALE_MS: 5000 }, []).length, 1);
});
