import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalog, CatalogError, type ColumnDefinition, type TableDefinition } from '../src/catalog.js';
import {
  formatColumnType,
  informationSchemaColumnSize,
  informationSchemaDecimalDigits,
  keyColumnTypeError,
  parseColumnType,
  validateColumnType,
} from '../src/types.js';
import { col } from './helpers.js';

const def = (name: string, columns: ColumnDefinition[], extra: Partial<TableDefinition> = {}): TableDefinition => ({
  name,
  keysType: 'PRIMARY_KEYS',
  columns,
  keyColumns: columns.filter((c) => c.isKey).map((c) => c.name),
  distribution: { columns: columns.filter((c) => c.isKey).map((c) => c.name) },
  ...extra,
});

describe('types.ts (docs/starrocks-protocol.md §7.4, §8.2)', () => {
  it('parses any casing/spacing and formats the SHOW CREATE spellings', () => {
    const cases: [string, string][] = [
      ['INT(11)', 'int(11)'],
      ['tinyint', 'tinyint(4)'],
      ['SmallInt', 'smallint(6)'],
      ['bigint', 'bigint(20)'],
      ['LARGEINT', 'largeint(40)'],
      ['decimal(10, 2)', 'decimal(10, 2)'],
      ['DECIMAL', 'decimal(10, 0)'],
      ['decimal128(27,9)', 'decimal(27, 9)'],
      ['varchar(255)', 'varchar(255)'],
      ['STRING', 'varchar(65533)'],
      ['char(3)', 'char(3)'],
      ['array<bigint>', 'array<bigint(20)>'],
      ['ARRAY< ARRAY<varchar(3)> >', 'array<array<varchar(3)>>'],
      ['map<int,int>', 'map<int(11),int(11)>'],
      ['struct<a int, b varchar(10)>', 'struct<a int(11), b varchar(10)>'],
      ['VARBINARY(10)', 'varbinary'],
      ['binary', 'varbinary'],
      ['boolean', 'boolean'],
      ['DATETIME', 'datetime'],
      ['date', 'date'],
      ['json', 'json'],
      ['double', 'double'],
    ];
    for (const [text, shown] of cases) assert.equal(formatColumnType(parseColumnType(text), 'show-create'), shown, text);
    assert.throws(() => parseColumnType('blob'));
    assert.throws(() => parseColumnType('int extra'));
  });

  it('information_schema spellings: lowercase base type, BOOLEAN as tinyint with NULL COLUMN_SIZE', () => {
    assert.equal(formatColumnType(parseColumnType('BOOLEAN'), 'data-type'), 'tinyint');
    assert.equal(informationSchemaColumnSize(parseColumnType('BOOLEAN')), null);
    assert.equal(formatColumnType(parseColumnType('TINYINT'), 'data-type'), 'tinyint');
    assert.equal(informationSchemaColumnSize(parseColumnType('TINYINT')), 3);
    assert.equal(formatColumnType(parseColumnType('decimal(12,3)'), 'data-type'), 'decimal');
    assert.equal(informationSchemaColumnSize(parseColumnType('decimal(12,3)')), 12);
    assert.equal(informationSchemaDecimalDigits(parseColumnType('decimal(12,3)')), 3);
    assert.equal(formatColumnType(parseColumnType('STRING'), 'data-type'), 'varchar');
    assert.equal(informationSchemaColumnSize(parseColumnType('STRING')), 65533);
    assert.equal(formatColumnType(parseColumnType('array<int>'), 'data-type'), 'array');
  });

  it('validates limits', () => {
    assert.equal(validateColumnType(parseColumnType('decimal(38,38)')), null);
    assert.notEqual(validateColumnType(parseColumnType('decimal(39,0)')), null);
    assert.notEqual(validateColumnType(parseColumnType('decimal(0,0)')), null);
    assert.notEqual(validateColumnType(parseColumnType('decimal(5,6)')), null);
    assert.equal(validateColumnType(parseColumnType('char(255)')), null);
    assert.notEqual(validateColumnType(parseColumnType('char(256)')), null);
    assert.equal(validateColumnType(parseColumnType('varchar(1048576)')), null);
    assert.notEqual(validateColumnType(parseColumnType('varchar(1048577)')), null);
    assert.notEqual(validateColumnType(parseColumnType('varchar(0)')), null);
    assert.notEqual(validateColumnType(parseColumnType('map<array<int>,int>')), null);
    assert.equal(keyColumnTypeError('k', parseColumnType('DATETIME'), 'PRIMARY_KEYS'), null);
    assert.notEqual(keyColumnTypeError('k', parseColumnType('DOUBLE'), 'PRIMARY_KEYS'), null);
    assert.notEqual(keyColumnTypeError('k', parseColumnType('DECIMAL(10,2)'), 'PRIMARY_KEYS'), null);
    assert.equal(keyColumnTypeError('k', parseColumnType('DECIMAL(10,2)'), 'DUPLICATE_KEYS'), null);
    assert.notEqual(keyColumnTypeError('k', parseColumnType('JSON'), 'DUPLICATE_KEYS'), null);
  });
});

