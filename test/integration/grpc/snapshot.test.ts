/**
 * Snapshots across the daemon's lifecycle (issue 10), with the real daemon, PostgreSQL and the
 * StarRocks emulator: tables added live or by a restart are backfilled, `never` and `initial_only`
 * behave as documented, and a snapshot killed in the middle resumes after its last durable chunk.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../helpers/wait.js';
import { exitOf, spawnDaemon } from '../../helpers/daemon.js';
import { startGrpcWorld, type GrpcDaemon, type GrpcWorld, type Job } from './harness.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

interface LogLine {
  readonly msg?: string;
  readonly table?: string;
  readonly rowsCopied?: number;
  readonly resumedAfterRows?: number;
  readonly tables?: readonly { readonly table: string; readonly rowsCopied: number }[];
}

const logLines = (out: string, msg: string): LogLine[] =>
  out
    .split('\n')
    .filter((l) => l.includes(`"msg":"${msg}"`))
    .map((l) => JSON.parse(l) as LogLine);

describe('snapshots: backfill, modes and resume (real daemon)', () => {
  let world: GrpcWorld;

  before(async () => {
    world = await startGrpcWorld();
  });
  after(async () => {
    await world?.close();
  });

  async function daemon(env: Record<string, string>): Promise<GrpcDaemon> {
    const d = await world.daemon(env);
    await waitFor(async () => (await d.client.check()).stage === 'STAGE_CDC', { message: () => d.process.output().slice(-3000) });
    return d;
  }

  it('a table added live with ReloadConfig is backfilled while its new rows stream', async () => {
    const j = await world.job('snap_live', 'orders', 'items');
    await j.insert('items', range(1, 700));
    const d = await daemon(j.env('orders', { SNAPSHOT_CHUNK_ROWS: '100' }));
    await j.insert('orders', [1]);
    await waitFor(() => j.srIds('orders').length === 1);
    assert.deepEqual(j.srIds('items'), []);
    const added = await d.client.reload({ tables: ['orders', 'items'] });
    assert.equal(added.success, true, added.message);
    await j.insert('items', range(701, 720));
    await waitFor(async () => j.srIds('items').length === 720, { message: () => `${j.srIds('items').length} items\n${d.process.output().slice(-3000)}` });
    assert.deepEqual(j.srIds('items'), await j.pgIds('items'));
    await d.process.waitForLine(/"msg":"snapshot done".*public\.items|public\.items.*"msg":"snapshot done"/, 10_000);
  });

  it('a table added to TABLES at a restart is backfilled; the others are not copied again', async () => {
    const j = await world.job('snap_restart', 'orders', 'items');
    await j.insert('orders', range(1, 50));
    const first = await daemon(j.env('orders'));
    await waitFor(() => j.srIds('orders').length === 50);
    assert.equal((await first.client.drain()).success, true);
    assert.equal(await first.exit(), 0);
    await j.insert('items', range(1, 400));
    const second = await daemon(j.env('orders,items', { SNAPSHOT_CHUNK_ROWS: '64' }));
    await waitFor(() => j.srIds('items').length === 400, { message: () => second.process.output().slice(-3000) });
    assert.deepEqual(j.srIds('orders'), range(1, 50));
    const started = logLines(second.process.output(), 'snapshot started').map((l) => l.table);
    assert.deepEqual(started, ['public.items'], 'only the added table is copied');
  });

  it('Resnapshot copies the current rows again: a column added in PostgreSQL gets its existing values', async () => {
    const j = await world.job('snap_again', 'orders');
    await j.insert('orders', range(1, 300));
    const d = await daemon(j.env('orders', { SNAPSHOT_CHUNK_ROWS: '50' }));
    await waitFor(() => j.srIds('orders').length === 300, { message: () => d.process.output().slice(-3000) });
    // Existing rows get the DEFAULT in PostgreSQL without any change being streamed for them.
    await j.db.query(`ALTER TABLE orders ADD COLUMN qty int NOT NULL DEFAULT 7`);
    await j.insert('orders', [301]);
    const qty = (): Map<number, string> => new Map(world.em.rows(j.srDb, 'orders').map((r) => [Number(r['id']), String(r['qty'] ?? null)]));
    await waitFor(() => qty().get(301) === '7', { message: () => d.process.output().slice(-3000) });
    assert.equal(qty().get(1), 'null', 'StarRocks lacks the existing values before the re-snapshot');
    const res = await d.client.resnapshot(['orders']);
    assert.deepEqual(res.tables, ['public.orders'], res.message);
    await j.db.query(`UPDATE orders SET qty = 9 WHERE id <= 10`);
    await waitFor(() => [...qty().values()].every((v) => v === '7' || v === '9') && qty().size === 301, {
      timeoutMs: 30_000,
      message: () => JSON.stringify([...qty()].filter(([, v]) => v !== '7').slice(0, 20)),
    });
    for (let id = 1; id <= 10; id++) assert.equal(qty().get(id), '9', `row ${id} keeps the newer streamed value`);
    let snap: unknown;
    await waitFor(
      async () => {
        const s = (await d.client.getStatus()).snapshots.find((x) => x.table === 'public.orders');
        snap = s;
        return s?.phase === 'DONE' && s.reason === 'REQUESTED' && s.rowsCopied === '301';
      },
      { message: () => `GetStatus: ${JSON.stringify(snap)}` },
    );
  });

  it('SNAPSHOT_MODE=never copies nothing that existed before the slot', async () => {
    const j = await world.job('snap_never', 'orders');
    await j.insert('orders', range(1, 30));
    await daemon(j.env('orders', { SNAPSHOT_MODE: 'never' }));
    await j.insert('orders', [31]);
    await waitFor(() => j.srIds('orders').length === 1);
    assert.deepEqual(j.srIds('orders'), [31]);
  });

  it('SNAPSHOT_MODE=initial_only copies every table once, creates no slot and exits 0', async () => {
    const j = await world.job('snap_once', 'orders', 'items');
    await j.insert('orders', range(1, 1234));
    await j.insert('items', range(5, 9));
    const p = spawnDaemon(j.env('orders,items', { SNAPSHOT_MODE: 'initial_only', SNAPSHOT_CHUNK_ROWS: '100' }));
    assert.equal(await exitOf(p, 60_000), 0, p.output().slice(-3000));
    assert.deepEqual(j.srIds('orders'), range(1, 1234));
    assert.deepEqual(j.srIds('items'), range(5, 9));
    assert.equal(await j.slotRow(), undefined, 'no slot');
    assert.deepEqual(await j.publicationTables(), [], 'no publication');
  });

  it('SIGKILL in the middle of a snapshot: the restart resumes after the last durable chunk, exactly', async () => {
    const j = await world.job('snap_resume', 'orders');
    const total = 40_000;
    await j.insert('orders', range(1, total));
    const env = j.env('orders', { SNAPSHOT_CHUNK_ROWS: '1000', FLUSH_SIZE: '1000', FLUSH_INTERVAL_MS: '20' });
    const first = await world.daemon(env);
    await waitFor(() => j.srIds('orders').length >= 8000, { timeoutMs: 60_000, intervalMs: 20, message: () => first.process.output().slice(-3000) });
    first.process.kill('SIGKILL');
    await first.exit();
    const copied = j.srIds('orders').length;
    assert.ok(copied < total, `killed before the end (${copied} rows)`);
    // Changes while no daemon runs, on rows copied and not yet copied.
    await j.db.query(`UPDATE orders SET note = 'changed' WHERE id % 997 = 0`);
    await j.db.query(`DELETE FROM orders WHERE id % 1009 = 0`);
    const second = await daemon(env);
    const resumed = logLines(second.process.output(), 'snapshot started').find((l) => l.table === 'public.orders');
    await waitFor(() => logLines(second.process.output(), 'snapshot done').length === 1, {
      timeoutMs: 60_000,
      message: () => second.process.output().slice(-3000),
    });
    const again = logLines(second.process.output(), 'snapshot started').find((l) => l.table === 'public.orders') ?? resumed;
    assert.ok((again?.resumedAfterRows ?? 0) > 0, `resumed after the durable chunks, not from row 0: ${JSON.stringify(again)}`);
    await waitFor(async () => JSON.stringify(j.srIds('orders')) === JSON.stringify(await j.pgIds('orders')), { timeoutMs: 30_000 });
    const notes = await j.db.query<{ id: string; note: string }>(`SELECT id::text, note FROM orders WHERE id % 997 = 0`);
    const stored = new Map(world.em.rows(j.srDb, 'orders').map((r) => [String(r['id']), String(r['note'])]));
    for (const r of notes.rows) assert.equal(stored.get(r.id), r.note, `row ${r.id}`);
  });

  /** A job whose `rows` orders were streamed by a daemon that then drained and stopped (its slot kept). */
  async function streamedOnce(name: string, rows: number): Promise<Job> {
    const j = await world.job(name, 'orders');
    await j.insert('orders', range(1, rows));
    const first = await daemon(j.env('orders'));
    await waitFor(() => j.srIds('orders').length === rows);
    assert.equal((await first.client.drain()).success, true);
    assert.equal(await first.exit(), 0);
    return j;
  }

  it('an invalidated slot (wal_status = lost) stops the daemon (SlotLostError, slot kept); SOURCE_ON_SLOT_LOST=resnapshot drops it and re-snapshots everything', async () => {
    const j = await streamedOnce('snap_lost', 20);
    // Changes while no daemon runs, then WAL the slot needs is removed.
    await j.db.query('UPDATE orders SET note = $1 WHERE id <= 5', ['while stopped']);
    await j.db.query('DELETE FROM orders WHERE id = 20');
    await j.db.query(`ALTER SYSTEM SET max_slot_wal_keep_size = '1MB'`);
    await j.db.query('SELECT pg_reload_conf()');
    try {
      await waitFor(
        async () => {
          await j.db.query(`CREATE TEMP TABLE IF NOT EXISTS filler (x text); INSERT INTO filler SELECT repeat('w', 1000) FROM generate_series(1, 3000)`);
          await j.db.query('SELECT pg_switch_wal()');
          await j.db.query('CHECKPOINT');
          const r = await j.db.query<{ s: string | null }>('SELECT wal_status AS s FROM pg_replication_slots WHERE slot_name = $1', [j.slot]);
          return r.rows[0]?.s === 'lost';
        },
        { timeoutMs: 60_000, intervalMs: 100, message: 'the slot was not invalidated' },
      );
    } finally {
      await j.db.query('ALTER SYSTEM RESET max_slot_wal_keep_size');
      await j.db.query('SELECT pg_reload_conf()');
    }
    const refused = spawnDaemon(j.env('orders'));
    assert.equal(await exitOf(refused, 30_000), 1, refused.output().slice(-3000));
    assert.match(refused.output(), /Replication slot 'slot_snap_lost' was invalidated \(wal_status = lost\)/);
    assert.match(refused.output(), /SOURCE_ON_SLOT_LOST=resnapshot/);
    assert.match(refused.output(), /pg_drop_replication_slot\('slot_snap_lost'\)/);
    const kept = await j.db.query<{ s: string | null }>('SELECT wal_status AS s FROM pg_replication_slots WHERE slot_name = $1', [j.slot]);
    assert.equal(kept.rows[0]?.s, 'lost', 'dbmazz never drops the slot unasked');
    // The explicit choice: the invalidated slot is dropped, a new one created, every table copied and swept.
    const second = await daemon(j.env('orders', { SOURCE_ON_SLOT_LOST: 'resnapshot' }));
    await waitFor(() => JSON.stringify(j.srIds('orders')) === JSON.stringify(range(1, 19)), {
      message: () => `${String(j.srIds('orders'))}\n${second.process.output().slice(-2000)}`,
    });
    const notes = new Map(world.em.rows(j.srDb, 'orders').map((r) => [Number(r['id']), String(r['note'])]));
    assert.equal(notes.get(3), 'while stopped');
    assert.match(second.process.output(), /dropped the invalidated replication slot/);
  });

  it('a missing slot (as after a primary failover) stops the daemon instead of streaming from a new slot; SOURCE_ON_SLOT_LOST=resnapshot recovers', async () => {
    const j = await streamedOnce('snap_missing', 10);
    // The "new primary" has no slot: changes made meanwhile were never decoded for this pipeline.
    await j.db.query('SELECT pg_drop_replication_slot($1)', [j.slot]);
    await j.db.query('UPDATE orders SET note = $1 WHERE id = 2', ['after failover']);
    await j.db.query('DELETE FROM orders WHERE id = 10');
    const refused = spawnDaemon(j.env('orders'));
    assert.equal(await exitOf(refused, 30_000), 1, refused.output().slice(-3000));
    assert.match(refused.output(), /Replication slot 'slot_snap_missing' \(created [^)]*\) is missing, although this pipeline streamed from it/);
    assert.equal(await j.slotRow(), undefined, 'no new slot: streaming from it would silently skip the changes in between');
    const second = await daemon(j.env('orders', { SOURCE_ON_SLOT_LOST: 'resnapshot' }));
    await waitFor(() => JSON.stringify(j.srIds('orders')) === JSON.stringify(range(1, 9)), {
      message: () => `${String(j.srIds('orders'))}\n${second.process.output().slice(-2000)}`,
    });
    const notes = new Map(world.em.rows(j.srDb, 'orders').map((r) => [Number(r['id']), String(r['note'])]));
    assert.equal(notes.get(2), 'after failover');
    // Streaming continues from the new slot.
    await j.insert('orders', [11]);
    await waitFor(() => j.srIds('orders').includes(11));
  });
});
