/**
 * Initial snapshot (issue 10): tables that already hold rows are copied, while inserts, updates,
 * deletes, key changes and TOASTed updates run on the same rows throughout, and the result equals
 * PostgreSQL exactly. Small chunks (SNAPSHOT_CHUNK_ROWS) make many chunk reads interleave with the
 * stream; the writer keeps a transaction open across chunk reads so commit order and visibility differ.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from '../helpers/daemon.js';
import { e2eWorld } from './world.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, startStreaming } from './daemon-env.js';

const DB = 'snap';
const BIG = (i: number): string => `${i}:` + 'x'.repeat(2600) + String(i).repeat(50);

/** Live (not soft-deleted) rows of a StarRocks table as `key → row text`. */
export function liveRows(
  em: StarRocksEmulator,
  db: string,
  table: string,
  key: (r: Record<string, unknown>) => string,
  cols: readonly string[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of em.rows(db, table)) {
    if (r['dbmazz_is_deleted'] === true || String(r['dbmazz_is_deleted']) === '1') continue;
    out.set(key(r), cols.map((c) => (r[c] === null || r[c] === undefined ? '∅' : String(r[c]))).join('|'));
  }
  return out;
}

async function pgLive(pg: PgHarness, sql: string, key: (r: Record<string, unknown>) => string, cols: readonly string[]): Promise<Map<string, string>> {
  const res = await pg.query<Record<string, unknown>>(sql);
  const out = new Map<string, string>();
  for (const r of res.rows) out.set(key(r), cols.map((c) => (r[c] === null || r[c] === undefined ? '∅' : String(r[c]))).join('|'));
  return out;
}

function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of a) if (b.get(k) !== v) out.push(`${k}: pg=${v.slice(0, 60)} sr=${(b.get(k) ?? 'missing').slice(0, 60)}`);
  for (const k of b.keys()) if (!a.has(k)) out.push(`${k}: only in StarRocks`);
  return out;
}