describe('catalog.ts', () => {
  it('databases and tables: case-sensitive names, IF [NOT] EXISTS, errors with errno', () => {
    const c = new Catalog();
    c.createDatabase('Db');
    assert.equal(c.getDatabase('db'), undefined);
    assert.throws(
      () => c.createDatabase('Db'),
      (e: unknown) => e instanceof CatalogError && e.errno === 1007,
    );
    c.createDatabase('Db', { ifNotExists: true });
    const t = c.createTable('Db', def('T', [col('id', 'INT', { key: true }), col('Val', 'VARCHAR(5)')]));
    assert.equal(c.getTable('Db', 't'), undefined);
    assert.equal(t.findColumn('VAL')?.name, 'Val');
    assert.equal(t.columnIndex('val'), 1);
    assert.throws(
      () => c.createTable('Db', def('T', [col('id', 'INT', { key: true })])),
      (e: unknown) => e instanceof CatalogError && e.code === 'TABLE_EXISTS',
    );
    assert.throws(
      () => c.createTable('nodb', def('x', [col('id', 'INT', { key: true })])),
      (e: unknown) => e instanceof CatalogError && e.errno === 1049,
    );
    assert.equal(c.dropTable('Db', 'nope', { ifExists: true }), false);
    assert.throws(
      () => c.dropTable('Db', 'nope'),
      (e: unknown) => e instanceof CatalogError && e.code === 'TABLE_NOT_FOUND',
    );
    assert.equal(c.checkPassword('root', ''), true);
    assert.equal(c.checkPassword('root@%', ''), true);
    assert.equal(c.checkPassword('root', 'x'), false);
  });

  it('rejects invalid definitions', () => {
    const c = new Catalog();
    c.createDatabase('d');
    const bad = (d: TableDefinition, re: RegExp): void =>
      assert.throws(
        () => c.createTable('d', d),
        (e: unknown) => e instanceof CatalogError && re.test(e.message),
      );
    bad(def('a', [col('id', 'INT', { key: true }), col('ID', 'INT')]), /Duplicate column name 'ID'/);
    bad(def('a', [col('id', 'INT', { key: true }), col('__op', 'INT')]), /Column name \[__op\] is a system reserved name/);
    bad(def('a', [col('v', 'INT'), col('id', 'INT', { key: true })]), /Key columns should be a ordered prefix of the schema/);
    bad(def('a', [col('id', 'INT', { key: true, nullable: true })]), /cannot be nullable/);
    bad(def('a', [col('id', 'DOUBLE', { key: true })]), /Invalid data type of key column/);
    bad(def('a', [col('id', 'INT', { key: true }), col('v', 'INT')], { distribution: { columns: ['v'] } }), /Distribution column\[v\] is not key column/);
    bad(def('a', [col('id', 'INT', { key: true }), col('v', 'DECIMAL(40,2)')]), /precision/);
    bad(def('a', [col('id', 'INT', { key: true }), col('v', 'INT', { default: 'abc' })]), /Invalid default value for 'v'/);
    bad(def('a', [col('id', 'INT', { key: true }), col('v', 'DATE', { default: 'CURRENT_TIMESTAMP' })]), /Invalid default value/);
  });

  it('rows: putRow/getRow/deleteKey; scan in key order; addColumns fills existing rows', () => {
    const c = new Catalog();
    c.createDatabase('d');
    const t = c.createTable('d', def('t', [col('k', 'DECIMAL(10,2)', { key: true }), col('s', 'VARCHAR(5)')], { keysType: 'UNIQUE_KEYS' }));
    t.putRow(['10.00', 'b']);
    t.putRow(['9.50', 'a']);
    t.putRow(['-1.00', 'z']);
    t.putRow(['9.50', 'a2']);
    assert.deepEqual(
      t.scan().map((r) => r[0]),
      ['-1.00', '9.50', '10.00'],
    );
    assert.deepEqual(t.getRow(['9.50']), ['9.50', 'a2']);
    assert.equal(t.deleteKey(['-1.00']), true);
    assert.equal(t.rowCount, 2);
    c.addColumns(t, [
      { column: col('n', 'INT', { nullable: false }) },
      { column: col('d', 'VARCHAR(5)', { default: 'x' }), after: 'k' },
      { column: col('m', 'INT') },
    ]);
    assert.deepEqual(
      t.columns.map((x) => x.name),
      ['k', 'd', 's', 'n', 'm'],
    );
    assert.deepEqual(t.rowObjects()[0], { k: '9.50', d: 'x', s: 'a2', n: 0n, m: null });
    assert.equal(t.schemaVersion, 3);
    assert.throws(() => c.addColumns(t, [{ column: col('S', 'INT') }]), /Duplicate column name 'S'/);
    c.truncate('d', 't');
    assert.equal(t.rowCount, 0);
  });
});
