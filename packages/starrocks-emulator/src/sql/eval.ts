/**
 * Expression evaluation over one row of a relation (pure).
 *
 * Values are `StoredValue`s (values.ts). Comparisons are typed the way StarRocks casts: when one side
 * is a column (or MAX/MIN of one), the other side is cast to that column's type (`convertText`) and
 * compared with `compareStored`, so `dt = '2024-01-01'` matches DATETIME `2024-01-01 00:00:00` and
 * `id = '5'` matches BIGINT 5. A failed cast makes the comparison NULL (false in WHERE).
 * NULL logic is three-valued.
 */
import { convertText } from '../convert.js';
import { type ColumnType, isIntegerKind } from '../types.js';
import { compareStored, compareStrings, type StoredValue, storedToText } from '../values.js';
import type { Expr } from './ast.js';
import { analysisError } from './errors.js';
import { callScalar, likeToRegExp, scalarType, variableType, variableValue } from './functions.js';
import type { SqlSession } from './session.js';

export interface RelColumn {
  readonly name: string;
  readonly type: ColumnType;
}

export interface Relation {
  /** Table name (for `t.c` qualifiers); `db` for `db.t.c`. */
  readonly name: string;
  readonly db: string;
  readonly alias: string | null;
  readonly columns: readonly RelColumn[];
  readonly rows: readonly (readonly StoredValue[])[];
  /**
   * When set, `rows` are unordered and this puts rows of them (in their order) in the relation's order:
   * a table's rows are filtered first and only those that pass are sorted by key.
   */
  readonly order?: (rows: (readonly StoredValue[])[]) => readonly (readonly StoredValue[])[];
  /** information_schema names are matched case-insensitively. */
  readonly caseInsensitiveName?: boolean;
}

export interface EvalContext {
  readonly relation: Relation | null;
  readonly row: readonly StoredValue[] | null;
  readonly session: SqlSession;
  readonly now: Date;
  /** Values of aggregate calls of the current (single) group. */
  readonly aggregates: ReadonlyMap<Expr, StoredValue> | null;
}

const BOOLEAN: ColumnType = { kind: 'BOOLEAN' };

/**
 * The column index of each column reference for the relation it was last resolved against: a WHERE
 * clause is evaluated once per row of the same relation, and resolving the name is most of a simple
 * comparison's cost on a large table.
 */
const resolved = new WeakMap<Expr, { readonly rel: Relation; readonly index: number }>();

export function columnIndex(e: Extract<Expr, { kind: 'column' }>, rel: Relation | null): number {
  if (!rel) throw analysisError(`Column '${e.name}' cannot be resolved`);
  const known = resolved.get(e);
  if (known !== undefined && known.rel === rel) return known.index;
  const index = resolveColumn(e, rel);
  resolved.set(e, { rel, index });
  return index;
}

function resolveColumn(e: Extract<Expr, { kind: 'column' }>, rel: Relation): number {
  if (e.qualifier !== null) {
    const parts = e.qualifier.split('.');
    const tbl = parts[parts.length - 1] ?? '';
    const db = parts.length > 1 ? parts[parts.length - 2] : undefined;
    const eq = (a: string, b: string): boolean => (rel.caseInsensitiveName ? a.toLowerCase() === b.toLowerCase() : a === b);
    const tableOk = rel.alias !== null ? tbl === rel.alias : eq(tbl, rel.name);
    if (!tableOk || (db !== undefined && !eq(db, rel.db))) throw analysisError(`Column '${e.qualifier}.${e.name}' cannot be resolved`);
  }
  const lower = e.name.toLowerCase();
  const i = rel.columns.findIndex((c) => c.name.toLowerCase() === lower);
  if (i < 0) throw analysisError(`Column '${e.name}' cannot be resolved`);
  return i;
}

function literalIntType(n: bigint): ColumnType {
  const a = n < 0n ? -n - 1n : n;
  if (a < 2n ** 7n) return { kind: 'TINYINT' };
  if (a < 2n ** 15n) return { kind: 'SMALLINT' };
  if (a < 2n ** 31n) return { kind: 'INT' };
  if (a < 2n ** 63n) return { kind: 'BIGINT' };
  return { kind: 'LARGEINT' };
}

