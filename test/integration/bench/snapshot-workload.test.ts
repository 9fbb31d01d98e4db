import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { COPY_SQL, CREATE_SNAPSHOT_TABLE, snapshotSeedSql, SNAPSHOT_TABLE } from '../../../bench/snapshot-workload.js';

/** The snapshot benchmark's table (f), filled on a real PostgreSQL: its shape is what docs/performance.md says. */
describe('bench snapshot table on PostgreSQL', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
    for (const sql of CREATE_SNAPSHOT_TABLE) await pg.query(sql);
    for (const sql of snapshotSeedSql(2000, 700)) await pg.query(sql);
  });
  after(async () => {
    await pg?.close();
  });

  it('holds ids 1..N, one row in 20 with a 2,000-3,000-byte body stored out of line in TOAST', async () => {
    const r = await pg.query<{ n: string; lo: string; hi: string; big: string; minb: number; maxb: number; nulls: string }>(
      `SELECT count(*)::text AS n, min(id)::text AS lo, max(id)::text AS hi,
              count(*) FILTER (WHERE octet_length(body) >= 2000)::text AS big,
              min(octet_length(body)) FILTER (WHERE octet_length(body) >= 2000) AS minb,
              max(octet_length(body)) AS maxb, count(*) FILTER (WHERE body IS NULL)::text AS nulls
         FROM public.${SNAPSHOT_TABLE}`,
    );
    const row = r.rows[0];
    assert.ok(row);
    assert.deepEqual(
      { ...row, minb: undefined, maxb: undefined },
      { n: '2000', lo: '1', hi: '2000', big: '100', minb: undefined, maxb: undefined, nulls: String(Math.floor(2000 / 7) - Math.floor(2000 / 140)) },
    );
    assert.ok(row.minb >= 2000 && row.maxb <= 3000 && row.maxb > 2900, `large bodies of ${row.minb}-${row.maxb} bytes`);
    // Every large body is one value in the table's TOAST relation (stored out of line, not inline).
    const toast = (await pg.query<{ t: string }>(`SELECT reltoastrelid::regclass::text AS t FROM pg_class WHERE oid = 'public.${SNAPSHOT_TABLE}'::regclass`))
      .rows[0]?.t;
    assert.ok(toast);
    const values = await pg.query<{ n: string }>(`SELECT count(DISTINCT chunk_id)::text AS n FROM ${toast}`);
    assert.equal(values.rows[0]?.n, '100');
  });

  it('COPY hands out every row as text, with microsecond timestamps and jsonb', async () => {
    const c = await pg.connect();
    try {
      const r = await c.query<{ id: string; created_at: string; payload: unknown }>(
        `SELECT id::text, created_at::text, payload FROM public.${SNAPSHOT_TABLE} WHERE id = 20`,
      );
      assert.match(r.rows[0]?.created_at ?? '', /^2024-01-01 00:00:20\.123476\+00$/);
      assert.deepEqual(r.rows[0]?.payload, { k: 20, s: 'v20', tags: [2, 0] });
    } finally {
      await c.end();
    }
    assert.equal(COPY_SQL, `COPY (SELECT * FROM public.${SNAPSHOT_TABLE}) TO STDOUT`);
  });
});
