import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_COLUMNS } from '../../../connectors/starrocks/audit.js';
import { quoteIdent, quoteString } from '../../../connectors/starrocks/identifiers.js';
import {
  addColumnsStatement,
  columnsQuery,
  createTableSuggestion,
  createTableText,
  parseAlterJob,
  parseColumnRows,
  parseKeysClause,
  showAlterStatement,
} from '../../../connectors/starrocks/setup/sql.js';
import { suggestStarRocksType, targetKindOf } from '../../../connectors/starrocks/type-map.js';
import { column, tableSchema } from './fixtures.js';

describe('identifiers', () => {
  it('quotes identifiers and strings', () => {
    assert.equal(quoteIdent('order'), '`order`');
    assert.equal(quoteIdent('a`b'), '`a``b`');
    assert.equal(quoteString("it's \\ x"), "'it\\'s \\\\ x'");
  });
});

describe('setup SQL', () => {
  it('reads columns with escaped literals', () => {
    assert.equal(
      columnsQuery('db', "o'rder"),
      "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, ORDINAL_POSITION, COLUMN_SIZE, DECIMAL_DIGITS, IS_NULLABLE, COLUMN_KEY FROM information_schema.columns WHERE TABLE_SCHEMA = 'db' AND TABLE_NAME = 'o\\'rder' ORDER BY ORDINAL_POSITION",
    );
  });

  it('adds all audit columns in one ALTER', () => {
    assert.equal(
      addColumnsStatement('db', 'order', AUDIT_COLUMNS),
      "ALTER TABLE `db`.`order` ADD COLUMN (`dbmazz_op_type` TINYINT NULL COMMENT '0=INSERT, 1=UPDATE, 2=DELETE', " +
        "`dbmazz_is_deleted` BOOLEAN NULL COMMENT 'Soft delete flag', `dbmazz_synced_at` DATETIME NULL COMMENT 'Sync timestamp (UTC)', " +
        "`dbmazz_cdc_version` BIGINT NULL COMMENT 'Source LSN')",
    );
  });

  it('polls the newest schema change job', () => {
    assert.equal(showAlterStatement('db', 'order'), "SHOW ALTER TABLE COLUMN FROM `db` WHERE TableName = 'order' ORDER BY CreateTime DESC LIMIT 1");
    assert.deepEqual(parseAlterJob({ JobId: '1', State: 'finished', Msg: '' }), { state: 'FINISHED', msg: '' });
    assert.equal(parseAlterJob(undefined), undefined);
  });

  it('suggests a Primary Key table with the audit columns', () => {
    const s = tableSchema('order', [column('id', 'int8', true), column('total', 'numeric', false, ((10 << 16) | 2) + 4), column('desc', 'text')]);
    const ddl = createTableSuggestion('db', 'order', s);
    assert.match(ddl, /^CREATE TABLE `db`\.`order` \(\n {2}`id` BIGINT NOT NULL,\n {2}`total` DECIMAL\(10,2\) NULL,\n {2}`desc` STRING NULL,/);
    assert.match(ddl, /`dbmazz_cdc_version` BIGINT NULL/);
    assert.match(ddl, /PRIMARY KEY \(`id`\)\nDISTRIBUTED BY HASH \(`id`\);$/);
  });

  it('parses information_schema rows; BOOLEAN is tinyint with NULL COLUMN_SIZE', () => {
    const cols = parseColumnRows([
      { COLUMN_NAME: 'b', DATA_TYPE: 'tinyint', ORDINAL_POSITION: 2, COLUMN_SIZE: null, IS_NULLABLE: 'YES', COLUMN_KEY: '' },
      { COLUMN_NAME: 'id', DATA_TYPE: 'bigint', ORDINAL_POSITION: '1', COLUMN_SIZE: '19', IS_NULLABLE: 'NO', COLUMN_KEY: 'PRI' },
      { column_name: 't', data_type: 'tinyint', ordinal_position: 3, column_size: 3, is_nullable: 'YES', column_key: '' },
    ]);
    assert.deepEqual(cols, [
      { name: 'id', dataType: 'bigint', kind: 'integer', nullable: false, isKey: true, columnType: null, columnSize: 19, decimalDigits: null },
      { name: 'b', dataType: 'tinyint', kind: 'boolean', nullable: true, isKey: false, columnType: null, columnSize: null, decimalDigits: null },
      { name: 't', dataType: 'tinyint', kind: 'integer', nullable: true, isKey: false, columnType: null, columnSize: 3, decimalDigits: null },
    ]);
  });

  it('parses the key clause of SHOW CREATE TABLE', () => {
    const ddl =
      'CREATE TABLE `t` (\n  `id` bigint(20) NOT NULL COMMENT "",\n  `we``ird` int(11)\n) ENGINE=OLAP \nPRIMARY KEY(`id`, `we``ird`)\nDISTRIBUTED BY HASH(`id`) BUCKETS 1 \n';
    assert.deepEqual(parseKeysClause(ddl), { keysType: 'PRIMARY', columns: ['id', 'we`ird'] });
    assert.deepEqual(parseKeysClause('CREATE TABLE t (c1 int) DUPLICATE KEY(c1) DISTRIBUTED BY HASH(c1)'), { keysType: 'DUPLICATE', columns: ['c1'] });
    assert.equal(createTableText({ Table: 't', 'Create Table': 'X' }), 'X');
  });
});

describe('type map', () => {
  it('maps information_schema types to kinds', () => {
    assert.equal(targetKindOf('varchar', 65533), 'string');
    assert.equal(targetKindOf('decimal128', 38), 'decimal');
    assert.equal(targetKindOf('datetime', 19), 'datetime');
    assert.equal(targetKindOf('json', null), 'json');
    assert.equal(targetKindOf('varbinary', 1048576), 'binary');
    assert.equal(targetKindOf('array', null), 'array');
    assert.equal(targetKindOf('largeint', 39), 'largeint');
    assert.equal(targetKindOf('bitmap', null), 'other');
  });

  it('suggests the seed mapping for PostgreSQL types', () => {
    const t = (f: Parameters<typeof column>[1], mod = -1): string => suggestStarRocksType(column('c', f, false, mod));
    assert.deepEqual(
      [
        t('boolean'),
        t('int2'),
        t('int4'),
        t('int8'),
        t('float4'),
        t('float8'),
        t('numeric'),
        t('text'),
        t('json'),
        t('uuid'),
        t('date'),
        t('time'),
        t('timestamp'),
        t('timestamptz'),
        t('bytea'),
      ],
      [
        'BOOLEAN',
        'SMALLINT',
        'INT',
        'BIGINT',
        'FLOAT',
        'DOUBLE',
        'DECIMAL(38,9)',
        'STRING',
        'JSON',
        'STRING',
        'DATE',
        'STRING',
        'DATETIME',
        'DATETIME',
        'VARBINARY',
      ],
    );
    assert.equal(t('numeric', ((12 << 16) | 3) + 4), 'DECIMAL(12,3)');
    assert.equal(t('numeric', ((60 << 16) | 3) + 4), 'DECIMAL(38,9)');
    assert.equal(suggestStarRocksType({ ...column('a', 'array'), elementFamily: 'int4' }), 'ARRAY<INT>');
  });
});
