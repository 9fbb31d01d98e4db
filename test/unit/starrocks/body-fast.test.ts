/**
 * The body's per-column fast writers (stream-load/body.ts `cellWriter`), its text checks without
 * RegExps and the JSON writer's single growing buffer, against the general path: `writeValue` per
 * cell into a JsonWriter, as every body was written before. Same bytes, same counters, same errors,
 * for every target kind and a corpus of values (NULLs, text needing escapes, control characters,
 * lone surrogates, numerics, temporal values, JSON, arrays, bytes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Value } from '../../../core/index.js';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue } from '../../../core/index.js';
import type { AuditKeys, BodyRow, Stats } from '../../../connectors/starrocks/stream-load/body.js';
import { encodeBody, isDateOrTimestampText, writeValue } from '../../../connectors/starrocks/stream-load/body.js';
import type { LoadColumn, LoadColumnSpec } from '../../../connectors/starrocks/stream-load/columns.js';
import { loadColumns } from '../../../connectors/starrocks/stream-load/columns.js';
import { JsonWriter, quoteJsonString, quoteSlow } from '../../../connectors/starrocks/stream-load/json-writer.js';
import { decimalFitsAsIs, fitDecimal } from '../../../connectors/starrocks/type-map.js';
import { mulberry32 } from '../../helpers/random.js';

const AUDIT: AuditKeys = { opType: 'dbmazz_op_type', isDeleted: 'dbmazz_is_deleted', syncedAt: 'dbmazz_synced_at', cdcVersion: 'dbmazz_cdc_version' };
const SYNCED = '2024-05-06 07:08:09.123000';

/**
 * The JSON text writer as it was (a string, every string through the escaping loop), independent of
 * JsonWriter's buffering and fast paths: `writeValue` only calls these methods.
 */
class ReferenceWriter {
  text = '';
  replacedSurrogates = 0;
  raw(t: string): void {
    this.text += t;
  }
  string(s: string): void {
    this.text += quoteSlow(s, () => this.replacedSurrogates++);
  }
  bigint(n: bigint): void {
    this.text += n.toString();
  }
  number(n: number): void {
    if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
    this.text += Object.is(n, -0) ? '0' : String(n);
  }
  boolean(b: boolean): void {
    this.text += b ? 'true' : 'false';
  }
  null(): void {
    this.text += 'null';
  }
}

/** The body as it was written before the fast writers: `writeValue` for every cell. */
function referenceBody(
  columns: readonly LoadColumn[],
  rows: readonly BodyRow[],
  table: string,
  audit: AuditKeys = AUDIT,
): { body: Buffer; nullified: number; rounded: number; replacedSurrogates: number } {
  const ref = new ReferenceWriter();
  const w = ref as unknown as JsonWriter;
  const stats: Stats = { nullified: 0, rounded: 0 };
  w.raw('[');
  rows.forEach((row, r) => {
    w.raw(r === 0 ? '{' : ',{');
    columns.forEach((col, i) => {
      w.raw(`${quoteSlow(col.jsonKey)}:`);
      writeValue(w, row.values[i] ?? null, col.kind, stats, { column: `${table}.${col.name}`, limits: col.limits });
      w.raw(',');
    });
    w.raw(`${quoteSlow(audit.opType)}:${row.opType},${quoteSlow(audit.isDeleted)}:${row.deleted ? 'true' : 'false'},`);
    w.raw(`${quoteSlow(audit.syncedAt)}:${quoteSlow(SYNCED)},${quoteSlow(audit.cdcVersion)}:${row.version.toString()}}`);
  });
  w.raw(']');
  return { body: Buffer.from(ref.text, 'utf8'), nullified: stats.nullified, rounded: stats.rounded, replacedSurrogates: ref.replacedSurrogates };
}

type Outcome = { body: string; nullified: number; rounded: number; replacedSurrogates: number } | { error: string };

