import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { expectSqlError, PK_TABLE_DDL, rows, type SqlHarness, startHarness } from './sql-harness.js';

const PK = (cols: string, extra = 'PRIMARY KEY(id) DISTRIBUTED BY HASH(id)', props = 'PROPERTIES ("replication_num" = "1")'): string =>
  `CREATE TABLE bad (${cols}) ${extra} ${props}`;
const ANALYSIS = (detail: string): string => `Getting analyzing error. Detail message: ${detail}.`;

describe('sql DDL over the MySQL protocol', () => {
  let h: SqlHarness;
  let c: mysql.Connection;

  before(async () => {
    h = await startHarness();
    c = await h.connect();
    await c.query('CREATE DATABASE demo');
    await c.query('USE demo');
    await c.query(PK_TABLE_DDL);
  });
  after(async () => h.close());

  it('CREATE / DROP DATABASE with IF [NOT] EXISTS and their errors', async () => {
    await c.query('CREATE DATABASE IF NOT EXISTS demo');
    await expectSqlError(c.query('CREATE DATABASE demo'), 1007, "Can't create database 'demo'; database exists");
    await c.query('CREATE DATABASE scratch');
    await c.query('DROP DATABASE scratch');
    await c.query('DROP DATABASE IF EXISTS scratch');
    await expectSqlError(c.query('DROP DATABASE scratch'), 1008, "Can't drop database 'scratch'; database doesn't exist");
    await expectSqlError(c.query('USE scratch'), 1049, "Unknown database 'scratch'", '42000');
    await expectSqlError(c.query('CREATE DATABASE `1abc`'), 1064, ANALYSIS("Incorrect database name '1abc'"));
  });

  it('SHOW CREATE TABLE prints the StarRocks shape for a PK table (§7.4)', async () => {
    const r = await rows(c, 'SHOW CREATE TABLE t1');
    assert.deepEqual(Object.keys(r[0] ?? {}), ['Table', 'Create Table']);
    assert.equal(r[0]?.['Table'], 't1');
    assert.equal(
      r[0]?.['Create Table'],
      'CREATE TABLE `t1` (\n' +
        '  `id` bigint(20) NOT NULL COMMENT "primary key",\n' +
        '  `name` varchar(64) NULL DEFAULT "anon" COMMENT "",\n' +
        '  `score` decimal(10, 2) NULL COMMENT "",\n' +
        '  `flag` boolean NULL COMMENT "",\n' +
        '  `ts` datetime NULL DEFAULT CURRENT_TIMESTAMP COMMENT "",\n' +
        '  `doc` json NULL COMMENT ""\n' +
        ') ENGINE=OLAP \n' +
        'PRIMARY KEY(`id`)\n' +
        'COMMENT "people"\n' +
        'DISTRIBUTED BY HASH(`id`) BUCKETS 1 \n' +
        'PROPERTIES (\n' +
        '"replication_num" = "1",\n' +
        '"in_memory" = "false",\n' +
        '"enable_persistent_index" = "true",\n' +
        '"replicated_storage" = "true",\n' +
        '"fast_schema_evolution" = "true",\n' +
        '"compression" = "LZ4"\n' +
        ');',
    );
  });

  it('SHOW CREATE TABLE without BUCKETS, with ORDER BY and a DUPLICATE KEY table', async () => {
    await c.query(
      'CREATE TABLE t_sort (k INT NOT NULL, v VARCHAR(8)) PRIMARY KEY(k) DISTRIBUTED BY HASH(k) ORDER BY(v) PROPERTIES ("replication_num" = "1", "compression" = "zstd")',
    );
    const [r] = (await c.query('SHOW CREATE TABLE demo.t_sort')) as unknown as [Record<string, string>[]];
    const text = r[0]?.['Create Table'] ?? '';
    assert.ok(text.includes('\nDISTRIBUTED BY HASH(`k`)\nORDER BY(`v`)\nPROPERTIES (\n'), text);
    assert.ok(text.includes('"compression" = "ZSTD"'), text);
    await c.query('CREATE TABLE t_dup (a INT, b DOUBLE) DUPLICATE KEY(a) DISTRIBUTED BY HASH(a) BUCKETS 2 PROPERTIES ("replication_num" = "1")');
    const [d] = (await c.query('SHOW CREATE TABLE t_dup')) as unknown as [Record<string, string>[]];
    assert.ok((d[0]?.['Create Table'] ?? '').includes(') ENGINE=OLAP \nDUPLICATE KEY(`a`)\nDISTRIBUTED BY HASH(`a`) BUCKETS 2 \n'));
  });

  it('DESC / DESCRIBE return Field, Type, Null, Key, Default, Extra', async () => {
    const r = await rows(c, 'DESC t1');
    assert.deepEqual(Object.keys(r[0] ?? {}), ['Field', 'Type', 'Null', 'Key', 'Default', 'Extra']);
    assert.deepEqual(
      r.map((x) => [x['Field'], x['Type'], x['Null'], x['Key'], x['Default']]),
      [
        ['id', 'bigint(20)', 'NO', 'true', null],
        ['name', 'varchar(64)', 'YES', 'false', 'anon'],
        ['score', 'decimal(10, 2)', 'YES', 'false', null],
        ['flag', 'boolean', 'YES', 'false', null],
        ['ts', 'datetime', 'YES', 'false', 'CURRENT_TIMESTAMP'],
        ['doc', 'json', 'YES', 'false', null],
      ],
    );
    assert.equal((await rows(c, 'DESCRIBE demo.t1')).length, 6);
    const all = await rows(c, 'DESC t1 ALL');
    assert.equal(all[0]?.['IndexKeysType'], 'PRIMARY_KEYS');
    await expectSqlError(c.query('DESC nope'), 1064, ANALYSIS("Unknown table 'demo.nope'"));
  });

  it('validates PRIMARY KEY tables like StarRocks (§6.1)', async () => {
    await expectSqlError(c.query(PK('id BIGINT NULL, v INT')), 1064, ANALYSIS('primary key column[id] cannot be nullable'));
    await expectSqlError(c.query(PK('v INT, id BIGINT NOT NULL')), 1064, ANALYSIS('Key columns should be a ordered prefix of the schema.'));
    await expectSqlError(c.query(PK('id FLOAT NOT NULL')), 1064, ANALYSIS('primary key column[id] type not supported: FLOAT'));
    await expectSqlError(c.query(PK('id JSON NOT NULL')), 1064, ANALYSIS('primary key column[id] type not supported: JSON'));
    await expectSqlError(c.query(PK('id DECIMAL(10,2) NOT NULL')), 1064, ANALYSIS('primary key column[id] type not supported: DECIMAL(10,2)'));
    await expectSqlError(c.query(PK('x INT NOT NULL', 'PRIMARY KEY(id) DISTRIBUTED BY HASH(id)')), 1064, ANALYSIS("Key column(id) doesn't exist."));
    await expectSqlError(c.query(PK('id INT NOT NULL, v INT', 'PRIMARY KEY(id) DISTRIBUTED BY HASH(v)')), 1064, 'Distribution column[v] is not key column');
    await expectSqlError(
      c.query(PK('id INT NOT NULL', 'PRIMARY KEY(id) DISTRIBUTED BY HASH(nope)')),
      1064,
      ANALYSIS("Distribution column(nope) doesn't exist."),
    );
    await expectSqlError(c.query(PK('id INT NOT NULL', 'PRIMARY KEY(id) DISTRIBUTED BY RANDOM')), 1064, ANALYSIS('PRIMARY KEY must use hash distribution'));
    // an unspecified nullability on a PK column becomes NOT NULL
    await c.query(PK('id INT, v INT').replace('bad', 'pk_implicit'));
    assert.equal((await rows(c, 'DESC pk_implicit'))[0]?.['Null'], 'NO');
  });

  it('rejects reserved, duplicate and malformed column definitions', async () => {
    await expectSqlError(
      c.query(PK('id INT NOT NULL, __op INT')),
      1064,
      ANALYSIS('Column name [__op] is a system reserved name. Please choose a different one.'),
    );
    await expectSqlError(
      c.query(PK('id INT NOT NULL, `__ROW` INT')),
      1064,
      ANALYSIS('Column name [__ROW] is a system reserved name. Please choose a different one.'),
    );
    await expectSqlError(c.query(PK('id INT NOT NULL, Name INT, name INT')), 1064, ANALYSIS("Duplicate column name 'name'"));
    await expectSqlError(c.query(PK('id INT NOT NULL, v VARCHAR(2000000)')), 1064, /Varchar size must be between 1 and 1048576/);
    await expectSqlError(c.query(PK('id INT NOT NULL, v CHAR(300)')), 1064, /Char size must be between 1 and 255/);
    await expectSqlError(c.query(PK('id INT NOT NULL, v DECIMAL(40, 2)')), 1064, /precision/);
    await expectSqlError(
      c.query(PK('id INT NOT NULL, v INT NOT NULL DEFAULT NULL')),
      1064,
      ANALYSIS('Can not set null default value to non nullable column: v'),
    );
    await expectSqlError(c.query(PK('id INT NOT NULL, v INT DEFAULT "abc"')), 1064, /Invalid default value for 'v'/);
    await expectSqlError(
      c.query(PK('id INT NOT NULL, v INT DEFAULT 1')),
      1064,
      /^Getting syntax error at line 1, column \d+\. Detail message: Unexpected input '1'/,
    );
    await expectSqlError(c.query(PK('id INT NOT NULL, `a=b` INT')), 1064, ANALYSIS("Incorrect column name 'a=b'"));
  });

  it('checks PROPERTIES against the single emulated backend', async () => {
    await expectSqlError(
      c.query(PK('id INT NOT NULL', undefined, '')),
      1064,
      'Table replication num should be less than or equal to the number of available BE nodes. You can change this default by setting the replication_num table properties. Current alive backend is [10001]. , table=bad, default_replication_num=3',
    );
    await expectSqlError(c.query(PK('id INT NOT NULL', undefined, 'PROPERTIES ("replication_num" = "3")')), 1064, /^Table replication num should be less than/);
    await expectSqlError(
      c.query(PK('id INT NOT NULL', undefined, 'PROPERTIES ("replication_num" = "1", "bogus" = "x")')),
      1064,
      'Unknown properties: {bogus=x}',
    );
    await expectSqlError(
      c.query(PK('id INT NOT NULL', undefined, 'PROPERTIES ("replication_num" = "1", "compression" = "xz")')),
      1064,
      'unknown compression type: xz',
    );
  });

  it('CREATE TABLE IF NOT EXISTS, Table exists, Unknown database, No database selected', async () => {
    await c.query(PK_TABLE_DDL.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS'));
    await expectSqlError(c.query(PK_TABLE_DDL), 1064, ANALYSIS("Table 't1' already exists"));
    await expectSqlError(c.query('CREATE TABLE nodb.x (id INT) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)'), 1064, ANALYSIS("Unknown database 'nodb'"));
    const fresh = await h.connect();
    await expectSqlError(fresh.query('CREATE TABLE x (id INT) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)'), 1046, 'No database selected', '3D000');
    await expectSqlError(fresh.query('SHOW TABLES'), 1046, 'No database selected');
  });

  it('DROP TABLE and TRUNCATE TABLE', async () => {
    await c.query('CREATE TABLE t_drop (id INT NOT NULL) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")');
    h.catalog.getTable('demo', 't_drop')?.putRow([1n]);
    await c.query('TRUNCATE TABLE t_drop');
    assert.equal(h.catalog.getTable('demo', 't_drop')?.rowCount, 0);
    await c.query('DROP TABLE demo.t_drop');
    await c.query('DROP TABLE IF EXISTS t_drop');
    await expectSqlError(c.query('DROP TABLE t_drop'), 1064, ANALYSIS("Unknown table 't_drop'"));
    await expectSqlError(c.query('TRUNCATE TABLE t_drop'), 1064, ANALYSIS("Unknown table 't_drop'"));
  });

  it('table and database names are case-sensitive, column names are not (§7.2)', async () => {
    await c.query('CREATE TABLE `Mixed` (`Id` INT NOT NULL, `Val` INT) PRIMARY KEY(`Id`) DISTRIBUTED BY HASH(`Id`) PROPERTIES ("replication_num" = "1")');
    await expectSqlError(c.query('SELECT * FROM mixed'), 1064, ANALYSIS("Unknown table 'demo.mixed'"));
    await expectSqlError(c.query('USE DEMO'), 1049, "Unknown database 'DEMO'");
    h.catalog.getTable('demo', 'Mixed')?.putRow([7n, 70n]);
    const r = await rows(c, 'SELECT id, VAL FROM `Mixed` WHERE ID = 7');
    assert.deepEqual(r, [{ id: 7, VAL: 70 }]);
    const tables = await rows(c, 'SHOW TABLES');
    assert.ok(tables.some((t) => t['Tables_in_demo'] === 'Mixed'));
  });
});
