import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canModify, formatSrType, holds, isKeyType, parseSrType, typeChange } from '../../../connectors/starrocks/setup/sr-types.js';

const t = parseSrType;

describe('StarRocks type spellings', () => {
  it('parses DDL and information_schema spellings alike', () => {
    assert.deepEqual(t('BIGINT'), { kind: 'bigint' });
    assert.deepEqual(t('bigint(20)'), { kind: 'bigint' });
    assert.deepEqual(t('int(11)'), { kind: 'int' });
    assert.deepEqual(t('INTEGER'), { kind: 'int' });
    assert.deepEqual(t('boolean'), { kind: 'boolean' });
    assert.deepEqual(t('tinyint(1)'), { kind: 'boolean' });
    assert.deepEqual(t('tinyint(4)'), { kind: 'tinyint' });
    assert.deepEqual(t('DECIMAL(10,2)'), { kind: 'decimal', precision: 10, scale: 2 });
    assert.deepEqual(t('decimal(27, 9)'), { kind: 'decimal', precision: 27, scale: 9 });
    assert.deepEqual(t('decimal64(18, 4)'), { kind: 'decimal', precision: 18, scale: 4 });
    assert.deepEqual(t('DECIMAL'), { kind: 'decimal', precision: 10, scale: 0 });
    assert.deepEqual(t('STRING'), { kind: 'varchar', length: 65533 });
    assert.deepEqual(t('varchar(65533)'), { kind: 'varchar', length: 65533 });
    assert.deepEqual(t('CHAR(4)'), { kind: 'char', length: 4 });
    assert.deepEqual(t('datetime'), { kind: 'datetime' });
    assert.deepEqual(t('JSON'), { kind: 'json' });
    assert.deepEqual(t('varbinary'), { kind: 'varbinary' });
    assert.equal(formatSrType(t('ARRAY<STRING>')), formatSrType(t('array<varchar(65533)>')));
    assert.equal(formatSrType(t('ARRAY<INT>')), formatSrType(t('array<int(11)>')));
    assert.deepEqual(t('hll'), { kind: 'unknown', text: 'hll' });
  });

  it('formats DDL spellings', () => {
    assert.equal(formatSrType(t('decimal(20, 4)')), 'DECIMAL(20,4)');
    assert.equal(formatSrType(t('string')), 'VARCHAR(65533)');
    assert.equal(formatSrType(t('bigint(20)')), 'BIGINT');
  });
});

describe('type changes', () => {
  it('nothing to do when the column already holds the new values', () => {
    assert.equal(holds(t('BIGINT'), t('INT')), true);
    assert.equal(holds(t('INT'), t('INT')), true);
    assert.equal(holds(t('DOUBLE'), t('FLOAT')), true);
    assert.equal(holds(t('DECIMAL(20,4)'), t('DECIMAL(12,2)')), true);
    assert.equal(holds(t('DECIMAL(20,2)'), t('INT')), true);
    assert.equal(holds(t('VARCHAR(65533)'), t('VARCHAR(20)')), true);
    assert.equal(holds(t('STRING'), t('BIGINT')), true);
    assert.equal(holds(t('DATETIME'), t('DATE')), true);
    assert.equal(holds(t('INT'), t('BIGINT')), false);
    assert.equal(holds(t('VARCHAR(10)'), t('VARCHAR(20)')), false);
    assert.equal(holds(t('VARCHAR(10)'), t('INT')), false);
    assert.equal(holds(t('DECIMAL(10,2)'), t('DECIMAL(10,3)')), false);
    assert.equal(holds(t('DOUBLE'), t('BIGINT')), false);
  });

  it('follows StarRocks for MODIFY COLUMN', () => {
    assert.equal(canModify(t('INT'), t('BIGINT')), true);
    assert.equal(canModify(t('SMALLINT'), t('LARGEINT')), true);
    assert.equal(canModify(t('BIGINT'), t('DOUBLE')), true);
    assert.equal(canModify(t('INT'), t('STRING')), true);
    assert.equal(canModify(t('FLOAT'), t('DOUBLE')), true);
    assert.equal(canModify(t('VARCHAR(10)'), t('VARCHAR(20)')), true);
    assert.equal(canModify(t('CHAR(4)'), t('VARCHAR(4)')), true);
    assert.equal(canModify(t('JSON'), t('STRING')), true);
    assert.equal(canModify(t('DECIMAL(10,2)'), t('DECIMAL(38,9)')), true);
    assert.equal(canModify(t('DATE'), t('DATETIME')), true);
    assert.equal(canModify(t('BIGINT'), t('INT')), false);
    assert.equal(canModify(t('VARCHAR(20)'), t('VARCHAR(10)')), false);
    assert.equal(canModify(t('BOOLEAN'), t('INT')), false);
    assert.equal(canModify(t('INT'), t('DECIMAL(38,9)')), false);
    assert.equal(canModify(t('DECIMAL(10,2)'), t('DECIMAL(10,3)')), false);
    assert.equal(canModify(t('DOUBLE'), t('DECIMAL(38,9)')), false);
    assert.equal(canModify(t('VARBINARY'), t('STRING')), false);
    assert.equal(canModify(t('ARRAY<INT>'), t('ARRAY<BIGINT>')), false);
  });

  it('decides none / modify / impossible, never modifying a key column', () => {
    assert.deepEqual(typeChange(t('BIGINT'), t('INT'), false), { action: 'none' });
    assert.deepEqual(typeChange(t('INT'), t('BIGINT'), false), { action: 'modify', to: { kind: 'bigint' } });
    assert.deepEqual(typeChange(t('INT'), t('BIGINT'), true), { action: 'impossible', reason: 'StarRocks cannot change the type of a Primary Key column' });
    assert.deepEqual(typeChange(t('BIGINT'), t('INT'), true), { action: 'none' });
    assert.deepEqual(typeChange(t('BOOLEAN'), t('INT'), false), { action: 'impossible', reason: 'StarRocks cannot change a column from BOOLEAN to INT' });
  });

  it('knows the Primary Key column types', () => {
    assert.equal(isKeyType(t('BIGINT')), true);
    assert.equal(isKeyType(t('STRING')), true);
    assert.equal(isKeyType(t('DATETIME')), true);
    assert.equal(isKeyType(t('DECIMAL(10,2)')), false);
    assert.equal(isKeyType(t('DOUBLE')), false);
    assert.equal(isKeyType(t('JSON')), false);
  });
});