function outcome(f: () => { body: Buffer; nullified: number; rounded: number; replacedSurrogates: number }): Outcome {
  try {
    const o = f();
    return { body: o.body.toString('hex'), nullified: o.nullified, rounded: o.rounded, replacedSurrogates: o.replacedSurrogates };
  } catch (e) {
    return { error: e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e) };
  }
}

function assertSame(columns: readonly LoadColumn[], rows: readonly BodyRow[], what: string, audit: AuditKeys = AUDIT): void {
  assert.deepStrictEqual(
    outcome(() => encodeBody(columns, rows, audit, SYNCED, 'db.t')),
    outcome(() => referenceBody(columns, rows, 'db.t', audit)),
    what,
  );
}

const LONG = `${'abcdefghij'.repeat(300)}"end\\`;
const VALUES: Value[] = [
  null,
  true,
  false,
  0,
  -0,
  7,
  -32768,
  32768,
  2147483647,
  2147483648,
  1.5,
  -2.25e-7,
  2 ** 53,
  2 ** 53 + 2,
  1e21,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  0n,
  -1n,
  127n,
  128n,
  9223372036854775807n,
  9223372036854775808n,
  -9223372036854775808n,
  170141183460469231731687303715884105727n,
  '',
  'plain',
  'héllo 日本語 😀',
  'quote " backslash \\ slash /',
  'ctl \u0000\u0001\b\t\n\f\r\u001f\u007f \u2028',
  'lone \ud800 and \udc00 and pair \ud83d\ude00',
  LONG,
  // Long texts with nothing to escape go straight into the buffer (JsonWriter.string): ASCII, multi-byte, a lone surrogate.
  'y'.repeat(1500),
  '日本😀é'.repeat(400),
  `${'z'.repeat(1200)}\ud800${'z'.repeat(10)}`,
  '12345678901',
  new DecimalValue('0'),
  new DecimalValue('-0'),
  new DecimalValue('-0.0000'),
  new DecimalValue('12.3400'),
  new DecimalValue('-12.34'),
  new DecimalValue('0.00005'),
  new DecimalValue('99999999999999.9999'),
  new DecimalValue('100000000000000'),
  new DecimalValue('123456789012345678901234567890.123456789'),
  new DecimalValue('007'),
  new DecimalValue('1.'),
  new DecimalValue('.5'),
  new DecimalValue('+1'),
  new DecimalValue(' 1'),
  new DecimalValue('1e5'),
  new DecimalValue('0.99995'),
  new SpecialNumber('NaN'),
  new SpecialNumber('-Infinity'),
  new JsonText('{"a": 1, "b": [1, "x"]}'),
  new JsonText(' {"a":1} '),
  new JsonText('{"a":1}\n'),
  new JsonText('{"a":1} '),
  new JsonText('42'),
  new JsonText('-1.5'),
  new JsonText('"s"'),
  new JsonText('true'),
  new JsonText('null'),
  new JsonText('abc'),
  new JsonText('[1,2]\u00a0'),
  new TemporalValue('date', '2024-01-02'),
  new TemporalValue('date', 'infinity'),
  new TemporalValue('date', '0044-03-15 BC'),
  new TemporalValue('date', '12345-01-01'),
  new TemporalValue('timestamp', '2024-01-02 03:04:05'),
  new TemporalValue('timestamp', '2024-01-02 03:04:05.123456'),
  new TemporalValue('timestamp', '2024-01-02 03:04:05.1234567'),
  new TemporalValue('timestamp', '2024-01-02 03:04:05.'),
  new TemporalValue('timestamp', '2024-01-02T03:04:05'),
  new TemporalValue('timestamptz', '2024-01-02 03:04:05.5'),
  new TemporalValue('timestamptz', '-infinity'),
  new TemporalValue('time', '10:11:12.5'),
  new TemporalValue('timetz', '10:11:12+05:30'),
  new TemporalValue('interval', '1 day 02:00:00'),
  new Uint8Array([0, 1, 0xfe, 0xff]),
  new Uint8Array(0),
  [],
  [1, 2, null],
  [
    [1, 2],
    [3, 4],
  ],
  ['a"b', new DecimalValue('1.50'), new SpecialNumber('NaN')],
];

