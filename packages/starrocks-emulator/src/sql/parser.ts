/**
 * Statement parser of the emulator (pure). `parseStatement(sql)` returns one `Statement` or throws a
 * `SqlError` shaped like StarRocks' (`Getting syntax error at line 1, column N. Detail message: ...`).
 * Statements StarRocks has but the emulator does not implement fail with a clear "unsupported" error.
 */
import type { Statement } from './ast.js';
import { Cursor } from './cursor.js';
import { unsupportedStatement } from './errors.js';
import { parseAlterTable, parseCreateTable, parseProperties } from './parse-ddl.js';
import { parseExpr, parseLimit, parseOrderBy, parseSelect } from './parse-expr.js';

const STATEMENT_STARTS = "{'SELECT', 'SHOW', 'CREATE', 'DROP', 'ALTER', 'USE', 'SET', 'DESC', 'TRUNCATE'}";
/** Leading words of StarRocks statements the emulator does not implement. */
const UNSUPPORTED = new Set([
  'INSERT',
  'UPDATE',
  'DELETE',
  'REPLACE',
  'GRANT',
  'REVOKE',
  'KILL',
  'ADMIN',
  'LOAD',
  'ANALYZE',
  'EXPLAIN',
  'REFRESH',
  'CANCEL',
  'RECOVER',
  'BACKUP',
  'RESTORE',
  'EXPORT',
  'SUBMIT',
  'PREPARE',
  'EXECUTE',
  'DEALLOCATE',
  'WITH',
  'INSTALL',
  'UNINSTALL',
  'SYNC',
  'PAUSE',
  'RESUME',
  'STOP',
]);
/** StarRocks' grammar accepts these as no-ops ("unsupportedStatement" rule, 3.x). */
const NOOP_STARTS = ['BEGIN', 'COMMIT', 'ROLLBACK', 'START', 'LOCK', 'UNLOCK'];

export function parseStatement(sql: string): Statement {
  const c = new Cursor(sql);
  while (c.trySymbol(';'));
  if (c.atEnd()) throw c.errorAt(c.peek(), "No viable statement for input ''.");
  const stmt = parseOne(c);
  while (c.trySymbol(';'));
  if (!c.atEnd()) {
    const t = c.peek();
    if (t.kind === 'word' && c.tokens[c.pos - 1]?.text === ';') throw unsupportedStatement('multiple statements in one query');
    throw c.unexpected("{<EOF>, ';'}");
  }
  return stmt;
}

function parseOne(c: Cursor): Statement {
  const t = c.peek();
  const word = t.kind === 'word' ? t.text.toUpperCase() : '';
  switch (word) {
    case 'SELECT':
      return parseSelect(c);
    case 'SHOW':
      c.next();
      return parseShow(c);
    case 'DESC':
    case 'DESCRIBE': {
      c.next();
      if (c.isKeyword('SELECT')) throw unsupportedStatement('DESC <query> (EXPLAIN)');
      const table = c.qualifiedName();
      return { kind: 'desc', table, all: c.tryKeyword('ALL') };
    }
    case 'USE': {
      c.next();
      const q = c.qualifiedName();
      if (q.db !== null && q.db !== 'default_catalog') throw unsupportedStatement(`external catalog '${q.db}'`);
      return { kind: 'use', db: q.name };
    }
    case 'SET':
      // Session settings are accepted and ignored (client libraries send many on connect).
      while (!c.atEnd()) c.next();
      return { kind: 'set' };
    case 'CREATE':
      c.next();
      return parseCreate(c);
    case 'DROP':
      c.next();
      return parseDrop(c);
    case 'TRUNCATE':
      c.next();
      c.expectKeyword('TABLE');
      return { kind: 'truncate', table: c.qualifiedName() };
    case 'ALTER': {
      c.next();
      if (!c.tryKeyword('TABLE')) throw unsupportedStatement(`ALTER ${c.tokenText(c.peek()).toUpperCase()}`);
      return parseAlterTable(c);
    }
    default:
      if (NOOP_STARTS.includes(word)) {
        while (!c.atEnd()) c.next();
        return { kind: 'noop' };
      }
      if (UNSUPPORTED.has(word)) throw unsupportedStatement(word);
      if (c.isSymbol('(')) throw unsupportedStatement('parenthesized queries');
      throw c.unexpected(STATEMENT_STARTS);
  }
}

function optionalLike(c: Cursor): string | null {
  if (c.tryKeyword('LIKE')) return c.string();
  if (c.isKeyword('WHERE')) throw unsupportedStatement('SHOW ... WHERE');
  return null;
}

