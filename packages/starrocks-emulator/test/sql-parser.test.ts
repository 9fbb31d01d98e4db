import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SqlError } from '../src/sql/errors.js';
import { bindParameters, countParameters, decodeExecute } from '../src/sql/params.js';
import { parseStatement } from '../src/sql/parser.js';
import { tokenize } from '../src/sql/tokenizer.js';

function parseError(sql: string): SqlError {
  try {
    parseStatement(sql);
  } catch (e) {
    assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${sql} to fail`);
}

describe('sql tokenizer', () => {
  it('reports ANTLR-style positions: 1-based line, 0-based column', () => {
    const toks = tokenize('SELECT a,\n  `b``c` FROM "x"');
    const b = toks.find((t) => t.kind === 'quoted');
    assert.deepEqual([b?.text, b?.line, b?.col], ['b`c', 2, 2]);
    const s = toks.find((t) => t.kind === 'string');
    assert.deepEqual([s?.text, s?.line, s?.col], ['x', 2, 14]);
  });

  it('handles escapes, comments and variables', () => {
    const toks = tokenize("/* c */ SELECT 'it''s\\n' -- tail\n, @@session.sql_mode, @v # x");
    assert.deepEqual(
      toks.filter((t) => t.kind !== 'eof').map((t) => [t.kind, t.text]),
      [
        ['word', 'SELECT'],
        ['string', "it's\n"],
        ['symbol', ','],
        ['variable', 'session.sql_mode'],
        ['symbol', ','],
        ['variable', 'v'],
      ],
    );
  });
});

