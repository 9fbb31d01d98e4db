/**
 * Type torture, end to end: one table with a column for every PostgreSQL type (types-fixture.ts),
 * rows of edge values inserted, updated (rotated between rows, and single columns) and deleted. Every
 * StarRocks value is compared with PostgreSQL's text rendering of the same value, through the
 * documented normalisations (docs/starrocks.md, "Type mapping").
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inTransaction, startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';
import {
  COLUMNS,
  expectedRow,
  insertStatement,
  PG_PRELUDE,
  pgTable,
  pgTextQuery,
  ROWS,
  srTable,
  storedRow,
  TYPES_DB,
  updateStatement,
} from './types-fixture.js';

const TABLE = 'torture';

describe('end to end: every PostgreSQL type (type torture)', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess | undefined;
  /** Expected StarRocks text of rows deleted in PostgreSQL (soft delete keeps the last values). */
  const deleted = new Map<string, Record<string, string | null>>();

  async function expected(): Promise<Map<string, Record<string, string | null>>> {
    const r = await pg.query<Record<string, unknown>>(pgTextQuery(`public.${TABLE}`));
    return new Map(r.rows.map((row) => [String(row['id']), expectedRow(row)]));
  }

  async function diff(): Promise<string> {
    const want = await expected();
    const problems: string[] = [];
    const rows = em.rows(TYPES_DB, TABLE);
    const seen = new Set<string>();
    for (const r of rows) {
      const id = String(r['id']);
      seen.add(id);
      const isDeleted = r['dbmazz_is_deleted'] === true;
      const w = want.get(id) ?? deleted.get(id);
      if (!w) {
        problems.push(`${id}: in StarRocks, never in PostgreSQL`);
        continue;
      }
      if (want.has(id) === isDeleted) problems.push(`${id}: dbmazz_is_deleted=${isDeleted}`);
      const got = storedRow(r);
      for (const c of COLUMNS) {
        if (got[c.name] !== w[c.name]) {
          const show = (s: string | null): string => (s === null ? 'NULL' : JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s));
          problems.push(`${id}.${c.name} (${c.pg} → ${c.sr}): StarRocks ${show(got[c.name] ?? null)} != expected ${show(w[c.name] ?? null)}`);
        }
      }
    }
    for (const id of want.keys()) if (!seen.has(id)) problems.push(`${id}: missing in StarRocks`);
    return problems.slice(0, 40).join('\n');
  }

  async function converge(what: string): Promise<void> {
    let d = '';
    await waitFor(
      async () => {
        d = await diff();
        return d === '';
      },
      { timeoutMs: 60_000, intervalMs: 250, message: () => `${what}:\n${d}\n--- daemon ---\n${daemon?.output().slice(-3000)}` },
    );
  }

  async function run(stmts: readonly { sql: string; params: (string | null)[] }[]): Promise<void> {
    await inTransaction(pg, async (c) => {
      for (const s of stmts) await c.query(s.sql, s.params);
    });
  }

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    for (const s of PG_PRELUDE) await pg.query(s);
    await pg.query(pgTable(TABLE));
    await em.sql(`CREATE DATABASE ${TYPES_DB}`);
    await em.sql(srTable(TABLE), TYPES_DB);
    daemon = await startStreaming(pg, daemonEnv(pg, em, TYPES_DB, TABLE));
  });

  after(async () => {
    await killDaemons(daemon);
    await em?.close();
    await pg?.close();
  });

  it('inserts: every value arrives as PostgreSQL renders it (documented normalisations)', async () => {
    await run(ROWS.map((r) => insertStatement(TABLE, r)));
    await converge('after the inserts');
    // NaN, ±Infinity, infinite and out-of-range dates were written as NULL, counted and logged.
    // The warning is logged once the load's reply is in, which may come after the rows are visible.
    await daemon?.waitForLine(/without a StarRocks representation/, 10_000);
    assert.equal(em.loads().filter((l) => l.db === TYPES_DB && l.status !== 'Success').length, 0);
  });

  it("updates: rows take each other's values, and single columns change", async () => {
    const n = ROWS.length;
    await run(ROWS.map((r, i) => updateStatement(TABLE, String(r['id']), ROWS[(i + 1) % n] ?? r)));
    await converge('after rotating the rows');
    await run([
      { sql: `UPDATE ${TABLE} SET i8 = i8 - 1, t = t || '✓', arr_i = arr_i || 7 WHERE id = $1`, params: ['1'] },
      { sql: `UPDATE ${TABLE} SET tstz = '2000-01-01 00:00:00.000001-12:00', d = '2000-01-01' WHERE id = $1`, params: ['2'] },
      { sql: `UPDATE ${TABLE} SET jb = jb || '{"added": [1, "ü"]}', n_free = 0.000000001 WHERE id = $1`, params: ['6'] },
    ]);
    await converge('after the single-column updates');
  });

  it('deletes: rows are soft-deleted and keep their last values', async () => {
    const before = await expected();
    for (const id of ['2', '5']) {
      const row = before.get(id);
      if (row) deleted.set(id, row);
    }
    await run([
      { sql: `DELETE FROM ${TABLE} WHERE id = $1`, params: ['2'] },
      { sql: `DELETE FROM ${TABLE} WHERE id = $1`, params: ['5'] },
    ]);
    await converge('after the deletes');
    const rows = new Map(em.rows(TYPES_DB, TABLE).map((r) => [String(r['id']), r]));
    assert.equal(rows.get('2')?.['dbmazz_is_deleted'], true);
    assert.equal(rows.get('2')?.['dbmazz_op_type'], 2n);
    assert.equal(rows.get('1')?.['dbmazz_is_deleted'], false);
  });
});
