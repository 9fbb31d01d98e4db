/** The type table of docs/starrocks.md: suggested StarRocks types, column limits, decimal fitting. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnSchema, ValueFamily } from '../../../core/index.js';
import { fitDecimal, suggestStarRocksType, valueLimits } from '../../../connectors/starrocks/type-map.js';
import { pgTypeFacts } from '../../../connectors/postgres/codec/type-facts.js';

/** A PostgreSQL column as the postgres source describes it: its type facts decoded from name and typmod. */
const col = (family: ValueFamily, typeName: string = family, typeModifier = -1, elementFamily?: ValueFamily): ColumnSchema => ({
  name: 'c',
  typeName,
  typeOid: 0,
  typeModifier,
  isKey: false,
  family,
  ...(elementFamily ? { elementFamily } : {}),
  ...pgTypeFacts(typeName, family, typeModifier, elementFamily),
});

/** The StarRocks type of a PostgreSQL numeric with typmod `typmod`. */
const numericType = (typmod: number): string => suggestStarRocksType(col('numeric', 'numeric', typmod));

/** numeric(p,s) typmod as PostgreSQL 15 stores it (11-bit signed scale). */
const numericMod = (p: number, s: number): number => ((p << 16) | (s & 0x7ff)) + 4;

describe('suggestStarRocksType', () => {
  it('maps every family', () => {
    const cases: Array<[ColumnSchema, string]> = [
      [col('boolean', 'bool'), 'BOOLEAN'],
      [col('int2'), 'SMALLINT'],
      [col('int4'), 'INT'],
      [col('int8'), 'BIGINT'],
      [col('float4'), 'FLOAT'],
      [col('float8'), 'DOUBLE'],
      [col('numeric'), 'DECIMAL(38,9)'],
      [col('money'), 'DECIMAL(19,2)'],
      [col('text'), 'STRING'],
      [col('text', 'varchar', 10 + 4), 'VARCHAR(40)'],
      [col('text', 'bpchar', 5 + 4), 'VARCHAR(20)'],
      [col('text', 'varchar', 300_000 + 4), 'VARCHAR(1048576)'],
      [col('text', 'varchar'), 'STRING'],
      [col('text', 'mood'), 'STRING'],
      [col('text', 'inet'), 'STRING'],
      [col('json', 'jsonb'), 'JSON'],
      [col('uuid'), 'STRING'],
      [col('bytea'), 'VARBINARY'],
      [col('date'), 'DATE'],
      [col('time'), 'STRING'],
      [col('timetz'), 'STRING'],
      [col('timestamp'), 'DATETIME'],
      [col('timestamptz'), 'DATETIME'],
      [col('interval'), 'STRING'],
      [col('other', 'pair'), 'STRING'],
      [col('array', '_int4', -1, 'int4'), 'ARRAY<INT>'],
      [col('array', '_numeric', -1, 'numeric'), 'ARRAY<DECIMAL(38,9)>'],
      [col('array', '_timestamptz', -1, 'timestamptz'), 'ARRAY<DATETIME>'],
      [col('array', '_jsonb', -1, 'json'), 'ARRAY<JSON>'],
      [col('array', '_bytea', -1, 'bytea'), 'ARRAY<STRING>'],
      [col('array', '_pair', -1, 'other'), 'ARRAY<STRING>'],
    ];
    for (const [c, want] of cases) assert.equal(suggestStarRocksType(c), want, `${c.typeName}(${c.typeModifier})`);
  });

  it('numeric(p,s), including PostgreSQL 15 negative scales and s > p', () => {
    assert.equal(numericType(numericMod(12, 4)), 'DECIMAL(12,4)');
    assert.equal(numericType(numericMod(38, 0)), 'DECIMAL(38,0)');
    assert.equal(numericType(numericMod(5, -2)), 'DECIMAL(7,0)');
    assert.equal(numericType(numericMod(3, 5)), 'DECIMAL(5,5)');
    assert.equal(numericType(numericMod(39, 2)), 'DECIMAL(38,9)');
    assert.equal(numericType(numericMod(37, -2)), 'DECIMAL(38,9)');
    assert.equal(numericType(-1), 'DECIMAL(38,9)');
  });
});

