/**
 * Key changes of rows with unchanged TOAST values (docs/stack-traps.md §4.12), end to end. With the default replica
 * identity PostgreSQL sends the new row with the large columns unchanged ('u') and only the old key;
 * the sink gives the new key the old row's values — from the same batch, or from the old key's row
 * stored in StarRocks (docs/starrocks.md, "Key changes of rows with unchanged TOAST values"). The
 * REPLICA IDENTITY FULL table gets them from the old tuple.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { KB, pgDigests, srDigests, ToastRig } from './toast-fixture.js';

describe('end to end: key changes with unchanged TOAST values', () => {
  let rig: ToastRig;

  before(async () => {
    rig = await ToastRig.start(77);
  });
  after(async () => {
    await rig?.close();
  });

  it('gives the new key the unchanged values of the old row, across batches, within a batch and along chains', async () => {
    const { pg, em } = rig;
    await rig.tx(async (q, t) => {
      for (const [id, size] of [
        [4, 400 * KB],
        [6, 300 * KB],
        [7, 200 * KB],
      ] as const) {
        await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, rig.row(id, size, size, size / 2));
      }
    });
    await rig.converge('after the inserts');
    await rig.remember([4, 6, 7]);
    const seven = new Map(ToastRig.TABLES.map((t) => [t, rig.lastKnown.get(t)?.get('7')]));

    // The old row is only in StarRocks (an earlier batch).
    await rig.tx(async (q, t) => {
      await q(`UPDATE ${t} SET id = 104 WHERE id = 4`);
    });
    await rig.tx(async (q, t) => {
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, rig.row(9, 150 * KB, 150 * KB, 150 * KB));
      await q(`UPDATE ${t} SET n = n + 1 WHERE id = 9`);
      await q(`UPDATE ${t} SET id = 109, title = 'moved' WHERE id = 9`); // the old row is in the same batch
      await q(`UPDATE ${t} SET id = 206 WHERE id = 6`);
      await q(`UPDATE ${t} SET id = 306, n = n + 1 WHERE id = 206`); // a chain 6 → 206 → 306 from a stored row
      await q(`UPDATE ${t} SET id = 107 WHERE id = 7`);
      await q(`INSERT INTO ${t} (id, title, body, doc, blob) VALUES ($1, $2, $3, $4, $5)`, rig.row(7, 110 * KB, 110 * KB, 110 * KB)); // the old key again
    });
    for (const t of ToastRig.TABLES) {
      const d = await pgDigests(pg, t);
      const known = rig.lastKnown.get(t);
      const moved = d.get('109');
      if (moved) known?.set('9', moved);
      const six = known?.get('6');
      if (six) known?.set('206', six);
      known?.delete('7'); // live again
    }
    for (let i = 0; i < 10; i++) {
      const id = [104, 109, 306, 107, 7][i % 5] ?? 104;
      await rig.tx(async (q, t) => {
        await q(`UPDATE ${t} SET n = n + 1 WHERE id = $1`, [id]);
      });
    }
    await rig.converge('after the key changes');

    for (const t of ToastRig.TABLES) {
      const sr = srDigests(em, t);
      for (const old of ['4', '6', '9', '206']) assert.equal(sr.get(old)?.deleted, true, `${t} ${old} must be soft-deleted`);
      assert.equal(sr.get('104')?.body, rig.lastKnown.get(t)?.get('4')?.body);
      assert.equal(sr.get('306')?.doc, rig.lastKnown.get(t)?.get('6')?.doc);
      assert.equal(sr.get('107')?.blob, seven.get(t)?.blob);
    }
    assert.ok(!/unchanged TOAST values unknown/.test(rig.daemon?.output() ?? ''), 'a key change left columns unresolved');
  });
});
