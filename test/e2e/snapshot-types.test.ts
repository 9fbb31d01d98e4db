/**
 * The type corpus through both paths (issue 10): the same rows, copied by the initial snapshot into
 * one table and streamed as inserts into another, must be stored identically in StarRocks (byte for
 * byte, every column), and both must match PostgreSQL's rendering through the documented mapping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { e2eWorld } from './world.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, startStreaming } from './daemon-env.js';
import { COLUMNS, expectedRow, insertStatement, PG_PRELUDE, pgTable, pgTextQuery, ROWS, srTable, storedRow, TYPES_DB } from './types-fixture.js';

const SNAP = 'by_snapshot';
const STREAM = 'by_stream';

/** A stored value as exact text (Buffers as hex), for byte-identical comparison. */
function exact(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (Buffer.isBuffer(v)) return `0x${v.toString('hex')}`;
  if (typeof v === 'object') return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
  return `${typeof v}:${String(v)}`;
}

describe('end to end: the type corpus through the snapshot and the stream', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  const world = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    for (const s of PG_PRELUDE) await pg.query(s);
    await pg.query(pgTable(SNAP));
    await pg.query(pgTable(STREAM));
    await em.sql(`CREATE DATABASE ${TYPES_DB}`);
    await em.sql(srTable(SNAP), TYPES_DB);
    await em.sql(srTable(STREAM), TYPES_DB);
    // Existing rows: only the snapshot can copy them.
    for (const r of ROWS) {
      const s = insertStatement(SNAP, r);
      await pg.query(s.sql, s.params);
    }
  });

  it('stores every value of a snapshot row exactly as the same row written by the stream', async () => {
    const d = await startStreaming(pg, daemonEnv(pg, em, TYPES_DB, `${SNAP},${STREAM}`, { SNAPSHOT_CHUNK_ROWS: '2' }));
    world.daemons.push(d);
    for (const r of ROWS) {
      const s = insertStatement(STREAM, r);
      await pg.query(s.sql, s.params);
    }
    await waitFor(() => em.rows(TYPES_DB, SNAP).length === ROWS.length && em.rows(TYPES_DB, STREAM).length === ROWS.length, {
      timeoutMs: 60_000,
      message: () =>
        `rows missing: snapshot ${em.rows(TYPES_DB, SNAP).length}, stream ${em.rows(TYPES_DB, STREAM).length} of ${ROWS.length}\n${d.output().slice(-3000)}`,
    });
    const byId = (t: string): Map<string, Record<string, unknown>> => new Map(em.rows(TYPES_DB, t).map((r) => [String(r['id']), r]));
    const snap = byId(SNAP);
    const stream = byId(STREAM);
    const pgRows = (await pg.query<Record<string, unknown>>(pgTextQuery(`public.${SNAP}`))).rows;
    const problems: string[] = [];
    for (const row of pgRows) {
      const id = String(row['id']);
      const a = snap.get(id);
      const b = stream.get(id);
      if (!a || !b) {
        problems.push(`${id}: missing (snapshot ${a ? 'ok' : 'missing'}, stream ${b ? 'ok' : 'missing'})`);
        continue;
      }
      for (const c of COLUMNS) {
        if (exact(a[c.name]) !== exact(b[c.name]))
          problems.push(`${id}.${c.name} (${c.pg}): snapshot ${exact(a[c.name]).slice(0, 80)} != stream ${exact(b[c.name]).slice(0, 80)}`);
      }
      const want = expectedRow(row);
      const got = storedRow(a);
      for (const c of COLUMNS)
        if (got[c.name] !== want[c.name]) problems.push(`${id}.${c.name} (${c.pg}): snapshot ${String(got[c.name])} != PostgreSQL ${String(want[c.name])}`);
      if (a['dbmazz_op_type'] === undefined || String(a['dbmazz_is_deleted']) === 'true') problems.push(`${id}: audit columns wrong`);
    }
    assert.equal(problems.slice(0, 40).join('\n'), '');
    await d.waitForLine(/"msg":"snapshot done"/, 20_000);
  });
});
