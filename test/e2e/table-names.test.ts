/**
 * Tables with one name in two schemas (`a.orders`, `b.orders`): SINK_TABLE_NAME / SINK_TABLE_MAP give
 * them distinct StarRocks tables, end to end through the real CLI. Without a mapping they would both be
 * loaded into `orders` (the configuration is refused instead: test/integration/cli/config-errors).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { e2eWorld } from './world.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, startStreaming } from './daemon-env.js';

const DB = 'names';

describe('end to end: two schemas sharing a table name replicate into two StarRocks tables', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const { daemons } = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await em.sql(`CREATE DATABASE ${DB}`);
    for (const s of ['a', 'b', 'c']) {
      await pg.query(`CREATE SCHEMA ${s}`);
      await pg.query(`CREATE TABLE ${s}.orders (id int PRIMARY KEY, v text)`);
    }
  });

  /** `id=v` of the live rows, sorted; [] when the table does not exist. */
  const live = (table: string): string[] =>
    em.catalog.getTable(DB, table) !== undefined
      ? em
          .rows(DB, table)
          .filter((r) => r['dbmazz_is_deleted'] !== true)
          .map((r) => `${String(r['id'])}=${String(r['v'])}`)
          .sort()
      : [];

  it('SINK_TABLE_NAME={schema}_{table} with a SINK_TABLE_MAP override: each schema has its own table', async () => {
    const env = daemonEnv(pg, em, DB, 'a.orders,b.orders,c.orders', {
      SINK_CREATE_TABLES: 'true',
      SINK_REPLICATION_NUM: '1',
      SINK_TABLE_NAME: 'src_{schema}_{table}',
      SINK_TABLE_MAP: 'c.orders:Orders_C',
    });
    const d = await startStreaming(pg, env);
    daemons.push(d);
    await pg.query("INSERT INTO a.orders VALUES (1, 'a1'), (2, 'a2')");
    await pg.query("INSERT INTO b.orders VALUES (1, 'b1'), (3, 'b3')");
    await pg.query("INSERT INTO c.orders VALUES (1, 'c1')");
    await pg.query("UPDATE a.orders SET v = 'a1x' WHERE id = 1");
    await pg.query('DELETE FROM b.orders WHERE id = 3');
    const expected = { src_a_orders: ['1=a1x', '2=a2'], src_b_orders: ['1=b1'], Orders_C: ['1=c1'] };
    const now = (): Record<string, string[]> => ({ src_a_orders: live('src_a_orders'), src_b_orders: live('src_b_orders'), Orders_C: live('Orders_C') });
    await waitFor(() => JSON.stringify(now()) === JSON.stringify(expected), {
      timeoutMs: 30_000,
      message: () => `StarRocks has ${JSON.stringify(now())}, expected ${JSON.stringify(expected)}\n${d.output().slice(-3000)}`,
    });
    assert.equal(em.catalog.getTable(DB, 'orders'), undefined, 'nothing was loaded into a table named after the source table alone');
    d.kill('SIGTERM');
    assert.equal((await d.exited).code, 0, d.output().slice(-3000));
  });
});