const SPECS: Omit<LoadColumnSpec, 'name'>[] = [
  { kind: 'boolean' },
  { kind: 'integer' },
  { kind: 'integer', dataType: 'tinyint' },
  { kind: 'integer', dataType: 'smallint' },
  { kind: 'integer', dataType: 'int' },
  { kind: 'integer', dataType: 'bigint' },
  { kind: 'largeint', dataType: 'largeint' },
  { kind: 'float' },
  { kind: 'decimal' },
  { kind: 'decimal', columnType: 'decimal(18,4)' },
  { kind: 'decimal', columnType: 'decimal(38,9)' },
  { kind: 'decimal', columnSize: 4, decimalDigits: 0 },
  { kind: 'string' },
  { kind: 'string', columnType: 'varchar(10)' },
  { kind: 'string', columnType: 'varchar(65533)' },
  { kind: 'date' },
  { kind: 'datetime' },
  { kind: 'json' },
  { kind: 'binary' },
  { kind: 'binary', columnSize: 3 },
  { kind: 'array' },
  { kind: 'array', columnType: 'array<int(11)>' },
  { kind: 'map' },
  { kind: 'struct' },
  { kind: 'other' },
];

describe('encodeBody: the fast writers equal writeValue', () => {
  it('every target kind × every value: same bytes, counters and errors', () => {
    SPECS.forEach((spec, s) => {
      const cols = loadColumns([{ name: `c${s}`, ...spec }]);
      for (const v of VALUES) assertSame(cols, [{ values: [v], opType: 0, deleted: false, version: 1n }], `${JSON.stringify(spec)} ← ${String(v)}`);
    });
  });

  it('whole rows: every op type, deleted flag and version (repeated and changing), zero columns', () => {
    const cols = loadColumns(SPECS.filter((s) => s.kind !== 'binary' || s.columnSize === undefined).map((s, i) => ({ name: `c${i}`, ...s })));
    const safe = VALUES.filter((_, i) => i % 3 !== 0);
    const rows: BodyRow[] = Array.from({ length: 300 }, (_, r) => ({
      values: cols.map((col, i) => {
        const v = safe[(r * 7 + i * 3) % safe.length] ?? null;
        // Keep the rows loadable: values a typed column refuses are NULL here (errors are tested above).
        return 'error' in outcome(() => encodeBody([col], [{ values: [v], opType: 0, deleted: false, version: 1n }], AUDIT, SYNCED)) ? null : v;
      }),
      opType: (r % 3) as 0 | 1 | 2,
      deleted: r % 5 === 0,
      version: BigInt(Math.floor(r / 4)) + 0xffffffffffn,
    }));
    assertSame(cols, rows, 'mixed rows');
    assertSame(
      [],
      rows.slice(0, 3).map((r) => ({ ...r, values: [] })),
      'no columns',
    );
    assertSame(cols, [], 'no rows');
    // Audit column names the target spells otherwise: multi-byte, escaped, long (the row tail is
    // encoded once per body and copied per row).
    const odd: AuditKeys = { opType: 'op_ü', isDeleted: 'del"\\\u0001', syncedAt: `s_${'x'.repeat(300)}`, cdcVersion: 'v😀\ud800' };
    assertSame(cols, rows.slice(0, 40), 'odd audit names', odd);
    assertSame(
      [],
      rows.slice(0, 3).map((r) => ({ ...r, values: [] })),
      'odd audit names, no columns',
      odd,
    );
    assertSame(cols, rows.slice(0, 40), 'short audit names', { opType: 'o', isDeleted: 'd', syncedAt: 's', cdcVersion: 'v' });
  });

  it('bodies far larger than the first size estimate, and with multi-byte text (buffer growth)', () => {
    const cols = loadColumns([
      { name: 'id', kind: 'integer' },
      { name: 's', kind: 'string' },
    ]);
    // Small rows first (the estimate), then long and non-ASCII ones: the buffer must grow.
    const rows: BodyRow[] = Array.from({ length: 3000 }, (_, r) => ({
      values: [BigInt(r), r < 200 ? 'x' : r % 2 === 0 ? '日本語😀'.repeat(50 + (r % 40)) : 'y'.repeat(r)],
      opType: 0,
      deleted: false,
      version: 5n,
    }));
    assertSame(cols, rows, 'growing');
    const out = encodeBody(cols, rows, AUDIT, SYNCED);
    assert.deepEqual(JSON.parse(out.body.toString('utf8'))[2999], {
      id: 2999,
      s: 'y'.repeat(2999),
      dbmazz_op_type: 0,
      dbmazz_is_deleted: false,
      dbmazz_synced_at: SYNCED,
      dbmazz_cdc_version: 5,
    });
    // Large rows first, then small ones: the over-estimate is not kept alive with the body.
    const shrinking = [...rows].reverse();
    const body = encodeBody(cols, shrinking, AUDIT, SYNCED).body;
    assert.ok(body.buffer.byteLength <= body.length * 1.25 + 65536 * 3, `${body.buffer.byteLength} bytes held for a ${body.length}-byte body`);
    assertSame(cols, shrinking, 'shrinking');
  });
});

