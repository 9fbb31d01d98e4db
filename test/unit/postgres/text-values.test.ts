import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue, type Value } from '../../../core/index.js';
import { TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';
import { decodeTextValue, TextValueError } from '../../../connectors/postgres/codec/text-values.js';
import { parseArrayLiteral, ArrayLiteralError } from '../../../connectors/postgres/codec/array-literal.js';
import { civilFromDays, daysFromCivil, timestamptzToUtc } from '../../../connectors/postgres/codec/temporal.js';

const reg = new TypeRegistry();
const dec = (text: string, oid: number): Value => decodeTextValue(text, reg.lookup(oid));

test('int2/int4 → number, int8 → bigint (beyond 2^53)', () => {
  assert.equal(dec('-32768', 21), -32768);
  assert.equal(dec('2147483647', 23), 2147483647);
  assert.equal(dec('9223372036854775807', 20), 9223372036854775807n);
  assert.equal(dec('-9223372036854775808', 20), -9223372036854775808n);
  assert.equal(dec('9007199254740993', 20), 9007199254740993n);
  assert.throws(() => dec('12a', 23), TextValueError);
  assert.throws(() => dec('1.5', 20), TextValueError);
});

test('numeric → exact DecimalValue text (40+ digits), NaN/±Infinity → SpecialNumber', () => {
  const forty = '1234567890123456789012345678901234567890.0123456789';
  assert.deepEqual(dec(forty, 1700), new DecimalValue(forty));
  assert.deepEqual(dec('-0.000000000000000000000000000000000000001', 1700), new DecimalValue('-0.000000000000000000000000000000000000001'));
  assert.deepEqual(dec('12.3400', 1700), new DecimalValue('12.3400'));
  assert.deepEqual(dec('NaN', 1700), new SpecialNumber('NaN'));
  assert.deepEqual(dec('Infinity', 1700), new SpecialNumber('Infinity'));
  assert.deepEqual(dec('-Infinity', 1700), new SpecialNumber('-Infinity'));
});

test('float4/float8 → number; NaN/±Infinity → SpecialNumber', () => {
  assert.equal(dec('1.5', 701), 1.5);
  // float4's text is rounded to 9 digits; decoding gives the exact float32 value (a StarRocks FLOAT column
  // rejects anything above the float32 maximum as an overflow).
  assert.equal(dec('3.4028235e+38', 700), Math.fround(3.4028235e38));
  assert.equal(dec('1.7976931348623157e+308', 701), Number.MAX_VALUE);
  assert.equal(dec('5e-324', 701), 5e-324);
  assert.ok(Object.is(dec('-0', 701), -0));
  assert.deepEqual(dec('NaN', 701), new SpecialNumber('NaN'));
  assert.deepEqual(dec('Infinity', 700), new SpecialNumber('Infinity'));
  assert.deepEqual(dec('-Infinity', 701), new SpecialNumber('-Infinity'));
  assert.throws(() => dec('abc', 701), TextValueError);
});

test('bool, text-like, uuid, json/jsonb', () => {
  assert.equal(dec('t', 16), true);
  assert.equal(dec('f', 16), false);
  assert.throws(() => dec('x', 16), TextValueError);
  for (const oid of [25, 1043, 1042, 19, 18]) assert.equal(dec('héllo ', oid), 'héllo ');
  assert.equal(dec('', 25), '');
  assert.equal(dec('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 2950), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
  const j = '{"a": 1.00000000000000000001, "b": [1, 2], "n": 12345678901234567890}';
  assert.deepEqual(dec(j, 3802), new JsonText(j));
  assert.deepEqual(dec('[1,2]', 114), new JsonText('[1,2]'));
});

test('date/time/timetz/timestamp/interval keep their text (µs, BC, infinity)', () => {
  assert.deepEqual(dec('2024-02-29', 1082), new TemporalValue('date', '2024-02-29'));
  assert.deepEqual(dec('0044-03-15 BC', 1082), new TemporalValue('date', '0044-03-15 BC'));
  assert.deepEqual(dec('infinity', 1082), new TemporalValue('date', 'infinity'));
  assert.ok((dec('-infinity', 1082) as TemporalValue).infinite);
  assert.deepEqual(dec('23:59:59.999999', 1083), new TemporalValue('time', '23:59:59.999999'));
  assert.deepEqual(dec('24:00:00', 1083), new TemporalValue('time', '24:00:00'));
  assert.deepEqual(dec('12:00:00.5+05:30', 1266), new TemporalValue('timetz', '12:00:00.5+05:30'));
  assert.deepEqual(dec('2024-01-02 03:04:05.123456', 1114), new TemporalValue('timestamp', '2024-01-02 03:04:05.123456'));
  assert.deepEqual(dec('0001-01-01 00:00:00 BC', 1114), new TemporalValue('timestamp', '0001-01-01 00:00:00 BC'));
  assert.deepEqual(dec('1 year 2 mons 3 days 04:05:06.789', 1186), new TemporalValue('interval', '1 year 2 mons 3 days 04:05:06.789'));
  assert.deepEqual(dec('-00:00:00.000001', 1186), new TemporalValue('interval', '-00:00:00.000001'));
});

test('timestamptz → UTC, µs kept, offsets parsed without JS Date', () => {
  const tz = (s: string): string => (dec(s, 1184) as TemporalValue).text;
  assert.equal(tz('2024-01-02 03:04:05.123456+00'), '2024-01-02 03:04:05.123456');
  assert.equal(tz('2024-03-01 00:15:00.123456+05:30'), '2024-02-29 18:45:00.123456');
  assert.equal(tz('2024-12-31 22:30:00.000001-03'), '2025-01-01 01:30:00.000001');
  assert.equal(tz('1900-01-01 00:00:00+05:53:28'), '1899-12-31 18:06:32');
  assert.equal(tz('2000-02-28 23:00:00-01'), '2000-02-29 00:00:00');
  assert.equal(tz('1900-02-28 23:00:00-01'), '1900-03-01 00:00:00'); // 1900 is not a leap year
  assert.equal(tz('0044-03-15 12:00:00+00 BC'), '0044-03-15 12:00:00 BC');
  assert.equal(tz('0001-01-01 00:30:00+01'), '0001-12-31 23:30:00 BC');
  assert.equal(tz('0001-01-01 00:30:00+01 BC'), '0002-12-31 23:30:00 BC');
  assert.equal(tz('0001-12-31 23:30:00-01 BC'), '0001-01-01 00:30:00');
  assert.equal(tz('294276-12-31 23:59:59.999999+00'), '294276-12-31 23:59:59.999999');
  assert.equal(tz('infinity'), 'infinity');
  assert.equal(tz('-infinity'), '-infinity');
  assert.equal((dec('2024-01-01 00:00:00+00', 1184) as TemporalValue).type, 'timestamptz');
  assert.throws(() => dec('2024-01-01T00:00:00Z', 1184), TextValueError);
  assert.equal(timestamptzToUtc('garbage'), undefined);
});

test('calendar helpers agree with each other across eras', () => {
  for (const d of [-800_000, -719_528, -1, 0, 1, 11_016, 59, 60, 2_932_896]) {
    const c = civilFromDays(d);
    assert.equal(daysFromCivil(c.year, c.month, c.day), d);
  }
  assert.equal(daysFromCivil(1970, 1, 1), 0);
  assert.equal(daysFromCivil(2000, 3, 1), 11_017);
});

test('bytea hex and escape formats → Uint8Array', () => {
  assert.deepEqual(dec('\\xdeadbeef', 17), new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
  assert.deepEqual(dec('\\x', 17), new Uint8Array(0));
  assert.ok(!Buffer.isBuffer(dec('\\x00', 17)), 'a plain Uint8Array');
  assert.deepEqual(dec('a\\\\b\\001', 17), new Uint8Array([0x61, 0x5c, 0x62, 0x01]));
  assert.throws(() => dec('\\xabc', 17), TextValueError);
});

test('money → DecimalValue without currency formatting', () => {
  assert.deepEqual(dec('$1,234.56', 790), new DecimalValue('1234.56'));
  assert.deepEqual(dec('-$1,234.56', 790), new DecimalValue('-1234.56'));
  assert.deepEqual(dec('$0.00', 790), new DecimalValue('0.00'));
  assert.deepEqual(dec('-$92,233,720,368,547,758.08', 790), new DecimalValue('-92233720368547758.08'));
  assert.deepEqual(dec('($5.00)', 790), new DecimalValue('-5.00'));
});

test('arrays: NULL elements, quoting, escapes, nesting, empty, bounds decoration', () => {
  assert.deepEqual(dec('{1,2,NULL}', 1007), [1, 2, null]);
  assert.deepEqual(dec('{}', 1009), []);
  assert.deepEqual(dec('{"a b","c\\"d",NULL,"NULL","",null,x\\,y,"\\\\"}', 1009), ['a b', 'c"d', null, 'NULL', '', null, 'x,y', '\\']);
  assert.deepEqual(dec('{{1,2},{3,NULL}}', 1007), [
    [1, 2],
    [3, null],
  ]);
  assert.deepEqual(dec('{{{1}},{{2}}}', 1005), [[[1]], [[2]]]);
  assert.deepEqual(dec('{9223372036854775807,-1}', 1016), [9223372036854775807n, -1n]);
  assert.deepEqual(dec('[0:1]={7,8}', 1007), [7, 8]);
  assert.deepEqual(dec('[1:1][-1:0]={{5,6}}', 1007), [[5, 6]]);
  assert.deepEqual(dec('{t,f}', 1000), [true, false]);
  assert.deepEqual(dec('{1.5,NaN,-Infinity}', 1231), [new DecimalValue('1.5'), new SpecialNumber('NaN'), new SpecialNumber('-Infinity')]);
  assert.deepEqual(dec('{"2024-01-01 05:30:00+05:30",infinity}', 1185), [
    new TemporalValue('timestamptz', '2024-01-01 00:00:00'),
    new TemporalValue('timestamptz', 'infinity'),
  ]);
  assert.deepEqual(dec('{"\\\\x0102",NULL}', 1001), [new Uint8Array([1, 2]), null]);
  assert.deepEqual(dec('{"{\\"a\\": 1}"}', 3807), [new JsonText('{"a": 1}')]);
  assert.deepEqual(dec('{"$1,000.00"}', 791), [new DecimalValue('1000.00')]);
  assert.deepEqual(dec('{ a , "b" }', 1009), ['a', 'b']);
});

test('malformed array literals are TextValueErrors', () => {
  for (const bad of ['{1,2', '1,2}', '{1,,2}', '{"a}', '{a}x', '{a"b}']) {
    assert.throws(() => dec(bad, 1007), TextValueError, bad);
  }
  assert.throws(() => parseArrayLiteral('{'), ArrayLiteralError);
});

test('array literal parser keeps element text for unknown element types', () => {
  assert.deepEqual(parseArrayLiteral('{(1\\,2),"(3,4)"}'), ['(1,2)', '(3,4)']);
  assert.deepEqual(parseArrayLiteral('{(0,0),(1,1);(2,2),(3,3)}', ';'), ['(0,0),(1,1)', '(2,2),(3,3)']);
});

test('domains resolve to their base type, enums and unknown types to text', () => {
  const r = new TypeRegistry();
  r.addRows([
    { oid: 90002, typname: '_posint', typtype: 'b', typbasetype: 0, typelem: 90001, typdelim: ',', typcategory: 'A' },
    { oid: 90001, typname: 'posint', typtype: 'd', typbasetype: 23, typelem: 0, typdelim: ',', typcategory: 'N' },
    { oid: 90003, typname: 'mood', typtype: 'e', typbasetype: 0, typelem: 0, typdelim: ',', typcategory: 'E' },
    { oid: 90004, typname: 'smallpos', typtype: 'd', typbasetype: 90001, typelem: 0, typdelim: ',', typcategory: 'N' },
    { oid: 90005, typname: 'bigints', typtype: 'd', typbasetype: 1016, typelem: 0, typdelim: ',', typcategory: 'A' },
    { oid: 90006, typname: 'ts_utc', typtype: 'd', typbasetype: 1184, typelem: 0, typdelim: ',', typcategory: 'D' },
  ]);
  assert.equal(decodeTextValue('42', r.lookup(90001)), 42);
  assert.equal(r.lookup(90001).family, 'int4');
  assert.equal(r.lookup(90001).name, 'posint');
  assert.deepEqual(decodeTextValue('{1,NULL}', r.lookup(90002)), [1, null]);
  assert.equal(decodeTextValue('happy', r.lookup(90003)), 'happy');
  assert.equal(r.lookup(90003).family, 'text');
  assert.equal(decodeTextValue('7', r.lookup(90004)), 7);
  assert.deepEqual(decodeTextValue('{9007199254740993}', r.lookup(90005)), [9007199254740993n]);
  assert.deepEqual(decodeTextValue('2024-01-01 01:00:00+01', r.lookup(90006)), new TemporalValue('timestamptz', '2024-01-01 00:00:00'));
  assert.equal(decodeTextValue('(1,2)', r.lookup(600)), '(1,2)'); // point: unknown → text
  assert.equal(r.lookup(600).family, 'other');
  assert.deepEqual(r.missing([23, 600, 90001, 0]), [600]);
});
