import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type mysql from 'mysql2/promise';
import { expectSqlError, rows, type SqlHarness, startHarness, waitFor } from './sql-harness.js';

// Long enough that only lowering the setting ends the first job: nothing here depends on timing.
const SCHEMA_CHANGE_MS = 600_000;
const ALTER_COLUMNS = [
  'JobId',
  'TableName',
  'CreateTime',
  'FinishTime',
  'IndexName',
  'IndexId',
  'OriginIndexId',
  'SchemaVersion',
  'TransactionId',
  'State',
  'Msg',
  'Progress',
  'Timeout',
];
const LATEST = 'SHOW ALTER TABLE COLUMN WHERE TableName = "t" ORDER BY CreateTime DESC LIMIT 1';

async function latestState(c: mysql.Connection): Promise<string | undefined> {
  const r = await rows(c, LATEST);
  return r[0]?.['State'] as string | undefined;
}

async function columnNames(c: mysql.Connection): Promise<string[]> {
  const r = await rows(c, 'SELECT COLUMN_NAME FROM information_schema.columns WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', [
    'sc',
    't',
  ]);
  return r.map((x) => String(x['COLUMN_NAME']));
}

describe('ALTER TABLE ADD COLUMN is an asynchronous schema-change job (§7.3)', () => {
  let h: SqlHarness;
  let c: mysql.Connection;

  before(async () => {
    h = await startHarness({ schemaChangeMs: SCHEMA_CHANGE_MS });
    c = await h.connect();
    await c.query('CREATE DATABASE sc');
    await c.query('USE sc');
    await c.query('CREATE TABLE t (id BIGINT NOT NULL, v VARCHAR(10)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")');
    const t = h.catalog.getTable('sc', 't');
    t?.putRow([1n, 'one']);
    t?.putRow([2n, 'two']);
  });
  after(async () => h.close());

  it('returns at once, stays invisible while RUNNING, then FINISHED with the default filled in', async () => {
    // The statement returns while the job runs (a statement waiting for it would never see RUNNING).
    await c.query('ALTER TABLE t ADD COLUMN c INT NULL DEFAULT "5" COMMENT "added"');

    const all = await rows(c, 'SHOW ALTER TABLE COLUMN');
    assert.deepEqual(Object.keys(all[0] ?? {}), ALTER_COLUMNS);
    assert.equal(await waitFor(async () => (await latestState(c)) === 'RUNNING'), true);
    const running = (await rows(c, LATEST))[0];
    assert.equal(running?.['TableName'], 't');
    assert.equal(running?.['FinishTime'], null);
    assert.equal(running?.['Timeout'], '86400');

    // not yet visible to metadata or queries
    assert.deepEqual(await columnNames(c), ['id', 'v']);
    assert.deepEqual(
      (await rows(c, 'DESC t')).map((r) => r['Field']),
      ['id', 'v'],
    );
    await expectSqlError(c.query('SELECT c FROM t'), 1064, "Getting analyzing error. Detail message: Column 'c' cannot be resolved.");

    // a second ALTER on the same table fails while the first is running (newer message, 1064)
    await expectSqlError(
      c.query('ALTER TABLE t ADD COLUMN d INT'),
      1064,
      'A schema change operation is in progress on the table "t". Please wait until the current operation completes.\n' +
        'To check the status of the operation, see https://docs.starrocks.io/en-us/latest/sql-reference/sql-statements/data-manipulation/SHOW%20ALTER',
    );

    assert.equal(await latestState(c), 'RUNNING', 'still running: FINISHED only after schemaChangeMs');
    h.catalog.settings.schemaChangeMs = 0;
    await waitFor(async () => (await latestState(c)) === 'FINISHED', 5000);
    const done = (await rows(c, LATEST))[0];
    assert.match(String(done?.['FinishTime']), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(await columnNames(c), ['id', 'v', 'c']);
    assert.deepEqual(await rows(c, 'SELECT id, c FROM t ORDER BY id'), [
      { id: 1, c: 5 },
      { id: 2, c: 5 },
    ]);
  });

  it('the list form adds several columns in one job; existing rows get NULL without a default', async () => {
    await c.query('ALTER TABLE sc.t ADD COLUMN (x VARCHAR(5) NULL, y DATETIME NULL DEFAULT "2024-01-02 03:04:05")');
    await waitFor(async () => (await latestState(c)) === 'FINISHED', 5000);
    assert.deepEqual(await columnNames(c), ['id', 'v', 'c', 'x', 'y']);
    const [vals] = (await c.query({ sql: 'SELECT x, y FROM t WHERE id = 1', dateStrings: true })) as unknown as [Record<string, unknown>[]];
    assert.deepEqual(vals, [{ x: null, y: '2024-01-02 03:04:05' }]);
    const jobs = await rows(c, 'SHOW ALTER TABLE COLUMN FROM sc ORDER BY CreateTime DESC');
    assert.equal(jobs.length, 2);
    assert.ok(Number(jobs[0]?.['JobId']) > Number(jobs[1]?.['JobId']), 'newest job first');
  });

  it('AFTER places the column; duplicate and invalid ADD COLUMN are rejected at submit time', async () => {
    await c.query('ALTER TABLE t ADD COLUMN w INT NULL AFTER v');
    await waitFor(async () => (await latestState(c)) === 'FINISHED', 5000);
    assert.deepEqual(await columnNames(c), ['id', 'v', 'w', 'c', 'x', 'y']);

    await expectSqlError(c.query('ALTER TABLE t ADD COLUMN V INT'), 1064, 'Can not add column which already exists in base table: V');
    await expectSqlError(c.query('ALTER TABLE t ADD COLUMN (n1 INT, N1 INT)'), 1064, 'Repeatedly add column: N1');
    await expectSqlError(c.query('ALTER TABLE t ADD COLUMN n2 INT AFTER nope'), 1064, 'Column[nope] does not found');
    await expectSqlError(c.query('ALTER TABLE t ADD COLUMN n3 INT FIRST'), 1064, 'Invalid column order. value should be after key. index[t]');
    await expectSqlError(
      c.query('ALTER TABLE t ADD COLUMN __op INT'),
      1064,
      'Getting analyzing error. Detail message: Column name [__op] is a system reserved name. Please choose a different one..',
    );
    await expectSqlError(c.query('ALTER TABLE t ADD COLUMN n4 INT NOT NULL'), 1064, /not nullable and has no default value: n4/);
    await expectSqlError(c.query('ALTER TABLE nope ADD COLUMN n5 INT'), 1064, "Getting analyzing error. Detail message: Unknown table 'nope'.");
    // none of the rejected statements created a job
    assert.equal((await rows(c, 'SHOW ALTER TABLE COLUMN')).length, 3);
  });

  it('dropping the table cancels a running job', async () => {
    h.catalog.settings.schemaChangeMs = SCHEMA_CHANGE_MS;
    await c.query('CREATE TABLE t2 (id INT NOT NULL) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")');
    await c.query('ALTER TABLE t2 ADD COLUMN z INT');
    await c.query('DROP TABLE t2');
    const r = await rows(c, 'SHOW ALTER TABLE COLUMN WHERE TableName = "t2"');
    assert.equal(r[0]?.['State'], 'CANCELLED');
  });
});
