/**
 * Unchanged TOAST values end to end: large text, jsonb and bytea (100 kB – 2 MB, incompressible, so
 * stored out of line) updated on other columns many times, mixed in one batch with inserts, full
 * updates, deletes, re-inserts and key changes. StarRocks must hold the same bytes as PostgreSQL
 * (SHA-256 on both sides); a partial update must never write NULL over a value that did not change.
 * `docs` has the default replica identity (partial updates), `docs_full` REPLICA IDENTITY FULL (the
 * old tuple supplies the values: full rows only).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from '../harness/postgres.js';
import { startStarRocksEmulator, type StarRocksEmulator } from '../starrocks-emulator/index.js';
import { spawnDaemon, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD } from './daemon-env.js';
import { diffToast, pgDigests, PG_TABLE, randomBytes, randomDoc, randomText, rng, SR_TABLE, srDigests, TOAST_DB, toastBytes, type Digest } from './toast-fixture.js';

const TABLES = ['docs', 'docs_full'] as const;
const KB = 1024;

describe('end to end: unchanged TOAST values (partial updates)', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess | undefined;
  const rand = rng(2024);
  /** Values a deleted or moved-away key had last, per table (StarRocks keeps them on soft delete). */
  const lastKnown = new Map<string, Map<string, Digest>>(TABLES.map((t) => [t, new Map()]));

  const row = (id: number, bodyBytes: number, docBytes: number, blobBytes: number): unknown[] => [
    id,
    `title ${id}`,
    randomText(rand, bodyBytes),
    randomDoc(rand, docBytes),
    randomBytes(rand, blobBytes),
  ];

  /** Runs `fn` in one transaction, once per table name (same statements on both tables). */
  async function tx(fn: (q: (sql: string, params?: unknown[]) => Promise<unknown>, table: string) => Promise<void>): Promise<void> {
    const c = await pg.connect();
    try {
      await c.query('BEGIN');
      for (const t of TABLES) await fn((sql, params) => c.query(sql, params), t);
      await c.query('COMMIT');
    } catch (e) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      await c.end();
    }
  }

  async function remember(ids: readonly number[]): Promise<void> {
    for (const t of TABLES) {
      const d = await pgDigests(pg, t);
      for (const id of ids) {
        const v = d.get(String(id));
        if (v) lastKnown.get(t)?.set(String(id), v);
      }
    }
  }

  async function converge(what: string): Promise<void> {
    let diff = '';
    await waitFor(
      async () => {
        const parts: string[] = [];
        for (const t of TABLES) parts.push(await diffToast(pg, em, t, lastKnown.get(t) ?? new Map()));
        diff = parts.filter((p) => p !== '').join('\n');
        return diff === '';
      },
      { timeoutMs: 90_000, intervalMs: 300, message: () => `${what}: tables never converged:\n${diff}\n--- daemon ---\n${daemon?.output().slice(-3000)}` },
    );
  }

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    for (const t of TABLES) await pg.query(PG_TABLE(t));
    await pg.query('ALTER TABLE public.docs_full REPLICA IDENTITY FULL');
    await em.sql(`CREATE DATABASE ${TOAST_DB}`);
    for (const t of TABLES) await em.sql(SR_TABLE(t), TOAST_DB);
    daemon = spawnDaemon(daemonEnv(pg, em, TOAST_DB, TABLES.join(','), { FLUSH_SIZE: '200', FLUSH_INTERVAL_MS: '300', LOG_LEVEL: 'debug' }));
    await waitFor(async () => {
      const r = await pg.query<{ active: boolean }>("SELECT active FROM pg_replication_slots WHERE slot_name = 'dbmazz_slot'");
      return r.rows[0]?.active === true;
    }, { timeoutMs: 30_000, message: () => `daemon did not start streaming:\n${daemon?.output()}` });
  });

  after(async () => {
    daemon?.kill('SIGKILL');
    await daemon?.exited;
    await em?.close();
    await pg?.close();
  });

  it('keeps 100 kB – 2 MB values byte-identical through many partial updates, mixed batches and deletes', async () => {
    // 1. Large rows. Sizes vary; two documents are about 2 MB.
    const sizes: Array<[number, number, number, number]> = [
      [1, 900 * KB, 2000 * KB, 600 * KB],
      [2, 100 * KB, 1500 * KB, 100 * KB],
      [3, 300 * KB, 200 * KB, 300 * KB],
      [4, 500 * KB, 120 * KB, 150 * KB],
      [5, 150 * KB, 400 * KB, 200 * KB],
      [6, 700 * KB, 100 * KB, 500 * KB],
    ];
    await tx(async (q, t) => {
      for (const [id, b, d, x] of sizes) await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, row(id, b, d, x));
    });
    // They really are out of line: the TOAST relation holds (at least) the incompressible bytes.
    const raw = sizes.reduce((s, [, b, d, x]) => s + b + d + x, 0);
    for (const t of TABLES) assert.ok((await toastBytes(pg, `public.${t}`)) > raw * 0.9, `${t} values are not TOASTed`);
    await converge('after the inserts');

    // 2. Many small transactions that change only small columns: the large ones arrive as 'u'.
    for (let i = 0; i < 30; i++) {
      const ids = [1 + Math.floor(rand() * 6), 1 + Math.floor(rand() * 6)];
      await tx(async (q, t) => {
        for (const id of ids) await q(`UPDATE ${t} SET n = n + 1, title = $2 WHERE id = $1`, [id, `t${i}-${id} “ü”`]);
      });
    }
    await converge('after the small updates');

    // 3. One transaction mixing everything, on the same keys.
    await remember([3]);
    await tx(async (q, t) => {
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, row(7, 400 * KB, 300 * KB, 100 * KB));
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 7`); // insert + partial update of a new key: one full row
      await q(`UPDATE ${t} SET body = $2 WHERE id = $1`, [1, randomText(rand, 800 * KB)]); // full update of one large column
      await q(`UPDATE ${t} SET n = n + 5 WHERE id = 2`);
      await q(`UPDATE ${t} SET doc = $2 WHERE id = $1`, [2, randomDoc(rand, 1200 * KB)]);
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 2`);
      await q(`DELETE FROM ${t} WHERE id = 3`);
      await q(`UPDATE ${t} SET title = 'moving' WHERE id = 6`);
      await q(`UPDATE ${t} SET title = 'gone', n = n + 1 WHERE id = 5`);
      await q(`DELETE FROM ${t} WHERE id = 5`);
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, row(5, 250 * KB, 250 * KB, 250 * KB));
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 5`);
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, row(8, 120 * KB, 120 * KB, 120 * KB));
      await q(`DELETE FROM ${t} WHERE id = 8`);
    });

    // 4. More small updates, also of the keys the mixed transaction touched.
    for (let i = 0; i < 20; i++) {
      const id = [1, 2, 5, 6, 7][i % 5] ?? 1;
      await tx(async (q, t) => {
        await q(`UPDATE ${t} SET n = n + 1 WHERE id = $1`, [id]);
      });
    }
    await converge('after the mixed transaction');

    // Deleted keys keep their last values (soft delete of the key only, or of the full old row).
    for (const t of TABLES) {
      const sr = srDigests(em, t);
      assert.equal(sr.get('3')?.deleted, true);
      assert.equal(sr.get('8')?.deleted, true);
      assert.equal(sr.get('3')?.body, lastKnown.get(t)?.get('3')?.body);
    }

    // The default-identity table was written with partial updates that never listed the large
    // columns they did not know; the FULL table only with full rows. merge_condition everywhere.
    const loads = em.loads().filter((l) => l.db === TOAST_DB && l.status === 'Success');
    const partial = loads.filter((l) => l.table === 'docs' && l.headers['partial_update'] === 'true');
    assert.ok(partial.length > 0, 'no partial update was sent for docs');
    assert.ok(partial.some((l) => !/`body`/.test(l.headers['columns'] ?? '')), 'no partial load left body out');
    for (const l of partial) {
      assert.equal(l.headers['partial_update_mode'], 'row');
      assert.match(l.headers['columns'] ?? '', /`id`/);
      assert.match(l.headers['columns'] ?? '', /`dbmazz_cdc_version`/);
    }
    assert.ok(loads.every((l) => l.headers['merge_condition'] === 'dbmazz_cdc_version'));
    const fullTableLoads = loads.filter((l) => l.table === 'docs_full');
    assert.ok(fullTableLoads.length > 0);
    assert.ok(fullTableLoads.every((l) => l.headers['partial_update'] === undefined), 'REPLICA IDENTITY FULL must give full rows only');
    assert.equal(em.loads().filter((l) => l.db === TOAST_DB && l.status !== 'Success').length, 0);
  });

  it('gives the new key of a key change the unchanged TOAST values of the old row (style §4.12)', async () => {
    // Default identity: PostgreSQL sends the new row with the large columns unchanged ('u') and only
    // the old key. The sink takes the values from the old key's row: in the batch, or in StarRocks.
    await remember([4, 6, 7]);
    const six = new Map(TABLES.map((t) => [t, lastKnown.get(t)?.get('6')]));
    await tx(async (q, t) => {
      await q(`UPDATE ${t} SET id = 104 WHERE id = 4`); // the old row is only in StarRocks
    });
    await tx(async (q, t) => {
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, row(9, 150 * KB, 150 * KB, 150 * KB));
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 9`);
      await q(`UPDATE ${t} SET id = 109, title = 'moved' WHERE id = 9`); // the old row is in the same batch
      await q(`UPDATE ${t} SET id = 206 WHERE id = 6`);
      await q(`UPDATE ${t} SET id = 306, n = n + 1 WHERE id = 206`); // a chain: 6 → 206 → 306
      await q(`UPDATE ${t} SET id = 107 WHERE id = 7`);
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, row(7, 110 * KB, 110 * KB, 110 * KB)); // the old key again
    });
    for (const t of TABLES) {
      const d = await pgDigests(pg, t);
      const known = lastKnown.get(t);
      const nine = d.get('109');
      if (nine) known?.set('9', nine);
      const s6 = six.get(t);
      if (s6) known?.set('206', s6);
      known?.delete('7'); // live again
    }
    for (let i = 0; i < 10; i++) {
      const id = [104, 109, 306, 107, 7][i % 5] ?? 104;
      await tx(async (q, t) => {
        await q(`UPDATE ${t} SET n = n + 1 WHERE id = $1`, [id]);
      });
    }
    await converge('after the key changes');
    for (const t of TABLES) {
      const sr = srDigests(em, t);
      for (const old of ['4', '6', '9', '206']) assert.equal(sr.get(old)?.deleted, true, `${t} ${old} must be soft-deleted`);
      assert.equal(sr.get('104')?.body, lastKnown.get(t)?.get('4')?.body);
      assert.equal(sr.get('306')?.doc, lastKnown.get(t)?.get('6')?.doc);
    }
    assert.ok(!/unchanged TOAST values unknown/.test(daemon?.output() ?? ''), 'a key change left columns unresolved');
  });
});