function parseShow(c: Cursor): Statement {
  if (c.tryKeyword('DATABASES') || c.tryKeyword('SCHEMAS')) {
    if (c.isKeyword('FROM') || c.isKeyword('IN')) throw unsupportedStatement('SHOW DATABASES FROM <catalog>');
    return { kind: 'showDatabases', like: optionalLike(c) };
  }
  const full = c.tryKeyword('FULL');
  if (c.tryKeyword('TABLES')) {
    let db: string | null = null;
    if (c.tryKeyword('FROM') || c.tryKeyword('IN')) {
      const q = c.qualifiedName();
      db = q.name;
    }
    return { kind: 'showTables', db, full, like: optionalLike(c) };
  }
  if (c.tryKeyword('COLUMNS') || c.tryKeyword('FIELDS')) {
    if (!c.tryKeyword('FROM')) c.expectKeyword('IN');
    let table = c.qualifiedName();
    if (c.tryKeyword('FROM') || c.tryKeyword('IN')) table = { db: c.identifier(), name: table.name };
    if (c.isKeyword('LIKE') || c.isKeyword('WHERE')) throw unsupportedStatement('SHOW COLUMNS ... LIKE/WHERE');
    return { kind: 'showColumns', table, full };
  }
  if (full) throw c.unexpected("{'TABLES', 'COLUMNS', 'FIELDS'}");
  if (!c.tryKeyword('GLOBAL') && !c.tryKeyword('SESSION')) c.tryKeyword('LOCAL');
  if (c.tryKeyword('VARIABLES')) return { kind: 'showVariables', like: optionalLike(c) };
  if (c.tryKeyword('WARNINGS') || c.tryKeyword('ERRORS')) {
    if (c.tryKeyword('LIMIT')) parseLimit(c);
    return { kind: 'showWarnings' };
  }
  if (c.tryKeyword('CREATE')) {
    if (!c.tryKeyword('TABLE')) throw unsupportedStatement(`SHOW CREATE ${c.tokenText(c.peek()).toUpperCase()}`);
    return { kind: 'showCreateTable', table: c.qualifiedName() };
  }
  if (c.tryKeyword('ALTER')) {
    c.expectKeyword('TABLE');
    if (!c.tryKeyword('COLUMN')) {
      if (c.isKeyword('ROLLUP')) throw unsupportedStatement('SHOW ALTER TABLE ROLLUP');
      throw c.unexpected("{'COLUMN', 'ROLLUP'}");
    }
    let db: string | null = null;
    if (c.tryKeyword('FROM') || c.tryKeyword('IN')) db = c.qualifiedName().name;
    const where = c.tryKeyword('WHERE') ? parseExpr(c) : null;
    const orderBy = c.tryKeyword('ORDER', 'BY') ? parseOrderBy(c) : [];
    const limit = c.tryKeyword('LIMIT') ? parseLimit(c) : null;
    return { kind: 'showAlterColumn', db, where, orderBy, limit };
  }
  const t = c.peek();
  throw unsupportedStatement(`SHOW ${t.kind === 'eof' ? '' : c.tokenText(t).toUpperCase()}`);
}

function parseCreate(c: Cursor): Statement {
  if (c.tryKeyword('DATABASE') || c.tryKeyword('SCHEMA')) {
    const ifNotExists = c.tryKeyword('IF', 'NOT', 'EXISTS');
    const q = c.qualifiedName();
    if (q.db !== null && q.db !== 'default_catalog') throw unsupportedStatement(`external catalog '${q.db}'`);
    if (c.tryKeyword('PROPERTIES')) parseProperties(c);
    return { kind: 'createDatabase', name: q.name, ifNotExists };
  }
  if (c.isKeyword('EXTERNAL') || c.isKeyword('TEMPORARY')) throw unsupportedStatement(`CREATE ${c.tokenText(c.peek()).toUpperCase()} TABLE`);
  if (c.tryKeyword('TABLE')) return parseCreateTable(c);
  const t = c.peek();
  throw unsupportedStatement(`CREATE ${t.kind === 'eof' ? '' : c.tokenText(t).toUpperCase()}`);
}

function parseDrop(c: Cursor): Statement {
  if (c.tryKeyword('DATABASE') || c.tryKeyword('SCHEMA')) {
    const ifExists = c.tryKeyword('IF', 'EXISTS');
    const q = c.qualifiedName();
    if (q.db !== null && q.db !== 'default_catalog') throw unsupportedStatement(`external catalog '${q.db}'`);
    c.tryKeyword('FORCE');
    return { kind: 'dropDatabase', name: q.name, ifExists };
  }
  if (c.tryKeyword('TABLE')) {
    const ifExists = c.tryKeyword('IF', 'EXISTS');
    const table = c.qualifiedName();
    c.tryKeyword('FORCE');
    return { kind: 'dropTable', table, ifExists };
  }
  const t = c.peek();
  throw unsupportedStatement(`DROP ${t.kind === 'eof' ? '' : c.tokenText(t).toUpperCase()}`);
}
