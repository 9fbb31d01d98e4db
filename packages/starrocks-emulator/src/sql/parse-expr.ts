/**
 * Expressions, ORDER BY / LIMIT and the simple SELECT of the emulator.
 * Precedence (low → high): OR, AND, NOT, comparison / IS / IN / LIKE / BETWEEN, + -, * / %, unary -.
 */
import type { BinaryOp, Expr, Limit, OrderItem, SelectItem, SelectStatement } from './ast.js';
import type { Cursor } from './cursor.js';
import { unsupportedStatement } from './errors.js';
import { isReserved } from './keywords.js';

/** Reserved words that StarRocks' grammar still accepts as function names. */
const RESERVED_FUNCTIONS = new Set([
  'DATABASE',
  'SCHEMA',
  'IF',
  'CURRENT_USER',
  'CURRENT_ROLE',
  'CURRENT_TIMESTAMP',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'CHAR',
  'LEFT',
  'RIGHT',
  'REPLACE',
  'MOD',
]);
/** Functions that may be written without parentheses. */
const BARE_FUNCTIONS = new Set(['CURRENT_USER', 'CURRENT_ROLE', 'CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP']);

const COMPARISONS: readonly BinaryOp[] = ['=', '!=', '<', '<=', '>', '>=', '<=>'];

export function parseExpr(c: Cursor): Expr {
  return parseOr(c);
}

function parseOr(c: Cursor): Expr {
  let left = parseAnd(c);
  while (c.tryKeyword('OR') || c.trySymbol('||')) left = { kind: 'binary', op: 'OR', left, right: parseAnd(c) };
  return left;
}

function parseAnd(c: Cursor): Expr {
  let left = parseNot(c);
  while (c.tryKeyword('AND') || c.trySymbol('&&')) left = { kind: 'binary', op: 'AND', left, right: parseNot(c) };
  return left;
}

function parseNot(c: Cursor): Expr {
  if (c.tryKeyword('NOT')) return { kind: 'not', expr: parseNot(c) };
  return parsePredicate(c);
}

function parsePredicate(c: Cursor): Expr {
  let left = parseAdditive(c);
  for (;;) {
    const t = c.peek();
    if (t.kind === 'symbol' && (COMPARISONS as readonly string[]).includes(t.text === '<>' ? '!=' : t.text)) {
      c.next();
      const op = (t.text === '<>' ? '!=' : t.text) as BinaryOp;
      left = { kind: 'binary', op, left, right: parseAdditive(c) };
      continue;
    }
    if (c.tryKeyword('IS')) {
      const not = c.tryKeyword('NOT');
      c.expectKeyword('NULL');
      left = { kind: 'isNull', expr: left, not };
      continue;
    }
    const not = c.isKeyword('NOT') && (c.isKeyword('IN', 1) || c.isKeyword('LIKE', 1) || c.isKeyword('BETWEEN', 1));
    if (not) c.next();
    if (c.tryKeyword('IN')) {
      c.expectSymbol('(');
      if (c.isKeyword('SELECT')) throw unsupportedStatement('IN (subquery)');
      const list = [parseExpr(c)];
      while (c.trySymbol(',')) list.push(parseExpr(c));
      c.expectSymbol(')');
      left = { kind: 'in', expr: left, list, not };
      continue;
    }
    if (c.tryKeyword('LIKE')) {
      left = { kind: 'like', expr: left, pattern: parseAdditive(c), not };
      continue;
    }
    if (c.tryKeyword('BETWEEN')) {
      const low = parseAdditive(c);
      c.expectKeyword('AND');
      left = { kind: 'between', expr: left, low, high: parseAdditive(c), not };
      continue;
    }
    return left;
  }
}

function parseAdditive(c: Cursor): Expr {
  let left = parseMultiplicative(c);
  for (;;) {
    if (c.trySymbol('+')) left = { kind: 'binary', op: '+', left, right: parseMultiplicative(c) };
    else if (c.trySymbol('-')) left = { kind: 'binary', op: '-', left, right: parseMultiplicative(c) };
    else return left;
  }
}

