/**
 * The final check: every StarRocks table equals its PostgreSQL table. Each live source row must be in
 * the target, not soft-deleted, with every column equal (values compared as text, as
 * dbmazz-postgres-sandbox's compare does); every other target row must be a soft delete (dbmazz_is_deleted,
 * dbmazz_op_type 2), and their number must be the number of rows the generator deleted (keys are never
 * reused). PostgreSQL is read in key order by pages, so memory holds one table's target rows only.
 */
import type pg from 'pg';
import { normalise, storedToText, type Row } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { DEMO_DB, type DemoTable, type DemoTableSpec } from './schema.js';

export interface TableVerdict {
  readonly table: DemoTable;
  /** Live rows in PostgreSQL. */
  sourceRows: number;
  /** Rows in StarRocks (soft-deleted ones included). */
  targetRows: number;
  equal: number;
  softDeleted: number;
  readonly expectedDeleted: number;
  /** The first problems found (at most 10), and how many there were. */
  readonly problems: string[];
  problemCount: number;
  readonly ok: boolean;
}

const PAGE = 10_000;
const MAX_LISTED = 10;

interface TargetRow {
  readonly values: string;
  readonly deleted: boolean;
  readonly opType: string | null;
}

function keyText(row: Row, spec: DemoTableSpec): string {
  return spec.key.map((k) => row[k.name] ?? '').join('|');
}

/** The target table as key → comparable text (one entry per row). */
function targetRows(em: StarRocksEmulator, spec: DemoTableSpec): Map<string, TargetRow> {
  const table = em.catalog.getTable(DEMO_DB, spec.name);
  if (table === undefined) throw new Error(`no table ${DEMO_DB}.${spec.name} in the emulator`);
  const index = new Map(table.columns.map((c, i) => [c.name.toLowerCase(), i]));
  const at = (name: string): number => index.get(name.toLowerCase()) ?? -1;
  const cols = spec.cols.map((c) => ({ name: c.name, i: at(c.name) }));
  const deletedAt = at('dbmazz_is_deleted');
  const opAt = at('dbmazz_op_type');
  const out = new Map<string, TargetRow>();
  for (const r of table.scan()) {
    const picked: Record<string, unknown> = {};
    for (const c of cols) picked[c.name] = c.i < 0 ? null : storedToText(r[c.i] ?? null);
    const row = normalise(picked, spec.cols);
    out.set(keyText(row, spec), {
      values: JSON.stringify(row),
      deleted: deletedAt >= 0 && r[deletedAt] === true,
      opType: opAt >= 0 ? storedToText(r[opAt] ?? null) : null,
    });
  }
  return out;
}

/** PostgreSQL rows in key order, one page after the other. */
async function* sourcePages(db: pg.ClientBase, spec: DemoTableSpec, pageSize: number): AsyncGenerator<Row[]> {
  const q = (n: string): string => `"${n.replace(/"/g, '""')}"`;
  const select = spec.cols.map((c) => `${c.pgExpr ?? `${q(c.name)}::text`} AS ${q(c.name)}`).join(', ');
  // Qualified: in ORDER BY a bare name would mean the output column (the text form), not the key.
  const keyCols = spec.key.map((k) => `t.${q(k.name)}`).join(', ');
  const keyParams = spec.key.map((k, i) => `$${i + 1}::${k.type}`).join(', ');
  let after: string[] | undefined;
  for (;;) {
    const where = after === undefined ? '' : `WHERE (${keyCols}) > (${keyParams})`;
    const r = await db.query<Row>(`SELECT ${select} FROM ${q(spec.name)} AS t ${where} ORDER BY ${keyCols} LIMIT ${pageSize}`, after ?? []);
    if (r.rows.length === 0) return;
    yield r.rows;
    const last = r.rows[r.rows.length - 1];
    if (last === undefined || r.rows.length < pageSize) return;
    after = spec.key.map((k) => last[k.name] ?? '');
  }
}

function firstDiff(a: string, b: string): string {
  const x = JSON.parse(a) as Record<string, string | null>;
  const y = JSON.parse(b) as Record<string, string | null>;
  const cut = (v: string | null | undefined): string =>
    v === null || v === undefined ? 'NULL' : v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}…(${v.length} chars)` : JSON.stringify(v);
  return Object.keys(y)
    .filter((k) => x[k] !== y[k])
    .map((k) => `${k}: StarRocks ${cut(x[k])}, PostgreSQL ${cut(y[k])}`)
    .join('; ');
}

/** Compares one table; `pageSize` is the PostgreSQL page (rows per query). */
export async function validateTable(
  db: pg.ClientBase,
  em: StarRocksEmulator,
  spec: DemoTableSpec,
  expectedDeleted: number,
  pageSize = PAGE,
): Promise<TableVerdict> {
  const target = targetRows(em, spec);
  const problems: string[] = [];
  let problemCount = 0;
  const problem = (text: string): void => {
    problemCount++;
    if (problems.length < MAX_LISTED) problems.push(text);
  };
  const v = { table: spec.name, sourceRows: 0, targetRows: target.size, equal: 0, softDeleted: 0, expectedDeleted };
  for await (const page of sourcePages(db, spec, pageSize)) {
    for (const raw of page) {
      v.sourceRows++;
      const row = normalise(raw, spec.cols);
      const key = keyText(row, spec);
      const t = target.get(key);
      if (t === undefined) {
        problem(`${spec.name} ${key}: missing in StarRocks`);
        continue;
      }
      target.delete(key);
      const values = JSON.stringify(row);
      if (t.deleted) problem(`${spec.name} ${key}: soft-deleted in StarRocks but live in PostgreSQL`);
      else if (t.values !== values) problem(`${spec.name} ${key}: ${firstDiff(t.values, values)}`);
      else v.equal++;
    }
  }
  for (const [key, t] of target) {
    if (!t.deleted) problem(`${spec.name} ${key}: live in StarRocks, deleted in PostgreSQL`);
    else {
      v.softDeleted++;
      if (t.opType !== '2') problem(`${spec.name} ${key}: soft-deleted with dbmazz_op_type ${t.opType ?? 'NULL'} (expected 2)`);
    }
  }
  if (v.softDeleted !== expectedDeleted)
    problem(`${spec.name}: ${v.softDeleted} soft-deleted rows in StarRocks, ${expectedDeleted} rows deleted in PostgreSQL`);
  return { ...v, problems, problemCount, ok: problemCount === 0 };
}