/** The SQL type of an expression, used for result columns and typed comparisons. */
export function staticType(e: Expr, ctx: EvalContext): ColumnType | null {
  switch (e.kind) {
    case 'literal':
      switch (e.value.type) {
        case 'null':
          return null;
        case 'bool':
          return BOOLEAN;
        case 'string':
          return { kind: 'VARCHAR', length: Math.max(1, Buffer.byteLength(e.value.value)) };
        case 'number':
          return /^[0-9]+$/.test(e.value.text) ? literalIntType(BigInt(e.value.text)) : { kind: 'DOUBLE' };
      }
      return null;
    case 'column':
      return ctx.relation?.columns[columnIndex(e, ctx.relation)]?.type ?? null;
    case 'variable':
      return e.system ? variableType(e.name) : { kind: 'VARCHAR', length: 65533 };
    case 'func':
      switch (e.name) {
        case 'COUNT':
          return { kind: 'BIGINT' };
        case 'MAX':
        case 'MIN':
          return e.args[0] ? staticType(e.args[0], ctx) : null;
        case 'SUM': {
          const t = e.args[0] ? staticType(e.args[0], ctx) : null;
          if (!t) return null;
          if (t.kind === 'LARGEINT') return t;
          if (isIntegerKind(t.kind) || t.kind === 'BOOLEAN') return { kind: 'BIGINT' };
          if (t.kind === 'DECIMAL') return { kind: 'DECIMAL', precision: 38, scale: t.scale };
          return { kind: 'DOUBLE' };
        }
        default:
          return scalarType(e);
      }
    case 'neg':
      return staticType(e.expr, ctx);
    case 'binary':
      if (['+', '-', '*', '%'].includes(e.op)) {
        const l = staticType(e.left, ctx);
        const r = staticType(e.right, ctx);
        return l && r && isIntegerKind(l.kind) && isIntegerKind(r.kind) ? { kind: 'BIGINT' } : { kind: 'DOUBLE' };
      }
      if (e.op === '/') return { kind: 'DOUBLE' };
      return BOOLEAN;
    default:
      return BOOLEAN;
  }
}

/** Type of an expression that is bound to stored values (columns, MAX/MIN of columns). */
function boundType(e: Expr, ctx: EvalContext): ColumnType | null {
  if (e.kind === 'column') return staticType(e, ctx);
  if (e.kind === 'func' && (e.name === 'MAX' || e.name === 'MIN') && e.args[0]) return boundType(e.args[0], ctx);
  return null;
}

function toText(v: StoredValue): string {
  return storedToText({ kind: 'VARCHAR', length: 65533 }, v) ?? '';
}

export function coerce(t: ColumnType, v: StoredValue): StoredValue {
  if (isIntegerKind(t.kind) && typeof v === 'number' && !Number.isInteger(v)) return null;
  const r = convertText('', t, toText(v));
  return r.ok ? r.value : null;
}

/** Literals cast to a column's type, per literal and type (the same on every row). */
const castLiterals = new WeakMap<Expr, { readonly t: ColumnType; readonly from: StoredValue; readonly v: StoredValue }>();

/** `coerce(t, v)` of the value `v` of expression `e`, remembered when `e` is a literal. */
function coerceSide(t: ColumnType, e: Expr, v: StoredValue): StoredValue {
  if (e.kind !== 'literal') return coerce(t, v);
  const known = castLiterals.get(e);
  if (known !== undefined && known.t === t && known.from === v) return known.v;
  const cast = coerce(t, v);
  castLiterals.set(e, { t, from: v, v: cast });
  return cast;
}

function numberOf(v: StoredValue): number | bigint | null {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return /^\s*[+-]?\d+\s*$/.test(v) ? BigInt(v.trim()) : Number(v);
  return null;
}

function compareNumbers(a: number | bigint, b: number | bigint): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  const x = Number(a);
  const y = Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compare two untyped values; null when not comparable. */
export function genericCompare(a: StoredValue, b: StoredValue): number | null {
  if (a === null || b === null) return null;
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  const x = numberOf(a);
  const y = numberOf(b);
  if (x !== null && y !== null) return compareNumbers(x, y);
  return compareStrings(toText(a), toText(b));
}

function compareExprs(l: Expr, r: Expr, ctx: EvalContext): number | null {
  const lv = evaluate(l, ctx);
  const rv = evaluate(r, ctx);
  if (lv === null || rv === null) return null;
  const lt = boundType(l, ctx);
  const rt = boundType(r, ctx);
  if (lt && rt) return lt.kind === rt.kind ? compareStored(lt, lv, rv) : genericCompare(lv, rv);
  const t = lt ?? rt;
  if (!t) return genericCompare(lv, rv);
  const other = coerceSide(t, lt ? r : l, lt ? rv : lv);
  if (other === null) return null;
  return lt ? compareStored(t, lv, other) : compareStored(t, other, rv);
}

