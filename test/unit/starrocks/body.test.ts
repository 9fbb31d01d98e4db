import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Value } from '../../../core/index.js';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue } from '../../../core/index.js';
import type { BodyRow } from '../../../connectors/starrocks/stream-load/body.js';
import { BodyEncoder, encodeBody, formatSyncedAt } from '../../../connectors/starrocks/stream-load/body.js';
import { loadColumns } from '../../../connectors/starrocks/stream-load/columns.js';
import { JsonWriter, quoteJsonString } from '../../../connectors/starrocks/stream-load/json-writer.js';
import type { TargetKind } from '../../../connectors/starrocks/type-map.js';

const AUDIT = { opType: 'dbmazz_op_type', isDeleted: 'dbmazz_is_deleted', syncedAt: 'dbmazz_synced_at', cdcVersion: 'dbmazz_cdc_version' };
const SYNCED = '2024-05-06 07:08:09.123000';

function encodeOne(kind: TargetKind, v: Value): { text: string; nullified: number } {
  const cols = loadColumns([{ name: 'c', kind }]);
  const row: BodyRow = { values: [v], opType: 0, deleted: false, version: 1n };
  const out = encodeBody(cols, [row], AUDIT, SYNCED);
  const text = out.body.toString('utf8');
  const prefix = `[{"${cols[0]?.jsonKey}":`;
  assert.ok(text.startsWith(prefix), text);
  const end = text.indexOf(',"dbmazz_op_type"');
  return { text: text.slice(prefix.length, end), nullified: out.nullified };
}

describe('BodyEncoder (a body encoded a slice of rows at a time)', () => {
  const cols = loadColumns([
    { name: 'id', kind: 'integer' },
    { name: 't', kind: 'string' },
    { name: 'd', kind: 'decimal' },
    { name: 'j', kind: 'json' },
  ]);
  // 300 rows: the buffer is re-estimated at 64, 128 and 256 rows, across slice boundaries.
  const rows: BodyRow[] = Array.from({ length: 300 }, (_, i) => ({
    values: [BigInt(i), i % 3 === 0 ? null : `text ${'x'.repeat(i % 50)} ü ${i}`, new DecimalValue(`${i}.${i % 10}`), new JsonText(`{"k":${i}}`)],
    opType: i % 3 === 2 ? 2 : 0,
    deleted: i % 3 === 2,
    version: 10n + BigInt(i >> 4),
  }));

  it('gives the bytes and counts of encodeBody whatever the slices', () => {
    const whole = encodeBody(cols, rows, AUDIT, SYNCED, 'db.t');
    for (const slice of [1, 3, 64, 100, 299, 300, 1000]) {
      const enc = new BodyEncoder(cols, rows, AUDIT, SYNCED, 'db.t');
      let calls = 0;
      while (enc.remaining > 0) {
        enc.write(slice);
        calls++;
      }
      assert.equal(calls, Math.ceil(rows.length / slice));
      assert.deepEqual(enc.finish(), whole, `slices of ${slice} rows`);
    }
  });

  it('refuses to finish a body with rows not written', () => {
    const enc = new BodyEncoder(cols, rows, AUDIT, SYNCED);
    enc.write(299);
    assert.equal(enc.remaining, 1);
    assert.throws(() => enc.finish(), /1 rows not written/);
    enc.write(5);
    assert.equal(enc.finish().rows, 300);
  });
});

describe('encodeBody with audit values set by the header (ConstantAudit)', () => {
  const cols = loadColumns([
    { name: 'id', kind: 'integer' },
    { name: 't', kind: 'string' },
  ]);
  const rows: BodyRow[] = [
    { values: [1n, 'a'], opType: 0, deleted: false, version: 7n },
    { values: [2n, null], opType: 0, deleted: false, version: 7n },
  ];

  it('writes the rows without the audit columns, everything else as without', () => {
    const out = encodeBody(cols, rows, AUDIT, SYNCED, 'db.t', { opType: 0, deleted: false, version: 7n });
    assert.equal(out.body.toString('utf8'), '[{"id":1,"t":"a"},{"id":2,"t":null}]');
    assert.equal(out.rows, 2);
    const full = encodeBody(cols, rows, AUDIT, SYNCED, 'db.t').body.toString('utf8');
    assert.equal(
      full,
      `[{"id":1,"t":"a","dbmazz_op_type":0,"dbmazz_is_deleted":false,"dbmazz_synced_at":"${SYNCED}","dbmazz_cdc_version":7},{"id":2,"t":null,"dbmazz_op_type":0,"dbmazz_is_deleted":false,"dbmazz_synced_at":"${SYNCED}","dbmazz_cdc_version":7}]`,
    );
    assert.equal(encodeBody([], [rows[0] as BodyRow], AUDIT, SYNCED, 'db.t', { opType: 0, deleted: false, version: 7n }).body.toString('utf8'), '[{}]');
  });

  it('refuses a row whose audit values differ from those of the header', () => {
    for (const constant of [
      { opType: 0, deleted: false, version: 8n },
      { opType: 1, deleted: false, version: 7n },
      { opType: 0, deleted: true, version: 7n },
    ] as const)
      assert.throws(() => encodeBody(cols, rows, AUDIT, SYNCED, 'db.t', constant), /does not have the audit values its header sets/);
  });
});

