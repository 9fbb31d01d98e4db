import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnSchema } from '../../../core/index.js';
import { UNCHANGED } from '../../../core/index.js';
import { pgTypeFacts } from '../../../connectors/postgres/codec/type-facts.js';
import { readStarRocksConfig } from '../../../connectors/starrocks/config.js';
import {
  describeDiff,
  diffSchemas,
  failPolicyMessage,
  isEmptyDiff,
  projectColumns,
  sourceTypeText,
  type ProjectionCache,
} from '../../../connectors/starrocks/schema-evolution.js';
import {
  createTableStatement,
  modifyColumnsStatement,
  parseAlterJobs,
  parseColumnDetails,
  showAlterJobsStatement,
} from '../../../connectors/starrocks/setup/sql.js';
import { column, del, ins, tableSchema, upd } from './fixtures.js';

const typed = (name: string, typeName: string, typeOid: number, typeModifier = -1, isKey = false): ColumnSchema => {
  const family = typeName === 'int8' ? 'int8' : typeName === 'int4' ? 'int4' : typeName === 'numeric' ? 'numeric' : 'text';
  return { name, typeName, typeOid, typeModifier, isKey, family, ...pgTypeFacts(typeName, family, typeModifier) };
};

describe('schema diff', () => {
  const before = tableSchema('orders', [typed('id', 'int8', 20, -1, true), typed('qty', 'int4', 23), typed('note', 'text', 25), typed('old', 'text', 25)]);
  const after = tableSchema('orders', [
    typed('id', 'int8', 20, -1, true),
    typed('qty', 'int8', 20),
    typed('note', 'text', 25),
    typed('code', 'varchar', 1043, 24),
    typed('price', 'numeric', 1700, ((12 << 16) | 2) + 4),
  ]);

  it('tells added, dropped and retyped columns apart (a rename is a drop and an add)', () => {
    const d = diffSchemas(before, after);
    assert.deepEqual(
      d.added.map((c) => c.name),
      ['code', 'price'],
    );
    assert.deepEqual(
      d.dropped.map((c) => c.name),
      ['old'],
    );
    assert.deepEqual(
      d.retyped.map((r) => [r.before.typeName, r.after.typeName]),
      [['int4', 'int8']],
    );
    assert.equal(d.keyChanged, false);
    assert.equal(describeDiff(d), 'added code (varchar(20)), price (numeric(12,2)); dropped old; qty int4 → int8');
    assert.equal(isEmptyDiff(diffSchemas(before, before)), true);
    assert.equal(isEmptyDiff(diffSchemas(undefined, after)), true);
  });

  it('reports key changes and names the fix for SCHEMA_EVOLUTION=fail', () => {
    const rekeyed = tableSchema('orders', [typed('id', 'int8', 20), typed('qty', 'int4', 23, -1, true), typed('note', 'text', 25), typed('old', 'text', 25)]);
    const d = diffSchemas(before, rekeyed);
    assert.equal(d.keyChanged, true);
    const m = failPolicyMessage(after, diffSchemas(before, after), 'shop.orders');
    assert.match(m.message, /public\.orders changed \(added code .*\) and SCHEMA_EVOLUTION=fail/);
    assert.match(m.hint, /shop\.orders/);
    assert.match(m.hint, /SCHEMA_EVOLUTION=evolve/);
  });

  it('renders source types', () => {
    assert.equal(sourceTypeText(typed('a', 'bpchar', 1042, 14)), 'bpchar(10)');
    assert.equal(sourceTypeText(typed('a', '_int4', 1007)), 'int4[]');
    assert.equal(sourceTypeText(typed('a', 'timestamptz', 1184, 3)), 'timestamptz(3)');
    assert.equal(sourceTypeText(typed('a', 'numeric', 1700)), 'numeric');
  });
});

describe('projection (SCHEMA_EVOLUTION=ignore)', () => {
  const s = tableSchema('t', [column('id', 'int8', true), column('a', 'text'), column('b', 'int4'), column('c', 'text')]);
  const keep = (n: string): boolean => n !== 'b';

  it('leaves out the rejected columns in the schema and every record, keys always kept', () => {
    const cache: ProjectionCache = new WeakMap();
    const records = [ins(s, 1n, [1n, 'x', 5, 'y']), upd(s, 2n, [1n, UNCHANGED, 6, 'z'], { before: [1n, 'x', 5, 'y'] }), del(s, 3n, [1n, null, null, null])];
    const p = projectColumns(s, records, keep, cache);
    assert.deepEqual(p.omitted, ['b']);
    assert.deepEqual(
      p.schema.columns.map((c) => c.name),
      ['id', 'a', 'c'],
    );
    assert.deepEqual(p.schema.keyColumns, ['id']);
    const [i, u, d] = p.records;
    assert.ok(i?.op === 'insert' && u?.op === 'update' && d?.op === 'delete');
    assert.deepEqual(i.after, [1n, 'x', 'y']);
    assert.deepEqual(u.after, [1n, UNCHANGED, 'z']);
    assert.deepEqual(u.before, [1n, 'x', 'y']);
    assert.deepEqual(d.before, [1n, null, null]);
    assert.equal(i.schema, p.schema);
    assert.equal(i.lsn, 1n);
    // Stable across batches.
    assert.equal(projectColumns(s, records, keep, cache).schema, p.schema);
    assert.equal(projectColumns(s, records, (n) => n !== 'id', cache).schema.columns.length, 3, 'cached per schema');
    assert.equal(projectColumns(s, records, () => false).schema.columns[0]?.name, 'id', 'key columns are never left out');
  });

  it('returns the batch itself when nothing is left out', () => {
    const records = [ins(s, 1n, [1n, 'x', 5, 'y'])];
    const p = projectColumns(s, records, () => true);
    assert.equal(p.schema, s);
    assert.equal(p.records, records);
  });
});

