/**
 * Runs a simple SELECT over one relation (a catalog table, an information_schema view, the rows of a
 * SHOW statement) or over no table at all: WHERE, one implicit group for COUNT/MAX/MIN/SUM, ORDER BY
 * (expressions, output aliases or ordinals; ASC NULLS FIRST / DESC NULLS LAST as in StarRocks),
 * DISTINCT, LIMIT/OFFSET. Values are rendered as the mysql client shows StarRocks values.
 */
import type { ColumnType } from '../types.js';
import { compareStored, type StoredValue, storedToText } from '../values.js';
import type { Expr, OrderItem, SelectItem, SelectStatement } from './ast.js';
import { analysisError } from './errors.js';
import { type EvalContext, evaluate, genericCompare, type Relation, staticType, truthy } from './eval.js';
import { AGGREGATES } from './functions.js';
import { type SqlResult, sqlColumnOf } from './result.js';
import type { SqlSession } from './session.js';

type FuncExpr = Extract<Expr, { kind: 'func' }>;
const VARCHAR: ColumnType = { kind: 'VARCHAR', length: 65533 };

interface OutputItem {
  readonly name: string;
  readonly expr: Expr;
}

/**
 * StarRocks prints JSON values with a space after `:` and `,` (`{"a": 1, "b": [1, 2]}`, docs of
 * parse_json/json_object); the stored text is minified.
 */
export function jsonDisplayText(minified: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < minified.length; i++) {
    const ch = minified[i] ?? '';
    out += ch;
    if (inString) {
      if (ch === '\\') out += minified[++i] ?? '';
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === ':' || ch === ',') out += ' ';
  }
  return out;
}

function collectAggregates(e: Expr, out: FuncExpr[]): void {
  switch (e.kind) {
    case 'func':
      if (AGGREGATES.has(e.name)) {
        out.push(e);
        return;
      }
      e.args.forEach((a) => collectAggregates(a, out));
      return;
    case 'binary':
      collectAggregates(e.left, out);
      collectAggregates(e.right, out);
      return;
    case 'not':
    case 'neg':
    case 'isNull':
      collectAggregates(e.expr, out);
      return;
    case 'in':
      collectAggregates(e.expr, out);
      e.list.forEach((a) => collectAggregates(a, out));
      return;
    case 'like':
      collectAggregates(e.expr, out);
      collectAggregates(e.pattern, out);
      return;
    case 'between':
      [e.expr, e.low, e.high].forEach((a) => collectAggregates(a, out));
      return;
    default:
      return;
  }
}

/** A column reference outside any aggregate call (not allowed in an aggregate query without GROUP BY). */
function bareColumn(e: Expr): Extract<Expr, { kind: 'column' }> | null {
  switch (e.kind) {
    case 'column':
      return e;
    case 'func':
      if (AGGREGATES.has(e.name)) return null;
      for (const a of e.args) {
        const c = bareColumn(a);
        if (c) return c;
      }
      return null;
    case 'binary':
      return bareColumn(e.left) ?? bareColumn(e.right);
    case 'not':
    case 'neg':
    case 'isNull':
      return bareColumn(e.expr);
    default:
      return null;
  }
}

function computeAggregate(f: FuncExpr, rows: readonly (readonly StoredValue[])[], base: EvalContext): StoredValue {
  if (f.name === 'COUNT' && f.star) return BigInt(rows.length);
  const arg = f.args[0];
  if (!arg || f.args.length !== 1) throw analysisError(`No matching function with signature: ${f.name.toLowerCase()}()`);
  const values = rows.map((row) => evaluate(arg, { ...base, row })).filter((v): v is Exclude<StoredValue, null> => v !== null);
  const t = staticType(arg, base);
  if (f.name === 'COUNT') {
    if (!f.distinct) return BigInt(values.length);
    return BigInt(new Set(values.map((v) => storedToText(t ?? VARCHAR, v))).size);
  }
  if (values.length === 0) return null;
  if (f.name === 'SUM') {
    if (t?.kind === 'DECIMAL') {
      const scaled = values.reduce<bigint>((acc, v) => acc + BigInt(String(v).replace('.', '')), 0n);
      const neg = scaled < 0n;
      const digits = (neg ? -scaled : scaled).toString().padStart(t.scale + 1, '0');
      const text = t.scale > 0 ? `${digits.slice(0, -t.scale)}.${digits.slice(-t.scale)}` : digits;
      return neg ? `-${text}` : text;
    }
    if (values.every((v) => typeof v === 'bigint' || typeof v === 'boolean'))
      return values.reduce<bigint>((a, v) => a + (typeof v === 'bigint' ? v : v ? 1n : 0n), 0n);
    return values.reduce<number>((a, v) => a + Number(v), 0);
  }
  let best = values[0] ?? null;
  for (const v of values.slice(1)) {
    const c = t ? compareStored(t, v, best) : (genericCompare(v, best) ?? 0);
    if (f.name === 'MAX' ? c > 0 : c < 0) best = v;
  }
  return best;
}