describe('valueLimits', () => {
  it('reads COLUMN_TYPE spellings of several versions, or COLUMN_SIZE/DECIMAL_DIGITS', () => {
    assert.deepEqual(valueLimits({ kind: 'decimal', columnType: 'decimal(27, 9)' }), { decimal: { precision: 27, scale: 9 } });
    assert.deepEqual(valueLimits({ kind: 'decimal', columnType: 'decimal128(38,9)' }), { decimal: { precision: 38, scale: 9 } });
    assert.deepEqual(valueLimits({ kind: 'decimal', columnSize: 10, decimalDigits: 2 }), { decimal: { precision: 10, scale: 2 } });
    assert.deepEqual(valueLimits({ kind: 'decimal' }), {});
    assert.deepEqual(valueLimits({ kind: 'string', columnType: 'varchar(65533)' }), { maxBytes: 65533 });
    assert.deepEqual(valueLimits({ kind: 'string', columnType: 'char(10)' }), { maxBytes: 10 });
    assert.deepEqual(valueLimits({ kind: 'string', columnSize: 40 }), { maxBytes: 40 });
    assert.deepEqual(valueLimits({ kind: 'binary', columnType: 'varbinary', columnSize: 1048576 }), { maxBytes: 1048576 });
    assert.deepEqual(valueLimits({ kind: 'integer', dataType: 'smallint' }).integer?.max, 32767n);
    assert.deepEqual(valueLimits({ kind: 'largeint', dataType: 'largeint' }).integer?.min, -(2n ** 127n));
    assert.deepEqual(valueLimits({ kind: 'array', columnType: 'array<array<int(11)>>' }), { array: { depth: 2, jsonElements: false } });
    assert.deepEqual(valueLimits({ kind: 'array', columnType: 'ARRAY<JSON>' }), { array: { depth: 1, jsonElements: true } });
    assert.deepEqual(valueLimits({ kind: 'array' }), {});
    assert.deepEqual(valueLimits({ kind: 'json', columnType: 'json' }), {});
  });
});

describe('fitDecimal', () => {
  it('keeps values that fit, normalising the text', () => {
    assert.deepEqual(fitDecimal('12.5', 10, 2), { ok: true, text: '12.5', rounded: false });
    assert.deepEqual(fitDecimal('-0.000000001', 38, 9), { ok: true, text: '-0.000000001', rounded: false });
    assert.deepEqual(fitDecimal('99999999999999999999999999999.999999999', 38, 9), {
      ok: true,
      text: '99999999999999999999999999999.999999999',
      rounded: false,
    });
    assert.deepEqual(fitDecimal('007.100', 5, 3), { ok: true, text: '7.100', rounded: false });
    assert.deepEqual(fitDecimal('1.230000000000', 5, 2), { ok: true, text: '1.23', rounded: false });
  });

  it('rounds extra fraction digits half away from zero, as numeric(p,s) does', () => {
    assert.deepEqual(fitDecimal('0.3333333333333333333', 38, 9), { ok: true, text: '0.333333333', rounded: true });
    assert.deepEqual(fitDecimal('2.5', 10, 0), { ok: true, text: '3', rounded: true });
    assert.deepEqual(fitDecimal('-2.5', 10, 0), { ok: true, text: '-3', rounded: true });
    assert.deepEqual(fitDecimal('0.9999999995', 38, 9), { ok: true, text: '1.000000000', rounded: true });
    assert.deepEqual(fitDecimal('-0.0000000004', 38, 9), { ok: true, text: '0.000000000', rounded: true });
    assert.deepEqual(fitDecimal('0.5', 1, 0), { ok: true, text: '1', rounded: true });
  });

  it('refuses an integer part wider than P−S (also after rounding up)', () => {
    assert.equal(fitDecimal('123456789012345678901234567890', 38, 9).ok, false);
    assert.equal(fitDecimal('9.95', 2, 1).ok, false);
    assert.equal(fitDecimal('99.5', 2, 0).ok, false);
    assert.equal(fitDecimal('1e5', 10, 0).ok, false);
    assert.equal(fitDecimal('', 10, 0).ok, false);
  });
});