describe('sql parser', () => {
  it('rejects an unquoted reserved word as an identifier with the StarRocks message (§7.2)', () => {
    const e = parseError('CREATE DATABASE LIKE');
    assert.equal(e.code, 1064);
    assert.equal(e.sqlState, 'HY000');
    assert.equal(
      e.message,
      "Getting syntax error at line 1, column 16. Detail message: Unexpected input 'LIKE', the most similar input is {a legal identifier}.",
    );
    assert.equal(parseError('SELECT id FROM t WHERE order = 1').message.includes("Unexpected input 'order'"), true);
  });

  it('accepts reserved words in backticks and db-qualified names', () => {
    const s = parseStatement('CREATE DATABASE IF NOT EXISTS `LIKE`');
    assert.deepEqual(s, { kind: 'createDatabase', name: 'LIKE', ifNotExists: true });
    const d = parseStatement('DROP TABLE IF EXISTS `my db`.`order` FORCE');
    assert.deepEqual(d, { kind: 'dropTable', table: { db: 'my db', name: 'order' }, ifExists: true });
  });

  it('parses a primary key CREATE TABLE with all clauses', () => {
    const s = parseStatement(
      'CREATE TABLE IF NOT EXISTS d.t (id BIGINT NOT NULL COMMENT "k", v VARCHAR(10) NULL DEFAULT \'x\', ts DATETIME DEFAULT CURRENT_TIMESTAMP) ' +
        'ENGINE=OLAP PRIMARY KEY(id) COMMENT "c" DISTRIBUTED BY HASH(id) BUCKETS 4 ORDER BY (v) PROPERTIES ("replication_num" = "1", \'a\' = \'b\')',
    );
    assert.equal(s.kind, 'createTable');
    if (s.kind !== 'createTable') return;
    assert.deepEqual(s.table, { db: 'd', name: 't' });
    assert.equal(s.keysType, 'PRIMARY_KEYS');
    assert.deepEqual(s.keyColumns, ['id']);
    assert.equal(s.comment, 'c');
    assert.deepEqual(s.distribution, { kind: 'hash', columns: ['id'], buckets: 4 });
    assert.deepEqual(s.orderBy, ['v']);
    assert.deepEqual(s.properties, [
      ['replication_num', '1'],
      ['a', 'b'],
    ]);
    assert.deepEqual(
      s.columns.map((c) => [c.name, c.type.kind, c.nullable, c.default.kind, c.comment]),
      [
        ['id', 'BIGINT', false, 'none', 'k'],
        ['v', 'VARCHAR', true, 'value', ''],
        ['ts', 'DATETIME', null, 'current_timestamp', ''],
      ],
    );
  });

  it('enforces the grammar: DEFAULT needs a string, COMMENT follows the key clause, NOT NULL before DEFAULT', () => {
    assert.match(parseError('CREATE TABLE t (v INT DEFAULT 0)').message, /Unexpected input '0'/);
    assert.match(parseError('CREATE TABLE t (id INT) COMMENT "x" PRIMARY KEY(id)').message, /Unexpected input 'PRIMARY'/);
    assert.match(parseError('CREATE TABLE t (id INT DEFAULT "1" NOT NULL)').message, /Unexpected input 'NOT'/);
    assert.match(parseError('CREATE TABLE t (d DATETIME(6))').message, /Unexpected input '\('/);
  });

  it('parses ALTER TABLE ADD COLUMN, single with position and the list form', () => {
    const a = parseStatement('ALTER TABLE t ADD COLUMN c INT NULL DEFAULT "1" COMMENT "x" AFTER b');
    assert.equal(a.kind, 'alterAddColumns');
    if (a.kind === 'alterAddColumns') {
      assert.equal(a.columns.length, 1);
      assert.equal(a.columns[0]?.after, 'b');
    }
    const b = parseStatement('ALTER TABLE d.t ADD COLUMN (c1 INT, c2 VARCHAR(5) NOT NULL DEFAULT "")');
    assert.equal(b.kind === 'alterAddColumns' && b.columns.map((c) => c.column.name).join(','), 'c1,c2');
    assert.match(parseError('ALTER TABLE t ADD c INT').message, /Unexpected input 'c', the most similar input is \{'COLUMN'\}/);
  });

  it('parses SELECT with WHERE, IN, IS NULL, ORDER BY and both LIMIT forms', () => {
    const s = parseStatement('SELECT a, b AS x FROM `d`.`t` WHERE (a = 1 OR b <> 2) AND c IS NOT NULL AND d IN (1, 2) ORDER BY a DESC, 2 LIMIT 5, 10');
    assert.equal(s.kind, 'select');
    if (s.kind !== 'select') return;
    assert.deepEqual(s.limit, { offset: 5, count: 10 });
    assert.deepEqual(s.from, { db: 'd', name: 't' });
    assert.equal(s.orderBy.length, 2);
    assert.equal(s.orderBy[0]?.desc, true);
    const l = parseStatement('SELECT * FROM t LIMIT 3 OFFSET 4');
    assert.deepEqual(l.kind === 'select' && l.limit, { count: 3, offset: 4 });
  });

  it('names statements the emulator does not implement instead of a syntax error', () => {
    const e = parseError('INSERT INTO t VALUES (1)');
    assert.equal(e.code, 1064);
    assert.match(e.message, /unsupported statement: INSERT/);
    assert.match(parseError('SELECT a FROM t GROUP BY a').message, /unsupported statement: GROUP BY/);
    assert.match(parseError('ALTER TABLE t DROP COLUMN c').message, /only ADD COLUMN/);
    assert.match(parseError('frobnicate').message, /^Getting syntax error at line 1, column 0\. Detail message: Unexpected input 'frobnicate'/);
  });

  it('accepts the session statements clients send on connect', () => {
    for (const sql of [
      'SET NAMES utf8mb4',
      'SET @@session.autocommit = 1',
      "SET SESSION sql_mode = 'x'",
      'set character_set_results = NULL',
      'COMMIT',
      'ROLLBACK',
    ]) {
      assert.ok(['set', 'noop'].includes(parseStatement(sql).kind), sql);
    }
  });
});

describe('prepared statement parameters', () => {
  it('counts and binds placeholders outside quotes', () => {
    const sql = "SELECT '?' AS q FROM t WHERE a = ? AND b = ? -- ?";
    assert.equal(countParameters(sql), 2);
    assert.equal(bindParameters(sql, ["it's", 5n]), "SELECT '?' AS q FROM t WHERE a = 'it\\'s' AND b = 5 -- ?");
    assert.throws(() => bindParameters(sql, [1]));
  });

  it('decodes a COM_STMT_EXECUTE payload with typed parameters and NULLs', () => {
    const str = Buffer.from('db', 'utf8');
    const payload = Buffer.concat([
      Buffer.from([7, 0, 0, 0]), // statement id
      Buffer.from([0]), // flags
      Buffer.from([1, 0, 0, 0]), // iteration count
      Buffer.from([0b100]), // null bitmap: third param NULL
      Buffer.from([1]), // new params bound
      Buffer.from([0xfd, 0, 0x08, 0, 0x06, 0]), // VAR_STRING, LONGLONG, NULL
      Buffer.from([str.length]),
      str,
      Buffer.from([42, 0, 0, 0, 0, 0, 0, 0]),
    ]);
    const r = decodeExecute(
      payload,
      () => 3,
      () => [],
    );
    assert.equal(r.statementId, 7);
    assert.deepEqual(r.values, ['db', 42n, null]);
  });
});