function parseMultiplicative(c: Cursor): Expr {
  let left = parseUnary(c);
  for (;;) {
    if (c.trySymbol('*')) left = { kind: 'binary', op: '*', left, right: parseUnary(c) };
    else if (c.trySymbol('/')) left = { kind: 'binary', op: '/', left, right: parseUnary(c) };
    else if (c.trySymbol('%')) left = { kind: 'binary', op: '%', left, right: parseUnary(c) };
    else return left;
  }
}

function parseUnary(c: Cursor): Expr {
  if (c.trySymbol('-')) return { kind: 'neg', expr: parseUnary(c) };
  if (c.trySymbol('+')) return parseUnary(c);
  return parsePrimary(c);
}

function parsePrimary(c: Cursor): Expr {
  const t = c.peek();
  switch (t.kind) {
    case 'number':
      c.next();
      return { kind: 'literal', value: { type: 'number', text: t.text } };
    case 'string':
      c.next();
      return { kind: 'literal', value: { type: 'string', value: t.text } };
    case 'variable': {
      c.next();
      if (t.prefix === '@') return { kind: 'variable', system: false, scope: null, name: t.text };
      const dot = t.text.indexOf('.');
      const scope = dot >= 0 ? t.text.slice(0, dot).toLowerCase() : null;
      return { kind: 'variable', system: true, scope, name: dot >= 0 ? t.text.slice(dot + 1) : t.text };
    }
    case 'param':
      throw c.unexpected('{a legal identifier}');
    case 'symbol':
      if (t.text === '(') {
        c.next();
        if (c.isKeyword('SELECT')) throw unsupportedStatement('subqueries');
        const e = parseExpr(c);
        c.expectSymbol(')');
        return e;
      }
      throw c.unexpected('{a legal identifier}');
    case 'word': {
      const upper = t.text.toUpperCase();
      if (upper === 'NULL') {
        c.next();
        return { kind: 'literal', value: { type: 'null' } };
      }
      if (upper === 'TRUE' || upper === 'FALSE') {
        c.next();
        return { kind: 'literal', value: { type: 'bool', value: upper === 'TRUE' } };
      }
      const isCall = c.isSymbol('(', 1) && (!isReserved(t.text) || RESERVED_FUNCTIONS.has(upper));
      if (isCall) return parseCall(c, upper);
      if (BARE_FUNCTIONS.has(upper)) {
        c.next();
        return { kind: 'func', name: upper, args: [], star: false, distinct: false };
      }
      return parseColumnRef(c);
    }
    case 'quoted':
      return parseColumnRef(c);
    case 'eof':
      throw c.unexpected('{a legal identifier}');
  }
}

function parseCall(c: Cursor, name: string): Expr {
  c.next();
  c.expectSymbol('(');
  if (c.trySymbol('*')) {
    c.expectSymbol(')');
    return { kind: 'func', name, args: [], star: true, distinct: false };
  }
  const distinct = c.tryKeyword('DISTINCT');
  const args: Expr[] = [];
  if (!c.isSymbol(')')) {
    args.push(parseExpr(c));
    while (c.trySymbol(',')) args.push(parseExpr(c));
  }
  c.expectSymbol(')');
  if (c.isKeyword('OVER')) throw unsupportedStatement('window functions');
  return { kind: 'func', name, args, star: false, distinct };
}

function parseColumnRef(c: Cursor): Expr {
  const parts = [c.identifier()];
  while (c.isSymbol('.') && (c.isIdentifier(1) || c.peek(1).kind === 'word')) {
    c.next();
    parts.push(c.identifier());
  }
  const name = parts[parts.length - 1] ?? '';
  const qualifier = parts.length > 1 ? parts.slice(0, -1).join('.') : null;
  return { kind: 'column', name, qualifier };
}

