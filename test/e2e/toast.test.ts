/**
 * Unchanged TOAST values end to end: large text, jsonb and bytea (100 kB – 2 MB, incompressible, so
 * stored out of line) updated on other columns many times, mixed in one batch with inserts, full
 * updates, deletes and re-inserts of the same keys. StarRocks must hold the same bytes as PostgreSQL
 * (SHA-256 on both sides); a partial update must never write NULL over a value that did not change.
 * `docs` has the default replica identity (partial updates), `docs_full` REPLICA IDENTITY FULL (the
 * old tuple supplies the values: full rows only).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KB, randomDoc, randomText, srDigests, TOAST_DB, toastBytes, ToastRig } from './toast-fixture.js';

describe('end to end: unchanged TOAST values (partial updates)', () => {
  let rig: ToastRig;

  before(async () => {
    rig = await ToastRig.start(2024);
  });
  after(async () => {
    await rig?.close();
  });

  it('keeps 100 kB – 2 MB values byte-identical through many partial updates, mixed batches and deletes', async () => {
    const { pg, em, rand } = rig;
    // 1. Large rows. Sizes vary; one document is about 2 MB.
    const sizes: Array<[number, number, number, number]> = [
      [1, 900 * KB, 2000 * KB, 600 * KB],
      [2, 100 * KB, 1500 * KB, 100 * KB],
      [3, 300 * KB, 200 * KB, 300 * KB],
      [4, 500 * KB, 120 * KB, 150 * KB],
      [5, 150 * KB, 400 * KB, 200 * KB],
      [6, 700 * KB, 100 * KB, 500 * KB],
    ];
    await rig.tx(async (q, t) => {
      for (const [id, b, d, x] of sizes) await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, rig.row(id, b, d, x));
    });
    // They really are out of line: the TOAST relation holds (at least) the incompressible bytes.
    const raw = sizes.reduce((s, [, b, d, x]) => s + b + d + x, 0);
    for (const t of ToastRig.TABLES) assert.ok((await toastBytes(pg, `public.${t}`)) > raw * 0.9, `${t} values are not TOASTed`);
    await rig.converge('after the inserts');

    // 2. Many small transactions that change only small columns: the large ones arrive as 'u'.
    for (let i = 0; i < 30; i++) {
      const ids = [1 + Math.floor(rand() * 6), 1 + Math.floor(rand() * 6)];
      await rig.tx(async (q, t) => {
        for (const id of ids) await q(`UPDATE ${t} SET n = n + 1, title = $2 WHERE id = $1`, [id, `t${i}-${id} “ü”`]);
      });
    }
    await rig.converge('after the small updates');

    // 3. One transaction mixing everything, on the same keys.
    await rig.remember([3]);
    await rig.tx(async (q, t) => {
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, rig.row(7, 400 * KB, 300 * KB, 100 * KB));
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 7`); // insert + partial update of a new key: one full row
      await q(`UPDATE ${t} SET body = $2 WHERE id = $1`, [1, randomText(rand, 800 * KB)]); // full update of one large column
      await q(`UPDATE ${t} SET n = n + 5 WHERE id = 2`);
      await q(`UPDATE ${t} SET doc = $2 WHERE id = $1`, [2, randomDoc(rand, 1200 * KB)]);
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 2`);
      await q(`DELETE FROM ${t} WHERE id = 3`);
      await q(`UPDATE ${t} SET title = 'moving' WHERE id = 6`);
      await q(`UPDATE ${t} SET title = 'gone', n = n + 1 WHERE id = 5`);
      await q(`DELETE FROM ${t} WHERE id = 5`);
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, rig.row(5, 250 * KB, 250 * KB, 250 * KB));
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 5`);
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, rig.row(8, 120 * KB, 120 * KB, 120 * KB));
      await q(`DELETE FROM ${t} WHERE id = 8`);
    });

    // 4. More small updates, also of the keys the mixed transaction touched.
    for (let i = 0; i < 20; i++) {
      const id = [1, 2, 5, 6, 7][i % 5] ?? 1;
      await rig.tx(async (q, t) => {
        await q(`UPDATE ${t} SET n = n + 1 WHERE id = $1`, [id]);
      });
    }
    await rig.converge('after the mixed transaction');

    // Deleted keys keep their last values (soft delete of the key only, or of the full old row).
    for (const t of ToastRig.TABLES) {
      const sr = srDigests(em, t);
      assert.equal(sr.get('3')?.deleted, true);
      assert.equal(sr.get('8')?.deleted, true);
      assert.ok(sr.get('8')?.body !== null, 'a row inserted and deleted in one batch keeps its values');
      assert.equal(sr.get('3')?.body, rig.lastKnown.get(t)?.get('3')?.body);
    }

    // The default-identity table was written with partial updates that never listed the large
    // columns they did not know; the FULL table only with full rows. merge_condition everywhere.
    const loads = em.loads().filter((l) => l.db === TOAST_DB && l.status === 'Success' && l.table !== 'dbmazz_source_identity' && l.table !== 'dbmazz_state');
    const partial = loads.filter((l) => l.table === 'docs' && l.headers['partial_update'] === 'true');
    assert.ok(partial.length > 0, 'no partial update was sent for docs');
    assert.ok(
      partial.some((l) => !/`body`/.test(l.headers['columns'] ?? '')),
      'no partial load left body out',
    );
    for (const l of partial) {
      assert.equal(l.headers['partial_update_mode'], 'row');
      assert.match(l.headers['columns'] ?? '', /`id`/);
      assert.match(l.headers['columns'] ?? '', /`dbmazz_cdc_version`/);
    }
    assert.ok(loads.every((l) => l.headers['merge_condition'] === 'dbmazz_cdc_version'));
    const fullTableLoads = loads.filter((l) => l.table === 'docs_full');
    assert.ok(fullTableLoads.length > 0);
    assert.ok(
      fullTableLoads.every((l) => l.headers['partial_update'] === undefined),
      'REPLICA IDENTITY FULL must give full rows only',
    );
    assert.equal(em.loads().filter((l) => l.db === TOAST_DB && l.status !== 'Success').length, 0);
  });
});
