/**
 * Snapshot reads as COPY text against a real PostgreSQL (connectors/postgres/snapshot/reader.ts,
 * chunk-sql.ts, chunk-rows.ts): keys written back as literals (quotes, backslashes, tabs, newlines,
 * non-ASCII, composite keys) select exactly the rows parameters would, and every cell decodes to the
 * value the row's text gives through the stream's decoder (the extended protocol's text output,
 * which is what pgoutput sends), escapes and NULLs included.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { connectorContext, type TableSchema, type Value } from '../../../core/index.js';
import { parseConfig } from '../../../connectors/postgres/config.js';
import { SnapshotReader } from '../../../connectors/postgres/snapshot/reader.js';
import { chunkQuery, keysQuery } from '../../../connectors/postgres/snapshot/chunk-sql.js';
import { ChunkRows } from '../../../connectors/postgres/snapshot/chunk-rows.js';
import { TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';
import { decodeTextValue } from '../../../connectors/postgres/codec/text-values.js';
import { settingsFor, silentLogger } from './helpers.js';
import { waitFor } from '../../helpers/wait.js';

const KEYS = ["it's", 'back\\slash', 'tab\there', 'new\nline', 'ü €', '\\N', 'N', '', "''\\\\'", 'z'];

describe('PostgreSQL: snapshot reads as COPY text', () => {
  let pg: PgHarness;
  let reader: SnapshotReader;
  const reg = new TypeRegistry();
  before(async () => {
    pg = await startPostgres();
    await pg.query(`CREATE TABLE c (k text, n int, v text, j jsonb, t timestamptz, d numeric, b bool, a int[], PRIMARY KEY (k, n))`);
    let i = 0;
    for (const k of KEYS) {
      for (const n of [1, 2]) {
        i++;
        await pg.query('INSERT INTO c VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
          k,
          n,
          i % 3 === 0 ? null : `v${k}\r\u0001\b\f\u000b|${n}`,
          JSON.stringify({ k, s: 'a"b\\c' }),
          '2024-02-29 23:59:59.123456+05',
          i % 4 === 0 ? null : '-12.3400',
          n === 1,
          `{${n},NULL,3}`,
        ]);
      }
    }
    reader = new SnapshotReader(parseConfig(settingsFor(pg, { slot: 'copy_test', tables: ['c'] }), connectorContext({ logger: silentLogger })), silentLogger);
  });
  after(async () => {
    await reader?.close();
    await pg?.close();
  });

  const names = ['k', 'n', 'v', 'j', 't', 'd', 'b', 'a'];
  const schema = { id: { schema: 'public', name: 'c' }, columns: names.map((name) => ({ name })), keyColumns: ['k', 'n'] } as unknown as TableSchema;
  const types = [25, 23, 25, 3802, 1184, 1700, 16, 1007].map((oid) => reg.lookup(oid));

  /** The rows in key order as PostgreSQL's text output (extended protocol), decoded as the stream decodes. */
  const expected = async (where = '', params: unknown[] = []): Promise<Value[][]> => {
    const res = await pg.query<Record<string, string | null>>(
      `SELECT ${names.map((n) => `${n}::text AS ${n}`).join(', ')} FROM c ${where} ORDER BY k, n`,
      params,
    );
    return res.rows.map((r) => names.map((n, i) => (r[n] === null || r[n] === undefined ? null : decodeTextValue(r[n], types[i] ?? reg.lookup(25)))));
  };
  const valuesOf = (rows: ChunkRows): Value[][] => {
    const out: Value[][] = [];
    for (let r = 0; r < rows.length; r++) out.push(names.map((_, c) => rows.value(r, c)));
    return out;
  };

  it("pages through every key by keyset with the previous chunk's last key as literals", async () => {
    const all: Value[][] = [];
    let afterKey: readonly string[] | undefined;
    for (let guard = 0; guard < 50; guard++) {
      const rows = new ChunkRows(types, [0, 1]);
      await reader.read(chunkQuery(schema, afterKey, 3), 'test read', rows);
      all.push(...valuesOf(rows));
      if (rows.length < 3) break;
      afterKey = rows.lastRawKey();
    }
    assert.equal(all.length, KEYS.length * 2);
    assert.deepEqual(all, await expected());
  });

  it('a read whose connection is lost mid-COPY fails (it does not wait forever), and the next read works', async () => {
    const rows = new ChunkRows([reg.lookup(23), reg.lookup(25)], [0]);
    // Slow enough to be killed mid-stream: a row every 20 ms.
    const slow = reader.read({ text: 'SELECT g, pg_catalog.pg_sleep(0.02)::text FROM generate_series(1, 2000) g', values: [] }, 'test read', rows);
    const outcome = slow.then(
      () => 'resolved',
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    await waitFor(async () => rows.length > 5, { message: 'the COPY did not start' });
    await pg.query("SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE '%_snapshot' AND state = 'active'");
    const result = await Promise.race([outcome, new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    assert.notEqual(result, 'resolved');
    assert.notEqual(result, 'still waiting', 'the read hangs after its connection was lost');
    const again = new ChunkRows(types, [0, 1]);
    await reader.read(chunkQuery(schema, undefined, 3), 'test read', again);
    assert.equal(again.length, 3);
  });

  it('reads exactly the asked-for keys, whatever their characters', async () => {
    const wanted = KEYS.filter((_, i) => i % 2 === 0).map((k) => [k, '2']);
    const rows = new ChunkRows(types, [0, 1]);
    await reader.read(keysQuery(schema, [...wanted, ['no such key', '1']]), 'test read', rows);
    const got = valuesOf(rows).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    const want = (await expected('WHERE n = 2 AND k = ANY($1)', [wanted.map((w) => w[0])])).sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1));
    assert.equal(got.length, wanted.length);
    assert.deepEqual(got, want);
    for (let r = 0; r < rows.length; r++) assert.ok(KEYS.includes(rows.rawKey(r)[0] ?? '?'), 'the raw key is the text as printed');
  });
});
