import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { arrays, expectSqlError, PASSWORD, PK_TABLE_DDL, rows, type SqlHarness, startHarness, USER } from './sql-harness.js';

const FLINK_COLUMNS_QUERY =
  'SELECT COLUMN_NAME, DATA_TYPE, ORDINAL_POSITION, COLUMN_SIZE, DECIMAL_DIGITS, IS_NULLABLE, COLUMN_KEY, COLUMN_COMMENT ' +
  'FROM information_schema.COLUMNS WHERE TABLE_SCHEMA=? AND TABLE_NAME=?';

/** Raw text of every cell, as the server sent it (what the mysql CLI prints). */
async function texts(c: mysql.Connection, sql: string): Promise<(string | null)[][]> {
  const [r] = await c.query({ sql, rowsAsArray: true, typeCast: (field: { string(): string | null }) => field.string() });
  return r as unknown as (string | null)[][];
}

describe('sql queries, metadata and connection handling', () => {
  let h: SqlHarness;
  let c: mysql.Connection;

  before(async () => {
    h = await startHarness();
    c = await h.connect();
    await c.query('CREATE DATABASE app');
    await c.query('USE app');
    await c.query(PK_TABLE_DDL);
    await c.query(
      'CREATE TABLE kinds (k TINYINT NOT NULL, b BOOLEAN, i INT, big LARGEINT, f DOUBLE, s STRING, ch CHAR(4), d DATE, arr ARRAY<INT>) ' +
        'PRIMARY KEY(k) DISTRIBUTED BY HASH(k) PROPERTIES ("replication_num" = "1")',
    );
    await c.query('CREATE TABLE events (a INT, b VARCHAR(10)) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) PROPERTIES ("replication_num" = "1")');
    const t = h.catalog.getTable('app', 't1');
    assert.ok(t);
    t.putRow([1n, 'ann', '12.50', true, '2024-01-02 03:04:05', '{"a":1}']);
    t.putRow([2n, 'bob', '-3.00', false, '2024-01-02 03:04:05.123456', null]);
    t.putRow([3n, null, null, null, null, '[1,2]']);
    t.putRow([4n, 'dee', '0.05', true, '2023-12-31 23:59:59', '"x"']);
  });
  after(async () => h.close());

  it('answers the statements client libraries and the mysql CLI send on connect', async () => {
    for (const sql of [
      'SET NAMES utf8mb4',
      'SET NAMES utf8 COLLATE utf8_general_ci',
      'SET @@session.time_zone = "+00:00"',
      "SET SESSION sql_mode = 'STRICT'",
      'SET autocommit=1',
    ]) {
      await c.query(sql);
    }
    assert.deepEqual(await arrays(c, 'SELECT @@version_comment LIMIT 1'), [['3.3.9-emulator']]);
    assert.deepEqual(await rows(c, 'SELECT @@max_allowed_packet'), [{ '@@max_allowed_packet': 33554432 }]);
    assert.deepEqual(await rows(c, 'SELECT VERSION()'), [{ 'VERSION()': '8.0.33' }]);
    assert.deepEqual(await rows(c, 'select current_version()'), [{ 'current_version()': '3.3.9-emulator' }]);
    assert.deepEqual(await rows(c, 'SELECT DATABASE()'), [{ 'DATABASE()': 'app' }]);
    assert.deepEqual(await rows(c, 'SELECT 1'), [{ 1: 1 }]);
    assert.deepEqual(await rows(c, "SHOW VARIABLES LIKE 'version%'"), [
      { Variable_name: 'version', Value: '8.0.33' },
      { Variable_name: 'version_comment', Value: '3.3.9-emulator' },
    ]);
    assert.deepEqual(await rows(c, 'SHOW WARNINGS'), []);
    await expectSqlError(c.query('SELECT @@no_such_var'), 1193, "Unknown system variable 'no_such_var'");
    await c.ping();
  });

  it('information_schema.columns has the quirks the Flink connector relies on (§7.4), also as a prepared statement', async () => {
    const [prepared] = (await c.execute(FLINK_COLUMNS_QUERY, ['app', 'kinds'])) as unknown as [Record<string, unknown>[]];
    assert.deepEqual(
      prepared.map((r) => [r['COLUMN_NAME'], r['DATA_TYPE'], r['ORDINAL_POSITION'], r['COLUMN_SIZE'], r['DECIMAL_DIGITS'], r['IS_NULLABLE'], r['COLUMN_KEY']]),
      [
        ['k', 'tinyint', 1, 3, 0, 'NO', 'PRI'],
        ['b', 'tinyint', 2, null, null, 'YES', ''],
        ['i', 'int', 3, 10, 0, 'YES', ''],
        ['big', 'largeint', 4, 39, 0, 'YES', ''],
        ['f', 'double', 5, 15, null, 'YES', ''],
        ['s', 'varchar', 6, 65533, null, 'YES', ''],
        ['ch', 'char', 7, 4, null, 'YES', ''],
        ['d', 'date', 8, 10, null, 'YES', ''],
        ['arr', 'array', 9, null, null, 'YES', ''],
      ],
    );
    const viaQuery = await rows(c, FLINK_COLUMNS_QUERY, ['app', 'kinds']);
    assert.deepEqual(viaQuery, prepared);

    const t1 = await rows(
      c,
      'SELECT TABLE_SCHEMA, TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, COLUMN_DEFAULT, COLUMN_KEY, COLUMN_COMMENT, DECIMAL_DIGITS FROM information_schema.columns ' +
        "WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 't1' ORDER BY ORDINAL_POSITION DESC LIMIT 2 OFFSET 3",
    );
    assert.deepEqual(t1, [
      {
        TABLE_SCHEMA: 'app',
        TABLE_NAME: 't1',
        COLUMN_NAME: 'score',
        COLUMN_TYPE: 'decimal(10, 2)',
        COLUMN_DEFAULT: null,
        COLUMN_KEY: '',
        COLUMN_COMMENT: '',
        DECIMAL_DIGITS: 2,
      },
      {
        TABLE_SCHEMA: 'app',
        TABLE_NAME: 't1',
        COLUMN_NAME: 'name',
        COLUMN_TYPE: 'varchar(64)',
        COLUMN_DEFAULT: 'anon',
        COLUMN_KEY: '',
        COLUMN_COMMENT: '',
        DECIMAL_DIGITS: null,
      },
    ]);
    // COLUMN_KEY is PRI only for primary key tables
    const dup = await rows(c, "SELECT COLUMN_NAME, COLUMN_KEY FROM information_schema.columns WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'events'");
    assert.deepEqual(dup, [
      { COLUMN_NAME: 'a', COLUMN_KEY: '' },
      { COLUMN_NAME: 'b', COLUMN_KEY: '' },
    ]);
  });

  it('information_schema.tables and schemata, SHOW DATABASES / TABLES', async () => {
    const r = await rows(
      c,
      "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_ROWS, TABLE_COMMENT FROM information_schema.tables WHERE TABLE_SCHEMA = 'app' ORDER BY TABLE_NAME",
    );
    assert.deepEqual(r, [
      { TABLE_SCHEMA: 'app', TABLE_NAME: 'events', TABLE_TYPE: 'BASE TABLE', ENGINE: 'StarRocks', TABLE_ROWS: 0, TABLE_COMMENT: '' },
      { TABLE_SCHEMA: 'app', TABLE_NAME: 'kinds', TABLE_TYPE: 'BASE TABLE', ENGINE: 'StarRocks', TABLE_ROWS: 0, TABLE_COMMENT: '' },
      { TABLE_SCHEMA: 'app', TABLE_NAME: 't1', TABLE_TYPE: 'BASE TABLE', ENGINE: 'StarRocks', TABLE_ROWS: 4, TABLE_COMMENT: 'people' },
    ]);
    assert.deepEqual(await rows(c, "SELECT SCHEMA_NAME FROM INFORMATION_SCHEMA.SCHEMATA WHERE SCHEMA_NAME = 'app'"), [{ SCHEMA_NAME: 'app' }]);
    assert.deepEqual(await rows(c, 'SHOW DATABASES'), [{ Database: 'app' }, { Database: 'information_schema' }]);
    assert.deepEqual(await rows(c, 'SHOW TABLES FROM app'), [{ Tables_in_app: 'events' }, { Tables_in_app: 'kinds' }, { Tables_in_app: 't1' }]);
    assert.deepEqual(await rows(c, "SHOW TABLES LIKE 'k%'"), [{ Tables_in_app: 'kinds' }]);
    await expectSqlError(c.query('SHOW TABLES FROM nope'), 1064, "Getting analyzing error. Detail message: Unknown database 'nope'.");
  });

  it('renders values as the mysql client shows StarRocks values', async () => {
    assert.deepEqual(await texts(c, 'SELECT * FROM t1 ORDER BY id'), [
      ['1', 'ann', '12.50', '1', '2024-01-02 03:04:05', '{"a": 1}'],
      ['2', 'bob', '-3.00', '0', '2024-01-02 03:04:05.123456', null],
      ['3', null, null, null, null, '[1, 2]'],
      ['4', 'dee', '0.05', '1', '2023-12-31 23:59:59', '"x"'],
    ]);
    // mysql2's own typing of StarRocks' column types: DECIMAL (NEWDECIMAL) as string, BOOLEAN (TINY) as
    // 1/0, JSON (sent as MYSQL_TYPE_STRING, like StarRocks' toMysqlType) as text
    const [typed] = (await c.query('SELECT id, score, flag, doc FROM t1 WHERE id = 1')) as unknown as [Record<string, unknown>[]];
    assert.deepEqual(typed, [{ id: 1, score: '12.50', flag: 1, doc: '{"a": 1}' }]);
    // the binary protocol (prepared statements) carries the same values
    const [bin] = (await c.execute({ sql: 'SELECT id, score, ts FROM t1 WHERE id = ?', dateStrings: true }, [2])) as unknown as [Record<string, unknown>[]];
    assert.deepEqual(bin, [{ id: 2, score: '-3.00', ts: '2024-01-02 03:04:05.123456' }]);
  });

  it('filters with comparisons, IS [NOT] NULL, AND/OR/parentheses, IN; orders and limits', async () => {
    const ids = async (where: string): Promise<number[]> => (await rows(c, `SELECT id FROM t1 WHERE ${where} ORDER BY id`)).map((r) => Number(r['id']));
    assert.deepEqual(await ids('id = 2'), [2]);
    assert.deepEqual(await ids("id = '2'"), [2]);
    assert.deepEqual(await ids('id != 2'), [1, 3, 4]);
    assert.deepEqual(await ids('id <> 2 AND id < 4'), [1, 3]);
    assert.deepEqual(await ids('id <= 2 OR id >= 4'), [1, 2, 4]);
    assert.deepEqual(await ids('(id > 1 AND id < 4) OR name = "ann"'), [1, 2, 3]);
    assert.deepEqual(await ids('name IS NULL'), [3]);
    assert.deepEqual(await ids('name IS NOT NULL AND flag = true'), [1, 4]);
    assert.deepEqual(await ids('id IN (1, 3, 9)'), [1, 3]);
    assert.deepEqual(await ids('id NOT IN (1, 3)'), [2, 4]);
    assert.deepEqual(await ids('score > 0'), [1, 4]);
    assert.deepEqual(await ids('score = 12.5'), [1]);
    assert.deepEqual(await ids("ts >= '2024-01-01'"), [1, 2]);
    assert.deepEqual(await ids("ts = '2024-01-02 03:04:05'"), [1]);
    assert.deepEqual(await ids('name < "c"'), [1, 2]);

    assert.deepEqual(
      (await rows(c, 'SELECT id FROM t1 ORDER BY id DESC LIMIT 2')).map((r) => r['id']),
      [4, 3],
    );
    assert.deepEqual(
      (await rows(c, 'SELECT id FROM t1 ORDER BY id LIMIT 2 OFFSET 1')).map((r) => r['id']),
      [2, 3],
    );
    assert.deepEqual(
      (await rows(c, 'SELECT id, name FROM t1 ORDER BY name')).map((r) => r['id']),
      [3, 1, 2, 4],
    );
    assert.deepEqual(
      (await rows(c, 'SELECT id, name AS n FROM t1 ORDER BY n DESC')).map((r) => r['id']),
      [4, 2, 1, 3],
    );
    assert.deepEqual(
      (await rows(c, 'SELECT `t1`.`id` FROM `app`.`t1` WHERE t1.id = 4')).map((r) => r['id']),
      [4],
    );
  });

  it('COUNT(*), MAX and MIN', async () => {
    assert.deepEqual(await arrays(c, 'SELECT COUNT(*) FROM t1'), [[4]]);
    assert.deepEqual(await arrays(c, 'SELECT COUNT(*) FROM t1 WHERE flag = 1'), [[2]]);
    assert.deepEqual(await arrays(c, 'SELECT COUNT(name), MAX(id), MIN(score) FROM t1'), [[3, 4, '-3.00']]);
    assert.deepEqual(await arrays(c, 'SELECT MAX(id) AS m FROM t1 WHERE id < 0'), [[null]]);
    await expectSqlError(c.query('SELECT id, MAX(id) FROM t1'), 1064, /must be an aggregate expression or appear in GROUP BY clause/);
  });

  it('unsupported or invalid statements return an error packet and the connection stays usable', async () => {
    await expectSqlError(c.query('INSERT INTO t1 (id) VALUES (9)'), 1064, /StarRocks emulator: unsupported statement: INSERT/);
    await expectSqlError(c.query('SELEC 1'), 1064, /^Getting syntax error at line 1, column 0\./);
    await expectSqlError(c.query('SELECT nope FROM t1'), 1064, "Getting analyzing error. Detail message: Column 'nope' cannot be resolved.");
    await expectSqlError(c.query('SELECT * FROM t1 WHERE'), 1064, /Unexpected input '<EOF>'/);
    await expectSqlError(c.execute('SELECT * FROM missing WHERE id = ?', [1]), 1064, "Getting analyzing error. Detail message: Unknown table 'app.missing'.");
    assert.deepEqual(await arrays(c, 'SELECT 42'), [[42]]);
  });

  it('authenticates with mysql_native_password and honours the connect-time database', async () => {
    await expectSqlError(h.connect({ password: 'wrong' }), 1045, `Access denied for user '${USER}' (using password: YES)`, '28000');
    await expectSqlError(h.connect({ password: '' }), 1045, `Access denied for user '${USER}' (using password: NO)`);
    await expectSqlError(h.connect({ user: 'bob', password: PASSWORD }), 1045, "Access denied for user 'bob' (using password: YES)");
    await expectSqlError(h.connect({ database: 'nope' }), 1049, "Unknown database 'nope'");
    const withDb = await h.connect({ database: 'app' });
    assert.deepEqual(await rows(withDb, 'SELECT DATABASE()'), [{ 'DATABASE()': 'app' }]);
  });
});