function expandItems(items: readonly SelectItem[], rel: Relation | null): OutputItem[] {
  const out: OutputItem[] = [];
  for (const item of items) {
    if (item.kind === 'star') {
      if (!rel) throw analysisError('No tables used');
      if (item.qualifier !== null && item.qualifier !== (rel.alias ?? rel.name)) throw analysisError(`Unknown table '${item.qualifier}'`);
      for (const c of rel.columns) out.push({ name: c.name, expr: { kind: 'column', name: c.name, qualifier: null } });
    } else out.push({ name: item.alias ?? (item.expr.kind === 'column' ? item.expr.name : item.text), expr: item.expr });
  }
  return out;
}

/** ORDER BY item → index of an output column (ordinal or alias), or null to evaluate on the source row. */
function outputIndex(o: OrderItem, outputs: readonly OutputItem[], stmt: SelectStatement): number | null {
  if (o.expr.kind === 'literal' && o.expr.value.type === 'number' && /^[0-9]+$/.test(o.expr.value.text)) {
    const n = Number(o.expr.value.text);
    if (n < 1 || n > outputs.length) throw analysisError(`ORDER BY position ${n} is not in select list`);
    return n - 1;
  }
  if (o.expr.kind === 'column' && o.expr.qualifier === null) {
    const name = o.expr.name.toLowerCase();
    const i = stmt.items.findIndex((it) => it.kind === 'expr' && it.alias !== null && it.alias.toLowerCase() === name);
    if (i >= 0) return i;
  }
  return null;
}

export function runSelect(stmt: SelectStatement, rel: Relation | null, session: SqlSession, now: Date = new Date()): SqlResult {
  const base: EvalContext = { relation: rel, row: null, session, now, aggregates: null };
  const outputs = expandItems(stmt.items, rel);
  const source: readonly (readonly StoredValue[])[] = rel ? rel.rows : [[]];
  if (stmt.where) {
    const w: FuncExpr[] = [];
    collectAggregates(stmt.where, w);
    if (w.length) throw analysisError('WHERE clause cannot contain aggregations');
  }
  const kept = stmt.where ? source.filter((row) => truthy(evaluate(stmt.where as Expr, { ...base, row }))) : [...source];
  const filtered = rel?.order ? rel.order(kept) : kept;

  const aggs: FuncExpr[] = [];
  outputs.forEach((o) => collectAggregates(o.expr, aggs));
  const types = outputs.map((o) => staticType(o.expr, base));
  let produced: { values: StoredValue[]; keys: StoredValue[] }[];
  const orderExprs = stmt.orderBy.map((o) => ({ item: o, out: outputIndex(o, outputs, stmt) }));

  if (aggs.length > 0) {
    for (const o of outputs) {
      const c = bareColumn(o.expr);
      if (c) throw analysisError(`'${c.name}' must be an aggregate expression or appear in GROUP BY clause`);
    }
    const aggregates = new Map<Expr, StoredValue>();
    for (const f of aggs) aggregates.set(f, computeAggregate(f, filtered, base));
    const ctx: EvalContext = { ...base, aggregates, row: filtered[0] ?? [] };
    produced = [{ values: outputs.map((o) => evaluate(o.expr, ctx)), keys: [] }];
  } else {
    produced = filtered.map((row) => {
      const ctx: EvalContext = { ...base, row };
      const values = outputs.map((o) => evaluate(o.expr, ctx));
      const keys = orderExprs.map((o) => (o.out !== null ? (values[o.out] ?? null) : evaluate(o.item.expr, ctx)));
      return { values, keys };
    });
    if (orderExprs.length > 0) {
      const keyTypes = orderExprs.map((o) => (o.out !== null ? (types[o.out] ?? null) : staticType(o.item.expr, base)));
      const indexed = produced.map((p, i) => ({ p, i }));
      indexed.sort((a, b) => {
        for (let k = 0; k < orderExprs.length; k++) {
          const o = orderExprs[k]?.item;
          if (!o) continue;
          const x = a.p.keys[k] ?? null;
          const y = b.p.keys[k] ?? null;
          const nullsFirst = o.nullsFirst ?? !o.desc;
          if (x === null || y === null) {
            if (x === y) continue;
            return (x === null) === nullsFirst ? -1 : 1;
          }
          const t = keyTypes[k];
          const c = t ? compareStored(t, x, y) : (genericCompare(x, y) ?? 0);
          if (c !== 0) return o.desc ? -c : c;
        }
        // ties: row order in the direction of the first key (newest first for DESC)
        return stmt.orderBy[0]?.desc ? b.i - a.i : a.i - b.i;
      });
      produced = indexed.map((x) => x.p);
    }
  }
  const fmt = (v: StoredValue, i: number): string | null => {
    if (v === null) return null;
    if (Buffer.isBuffer(v) && types[i]?.kind === 'VARBINARY') return v.toString('latin1');
    if (types[i]?.kind === 'JSON' && typeof v === 'string') return jsonDisplayText(v);
    return storedToText(types[i] ?? VARCHAR, v);
  };
  let rows = produced.map((p) => p.values.map(fmt));
  if (stmt.distinct) {
    const seen = new Set<string>();
    rows = rows.filter((r) => {
      const k = JSON.stringify(r);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  if (stmt.limit) rows = rows.slice(stmt.limit.offset, stmt.limit.offset + stmt.limit.count);
  const columns = outputs.map((o, i) => sqlColumnOf(o.name, types[i] ?? VARCHAR));
  return { kind: 'rows', columns, rows };
}