export function parseOrderBy(c: Cursor): OrderItem[] {
  const out: OrderItem[] = [];
  do {
    const expr = parseExpr(c);
    let desc = false;
    if (c.tryKeyword('DESC')) desc = true;
    else c.tryKeyword('ASC');
    let nullsFirst: boolean | null = null;
    if (c.tryKeyword('NULLS')) {
      if (c.tryKeyword('FIRST')) nullsFirst = true;
      else if (c.tryKeyword('LAST')) nullsFirst = false;
      else throw c.unexpected("{'FIRST', 'LAST'}");
    }
    out.push({ expr, desc, nullsFirst });
  } while (c.trySymbol(','));
  return out;
}

/** After `LIMIT`: `n [OFFSET m]` or `m, n`. */
export function parseLimit(c: Cursor): Limit {
  const a = c.integer();
  if (c.trySymbol(',')) return { offset: a, count: c.integer() };
  if (c.tryKeyword('OFFSET')) return { count: a, offset: c.integer() };
  return { count: a, offset: 0 };
}

function parseSelectItem(c: Cursor): SelectItem {
  if (c.trySymbol('*')) return { kind: 'star', qualifier: null };
  if (c.isIdentifier() && c.isSymbol('.', 1) && c.isSymbol('*', 2)) {
    const qualifier = c.identifier();
    c.next();
    c.next();
    return { kind: 'star', qualifier };
  }
  const startTok = c.peek();
  const expr = parseExpr(c);
  const endTok = c.tokens[c.pos - 1] ?? startTok;
  const text = c.sql.slice(startTok.start, endTok.end);
  let alias: string | null = null;
  if (c.tryKeyword('AS')) alias = c.peek().kind === 'string' ? c.string() : c.identifier();
  else if (c.isIdentifier() && !c.isKeyword('FROM')) alias = c.identifier();
  else if (c.peek().kind === 'string') alias = c.string();
  return { kind: 'expr', expr, alias, text };
}

/** Parses a SELECT statement; the cursor is at `SELECT`. */
export function parseSelect(c: Cursor): SelectStatement {
  c.expectKeyword('SELECT');
  let distinct = false;
  if (c.tryKeyword('DISTINCT')) distinct = true;
  else c.tryKeyword('ALL');
  const items = [parseSelectItem(c)];
  while (c.trySymbol(',')) items.push(parseSelectItem(c));
  let from: SelectStatement['from'] = null;
  let alias: string | null = null;
  if (c.tryKeyword('FROM')) {
    if (!c.tryKeyword('DUAL')) {
      if (c.isSymbol('(')) throw unsupportedStatement('subqueries in FROM');
      from = c.qualifiedName();
      if (c.tryKeyword('AS')) alias = c.identifier();
      else if (c.isIdentifier()) alias = c.identifier();
      if (
        c.isSymbol(',') ||
        c.isKeyword('JOIN') ||
        c.isKeyword('INNER') ||
        c.isKeyword('LEFT') ||
        c.isKeyword('RIGHT') ||
        c.isKeyword('CROSS') ||
        c.isKeyword('FULL')
      )
        throw unsupportedStatement('joins');
    }
  }
  const where = c.tryKeyword('WHERE') ? parseExpr(c) : null;
  if (c.isKeyword('GROUP') || c.isKeyword('HAVING')) throw unsupportedStatement('GROUP BY / HAVING');
  if (c.isKeyword('UNION') || c.isKeyword('EXCEPT') || c.isKeyword('INTERSECT')) throw unsupportedStatement('set operations');
  const orderBy = c.tryKeyword('ORDER', 'BY') ? parseOrderBy(c) : [];
  const limit = c.tryKeyword('LIMIT') ? parseLimit(c) : null;
  return { kind: 'select', distinct, items, from, alias, where, orderBy, limit };
}