describe('JsonWriter', () => {
  it('reserve and growth keep every byte', () => {
    for (const reserve of [undefined, 1, 1000, 1 << 20]) {
      const w = new JsonWriter();
      if (reserve !== undefined) w.reserve(reserve);
      const parts: string[] = [];
      for (let i = 0; i < 30000; i++) {
        const s = i % 11 === 0 ? `é${i}😀\u0001"` : i % 1000 === 7 ? `${'日本'.repeat(600)}${i}` : i % 1000 === 8 ? `${'a'.repeat(1100)}"\n${i}` : `${i}`;
        w.string(s);
        parts.push(JSON.stringify(s));
      }
      assert.equal(w.toBuffer().toString('utf8'), parts.join(''));
    }
  });

  it('byte-by-byte ASCII copies equal TextEncoder on random texts around every length threshold', () => {
    // mulberry32: successive draws are independent (the LCG above correlates consecutive ones).
    const r = mulberry32(11);
    // Printable ASCII, escapes, control, DEL, Latin-1, BMP, pairs, lone surrogates (both halves).
    const units = ['a', 'Z', '0', ' ', '~', '"', '\\', '\u0000', '\n', '\u001f', '\u007f', 'é', '\u0080', '日', '😀', '\ud800', '\udfff'];
    const text = (): string => {
      const len = [0, 1, 63, 64, 65, 1023, 1024, 1025][Math.floor(r() * 8)] as number;
      const asciiOnly = r() < 0.5;
      let s = '';
      while (s.length < len) s += asciiOnly ? String.fromCharCode(0x20 + Math.floor(r() * 95)) : (units[Math.floor(r() * units.length)] as string);
      return s;
    };
    for (let round = 0; round < 40; round++) {
      const w = new JsonWriter();
      const expected: Buffer[] = [];
      let replaced = 0;
      for (let i = 0; i < 200; i++) {
        const s = text();
        if (r() < 0.5) {
          w.string(s);
          expected.push(
            Buffer.from(
              quoteSlow(s, () => replaced++),
              'utf8',
            ),
          );
        } else {
          w.raw(s);
          expected.push(Buffer.from(s, 'utf8'));
        }
        if (r() < 0.2) {
          w.byte(0x2c);
          expected.push(Buffer.from(','));
        }
      }
      assert.deepEqual(w.toBuffer(), Buffer.concat(expected), `round ${round}`);
      assert.equal(w.replacedSurrogates, replaced, `round ${round}`);
    }
  });
});

