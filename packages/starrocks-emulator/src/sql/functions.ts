/**
 * Scalar functions and system variables of the emulator's SELECT (no table needed):
 * VERSION() (MySQL-compatible `8.0.33`, as StarRocks answers), CURRENT_VERSION() (`3.3.9-emulator`),
 * DATABASE()/SCHEMA(), USER()/CURRENT_USER(), CONNECTION_ID(), NOW()/CURRENT_TIMESTAMP()/CURRENT_DATE(),
 * and `@@[session.|global.]name`.
 */
import { formatDatetime } from '../convert.js';
import type { ColumnType } from '../types.js';
import type { StoredValue } from '../values.js';
import type { Expr } from './ast.js';
import { analysisError, unknownSystemVariable } from './errors.js';
import { MYSQL_COMPAT_VERSION, STARROCKS_VERSION, type SqlSession, SYSTEM_VARIABLES } from './session.js';

export const AGGREGATES: ReadonlySet<string> = new Set(['COUNT', 'MAX', 'MIN', 'SUM']);

const VARCHAR: ColumnType = { kind: 'VARCHAR', length: 65533 };
const BIGINT: ColumnType = { kind: 'BIGINT' };

type FuncExpr = Extract<Expr, { kind: 'func' }>;

interface ScalarFunction {
  readonly arity: number;
  readonly type: ColumnType;
  readonly call: (session: SqlSession, now: Date) => StoredValue;
}

const SCALARS: ReadonlyMap<string, ScalarFunction> = new Map<string, ScalarFunction>([
  ['VERSION', { arity: 0, type: VARCHAR, call: () => MYSQL_COMPAT_VERSION }],
  ['CURRENT_VERSION', { arity: 0, type: VARCHAR, call: () => STARROCKS_VERSION }],
  ['DATABASE', { arity: 0, type: VARCHAR, call: (s) => s.db }],
  ['SCHEMA', { arity: 0, type: VARCHAR, call: (s) => s.db }],
  ['USER', { arity: 0, type: VARCHAR, call: (s) => `'${s.user ?? 'root'}'@'${s.host ?? '%'}'` }],
  ['SESSION_USER', { arity: 0, type: VARCHAR, call: (s) => `'${s.user ?? 'root'}'@'${s.host ?? '%'}'` }],
  ['CURRENT_USER', { arity: 0, type: VARCHAR, call: (s) => `'${s.user ?? 'root'}'@'%'` }],
  ['CONNECTION_ID', { arity: 0, type: BIGINT, call: (s) => BigInt(s.connectionId ?? 0) }],
  ['NOW', { arity: 0, type: { kind: 'DATETIME' }, call: (_s, now) => formatDatetime(now) }],
  ['CURRENT_TIMESTAMP', { arity: 0, type: { kind: 'DATETIME' }, call: (_s, now) => formatDatetime(now) }],
  ['LOCALTIME', { arity: 0, type: { kind: 'DATETIME' }, call: (_s, now) => formatDatetime(now) }],
  ['LOCALTIMESTAMP', { arity: 0, type: { kind: 'DATETIME' }, call: (_s, now) => formatDatetime(now) }],
  ['CURRENT_DATE', { arity: 0, type: { kind: 'DATE' }, call: (_s, now) => formatDatetime(now).slice(0, 10) }],
  ['CURDATE', { arity: 0, type: { kind: 'DATE' }, call: (_s, now) => formatDatetime(now).slice(0, 10) }],
  ['CURRENT_TIME', { arity: 0, type: VARCHAR, call: (_s, now) => formatDatetime(now).slice(11) }],
  ['CURRENT_ROLE', { arity: 0, type: VARCHAR, call: () => 'root' }],
  ['LAST_QUERY_ID', { arity: 0, type: VARCHAR, call: () => '00000000-0000-0000-0000-000000000000' }],
]);

function noMatchingFunction(e: FuncExpr): Error {
  return analysisError(`No matching function with signature: ${e.name.toLowerCase()}(${e.star ? '*' : e.args.length ? '...' : ''})`);
}

function scalarOf(e: FuncExpr): ScalarFunction {
  const f = SCALARS.get(e.name);
  if (!f || e.star || e.args.length !== f.arity) throw noMatchingFunction(e);
  return f;
}

export function scalarType(e: FuncExpr): ColumnType {
  return scalarOf(e).type;
}

export function callScalar(e: FuncExpr, session: SqlSession, now: Date): StoredValue {
  return scalarOf(e).call(session, now);
}

function lookupVariable(name: string): string | number | bigint {
  const v = SYSTEM_VARIABLES.get(name.toLowerCase());
  if (v === undefined) throw unknownSystemVariable(name);
  return v;
}

export function variableType(name: string): ColumnType {
  const v = lookupVariable(name);
  return typeof v === 'string' ? VARCHAR : BIGINT;
}

export function variableValue(name: string): StoredValue {
  const v = lookupVariable(name);
  return typeof v === 'number' ? BigInt(v) : v;
}

/** LIKE pattern (`%`, `_`, `\` escape) → RegExp. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] ?? '';
    if (ch === '\\' && i + 1 < pattern.length) {
      re += (pattern[++i] ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    } else if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '');
}