describe('end to end: initial snapshot under concurrent writes', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const world = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await pg.query('CREATE TABLE orders (id bigint PRIMARY KEY, n int NOT NULL, big text, note text)');
    await pg.query('ALTER TABLE orders ALTER COLUMN big SET STORAGE EXTERNAL');
    await pg.query(`INSERT INTO orders SELECT i, 0, CASE WHEN i % 10 = 0 THEN repeat('x', 2600) || i ELSE NULL END, 'n' || i FROM generate_series(1, 12000) i`);
    await pg.query('CREATE TABLE items (a int, b text, v numeric(20,4), PRIMARY KEY (a, b))');
    await pg.query(`INSERT INTO items SELECT i / 10, 'k' || (i % 10), i * 1.5 FROM generate_series(1, 3000) i`);
    await pg.query('CREATE TABLE moved (id bigint PRIMARY KEY, big text, n int)');
    await pg.query('ALTER TABLE moved ALTER COLUMN big SET STORAGE EXTERNAL');
    await pg.query(`INSERT INTO moved SELECT i, CASE WHEN i = 30000 THEN repeat('t', 3000) ELSE NULL END, 0 FROM generate_series(1, 30000) i`);
    await pg.query('CREATE TABLE hot (id bigint PRIMARY KEY, n bigint NOT NULL, pad text)');
    await pg.query(`INSERT INTO hot SELECT i, 0, repeat('p', 200) FROM generate_series(1, 60000) i`);
    for (const t of ['empty_a', 'empty_b']) await pg.query(`CREATE TABLE ${t} (id bigint PRIMARY KEY, v text)`);
    await em.sql(`CREATE DATABASE ${DB}`);
  });

  /**
   * Starts a daemon on `tables` that creates its target tables, with its own slot and publication
   * (`<name>_slot`, `<name>_pub`; the default ones without a name), and waits until it streams.
   */
  const startDaemon = async (tables: string, name: string | undefined, extra: Record<string, string> = {}): Promise<DaemonProcess> => {
    const own = name === undefined ? {} : { SOURCE_SLOT_NAME: `${name}_slot`, SOURCE_PUBLICATION_NAME: `${name}_pub` };
    const d = await startStreaming(
      pg,
      daemonEnv(pg, em, DB, tables, { SINK_CREATE_TABLES: 'true', SINK_REPLICATION_NUM: '1', ...own, ...extra }),
      name === undefined ? undefined : `${name}_slot`,
    );
    world.daemons.push(d);
    return d;
  };

  it('copies every existing row and ends equal to PostgreSQL while writes run', async () => {
    const d = await startDaemon('orders,items', undefined, {
      SNAPSHOT_CHUNK_ROWS: '400',
      SNAPSHOT_PARALLELISM: '2',
      FLUSH_SIZE: '700',
      FLUSH_INTERVAL_MS: '50',
    });
    // Writes on the same rows while the snapshot runs, including one transaction held open across reads.
    const long = await pg.connect();
    let round = 0;
    const began = Date.now();
    try {
      await long.query('BEGIN');
      await long.query(`UPDATE orders SET note = 'long' WHERE id BETWEEN 11000 AND 11010`);
      const done = (): boolean => (d.output().match(/"msg":"snapshot done"/g) ?? []).length >= 2;
      while (!done() || round < 8) {
        round += 1;
        const base = (round * 997) % 11000;
        await pg.query(`UPDATE orders SET n = n + 1 WHERE id BETWEEN ${base} AND ${base + 40}`); // TOAST unchanged
        await pg.query(`UPDATE orders SET big = $1 WHERE id = ${base + 41}`, [BIG(round)]);
        await pg.query(`DELETE FROM orders WHERE id BETWEEN ${base + 50} AND ${base + 55}`);
        await pg.query(`INSERT INTO orders VALUES (${100000 + round}, ${round}, NULL, 'new') ON CONFLICT DO NOTHING`);
        await pg.query(`UPDATE orders SET id = id + 200000 WHERE id = ${base + 60}`); // key change, TOAST unchanged
        await pg.query(`UPDATE items SET v = v + 1 WHERE a = ${round % 300}`);
        await pg.query(`DELETE FROM items WHERE a = ${(round * 7) % 300} AND b = 'k1'`);
        if (round === 4) {
          await long.query(`UPDATE orders SET n = -1 WHERE id BETWEEN 2000 AND 2005`);
          await long.query('COMMIT');
        }
        if (Date.now() - began > 120_000) break;
        await new Promise((r) => setTimeout(r, 15));
      }
    } finally {
      await long.query('ROLLBACK').catch(() => undefined);
      await long.end();
    }
    assert.ok(d.output().includes('"msg":"snapshot done"'), `snapshot did not finish:\n${d.output().slice(-3000)}`);
    const cols = ['id', 'n', 'big', 'note'];
    const expected = await pgLive(pg, 'SELECT id::text, n::text, big, note FROM orders', (r) => String(r['id']), cols);
    await waitFor(
      () =>
        diff(
          expected,
          liveRows(em, DB, 'orders', (r) => String(r['id']), cols),
        ).length === 0,
      {
        timeoutMs: 60_000,
        message: () =>
          `orders differ:\n${diff(
            expected,
            liveRows(em, DB, 'orders', (r) => String(r['id']), cols),
          )
            .slice(0, 20)
            .join('\n')}\n${d.output().slice(-3000)}`,
      },
    );
    const icols = ['a', 'b', 'v'];
    const ikey = (r: Record<string, unknown>): string => `${String(r['a'])}/${String(r['b'])}`;
    const items = await pgLive(pg, 'SELECT a::text, b, v::text FROM items', ikey, icols);
    await waitFor(() => diff(items, liveRows(em, DB, 'items', ikey, icols)).length === 0, {
      timeoutMs: 60_000,
      message: () =>
        `items differ:\n${diff(items, liveRows(em, DB, 'items', ikey, icols))
          .slice(0, 20)
          .join('\n')}`,
    });
    assert.ok(expected.size > 5_000, `the table was pre-populated (${expected.size} rows left after ${round} rounds)`);
    assert.ok(round >= 8, 'writes ran during the snapshot');
    // Nothing is left open once the snapshot is done: no reader connection, no transaction.
    await waitFor(
      async () => {
        const r = await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM pg_stat_activity WHERE application_name = 'dbmazz_snapshot'`);
        return r.rows[0]?.n === '0';
      },
      { timeoutMs: 10_000, message: 'snapshot reader connections still open' },
    );
  });

  it('empty tables on an idle stream complete their snapshot (each chunk is placed and durable before its read returns)', async () => {
    const d = await startDaemon('empty_a,empty_b', 'empty');
    const finished = (): string[] =>
      d
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"snapshot done"'))
        .map((l) => String((JSON.parse(l) as { table?: unknown }).table));
    await waitFor(() => finished().sort().join() === 'public.empty_a,public.empty_b', {
      timeoutMs: 30_000,
      message: () => `the snapshots of the empty tables never completed (done: ${finished().join()}):\n${d.output().slice(-3000)}`,
    });
    // Writes after the snapshot stream as usual.
    await pg.query(`INSERT INTO empty_a VALUES (1, 'a')`);
    await waitFor(() => liveRows(em, DB, 'empty_a', (r) => String(r['id']), ['v']).get('1') === 'a', {
      timeoutMs: 30_000,
      message: 'the insert after the snapshot did not arrive',
    });
  });

  it('rows updated while their chunk is being read keep the newer value (reconciliation by MVCC snapshot)', async () => {
    // Large chunks take a while to read; two writers update random keys all the time, so transactions
    // commit after a chunk's read began and are streamed before the chunk is placed.
    const d = await startDaemon('hot', 'hot', { SNAPSHOT_CHUNK_ROWS: '15000', SNAPSHOT_PARALLELISM: '1' });
    let stop = false;
    let updates = 0;
    const writer = async (): Promise<void> => {
      const c = await pg.connect();
      try {
        while (!stop) {
          const ids = Array.from({ length: 10 }, () => 1 + Math.floor(Math.random() * 60000));
          await c.query('UPDATE hot SET n = n + 1 WHERE id = ANY($1::bigint[])', [ids]);
          updates += 1;
          await new Promise((r) => setTimeout(r, 2));
        }
      } finally {
        await c.end();
      }
    };
    const writers = [writer(), writer()];
    try {
      await d.waitForLine(/"msg":"snapshot done"/, 120_000);
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    // Caught up: the slot confirmed everything the writers committed (the backlog can be long on a busy machine).
    const last = (await pg.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]?.lsn ?? '0/0';
    await waitFor(
      async () => {
        const r = await pg.query<{ ok: boolean }>(`SELECT confirmed_flush_lsn >= $1::pg_lsn AS ok FROM pg_replication_slots WHERE slot_name = 'hot_slot'`, [
          last,
        ]);
        return r.rows[0]?.ok === true;
      },
      { timeoutMs: 300_000, intervalMs: 500, message: () => `the daemon did not catch up with ${last}\n${d.output().slice(-2000)}` },
    );
    const cols = ['id', 'n'];
    const expected = await pgLive(pg, 'SELECT id::text, n::text FROM hot', (r) => String(r['id']), cols);
    const problems = diff(
      expected,
      liveRows(em, DB, 'hot', (r) => String(r['id']), cols),
    );
    assert.equal(problems.slice(0, 20).join('\n'), '', `hot differs after ${updates} updates`);
    assert.ok(updates > 50, `writers ran during the snapshot (${updates} updates)`);
  });

  it('a row moved by a key change from a range not copied yet into one already copied keeps its unchanged TOAST value', async () => {
    // The last row (not copied until the end) moves to key 0, inside the first chunk's range, which is
    // already in StarRocks; its TOASTed value is not sent (unchanged) and its old row is not in StarRocks.
    const d = await startDaemon('moved', 'moved', { SNAPSHOT_CHUNK_ROWS: '100', FLUSH_INTERVAL_MS: '20' });
    await waitFor(() => em.rows(DB, 'moved').length > 0, { timeoutMs: 60_000, intervalMs: 5, message: () => d.output().slice(-2000) });
    await pg.query('UPDATE moved SET id = 0, n = 1 WHERE id = 30000');
    const moved = em.rows(DB, 'moved').length;
    assert.ok(moved < 30000, `the key change came before the last chunk (${moved} rows copied)`);
    await d.waitForLine(/"msg":"snapshot done"/, 120_000);
    await waitFor(() => String(em.rows(DB, 'moved').find((r) => String(r['id']) === '0')?.['n']) === '1', {
      timeoutMs: 30_000,
      message: () => d.output().slice(-2000),
    });
    const row = em.rows(DB, 'moved').find((r) => String(r['id']) === '0');
    assert.equal(String(row?.['big'] ?? 'NULL').length, 3000, `the moved row lost its TOASTed value: ${String(row?.['big']).slice(0, 40)}`);
    const old = em.rows(DB, 'moved').find((r) => String(r['id']) === '30000');
    assert.ok(old === undefined || old['dbmazz_is_deleted'] === true, 'the old key is not live');
  });
});