describe('quoteJsonString', () => {
  it('escapes quotes, backslashes and control characters', () => {
    const s = 'a"b\\c\n\r\t\b\f\u0000\u0001\u001f\u007f';
    const q = quoteJsonString(s);
    assert.equal(q, '"a\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u0001\\u001f\u007f"');
    assert.equal(JSON.parse(q), s);
  });

  it('keeps unicode and emoji (surrogate pairs) as they are', () => {
    const s = 'héllo 日本語 😀 👩‍👩‍👧 \u2028';
    assert.equal(quoteJsonString(s), `"${s}"`);
    assert.equal(JSON.parse(quoteJsonString(s)), s);
  });

  it('replaces lone surrogates with U+FFFD and counts them', () => {
    let n = 0;
    const q = quoteJsonString('a\ud800b\udc00c\ud83d', () => n++);
    assert.equal(q, '"a\ufffdb\ufffdc\ufffd"');
    assert.equal(n, 3);
    // The bytes are valid UTF-8 that round-trips.
    assert.equal(Buffer.from(q, 'utf8').toString('utf8'), q);
  });
});

describe('JsonWriter', () => {
  it('writes bigint as bare digits beyond 2^53 and rejects non-finite numbers', () => {
    const w = new JsonWriter();
    w.raw('[');
    w.bigint(9223372036854775807n);
    w.raw(',');
    w.bigint(-9007199254740993n);
    w.raw(',');
    w.number(-0);
    w.raw(']');
    assert.equal(w.toBuffer().toString(), '[9223372036854775807,-9007199254740993,0]');
    assert.throws(() => w.number(Number.NaN), RangeError);
  });

  it('produces the same bytes across chunk boundaries', () => {
    const w = new JsonWriter();
    const parts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const s = `é${i}😀`;
      w.string(s);
      parts.push(JSON.stringify(s));
    }
    assert.equal(w.toBuffer().toString('utf8'), parts.join(''));
  });
});

