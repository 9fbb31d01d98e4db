import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { convertJsonValue, convertText, parseDateTimeText } from '../src/convert.js';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { parseJson, stringifyJson } from '../src/json-raw.js';
import { parseColumnType } from '../src/types.js';
import { col, createTable, fetchText, load, ndjson } from './helpers.js';

const conv = (type: string, json: string): unknown => {
  const r = convertJsonValue('c', parseColumnType(type), parseJson(json));
  return r.ok ? r.value : { error: r.error };
};

describe('JSON value conversion (docs/starrocks-protocol.md §8.1–§8.3)', () => {
  it('integers: range checks, floats truncated, strings parsed as int then float', () => {
    assert.equal(conv('TINYINT', '127'), 127n);
    assert.deepEqual(conv('TINYINT', '128'), { error: 'Value is overflow. column=c, value=128' });
    assert.equal(conv('SMALLINT', '-32768'), -32768n);
    assert.deepEqual(conv('INT', '2147483648'), { error: 'Value is overflow. column=c, value=2147483648' });
    assert.equal(conv('BIGINT', '9223372036854775807'), 9223372036854775807n);
    assert.deepEqual(conv('BIGINT', '9223372036854775808'), { error: 'Value is overflow. column=c, value=9223372036854775808' });
    assert.equal(conv('INT', '1.9'), 1n);
    assert.equal(conv('INT', '-1.9'), -1n);
    assert.equal(conv('INT', '2147483647.0'), 2147483647n);
    assert.equal(conv('INT', '1e3'), 1000n);
    assert.equal(conv('INT', '"42"'), 42n);
    assert.equal(conv('INT', '"4.5"'), 4n);
    assert.deepEqual(conv('BIGINT', '"x"'), { error: 'Unable to cast string value to BIGINT. value=x, column=c' });
    assert.deepEqual(conv('INT', 'true'), { error: 'Unsupported value type. Numeric type is required. column=c' });
    assert.deepEqual(conv('INT', '[1]'), { error: 'Unsupported value type. Numeric type is required. column=c' });
  });

  it('LARGEINT keeps full precision from the raw token', () => {
    assert.equal(conv('LARGEINT', '170141183460469231731687303715884105727'), 2n ** 127n - 1n);
    assert.deepEqual(conv('LARGEINT', '170141183460469231731687303715884105728'), {
      error: 'Value is overflow. column=c, value=170141183460469231731687303715884105728',
    });
  });

  it('FLOAT/DOUBLE', () => {
    assert.equal(conv('DOUBLE', '1.5'), 1.5);
    assert.equal(conv('DOUBLE', '"2.25"'), 2.25);
    assert.deepEqual(conv('FLOAT', '1e39'), { error: 'Value is overflow. column=c, value=1e39' });
    assert.deepEqual(conv('DOUBLE', '"NaN"'), { error: 'Unable to cast string value to DOUBLE. value=NaN, column=c' });
  });

  it('BOOLEAN quirks', () => {
    assert.equal(conv('BOOLEAN', 'true'), true);
    assert.equal(conv('BOOLEAN', '0'), false);
    assert.equal(conv('BOOLEAN', '2.5'), true);
    assert.equal(conv('BOOLEAN', '"1"'), true);
    assert.equal(conv('BOOLEAN', '"false"'), false);
    assert.deepEqual(conv('BOOLEAN', '"yes"'), { error: 'Failed to parse string value as boolean. column=c, value=yes' });
  });

  it('DECIMAL: canonical text; extra fraction digits rounded half away from zero; integer overflow is an error', () => {
    assert.equal(conv('DECIMAL(10,2)', '1.5'), '1.50');
    assert.equal(conv('DECIMAL(10,2)', '"-0012.3"'), '-12.30');
    assert.equal(conv('DECIMAL(10,2)', '-0.00'), '0.00');
    assert.equal(conv('DECIMAL(5,0)', '12345'), '12345');
    assert.equal(conv('DECIMAL(38,10)', '1234567890123456789012345678.0123456789'), '1234567890123456789012345678.0123456789');
    // StringParser::string_to_decimal rounds (be/test/runtime/decimalv3_test.cpp
    // testStringDecimal128CastWithRounding: 360.004999 → 360.00, 360.005000 → 360.01).
    assert.equal(conv('DECIMAL(10,2)', '360.004999'), '360.00');
    assert.equal(conv('DECIMAL(10,2)', '360.005000'), '360.01');
    assert.equal(conv('DECIMAL(10,2)', '1.234'), '1.23');
    assert.equal(conv('DECIMAL(10,2)', '1.235'), '1.24');
    assert.equal(conv('DECIMAL(10,2)', '-1.235'), '-1.24', 'half away from zero');
    assert.equal(conv('DECIMAL(10,2)', '"  0.005 "'), '0.01');
    assert.equal(conv('DECIMAL(10,2)', '1.230'), '1.23');
    assert.deepEqual(conv('DECIMAL(5,2)', '1234.5'), { error: 'the int part length longer than schema precision.' });
    assert.deepEqual(conv('DECIMAL(5,2)', '1234'), { error: 'the int part length longer than schema precision.' });
    assert.equal(conv('DECIMAL(10,2)', '1e2'), '100.00', 'an exponent is accepted');
    assert.equal(conv('DECIMAL(10,2)', '1.5E-1'), '0.15');
    assert.equal(conv('DECIMAL(10,0)', 'true'), '1', 'booleans are read as 1/0 text');
    assert.deepEqual(conv('DECIMAL(10,2)', '"1.2.3"'), { error: 'Invalid decimal value. value=1.2.3, column=c' });
  });

  it('DECIMAL quirk of string_to_decimal: digits past the first p are dropped before rounding', () => {
    // "Ignore digits once the type's precision limit is reached" (be/src/util/string_parser.hpp): the
    // rounding never sees the 6th and later significant digits of a DECIMAL(5,2).
    assert.equal(conv('DECIMAL(5,2)', '123.4567'), '123.45');
    assert.equal(conv('DECIMAL(6,2)', '123.4567'), '123.46');
    assert.equal(conv('DECIMAL(5,2)', '999.995'), '999.99', 'so no rounding carry can overflow');
    assert.equal(conv('DECIMAL(5,2)', '99.995'), '100.00');
    assert.equal(conv('DECIMAL(3,0)', '0.0001e4'), '1');
    assert.deepEqual(conv('DECIMAL(3,0)', '1e3'), { error: 'the int part length longer than schema precision.' });
    assert.equal(conv('DECIMAL(10,2)', '5e-300'), '0.00', 'an int8 exponent that underflows reads as 0');
  });

  it('CHAR/VARCHAR lengths are UTF-8 bytes', () => {
    assert.equal(conv('VARCHAR(3)', '"abc"'), 'abc');
    assert.deepEqual(conv('VARCHAR(3)', '"abcd"'), { error: 'the length of input is too long than schema.' });
    assert.deepEqual(conv('VARCHAR(3)', '"éé"'), { error: 'the length of input is too long than schema.' });
    assert.equal(conv('CHAR(4)', '"éé"'), 'éé');
    assert.equal(conv('VARCHAR(30)', '12.50'), '12.50', 'numbers keep their raw token');
    assert.equal(conv('VARCHAR(30)', '{"a": [1, 2]}'), '{"a":[1,2]}', 'objects become minified JSON');
    assert.equal(conv('STRING', 'false'), '0');
  });

  it('DATE/DATETIME lenient forms, fractions, trailing zone ignored, range', () => {
    assert.equal(conv('DATETIME', '"2024-01-02 03:04:05"'), '2024-01-02 03:04:05');
    assert.equal(conv('DATETIME', '"2024-01-02T03:04:05.5Z"'), '2024-01-02 03:04:05.500000');
    assert.equal(conv('DATETIME', '"2024-01-02T03:04:05.000000+08:00"'), '2024-01-02 03:04:05');
    assert.equal(conv('DATETIME', '"2024/1/2 3:4:5"'), '2024-01-02 03:04:05');
    assert.equal(conv('DATETIME', '20240102030405'), '2024-01-02 03:04:05');
    assert.equal(conv('DATETIME', '"2024-01-02"'), '2024-01-02 00:00:00');
    assert.equal(conv('DATE', '"2024-01-02 23:59:59"'), '2024-01-02');
    assert.equal(conv('DATE', '"20240229"'), '2024-02-29');
    assert.equal(conv('DATE', '"69-01-01"'), '2069-01-01');
    assert.equal(conv('DATE', '"70-01-01"'), '1970-01-01');
    assert.equal(conv('DATE', '"0000-01-01"'), '0000-01-01');
    assert.ok(typeof conv('DATE', '"2023-02-29"') === 'object');
    assert.ok(typeof conv('DATETIME', '"2024-01-02 24:00:00"') === 'object');
    assert.ok(typeof conv('DATE', '"yesterday"') === 'object');
    assert.equal(parseDateTimeText('2024-01-02 03:04:05.1234567')?.datetime, '2024-01-02 03:04:05.123456');
  });

  it('JSON column: any value, minified, numbers as StarRocks stores them (json-column.test.ts)', () => {
    assert.equal(conv('JSON', '{ "a" : 12345678901234567890.123450, "b": [true, null, "x"] }'), '{"a":12345678901234567000,"b":[true,null,"x"]}');
    assert.equal(conv('JSON', '"str"'), '"str"');
    assert.equal(conv('JSON', '7'), '7');
  });

  it('ARRAY/MAP/STRUCT: invalid elements become NULL; non-array → error', () => {
    assert.deepEqual(conv('ARRAY<INT>', '[1, "2", "x", null, 99999999999]'), [1n, 2n, null, null, null]);
    assert.deepEqual(conv('ARRAY<INT>', '"[1,2]"'), { error: 'Failed to parse value as array, column=c' });
    assert.deepEqual(conv('ARRAY<ARRAY<VARCHAR(2)>>', '[["ab","abc"]]'), [['ab', null]]);
    assert.deepEqual(conv('MAP<INT,VARCHAR(5)>', '{"1":"a","x":"b","2":"toolong"}'), [
      [1n, 'a'],
      [null, 'b'],
      [2n, null],
    ]);
    assert.deepEqual(conv('STRUCT<a INT, b VARCHAR(3)>', '{"a":1}'), { a: 1n, b: null });
    assert.deepEqual(conv('STRUCT<a INT>', '[1]'), { error: 'Expected value type [object], got [array]' });
  });

  it('VARBINARY is not loadable from JSON directly (stricter choice)', () => {
    assert.ok(typeof conv('VARBINARY', '"abc"') === 'object');
    const r = convertText('c', parseColumnType('VARBINARY(3)'), 'abc');
    assert.ok(r.ok && Buffer.isBuffer(r.value));
  });

  it('the raw-token JSON parser rejects NaN/Infinity/trailing commas and keeps numbers', () => {
    assert.throws(() => parseJson('{"a":NaN}'));
    assert.throws(() => parseJson('[1,]'));
    assert.throws(() => parseJson('{"a":01}'));
    assert.throws(() => parseJson('"a\u0001"'));
    assert.equal(stringifyJson(parseJson('[1.0e+10, -0, "\\u00e9\\n"]')), '[1.0e+10,-0,"é\\n"]');
  });

  it('DATETIME in the canonical shapes (parsed without the RegExp) gives what the general forms give', () => {
    assert.equal(conv('DATETIME', '"2024-02-29 23:59:59.123456"'), '2024-02-29 23:59:59.123456');
    assert.equal(conv('DATETIME', '"2024-02-29 23:59:59.000000"'), '2024-02-29 23:59:59');
    assert.equal(conv('DATETIME', '"2024-02-29T23:59:59.1234567Z"'), '2024-02-29 23:59:59.123456');
    assert.equal(conv('DATETIME', '"2024-02-29 23:59:59.12 UTC"'), '2024-02-29 23:59:59.120000');
    assert.equal(conv('DATE', '"2024-02-29 23:59:59.123456"'), '2024-02-29');
    assert.equal(conv('DATETIME', '"2024-02-29"'), '2024-02-29 00:00:00');
    assert.ok(typeof conv('DATETIME', '"2023-02-29 00:00:00.123456"') === 'object');
    assert.ok(typeof conv('DATETIME', '"2024-04-31"') === 'object');
    assert.ok(typeof conv('DATETIME', '"2024-01-01 23:60:00"') === 'object');
  });

  it('rows with the same keys, then a duplicate or a different order: each object keeps its own keys and values', () => {
    const rows = parseJson('[{"a":1,"b":"x"},{"a":2,"b":"y","a":3},{"b":"z","a":4},{"a":5}]');
    assert.ok(Array.isArray(rows));
    assert.deepEqual(
      rows.map((r) => stringifyJson(r)),
      ['{"a":1,"b":"x"}', '{"a":3,"b":"y"}', '{"b":"z","a":4}', '{"a":5}'],
    );
    assert.deepEqual(
      rows.map((r) => conv('JSON', stringifyJson(r))),
      ['{"a":1,"b":"x"}', '{"a":3,"b":"y"}', '{"a":4,"b":"z"}', '{"a":5}'],
    );
  });

  it('JSON column keys in UTF-8 byte order (U+FFFF before an astral character)', () => {
    assert.equal(conv('JSON', '{"\\ud83d\\ude00":1,"\\uffff":2,"z":3,"\\u00e9":4}'), '{"z":3,"é":4,"\uffff":2,"😀":1}');
  });
});

