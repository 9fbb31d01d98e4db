/**
 * Compares a PostgreSQL table with its StarRocks copy (the emulator's inspection API). Values are
 * normalised to text on both sides: PostgreSQL through SQL casts chosen per column, the emulator's stored
 * values by their JS shape.
 */
import type { PgHarness } from './postgres.js';

export interface ColumnCheck {
  readonly name: string;
  /** SQL expression producing the comparable text on the PostgreSQL side (default: `"name"::text`). */
  readonly pgExpr?: string;
  /** Compare as JSON documents (key order and spacing ignored). */
  readonly json?: boolean;
}

export type Row = Record<string, string | null>;

/** JSON text with sorted keys, so jsonb (which reorders keys) and StarRocks JSON compare equal. */
export function normJson(text: string): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      return Object.fromEntries(
        Object.keys(v as Record<string, unknown>)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(JSON.parse(text)));
}

const DATETIME_FRACTION = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.(\d+)$/;

/** PostgreSQL prints `.76271`, StarRocks `.762710`: compare fractions without trailing zeros. */
function normFraction(text: string): string {
  const m = DATETIME_FRACTION.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) return text;
  const frac = m[2].replace(/0+$/, '');
  return frac === '' ? m[1] : `${m[1]}.${frac}`;
}

/** Text form of an emulator stored value. */
export function storedToText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return `\\x${v.toString('hex')}`;
  if (Array.isArray(v)) return JSON.stringify(v.map((e) => storedToText(e)));
  return JSON.stringify(v);
}

/** The SELECT of `cols` as comparable text (see ColumnCheck.pgExpr), ordered by `key`; its rows go through `normalise`. */
export function pgRowsQuery(table: string, key: readonly string[], cols: readonly ColumnCheck[]): string {
  const q = (n: string): string => `"${n.replace(/"/g, '""')}"`;
  const select = cols.map((c) => `${c.pgExpr ?? `${q(c.name)}::text`} AS ${q(c.name)}`).join(', ');
  return `SELECT ${select} FROM ${table} ORDER BY ${key.map(q).join(', ')}`;
}

export async function pgRows(pg: PgHarness, table: string, key: readonly string[], cols: readonly ColumnCheck[]): Promise<Row[]> {
  const r = await pg.query<Row>(pgRowsQuery(table, key, cols));
  return r.rows.map((row) => normalise(row, cols));
}

export function normalise(row: Record<string, unknown>, cols: readonly ColumnCheck[]): Row {
  const out: Row = {};
  for (const c of cols) {
    const raw = row[c.name];
    const text = typeof raw === 'string' || raw === null || raw === undefined ? (raw ?? null) : storedToText(raw);
    out[c.name] = text !== null && c.json ? normJson(text) : text === null ? null : normFraction(text);
  }
  return out;
}

/** Emulator rows as text rows restricted to `cols`, with the audit columns kept apart. */
export function srRows(
  rows: readonly Record<string, unknown>[],
  cols: readonly ColumnCheck[],
): { row: Row; deleted: boolean; opType: string | null; version: string | null }[] {
  return rows.map((r) => {
    const lower: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) lower[k.toLowerCase()] = v;
    const picked: Record<string, unknown> = {};
    for (const c of cols) picked[c.name] = storedToText(lower[c.name.toLowerCase()]);
    return {
      row: normalise(picked, cols),
      deleted: lower['dbmazz_is_deleted'] === true,
      opType: storedToText(lower['dbmazz_op_type']),
      version: storedToText(lower['dbmazz_cdc_version']),
    };
  });
}
