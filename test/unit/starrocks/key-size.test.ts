import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CdcError, DecimalValue, TemporalValue } from '../../../core/index.js';
import { classifyFailMessage } from '../../../connectors/starrocks/errors.js';
import { checkKeySizes, encodedKeySize, keyColumnWidth, PRIMARY_KEY_LIMIT_BYTES } from '../../../connectors/starrocks/key-size.js';
import type { TargetColumn } from '../../../connectors/starrocks/type-map.js';

const col = (name: string, dataType: string, kind: TargetColumn['kind']): TargetColumn => ({ name, dataType, kind, nullable: false, isKey: true });
const str = (name: string) => col(name, 'varchar', 'string');

test('key column widths follow the BE encoder', () => {
  assert.equal(keyColumnWidth(col('b', 'tinyint', 'boolean')), 1);
  assert.equal(keyColumnWidth(col('t', 'tinyint', 'integer')), 1);
  assert.equal(keyColumnWidth(col('s', 'smallint', 'integer')), 2);
  assert.equal(keyColumnWidth(col('i', 'int', 'integer')), 4);
  assert.equal(keyColumnWidth(col('l', 'bigint', 'integer')), 8);
  assert.equal(keyColumnWidth(col('x', 'largeint', 'largeint')), 16);
  assert.equal(keyColumnWidth(col('d', 'date', 'date')), 4);
  assert.equal(keyColumnWidth(col('t', 'datetime', 'datetime')), 8);
  assert.equal(keyColumnWidth(str('v')), 'string');
  assert.equal(keyColumnWidth(col('c', 'char', 'string')), 'string');
});

test('encoded size: UTF-8 bytes, separators and escaped NULs for strings before the last key column', () => {
  assert.equal(encodedKeySize([str('k')], ['a'.repeat(128)]), 128);
  assert.equal(encodedKeySize([str('k')], ['é']), 2);
  assert.equal(encodedKeySize([str('k')], ['🎉']), 4);
  assert.equal(encodedKeySize([str('k')], ['e\u0301']), 3, 'combining characters count by their bytes');
  assert.equal(encodedKeySize([str('k')], ['\ud800']), 3, 'a lone surrogate is sent as U+FFFD');
  assert.equal(encodedKeySize([col('id', 'bigint', 'integer'), str('k')], [1n, 'ab']), 10);
  assert.equal(encodedKeySize([str('k'), col('n', 'int', 'integer')], ['ab', 1]), 2 + 2 + 4);
  assert.equal(encodedKeySize([str('k'), str('j')], ['a\0b', 'c']), 3 + 1 + 2 + 1);
  // Non-string values in string columns: the text the body writes.
  assert.equal(encodedKeySize([str('k')], [12345n]), 5);
  assert.equal(encodedKeySize([str('k')], [new DecimalValue('1.50')]), 4);
  assert.equal(encodedKeySize([str('k')], [new TemporalValue('date', '2024-01-02')]), 10);
  assert.equal(encodedKeySize([str('k')], [Uint8Array.from([1, 2])]), 6, '\\x0102');
});

test('checkKeySizes passes at the limit and names table, key, size and position beyond it', () => {
  const target = { table: 'cdc.t', source: 'public.t', keyColumns: [col('id', 'bigint', 'integer'), str('k')] };
  const load = (k: string) => ({
    columns: ['id', 'v', 'k'],
    rows: [
      { values: [1n, 'x', 'short'], version: 1n },
      { values: [2n, 'y', k], version: 0x1_0000_0020n },
    ],
  });
  checkKeySizes(target, [load('a'.repeat(PRIMARY_KEY_LIMIT_BYTES - 8))]);
  assert.throws(
    () => checkKeySizes(target, [load('a'.repeat(PRIMARY_KEY_LIMIT_BYTES - 7))]),
    (err: unknown) => {
      assert.ok(err instanceof CdcError);
      assert.equal(err.code, 'SINK_DATA');
      assert.equal(err.retry, 'never');
      assert.match(err.message, /^The primary key of cdc\.t would be 129 bytes as StarRocks encodes it, 1 beyond its 128-byte limit/);
      assert.match(err.message, /\(id, k\) = \(2, 'a{40}…' \(121 bytes\)\), a change of public\.t at 1\/20\./);
      assert.match(err.hint ?? '', /primary_key_limit_size/);
      return true;
    },
  );
  // Fixed-width keys are never checked row by row (they cannot exceed).
  checkKeySizes({ table: 'cdc.f', source: 'public.f', keyColumns: [col('a', 'largeint', 'largeint')] }, [
    { columns: ['a'], rows: [{ values: [1n], version: 1n }] },
  ]);
});

test("the BE's own message is a non-retried data error", () => {
  for (const m of ['primary key size exceed the limit.', 'Cancelled: primary key size exceed the limit.']) {
    const c = classifyFailMessage(m);
    assert.equal(c.code, 'SINK_DATA', m);
    assert.equal(c.retry, 'never', m);
  }
});