describe('strict_mode through a real load (§8.1)', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator();
    createTable(emu, 'd', 'c', [col('id', 'INT', { key: true }), col('i', 'INT'), col('s', 'VARCHAR(3)'), col('nn', 'INT', { nullable: false, default: '0' })]);
  });
  after(() => emu.close());

  it('non-strict: invalid → NULL (row kept); NOT NULL target → filtered', async () => {
    const r = await load(
      emu,
      'c',
      ndjson([
        { id: 1, i: 'x', s: 'toolong', nn: 1 },
        { id: 2, i: 1, s: 'a', nn: 'bad' },
      ]),
      { max_filter_ratio: '1' },
    );
    assert.equal(r.json['Status'], 'Success');
    assert.equal(r.json['NumberLoadedRows'], 1);
    assert.equal(r.json['NumberFilteredRows'], 1);
    assert.deepEqual(emu.rows('d', 'c'), [{ id: 1n, i: null, s: null, nn: 1n }]);
  });

  it('strict: the row is filtered and the message is in the error log', async () => {
    const r = await load(
      emu,
      'c',
      ndjson([
        { id: 3, i: 'x', nn: 1 },
        { id: 4, i: 4, nn: 1 },
      ]),
      { strict_mode: 'true', max_filter_ratio: '0.5' },
    );
    assert.equal(r.json['Status'], 'Success');
    assert.equal(r.json['NumberFilteredRows'], 1);
    const log = await fetchText(String(r.json['ErrorURL']));
    assert.match(log.text, /Unable to cast string value to INT\. value=x, column=i/);
    assert.deepEqual(
      emu.rows('d', 'c').map((x) => x['id']),
      [1n, 4n],
    );
  });
});
