/**
 * Primary-key point lookups (pure over a `Table`): a WHERE that is a disjunction of conjunctions, each
 * `key column = literal` for every key column (`(k1 = 1 AND k2 = 'a') OR (k1 = 2 AND k2 = 'b')`), reads
 * the matching rows through the key map instead of scanning and sorting the whole table. StarRocks
 * serves such queries from its primary key index; the emulator needs it so that lookups of a few
 * hundred keys in a table of 100k rows (the sink's replay guard after a restart) stay fast.
 *
 * Only a candidate set: the executor still evaluates the WHERE on these rows, so the result is the
 * same as a full scan. Literals are cast to the column type the way comparisons cast them (eval.ts
 * `coerce`); a literal that does not cast matches nothing.
 */
import type { Table } from '../table.js';
import { compareStored, type StoredValue } from '../values.js';
import type { Expr } from './ast.js';
import { coerce, evaluate, type EvalContext } from './eval.js';

function disjuncts(e: Expr, out: Expr[]): void {
  if (e.kind === 'binary' && e.op === 'OR') {
    disjuncts(e.left, out);
    disjuncts(e.right, out);
  } else out.push(e);
}

function conjuncts(e: Expr, out: Expr[]): void {
  if (e.kind === 'binary' && e.op === 'AND') {
    conjuncts(e.left, out);
    conjuncts(e.right, out);
  } else out.push(e);
}

/** Rows (in key order) that can match `where`, or undefined when it is not a key lookup. */
export function pointLookupRows(where: Expr, table: Table, ctx: EvalContext): readonly (readonly StoredValue[])[] | undefined {
  if (!table.isKeyed) return undefined;
  const keyIdx = table.keyIndexes();
  const cols = table.columns;
  const keyNames = keyIdx.map((i) => cols[i]?.name.toLowerCase() ?? '');
  const terms: Expr[] = [];
  disjuncts(where, terms);
  const found = new Map<readonly StoredValue[], true>();
  for (const term of terms) {
    const parts: Expr[] = [];
    conjuncts(term, parts);
    if (parts.length !== keyIdx.length) return undefined;
    const key: (StoredValue | undefined)[] = keyIdx.map(() => undefined);
    let castFailed = false;
    for (const p of parts) {
      if (p.kind !== 'binary' || p.op !== '=') return undefined;
      const [col, lit] = p.left.kind === 'column' ? [p.left, p.right] : [p.right, p.left];
      if (col.kind !== 'column' || col.qualifier !== null || lit.kind !== 'literal') return undefined;
      const k = keyNames.indexOf(col.name.toLowerCase());
      if (k < 0 || key[k] !== undefined) return undefined;
      const type = cols[keyIdx[k] ?? -1]?.type;
      if (type === undefined) return undefined;
      const v = coerce(type, evaluate(lit, ctx));
      if (v === null) castFailed = true;
      key[k] = v;
    }
    if (castFailed || key.some((v) => v === undefined)) continue;
    const row = table.getRow(key as StoredValue[]);
    if (row !== undefined) found.set(row, true);
  }
  const rows = [...found.keys()];
  rows.sort((a, b) => {
    for (const i of keyIdx) {
      const type = cols[i]?.type;
      const c = type === undefined ? 0 : compareStored(type, a[i] ?? null, b[i] ?? null);
      if (c !== 0) return c;
    }
    return 0;
  });
  return rows;
}
