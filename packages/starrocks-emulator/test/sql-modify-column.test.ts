import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { convertForModify, modifyTypeError } from '../src/column-modify.js';
import { expectSqlError, rows, type SqlHarness, startHarness, waitFor } from './sql-harness.js';

const SCHEMA_CHANGE_MS = 300;
const DDL = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

async function columnTypes(c: mysql.Connection, table: string): Promise<Record<string, string>> {
  const r = await rows(
    c,
    'SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.columns WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION',
    ['mc', table],
  );
  return Object.fromEntries(r.map((x) => [String(x['COLUMN_NAME']), String(x['COLUMN_TYPE'])]));
}

async function latestState(c: mysql.Connection, table: string): Promise<string | undefined> {
  const r = await rows(c, `SHOW ALTER TABLE COLUMN WHERE TableName = "${table}" ORDER BY CreateTime DESC LIMIT 1`);
  return r[0]?.['State'] as string | undefined;
}

describe('ALTER TABLE MODIFY COLUMN is an asynchronous schema-change job (§7.3)', () => {
  let h: SqlHarness;
  let c: mysql.Connection;

  before(async () => {
    h = await startHarness({ schemaChangeMs: SCHEMA_CHANGE_MS });
    c = await h.connect();
    await c.query('CREATE DATABASE mc');
    await c.query('USE mc');
    await c.query(
      'CREATE TABLE t (id BIGINT NOT NULL, n INT, s VARCHAR(10), f FLOAT, d DATE, m DECIMAL(10,2), b BOOLEAN, dv INT DEFAULT "7", nn INT NOT NULL DEFAULT "0") ' +
        'PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")',
    );
    h.catalog.getTable('mc', 't')?.putRow([1n, 2147483647n, 'abc', 1.5, '2024-02-29', '12.34', true, 7n, 0n]);
  });
  after(async () => h.close());

  it('widens several columns in one statement; the new types show only once the job is FINISHED, values converted', async () => {
    const started = Date.now();
    await c.query(
      'ALTER TABLE t MODIFY COLUMN n BIGINT NULL, MODIFY COLUMN s VARCHAR(100), MODIFY COLUMN f DOUBLE, MODIFY COLUMN d DATETIME, MODIFY COLUMN m DECIMAL(20,4)',
    );
    assert.ok(Date.now() - started < SCHEMA_CHANGE_MS, 'the statement must not wait for the job');
    assert.equal(await waitFor(async () => (await latestState(c, 't')) === 'RUNNING'), true);
    assert.equal((await columnTypes(c, 't'))['n'], 'int(11)', 'not visible while RUNNING');
    await expectSqlError(
      c.query('ALTER TABLE t MODIFY COLUMN n LARGEINT'),
      1064,
      /^A schema change operation is in progress on the table "t"\. Please wait until the current operation completes\./,
    );
    assert.equal(await waitFor(async () => (await latestState(c, 't')) === 'FINISHED', 5000), true);
    const types = await columnTypes(c, 't');
    assert.deepEqual([types['n'], types['s'], types['f'], types['d'], types['m']], ['bigint(20)', 'varchar(100)', 'double', 'datetime', 'decimal(20, 4)']);
    const row = h.catalog.getTable('mc', 't')?.rowObjects()[0];
    assert.equal(row?.['n'], 2147483647n);
    assert.equal(row?.['s'], 'abc');
    assert.equal(row?.['f'], 1.5);
    assert.equal(row?.['d'], '2024-02-29 00:00:00');
    assert.equal(row?.['m'], '12.3400');
  });

  it('converts to VARCHAR and keeps the default when it is repeated', async () => {
    await c.query('ALTER TABLE t MODIFY COLUMN dv BIGINT DEFAULT "7"');
    await c.query('ALTER TABLE t MODIFY COLUMN n VARCHAR(65533)').catch(async (e: unknown) => {
      // the first job may still be running
      assert.match(String(e), /schema change operation is in progress/);
      await waitFor(async () => (await latestState(c, 't')) === 'FINISHED', 5000);
      await c.query('ALTER TABLE t MODIFY COLUMN n VARCHAR(65533)');
    });
    await waitFor(async () => (await latestState(c, 't')) === 'FINISHED', 5000);
    const types = await columnTypes(c, 't');
    assert.equal(types['dv'], 'bigint(20)');
    assert.equal(types['n'], 'varchar(65533)');
    assert.equal(h.catalog.getTable('mc', 't')?.rowObjects()[0]?.['n'], '2147483647');
  });

  it('refuses what StarRocks refuses, with its messages', async () => {
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN id LARGEINT'), 1064, DDL('Can not modify key column: id for primary key table'));
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN b INT'), 1064, DDL('Can not change BOOLEAN to INT'));
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN dv INT'), 1064, DDL('Can not change BIGINT to INT'));
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN s VARCHAR(5)'), 1064, DDL('Cannot shorten string length'));
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN m DECIMAL(20,2)'), 1064, DDL('Can not change DECIMAL(20,4) to DECIMAL(20,2)'));
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN f DOUBLE NOT NULL'), 1064, DDL('Can not change from nullable to non-nullable'));
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN nn BIGINT NOT NULL'), 1064, DDL('Can not change default value'));
    await expectSqlError(c.query('ALTER TABLE t MODIFY COLUMN nope BIGINT'), 1064, DDL('Column[nope] does not exists'));
    assert.equal((await columnTypes(c, 't'))['b'], 'boolean');
  });

  it('cancels the job when a stored value does not convert', async () => {
    await c.query('CREATE TABLE v (id INT NOT NULL, s VARCHAR(20)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")');
    h.catalog.getTable('mc', 'v')?.putRow([1n, '12']);
    h.catalog.getTable('mc', 'v')?.putRow([2n, 'twelve']);
    await c.query('ALTER TABLE v MODIFY COLUMN s INT');
    assert.equal(await waitFor(async () => (await latestState(c, 'v')) === 'CANCELLED', 5000), true);
    const job = (await rows(c, 'SHOW ALTER TABLE COLUMN WHERE TableName = "v"'))[0];
    assert.match(String(job?.['Msg']), /twelve/);
    assert.equal((await columnTypes(c, 'v'))['s'], 'varchar(20)');
    assert.deepEqual(
      h.catalog
        .getTable('mc', 'v')
        ?.rowObjects()
        .map((r) => r['s']),
      ['12', 'twelve'],
    );
  });
});