describe('schema evolution SQL', () => {
  it('modifies several columns in one statement, repeating nullability, default and comment', () => {
    assert.equal(
      modifyColumnsStatement('db', 'order', [
        { name: 'qty', ddlType: 'BIGINT', nullable: true, defaultText: null, comment: '' },
        { name: 'n', ddlType: 'STRING', nullable: false, defaultText: "it's", comment: 'c' },
        { name: 'ts', ddlType: 'DATETIME', nullable: true, defaultText: 'CURRENT_TIMESTAMP', comment: '' },
      ]),
      "ALTER TABLE `db`.`order` MODIFY COLUMN `qty` BIGINT NULL COMMENT '', MODIFY COLUMN `n` STRING NOT NULL DEFAULT 'it\\'s' COMMENT 'c', " +
        "MODIFY COLUMN `ts` DATETIME NULL DEFAULT CURRENT_TIMESTAMP COMMENT ''",
    );
  });

  it('creates a Primary Key table keyed like the source, with the audit columns', () => {
    const s = tableSchema('order', [column('total', 'numeric', false, ((10 << 16) | 2) + 4), column('id', 'int8', true), column('desc', 'text')]);
    const ddl = createTableStatement('db', 'order', s, 1);
    assert.match(ddl, /^CREATE TABLE IF NOT EXISTS `db`\.`order` \(\n {2}`id` BIGINT NOT NULL,\n {2}`total` DECIMAL\(10,2\) NULL,\n {2}`desc` STRING NULL,/);
    assert.match(
      ddl,
      /`dbmazz_cdc_version` BIGINT NULL COMMENT 'Source LSN'\n\) ENGINE=OLAP\nPRIMARY KEY \(`id`\)\nDISTRIBUTED BY HASH \(`id`\)\nPROPERTIES \('replication_num' = '1'\)$/,
    );
    assert.doesNotMatch(createTableStatement('db', 'order', s, undefined), /PROPERTIES/);
  });

  it('lists every job of a table and parses details', () => {
    assert.equal(showAlterJobsStatement('db', "o'rder"), "SHOW ALTER TABLE COLUMN FROM `db` WHERE TableName = 'o\\'rder'");
    assert.deepEqual(parseAlterJobs([{ JobId: '12', State: 'running', Msg: '' }]), [{ jobId: '12', state: 'RUNNING', msg: '' }]);
    assert.deepEqual(
      parseColumnDetails([
        { COLUMN_NAME: 'q', COLUMN_TYPE: 'int(11)', DATA_TYPE: 'int', COLUMN_DEFAULT: '5', IS_NULLABLE: 'NO', COLUMN_KEY: '', COLUMN_COMMENT: 'x' },
        {
          COLUMN_NAME: 'd',
          COLUMN_TYPE: null,
          DATA_TYPE: 'decimal',
          COLUMN_SIZE: '12',
          DECIMAL_DIGITS: '2',
          COLUMN_DEFAULT: null,
          IS_NULLABLE: 'YES',
          COLUMN_KEY: 'PRI',
        },
        { COLUMN_NAME: 'b', DATA_TYPE: 'tinyint', COLUMN_SIZE: null },
      ]),
      [
        { name: 'q', typeText: 'int(11)', defaultText: '5', nullable: false, isKey: false, comment: 'x' },
        { name: 'd', typeText: 'decimal(12,2)', defaultText: null, nullable: true, isKey: true, comment: '' },
        { name: 'b', typeText: 'boolean', defaultText: null, nullable: true, isKey: false, comment: '' },
      ],
    );
  });
});

describe('settings', () => {
  it('SCHEMA_EVOLUTION defaults to evolve; SINK_CREATE_TABLES to false; SINK_REPLICATION_NUM to the cluster default', () => {
    const base = { SINK_URL: 'http://fe:8030', SINK_DATABASE: 'db' };
    const d = readStarRocksConfig(base);
    assert.equal(d.schemaEvolution, 'evolve');
    assert.equal(d.createTables, false);
    assert.equal(d.replicationNum, undefined);
    const c = readStarRocksConfig({ ...base, SCHEMA_EVOLUTION: 'ignore', SINK_CREATE_TABLES: true, SINK_REPLICATION_NUM: 1 });
    assert.equal(c.schemaEvolution, 'ignore');
    assert.equal(c.createTables, true);
    assert.equal(c.replicationNum, 1);
    assert.throws(() => readStarRocksConfig({ ...base, SCHEMA_EVOLUTION: 'sometimes' }), /SCHEMA_EVOLUTION is not one of evolve, ignore, fail/);
  });
});
