/**
 * A SELECT without ORDER BY returns rows in key order (StoredValue order, NULLs first; equal keys of a
 * DUPLICATE KEY table in the order they were stored). The executor sorts only the rows its WHERE keeps
 * (sql/executor.ts): the result must be the rows of the sorted whole, in its order.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { type SqlHarness, startHarness } from './sql-harness.js';

describe('sql scans: key order, filtered or not', () => {
  let h: SqlHarness;
  let c: mysql.Connection;

  before(async () => {
    h = await startHarness();
    c = await h.connect();
    await c.query('CREATE DATABASE so');
    await c.query('USE so');
    await c.query(
      'CREATE TABLE pk (a VARCHAR(10) NOT NULL, b BIGINT NOT NULL, v INT) PRIMARY KEY(a, b) DISTRIBUTED BY HASH(a) PROPERTIES ("replication_num" = "1")',
    );
    await c.query('CREATE TABLE dup (k INT, v INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) PROPERTIES ("replication_num" = "1")');
    const pk = h.catalog.getTable('so', 'pk');
    const dup = h.catalog.getTable('so', 'dup');
    assert.ok(pk && dup);
    // Stored out of key order: keys by a scrambled sequence (integers are stored as bigint).
    for (let i = 0; i < 500; i++) {
      const j = (i * 7919) % 500;
      pk.putRow([`k${j % 37}`, BigInt(j), BigInt(i)]);
      dup.putRow([j % 11 === 0 ? null : BigInt(j % 13), BigInt(i)]);
    }
  });
  after(async () => h.close());

  const run = async (sql: string): Promise<unknown[]> => {
    const [r] = await c.query({ sql, rowsAsArray: true });
    return r as unknown[];
  };

  it('a filtered scan gives the rows of the whole sorted scan that pass, in its order', async () => {
    for (const [table, cols, where] of [
      ['pk', 'a, b, v', 'v % 3 = 0'],
      ['pk', 'a, b, v', "a >= 'k2' AND b < 300"],
      ['dup', 'k, v', 'v % 4 = 1'],
      ['dup', 'k, v', 'k IS NULL OR k > 6'],
    ] as const) {
      const whole = (await run(`SELECT ${cols} FROM ${table}`)) as unknown[][];
      const filtered = await run(`SELECT ${cols} FROM ${table} WHERE ${where}`);
      const v = cols.split(', ').indexOf('v');
      // The same predicate evaluated here on the whole result.
      const keep = (r: unknown[]): boolean => {
        const val = Number(r[v]);
        if (where === 'v % 3 = 0') return val % 3 === 0;
        if (where === 'v % 4 = 1') return val % 4 === 1;
        if (table === 'pk') return String(r[0]) >= 'k2' && Number(r[1]) < 300;
        return r[0] === null || Number(r[0]) > 6;
      };
      assert.deepEqual(filtered, whole.filter(keep), `${table} WHERE ${where}`);
      assert.ok(filtered.length > 10 && filtered.length < whole.length, `${table} WHERE ${where}: ${filtered.length} rows`);
    }
    // The whole scan is in key order; equal keys keep the order they were stored in.
    const dup = (await run('SELECT k, v FROM dup')) as [number | null, number][];
    for (let i = 1; i < dup.length; i++) {
      const [ka, va] = dup[i - 1] as [number | null, number];
      const [kb, vb] = dup[i] as [number | null, number];
      const ordered = ka === null ? true : kb !== null && (ka < kb || (ka === kb && va < vb));
      assert.ok(ordered || (ka === null && kb === null && va < vb), `row ${i}: (${ka}, ${va}) before (${kb}, ${vb})`);
    }
  });
});
