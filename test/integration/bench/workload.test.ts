import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { backlogSql, CREATE_TABLE, probeId, SEED, TABLE, transactionSql, UNTOUCHED_SEED } from '../../../bench/workload.js';

/** The benchmark's workload, run on a real PostgreSQL: its mix is what docs/performance.md says. */
describe('bench workload on PostgreSQL', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
    await pg.query(CREATE_TABLE);
    await pg.query(SEED);
    await pg.query(`CREATE PUBLICATION bench_wl FOR TABLE public.${TABLE}`);
    await pg.query("SELECT pg_create_logical_replication_slot('bench_wl', 'pgoutput')");
  });
  after(async () => {
    await pg?.query("SELECT pg_drop_replication_slot('bench_wl')").catch(() => undefined);
    await pg?.close();
  });

  it('decodes to 70 % inserts, 20 % updates, 10 % deletes in 100-change transactions; probes stay', async () => {
    const c = await pg.connect();
    await c.query('SET synchronous_commit = on');
    await c.query(backlogSql(0, 3));
    await c.query(transactionSql(3));
    await c.end();
    const r = await pg.query<{ tag: string; n: string }>(
      `SELECT chr(get_byte(data, 0)) AS tag, count(*)::text AS n
       FROM pg_logical_slot_peek_binary_changes('bench_wl', NULL, NULL, 'proto_version', '1', 'publication_names', 'bench_wl')
       GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(Object.fromEntries(r.rows.map((x) => [x.tag, Number(x.n)])), { B: 4, C: 4, D: 40, I: 280, R: 1, U: 80 });
    const probes = await pg.query<{ n: string }>(`SELECT count(*)::text AS n FROM public.${TABLE} WHERE id = ANY($1::bigint[])`, [
      [0, 1, 2, 3].map((t) => probeId(t).toString()),
    ]);
    assert.equal(probes.rows[0]?.n, '4');
    // Seed 70 + 4 × 70 inserted, 4 × 10 deleted; 40 seed rows are never touched by a change.
    const rows = await pg.query<{ all: string; touched: string }>(
      `SELECT count(*)::text AS all, count(*) FILTER (WHERE ${UNTOUCHED_SEED})::text AS touched FROM public.${TABLE}`,
    );
    assert.deepEqual(rows.rows[0], { all: '310', touched: '270' });
  });
});
