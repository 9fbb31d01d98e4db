/**
 * What a JSON column holds after a Stream Load, as StarRocks stores it (json-number.ts, json-raw.ts
 * `jsonColumnText`). Sources read: be/src/util/json_converter.cpp `SimdJsonConverter::convert(number)`
 * (floating_point_number → `get_double`, signed_integer → int64, unsigned_integer → uint64, anything
 * else → "unsupported json number"), be/src/util/json.cpp `JsonValue::to_string` (velocypack Dumper),
 * velocypack src/Dumper.cpp (`appendInt`/`appendUInt`, `appendDouble` → `fpconv_dtoa`, `dumpString`:
 * `\u00XX` in upper case) and src/fpconv.cpp (`emit_digits`).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { convertJsonValue } from '../src/convert.js';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { fpconvDtoa } from '../src/json-number.js';
import { parseJson } from '../src/json-raw.js';
import { parseColumnType } from '../src/types.js';
import { col, createTable, load } from './helpers.js';

const json = (text: string): unknown => {
  const r = convertJsonValue('j', parseColumnType('JSON'), parseJson(text));
  return r.ok ? r.value : { error: r.error };
};

describe('JSON column values (simdjson → VelocyPack → JSON text)', () => {
  it('integers that fit 64 bits are kept exactly; -0 is 0', () => {
    assert.equal(
      json('[9223372036854775807, -9223372036854775808, 18446744073709551615, -0, 0, 42]'),
      '[9223372036854775807,-9223372036854775808,18446744073709551615,0,0,42]',
    );
  });

  it('a number with a fraction or an exponent becomes a double: trailing zeros and extra digits go', () => {
    assert.equal(json('[2.50, 1.0, 1e2, 3.14e5, -1.5, 0.1, -0.0]'), '[2.5,1,100,314000,-1.5,0.1,-0]');
    assert.equal(json('123456789012345678901234567890.123'), '1.2345678901234568e+29');
    assert.equal(json('{"big": 9007199254740993.0}'), '{"big":9007199254740992}');
    assert.equal(json('1e-400'), '0');
  });

  it('fpconv_dtoa layout: plain integers up to 7 digits past the digits, plain decimals down to 1e-6', () => {
    assert.equal(fpconvDtoa(1e7), '10000000');
    assert.equal(fpconvDtoa(1e8), '1e+8');
    assert.equal(fpconvDtoa(1e16), '1e+16');
    assert.equal(fpconvDtoa(1.5e21), '1.5e+21');
    assert.equal(fpconvDtoa(0.000001), '0.000001');
    assert.equal(fpconvDtoa(1e-7), '1e-7');
    assert.equal(fpconvDtoa(1.25e-7), '1.25e-7');
    assert.equal(fpconvDtoa(1e100), '1e+100');
    assert.equal(fpconvDtoa(5e-324), '5e-324');
    assert.equal(fpconvDtoa(12345678.9), '12345678.9');
    assert.equal(fpconvDtoa(1.2345678901234567), '1.2345678901234567');
  });

  it('integers beyond 64 bits and numbers beyond a double fail the value', () => {
    for (const v of ['18446744073709551616', '-9223372036854775809', '[1, 123456789012345678901234567890]', '{"a": 1e400}']) {
      assert.deepEqual(
        json(v),
        { error: 'Failed to parse value as json type, column=j, error=unsupported json number (beyond 64-bit integers or doubles)' },
        v,
      );
    }
  });

  it('strings: control characters as \\u00XX in upper case, / and non-ASCII as they are', () => {
    assert.equal(json('"a\\u001fb\\u000bc\\n\\t/é😀\\"\\\\"'), '"a\\u001Fb\\u000Bc\\n\\t/é😀\\"\\\\"');
    assert.equal(json('{"k\\u001e": "x"}'), '{"k\\u001E":"x"}');
  });
});

describe('JSON column through a Stream Load', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator();
    createTable(emu, 'd', 'j', [col('id', 'BIGINT', { key: true }), col('doc', 'JSON')]);
  });
  after(async () => {
    await emu.close();
  });

  it('stores the normalised numbers; an unsupported number is NULL (non-strict) or filters the row (strict)', async () => {
    const body = '[{"id": 1, "doc": {"b": 2.50, "a": 1e2}}, {"id": 2, "doc": [18446744073709551616]}]';
    const r = await load(emu, 'j', body, { strip_outer_array: 'true', max_filter_ratio: '1' });
    assert.equal(r.json['Status'], 'Success');
    assert.deepEqual(
      emu.rows('d', 'j').map((x) => x['doc']),
      ['{"a":100,"b":2.5}', null],
    );
    const s = await load(emu, 'j', '[{"id": 3, "doc": [1e400]}]', { strip_outer_array: 'true', strict_mode: 'true', max_filter_ratio: '1' });
    assert.equal(s.json['NumberFilteredRows'], 1);
  });
});
