/**
 * The codec for every PostgreSQL type the type table of docs/starrocks.md lists: built-in OIDs,
 * catalog-resolved user types (enums, domains, composites, arrays of them) and the edge texts of
 * each type as pgoutput prints them (DateStyle ISO, IntervalStyle postgres, TimeZone UTC,
 * extra_float_digits 3, bytea_output hex, lc_monetary C).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue, type Value } from '../../../core/index.js';
import { columnSchema, TypeRegistry, type PgTypeRow } from '../../../connectors/postgres/codec/pg-types.js';
import { decodeTextValue } from '../../../connectors/postgres/codec/text-values.js';

const reg = new TypeRegistry();
const dec = (text: string, oid: number): Value => decodeTextValue(text, reg.lookup(oid));
const FLT_MAX = 3.4028234663852886e38;

describe('codec: built-in types', () => {
  it('knows network, bit, xml types and their arrays as text', () => {
    for (const [oid, name] of [
      [869, 'inet'],
      [650, 'cidr'],
      [829, 'macaddr'],
      [774, 'macaddr8'],
      [1560, 'bit'],
      [1562, 'varbit'],
      [142, 'xml'],
    ] as const) {
      const t = reg.get(oid);
      assert.equal(t?.name, name);
      assert.equal(t?.family, 'text');
    }
    assert.equal(reg.get(1041)?.family, 'array');
    assert.equal(reg.get(1041)?.element?.name, 'inet');
    assert.deepEqual(dec('{192.168.0.1,::1/128,NULL}', 1041), ['192.168.0.1', '::1/128', null]);
    assert.equal(dec('08:00:2b:ff:fe:01:02:03', 774), '08:00:2b:ff:fe:01:02:03');
    assert.equal(dec('1010', 1560), '1010');
  });

  it('float4 ±FLT_MAX keeps the exact float32 value (a FLOAT column refuses a double above FLT_MAX)', () => {
    assert.equal(dec('3.4028235e+38', 700), FLT_MAX);
    assert.equal(dec('-3.4028235e+38', 700), -FLT_MAX);
    // Everything else keeps PostgreSQL's shortest text value.
    assert.equal(dec('3.14', 700), 3.14);
    assert.equal(dec('1e-45', 700), 1e-45);
    // float8 is never rounded to float32.
    assert.equal(dec('3.4028235e+38', 701), 3.4028235e38);
  });

  it('money under lc_monetary=C: limits and negative amounts', () => {
    assert.deepEqual(dec('$92,233,720,368,547,758.07', 790), new DecimalValue('92233720368547758.07'));
    assert.deepEqual(dec('-$92,233,720,368,547,758.08', 790), new DecimalValue('-92233720368547758.08'));
    assert.deepEqual(dec('$0.00', 790), new DecimalValue('0.00'));
  });

  it('dates, times and timestamps keep their text; timestamptz is converted to UTC', () => {
    assert.deepEqual(dec('0001-01-01', 1082), new TemporalValue('date', '0001-01-01'));
    assert.deepEqual(dec('4713-01-01 BC', 1082), new TemporalValue('date', '4713-01-01 BC'));
    assert.deepEqual(dec('5874897-12-31', 1082), new TemporalValue('date', '5874897-12-31'));
    assert.deepEqual(dec('-infinity', 1082), new TemporalValue('date', '-infinity'));
    assert.deepEqual(dec('24:00:00', 1083), new TemporalValue('time', '24:00:00'));
    assert.deepEqual(dec('23:59:59.999999-15:59', 1266), new TemporalValue('timetz', '23:59:59.999999-15:59'));
    assert.deepEqual(dec('294276-12-31 23:59:59.999999', 1114), new TemporalValue('timestamp', '294276-12-31 23:59:59.999999'));
    assert.deepEqual(dec('294276-12-31 23:59:59.999999+00', 1184), new TemporalValue('timestamptz', '294276-12-31 23:59:59.999999'));
    assert.deepEqual(dec('0044-03-15 10:00:00+00 BC', 1184), new TemporalValue('timestamptz', '0044-03-15 10:00:00 BC'));
    assert.deepEqual(dec('0001-01-01 00:30:00+01', 1184), new TemporalValue('timestamptz', '0001-12-31 23:30:00 BC'));
    assert.deepEqual(dec('2000-01-01 00:00:00.000001-12', 1184), new TemporalValue('timestamptz', '2000-01-01 12:00:00.000001'));
    assert.deepEqual(dec('infinity', 1184), new TemporalValue('timestamptz', 'infinity'));
    assert.deepEqual(dec('-178000000 years', 1186), new TemporalValue('interval', '-178000000 years'));
    assert.deepEqual(dec('-1 years -2 mons +3 days -04:05:06.789', 1186), new TemporalValue('interval', '-1 years -2 mons +3 days -04:05:06.789'));
  });

  it('json keeps its text exactly; jsonb text too', () => {
    const j = '{"b": 1,  "a": [1, 2.50], "big": 123456789012345678901234567890.123, "u": "\\u00fc"}';
    assert.deepEqual(dec(j, 114), new JsonText(j));
    assert.deepEqual(dec('null', 3802), new JsonText('null'));
  });

  it('bytea: empty, hex and escape formats', () => {
    assert.deepEqual(dec('\\x', 17), new Uint8Array([]));
    assert.deepEqual(dec('\\x00ff10', 17), new Uint8Array([0, 255, 16]));
    assert.deepEqual(dec('a\\\\b\\000', 17), new Uint8Array([0x61, 0x5c, 0x62, 0]));
  });

  it('arrays of every element type, NULL elements, multi-dimensional and non-1 lower bounds', () => {
    assert.deepEqual(dec('{{1,2},{3,NULL}}', 1007), [
      [1, 2],
      [3, null],
    ]);
    assert.deepEqual(dec('{{{1}},{{2}}}', 1007), [[[1]], [[2]]]);
    assert.deepEqual(dec('[0:1]={7,8}', 1007), [7, 8]);
    assert.deepEqual(dec('{}', 1009), []);
    assert.deepEqual(dec('{NULL,"NULL","a,b","q\\"uote","back\\\\slash",""," sp "}', 1009), [null, 'NULL', 'a,b', 'q"uote', 'back\\slash', '', ' sp ']);
    assert.deepEqual(dec('{1.5,NaN,-2.25}', 1231), [new DecimalValue('1.5'), new SpecialNumber('NaN'), new DecimalValue('-2.25')]);
    assert.deepEqual(dec('{t,NULL,f}', 1000), [true, null, false]);
    assert.deepEqual(dec('{9223372036854775807,-9223372036854775808}', 1016), [9223372036854775807n, -9223372036854775808n]);
    assert.deepEqual(dec('{"2024-01-01 00:00:00+05:30",infinity}', 1185), [
      new TemporalValue('timestamptz', '2023-12-31 18:30:00'),
      new TemporalValue('timestamptz', 'infinity'),
    ]);
    assert.deepEqual(dec('{"{\\"a\\": 1}",NULL}', 3807), [new JsonText('{"a": 1}'), null]);
    assert.deepEqual(dec('{"\\\\x00ff"}', 1001), [new Uint8Array([0, 255])]);
    assert.deepEqual(dec('{NaN,-Infinity,1e-45}', 1021), [new SpecialNumber('NaN'), new SpecialNumber('-Infinity'), 1e-45]);
  });
});

describe('codec: user types from the catalog', () => {
  const rows: PgTypeRow[] = [
    { oid: 50001, typname: 'mood', typtype: 'e', typbasetype: 0, typelem: 0, typdelim: ',', typcategory: 'E' },
    { oid: 50002, typname: '_mood', typtype: 'b', typbasetype: 0, typelem: 50001, typdelim: ',', typcategory: 'A' },
    { oid: 50003, typname: 'posint', typtype: 'd', typbasetype: 23, typelem: 0, typdelim: ',', typcategory: 'N' },
    { oid: 50004, typname: '_posint', typtype: 'b', typbasetype: 0, typelem: 50003, typdelim: ',', typcategory: 'A' },
    { oid: 50005, typname: 'price', typtype: 'd', typbasetype: 1700, typelem: 0, typdelim: ',', typcategory: 'N' },
    { oid: 50006, typname: 'pair', typtype: 'c', typbasetype: 0, typelem: 0, typdelim: ',', typcategory: 'C' },
    { oid: 50007, typname: '_pair', typtype: 'b', typbasetype: 0, typelem: 50006, typdelim: ',', typcategory: 'A' },
    { oid: 50008, typname: 'int4range', typtype: 'r', typbasetype: 0, typelem: 0, typdelim: ',', typcategory: 'R' },
    { oid: 50009, typname: 'tags', typtype: 'd', typbasetype: 1009, typelem: 0, typdelim: ',', typcategory: 'A' },
  ];
  const r = new TypeRegistry();
  assert.deepEqual(r.addRows(rows), []);
  const d = (text: string, oid: number): Value => decodeTextValue(text, r.lookup(oid));

  it('enums are text; arrays of enums are arrays of text', () => {
    assert.equal(r.get(50001)?.family, 'text');
    assert.equal(d('happy 😀', 50001), 'happy 😀');
    assert.deepEqual(d('{sad,"happy 😀",NULL}', 50002), ['sad', 'happy 😀', null]);
  });

  it('domains decode as their base type (also in arrays and over arrays)', () => {
    assert.equal(d('5', 50003), 5);
    assert.deepEqual(d('{1,2}', 50004), [1, 2]);
    assert.deepEqual(d('12.50', 50005), new DecimalValue('12.50'));
    assert.deepEqual(d('{a,b}', 50009), ['a', 'b']);
    const col = columnSchema('p', r.lookup(50005), -1, false);
    assert.equal(col.family, 'numeric');
    assert.equal(col.typeName, 'price');
  });

  it("composites and ranges keep PostgreSQL's text (record syntax)", () => {
    assert.equal(d('(1,"a b")', 50006), '(1,"a b")');
    assert.deepEqual(d('{"(1,\\"a b\\")","(2,)"}', 50007), ['(1,"a b")', '(2,)']);
    assert.equal(d('[1,5)', 50008), '[1,5)');
    assert.equal(columnSchema('c', r.lookup(50007), -1, false).elementFamily, 'other');
  });
});
