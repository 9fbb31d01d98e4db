/** Helpers of the schema-evolution end-to-end tests (real CLI, real PostgreSQL, the emulator). */
import assert from 'node:assert/strict';
import type pg from 'pg';
import { type PgHarness, normalise, pgRowsQuery, srRows, type ColumnCheck, type Row } from 'dbmazz-postgres-sandbox';
import { type StarRocksEmulator, formatColumnType, schemaChangesOf } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';

export type PgQuery = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

export function queryOf(c: pg.Client | PgHarness): PgQuery {
  if ('createDatabase' in c) return (sql, params) => c.query(sql, params);
  return (sql, params) => c.query(sql, params);
}

/** Column name → SQL type spelling (`BIGINT`, `DECIMAL(10,2)`, …) of an emulator table. */
export function srTypes(em: StarRocksEmulator, db: string, table: string): Record<string, string> {
  const t = em.catalog.getTable(db, table);
  assert.ok(t, `no StarRocks table ${db}.${table}`);
  return Object.fromEntries(t.columns.map((c) => [c.name, formatColumnType(c.type, 'sql')]));
}

/** The columns added by each ADD COLUMN job of a table, oldest first. */
export function addJobs(em: StarRocksEmulator, db: string, table: string): string[][] {
  return schemaChangesOf(em.catalog)
    .jobs(db)
    .filter((j) => j.tableName === table && j.columns.length > 0)
    .map((j) => j.columns.map((c) => c.column.name));
}

export async function pgTextRows(q: PgQuery, table: string, key: readonly string[], cols: readonly ColumnCheck[]): Promise<Row[]> {
  const r = await q(pgRowsQuery(table, key, cols));
  return r.rows.map((row: Record<string, unknown>) => normalise(row, cols));
}

/** Live (not soft-deleted) StarRocks rows as text rows restricted to `cols`, keyed by `key`. */
export function srLive(em: StarRocksEmulator, db: string, table: string, key: readonly string[], cols: readonly ColumnCheck[]): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const r of srRows(em.rows(db, table), cols)) if (!r.deleted) out.set(key.map((k) => r.row[k] ?? '').join('|'), r.row);
  return out;
}

/** '' when every PostgreSQL row is live in StarRocks with equal values (and nothing else is live). */
export async function diffTable(
  q: PgQuery,
  em: StarRocksEmulator,
  db: string,
  t: { readonly pg: string; readonly sr: string; readonly key: readonly string[]; readonly cols: readonly ColumnCheck[] },
  only?: (row: Row) => boolean,
): Promise<string> {
  const source = (await pgTextRows(q, t.pg, t.key, t.cols)).filter((r) => only?.(r) ?? true);
  const target = srLive(em, db, t.sr, t.key, t.cols);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of source) {
    const k = t.key.map((c) => s[c] ?? '').join('|');
    seen.add(k);
    const got = target.get(k);
    if (got === undefined) problems.push(`${t.sr} ${k}: missing in StarRocks`);
    else if (JSON.stringify(got) !== JSON.stringify(s)) problems.push(`${t.sr} ${k}: ${JSON.stringify(got)} != ${JSON.stringify(s)}`);
  }
  if (only === undefined) for (const k of target.keys()) if (!seen.has(k)) problems.push(`${t.sr} ${k}: live in StarRocks, absent in PostgreSQL`);
  return problems.slice(0, 15).join('\n');
}

export async function waitConverged(
  q: PgQuery,
  em: StarRocksEmulator,
  db: string,
  t: Parameters<typeof diffTable>[3],
  d: DaemonProcess,
  only?: (row: Row) => boolean,
): Promise<void> {
  let diff = '';
  await waitFor(
    async () => {
      diff = await diffTable(q, em, db, t, only);
      return diff === '';
    },
    { timeoutMs: 60_000, intervalMs: 200, message: () => `${t.sr} never converged:\n${diff}\n--- daemon output ---\n${d.output().slice(-5000)}` },
  );
}