describe('quoteJsonString: the JSON.stringify path equals the escaping loop', () => {
  it('on strings of every character class', () => {
    const r = (
      (seed) => () =>
        (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296
    )(7);
    const alphabet = [
      'a',
      'Z',
      ' ',
      '"',
      '\\',
      '/',
      '\u0000',
      '\u0008',
      '\t',
      '\n',
      '\u000b',
      '\f',
      '\r',
      '\u001f',
      '\u007f',
      'é',
      '日',
      '\u2028',
      '\ud83d\ude00',
      '\ud800',
      '\udc00',
      '\uffff',
    ];
    for (let n = 0; n < 5000; n++) {
      let s = '';
      const len = Math.floor(r() * 12);
      for (let i = 0; i < len; i++) s += alphabet[Math.floor(r() * alphabet.length)];
      let a = 0;
      let b = 0;
      assert.equal(
        quoteJsonString(s, () => a++),
        quoteSlow(s, () => b++),
        JSON.stringify(s),
      );
      assert.equal(a, b);
    }
  });
});

describe('decimalFitsAsIs', () => {
  it('is true only where fitDecimal returns the text itself, unrounded; and for canonical texts that fit', () => {
    const texts = [
      '0',
      '-0',
      '0.0',
      '-0.00',
      '5',
      '-5',
      '10',
      '007',
      '0.5',
      '.5',
      '5.',
      '+5',
      ' 5',
      '5 ',
      '1e5',
      '',
      '-',
      '1.2.3',
      '12.3400',
      '-12.3456',
      '99.99',
      '100.00',
      '-999.9999',
      '0.00001',
      '123456789012345678901234567890',
      'x',
    ];
    const shapes: [number, number][] = [
      [4, 2],
      [5, 4],
      [18, 4],
      [38, 9],
      [3, 0],
      [38, 0],
    ];
    for (const [p, s] of shapes) {
      for (const t of texts) {
        const fit = fitDecimal(t, p, s);
        const asIs = fit.ok && !fit.rounded && fit.text === t;
        assert.equal(decimalFitsAsIs(t, p - s, s), asIs, `${t} in DECIMAL(${p},${s})`);
      }
    }
    for (const t of texts) {
      const fit = fitDecimal(t, 1000, 500);
      assert.equal(decimalFitsAsIs(t, Infinity, Infinity), fit.ok && !fit.rounded && fit.text === t, t);
    }
  });
});

describe('isDateOrTimestampText', () => {
  const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
  const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;
  it('accepts exactly what the date and timestamp patterns accept', () => {
    const base = '2024-01-02 03:04:05.123456';
    const r = (
      (seed) => () =>
        (seed = (seed * 1103515245 + 12345) >>> 0) / 4294967296
    )(3);
    const alphabet = ['0', '9', '-', ':', ' ', '.', 'T', 'a', '/', '\u0660'];
    const cases = new Set<string>([
      '2024-01-02',
      base,
      '2024-01-02 03:04:05',
      '2024-01-02 03:04:05.',
      '2024-01-02 03:04:05.1234567',
      'infinity',
      '12345-01-01',
    ]);
    for (let n = 0; n < 20000; n++) {
      // Mutations of valid texts: one or two characters replaced, the text cut or extended.
      const src = r() < 0.3 ? '2024-01-02' : base.slice(0, 19 + Math.floor(r() * 8));
      const chars = [...src];
      for (let k = 0; k < 1 + Math.floor(r() * 2); k++) chars[Math.floor(r() * (chars.length + 1))] = alphabet[Math.floor(r() * alphabet.length)] ?? '0';
      cases.add(chars.join(''));
    }
    for (const t of cases) assert.equal(isDateOrTimestampText(t), DATE_TEXT.test(t) || TIMESTAMP_TEXT.test(t), JSON.stringify(t));
  });
});
