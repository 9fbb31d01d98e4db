/**
 * Primary-key point lookups (sql/point-lookup.ts) give exactly what a full scan gives: the same
 * statements run once through the key map and once through a scan-forcing form of the WHERE.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { type SqlHarness, startHarness } from './sql-harness.js';

describe('sql point lookups by primary key', () => {
  let h: SqlHarness;
  let c: mysql.Connection;

  before(async () => {
    h = await startHarness();
    c = await h.connect();
    await c.query('CREATE DATABASE pl');
    await c.query('USE pl');
    await c.query(
      'CREATE TABLE k (id BIGINT NOT NULL, day DATE NOT NULL, at DATETIME NOT NULL, live BOOLEAN NOT NULL, name VARCHAR(20) NOT NULL, v INT) ' +
        'PRIMARY KEY(id, day, at, live, name) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")',
    );
    const t = h.catalog.getTable('pl', 'k');
    assert.ok(t);
    for (let i = 0; i < 2000; i++) t.putRow([BigInt(i), '2024-02-29', `2024-05-01 10:00:0${i % 10}.500000`, i % 2 === 0, `n${i}`, i]);
  });
  after(async () => h.close());

  const run = async (sql: string): Promise<unknown[]> => {
    const [r] = await c.query({ sql, rowsAsArray: true });
    return r as unknown[];
  };

  it('returns the rows a scan returns, for matching, missing, uncastable and repeated keys', async () => {
    const key = (i: number, at = `'2024-05-01 10:00:0${i % 10}.500000'`): string =>
      `(id = ${i} AND day = '2024-02-29' AND at = ${at} AND live = ${i % 2 === 0 ? 'TRUE' : 'FALSE'} AND name = 'n${i}')`;
    const where = [key(7), key(3), key(1999), key(5000), key(8, "'not a date'"), key(3), key(4, "'2024-05-01 10:00:04.5'")].join(' OR ');
    const lookup = await run(`SELECT id, v FROM k WHERE ${where}`);
    // `v >= 0 AND (...)` has a non-key term: the executor scans.
    const scan = await run(`SELECT id, v FROM k WHERE v >= 0 AND (${where})`);
    assert.deepEqual(lookup, scan);
    assert.deepEqual(
      lookup.map((r) => String((r as unknown[])[0])),
      ['3', '4', '7', '1999'],
    );
  });

  it('is not used when a key column is missing or compared otherwise', async () => {
    assert.equal((await run("SELECT id FROM k WHERE id = 5 AND day = '2024-02-29'")).length, 1);
    assert.equal((await run('SELECT id FROM k WHERE id < 3')).length, 3);
  });
});