describe('MODIFY COLUMN type rules (SchemaChangeTypeCompatibility)', () => {
  it('allows widening and conversions to strings, refuses the rest', () => {
    assert.equal(modifyTypeError({ kind: 'SMALLINT' }, { kind: 'INT' }), null);
    assert.equal(modifyTypeError({ kind: 'INT' }, { kind: 'DOUBLE' }), null);
    assert.equal(modifyTypeError({ kind: 'INT' }, { kind: 'DATE' }), null);
    assert.equal(modifyTypeError({ kind: 'BIGINT' }, { kind: 'LARGEINT' }), null);
    assert.equal(modifyTypeError({ kind: 'JSON' }, { kind: 'VARCHAR', length: 65533 }), null);
    assert.equal(modifyTypeError({ kind: 'VARCHAR', length: 10 }, { kind: 'JSON' }), null);
    assert.equal(modifyTypeError({ kind: 'CHAR', length: 4 }, { kind: 'VARCHAR', length: 4 }), null);
    assert.equal(modifyTypeError({ kind: 'DECIMAL', precision: 10, scale: 2 }, { kind: 'DECIMAL', precision: 12, scale: 3 }), null);
    assert.equal(modifyTypeError({ kind: 'DATETIME' }, { kind: 'DATE' }), null);
    assert.equal(modifyTypeError({ kind: 'LARGEINT' }, { kind: 'DOUBLE' }), 'Can not change LARGEINT to DOUBLE');
    assert.equal(modifyTypeError({ kind: 'DOUBLE' }, { kind: 'FLOAT' }), 'Can not change DOUBLE to FLOAT');
    assert.equal(modifyTypeError({ kind: 'INT' }, { kind: 'DECIMAL', precision: 20, scale: 0 }), 'Can not change INT to DECIMAL(20,0)');
    assert.equal(modifyTypeError({ kind: 'VARBINARY', length: 10 }, { kind: 'VARCHAR', length: 10 }), 'Can not change VARBINARY(10) to VARCHAR(10)');
    assert.equal(
      modifyTypeError({ kind: 'ARRAY', element: { kind: 'INT' } }, { kind: 'ARRAY', element: { kind: 'BIGINT' } }),
      'Can not change ARRAY<INT> to ARRAY<BIGINT>',
    );
  });

  it('converts stored values', () => {
    assert.equal(convertForModify('c', { kind: 'INT' }, { kind: 'DOUBLE' }, 5n), 5);
    assert.equal(convertForModify('c', { kind: 'INT' }, { kind: 'DATE' }, 20240131n), '2024-01-31');
    assert.equal(convertForModify('c', { kind: 'JSON' }, { kind: 'VARCHAR', length: 100 }, '{"a":1}'), '{"a":1}');
    assert.equal(convertForModify('c', { kind: 'INT' }, { kind: 'BIGINT' }, null), null);
    assert.throws(() => convertForModify('c', { kind: 'VARCHAR', length: 10 }, { kind: 'INT' }, 'x'), /Failed to convert value 'x' of column c to INT/);
  });
});