describe('encodeBody', () => {
  it('writes a JSON array of rows with the audit columns', () => {
    const cols = loadColumns([
      { name: 'id', kind: 'integer' },
      { name: 'order', kind: 'string' },
    ]);
    const rows: BodyRow[] = [
      { values: [1, 'x'], opType: 0, deleted: false, version: 42n },
      { values: [2, null], opType: 2, deleted: true, version: 18446744073709551615n },
    ];
    const out = encodeBody(cols, rows, AUDIT, SYNCED);
    const text = out.body.toString('utf8');
    assert.equal(
      text,
      '[{"id":1,"order":"x","dbmazz_op_type":0,"dbmazz_is_deleted":false,"dbmazz_synced_at":"2024-05-06 07:08:09.123000","dbmazz_cdc_version":42},' +
        '{"id":2,"order":null,"dbmazz_op_type":2,"dbmazz_is_deleted":true,"dbmazz_synced_at":"2024-05-06 07:08:09.123000","dbmazz_cdc_version":18446744073709551615}]',
    );
    assert.equal(out.rows, 2);
    assert.equal(out.nullified, 0);
  });

  it('keeps a 40-digit decimal as a raw number token', () => {
    const d = '-1234567890123456789012345678.901234567890';
    assert.equal(encodeOne('decimal', new DecimalValue(d)).text, d);
    assert.equal(encodeOne('string', new DecimalValue('0.10')).text, '0.10');
    // Text that is not a JSON number goes as a string.
    assert.equal(encodeOne('decimal', new DecimalValue('1.')).text, '"1."');
  });

  it('writes bigint as bare digits', () => {
    assert.equal(encodeOne('largeint', 170141183460469231731687303715884105727n).text, '170141183460469231731687303715884105727');
  });

  it('embeds JSON raw into JSON columns and as a string into string columns', () => {
    const raw = '{"a": 12345678901234567890.5, "b": [1, "x"]}';
    assert.equal(encodeOne('json', new JsonText(raw)).text, raw);
    assert.equal(encodeOne('string', new JsonText(raw)).text, JSON.stringify(raw));
    assert.equal(encodeOne('json', new JsonText('  42 ')).text, '42');
  });

  it('writes µs timestamps and dates as text', () => {
    assert.equal(encodeOne('datetime', new TemporalValue('timestamptz', '2024-01-02 03:04:05.123456')).text, '"2024-01-02 03:04:05.123456"');
    assert.equal(encodeOne('datetime', new TemporalValue('timestamp', '2024-01-02 03:04:05')).text, '"2024-01-02 03:04:05"');
    assert.equal(encodeOne('date', new TemporalValue('date', '1999-12-31')).text, '"1999-12-31"');
    assert.equal(encodeOne('string', new TemporalValue('time', '10:11:12.5')).text, '"10:11:12.5"');
    assert.equal(encodeOne('string', new TemporalValue('interval', '1 day 02:00:00')).text, '"1 day 02:00:00"');
  });

  it('nulls and counts values StarRocks cannot represent', () => {
    assert.deepEqual(encodeOne('float', new SpecialNumber('NaN')), { text: 'null', nullified: 1 });
    assert.deepEqual(encodeOne('float', new SpecialNumber('-Infinity')), { text: 'null', nullified: 1 });
    assert.deepEqual(encodeOne('float', Number.POSITIVE_INFINITY), { text: 'null', nullified: 1 });
    assert.deepEqual(encodeOne('date', new TemporalValue('date', 'infinity')), { text: 'null', nullified: 1 });
    assert.deepEqual(encodeOne('datetime', new TemporalValue('timestamp', '-infinity')), { text: 'null', nullified: 1 });
    assert.deepEqual(encodeOne('date', new TemporalValue('date', '0044-03-15 BC')), { text: 'null', nullified: 1 });
    assert.deepEqual(encodeOne('datetime', new TemporalValue('timestamp', '12345-01-01 00:00:00')), { text: 'null', nullified: 1 });
    // String columns keep the text.
    assert.deepEqual(encodeOne('string', new SpecialNumber('NaN')), { text: '"NaN"', nullified: 0 });
    assert.deepEqual(encodeOne('string', new TemporalValue('date', 'infinity')), { text: '"infinity"', nullified: 0 });
  });

  it('writes booleans per target type', () => {
    assert.equal(encodeOne('boolean', true).text, 'true');
    assert.equal(encodeOne('integer', true).text, '1');
    assert.equal(encodeOne('string', false).text, '"false"');
  });

  it("writes bytes as hex under a temporary key decoded by to_binary(…, 'hex') for VARBINARY, as \\x hex elsewhere", () => {
    const bytes = new Uint8Array([0, 1, 0xfe, 0xff]);
    const bin = loadColumns([{ name: 'data', kind: 'binary' }]);
    assert.equal(bin[0]?.jsonKey, '__dbmazz_hex_0');
    // 'hex' is one of the three names StarRocks knows ('hex', 'encode64', 'utf8'); 'base64' is not
    // and silently means hex (binary_functions.h).
    assert.deepEqual(bin[0]?.headerEntries, ['`__dbmazz_hex_0`', "`data`=to_binary(`__dbmazz_hex_0`, 'hex')"]);
    assert.equal(encodeOne('binary', bytes).text, '"0001feff"');
    assert.equal(encodeOne('binary', new Uint8Array(0)).text, '""', "an empty bytea stays empty (unhex('') is empty, from_base64('') is NULL)");
    assert.equal(encodeOne('string', bytes).text, '"\\\\x0001feff"');
  });

  it('writes arrays as JSON arrays (and as JSON text into string columns)', () => {
    const arr: Value = [1n, 'a"b', null, new DecimalValue('1.50'), [true, false], new SpecialNumber('NaN')];
    const r = encodeOne('array', arr);
    assert.equal(r.text, '[1,"a\\"b",null,1.50,[true,false],null]');
    assert.equal(r.nullified, 1);
    assert.equal(encodeOne('string', [1, 2]).text, '"[1,2]"');
  });

  it('produces valid JSON for a mixed row', () => {
    const cols = loadColumns([
      { name: 'id', kind: 'integer' },
      { name: 's', kind: 'string' },
      { name: 'j', kind: 'json' },
    ]);
    const out = encodeBody(cols, [{ values: [7n, 'x\u0000y😀', new JsonText('{"k":[1,2]}')], opType: 1, deleted: false, version: 3n }], AUDIT, SYNCED);
    const parsed = JSON.parse(out.body.toString('utf8')) as Record<string, unknown>[];
    assert.deepEqual(parsed[0], {
      id: 7,
      s: 'x\u0000y😀',
      j: { k: [1, 2] },
      dbmazz_op_type: 1,
      dbmazz_is_deleted: false,
      dbmazz_synced_at: SYNCED,
      dbmazz_cdc_version: 3,
    });
  });
});

describe('formatSyncedAt', () => {
  it('formats UTC with microseconds and no offset', () => {
    assert.equal(formatSyncedAt(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 67))), '2024-01-02 03:04:05.067000');
  });
});