export function truthy(v: StoredValue): boolean {
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  const n = numberOf(v);
  return n !== null && Number(n) !== 0;
}

function logic(v: StoredValue): boolean | null {
  return v === null ? null : truthy(v);
}

function arithmetic(op: string, a: StoredValue, b: StoredValue): StoredValue {
  const x = numberOf(a);
  const y = numberOf(b);
  if (x === null || y === null) return null;
  if (typeof x === 'bigint' && typeof y === 'bigint' && op !== '/') {
    if (op === '+') return x + y;
    if (op === '-') return x - y;
    if (op === '*') return x * y;
    return y === 0n ? null : x % y;
  }
  const p = Number(x);
  const q = Number(y);
  if (op === '+') return p + q;
  if (op === '-') return p - q;
  if (op === '*') return p * q;
  if (q === 0) return null;
  return op === '/' ? p / q : p % q;
}

export function evaluate(e: Expr, ctx: EvalContext): StoredValue {
  switch (e.kind) {
    case 'literal':
      switch (e.value.type) {
        case 'null':
          return null;
        case 'bool':
          return e.value.value;
        case 'string':
          return e.value.value;
        case 'number':
          return /^[0-9]+$/.test(e.value.text) ? BigInt(e.value.text) : Number(e.value.text);
      }
      return null;
    case 'column': {
      const i = columnIndex(e, ctx.relation);
      if (!ctx.row) throw analysisError(`Column '${e.name}' cannot be resolved`);
      return ctx.row[i] ?? null;
    }
    case 'variable':
      return e.system ? variableValue(e.name) : null;
    case 'func': {
      const agg = ctx.aggregates?.get(e);
      if (agg !== undefined) return agg;
      if (['COUNT', 'MAX', 'MIN', 'SUM'].includes(e.name)) throw analysisError('Invalid use of group function');
      return callScalar(e, ctx.session, ctx.now);
    }
    case 'neg': {
      const v = evaluate(e.expr, ctx);
      const n = numberOf(v);
      return n === null ? null : typeof n === 'bigint' ? -n : -n;
    }
    case 'not': {
      const v = logic(evaluate(e.expr, ctx));
      return v === null ? null : !v;
    }
    case 'isNull': {
      const isNull = evaluate(e.expr, ctx) === null;
      return e.not ? !isNull : isNull;
    }
    case 'in': {
      let sawNull = false;
      for (const item of e.list) {
        const c = compareExprs(e.expr, item, ctx);
        if (c === 0) return !e.not;
        if (c === null) sawNull = true;
      }
      return sawNull ? null : e.not;
    }
    case 'like': {
      const v = evaluate(e.expr, ctx);
      const p = evaluate(e.pattern, ctx);
      if (v === null || p === null) return null;
      const m = likeToRegExp(toText(p), false).test(toText(v));
      return e.not ? !m : m;
    }
    case 'between': {
      const lo = compareExprs(e.expr, e.low, ctx);
      const hi = compareExprs(e.expr, e.high, ctx);
      if (lo === null || hi === null) return null;
      const inside = lo >= 0 && hi <= 0;
      return e.not ? !inside : inside;
    }
    case 'binary': {
      if (e.op === 'AND') {
        const a = logic(evaluate(e.left, ctx));
        if (a === false) return false;
        const b = logic(evaluate(e.right, ctx));
        if (b === false) return false;
        return a === null || b === null ? null : true;
      }
      if (e.op === 'OR') {
        const a = logic(evaluate(e.left, ctx));
        if (a === true) return true;
        const b = logic(evaluate(e.right, ctx));
        if (b === true) return true;
        return a === null || b === null ? null : false;
      }
      if (e.op === '<=>') {
        const a = evaluate(e.left, ctx);
        const b = evaluate(e.right, ctx);
        if (a === null || b === null) return a === b;
        return compareExprs(e.left, e.right, ctx) === 0;
      }
      if (['+', '-', '*', '/', '%'].includes(e.op)) return arithmetic(e.op, evaluate(e.left, ctx), evaluate(e.right, ctx));
      const c = compareExprs(e.left, e.right, ctx);
      if (c === null) return null;
      switch (e.op) {
        case '=':
          return c === 0;
        case '!=':
          return c !== 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        default:
          return c >= 0;
      }
    }
  }
}
