/**
 * Body encoding per target type with the column's limits known (load columns built from the
 * information_schema details): a value StarRocks would silently turn into NULL is rounded (DECIMAL
 * scale) or refused with a SINK_DATA error naming the column, never written.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Value } from '../../../core/index.js';
import { CdcError, DecimalValue, JsonText, SpecialNumber, TemporalValue } from '../../../core/index.js';
import { arrayDimensions, encodeBody, type EncodedBody } from '../../../connectors/starrocks/stream-load/body.js';
import { loadColumns, type LoadColumnSpec } from '../../../connectors/starrocks/stream-load/columns.js';

const AUDIT = { opType: 'dbmazz_op_type', isDeleted: 'dbmazz_is_deleted', syncedAt: 'dbmazz_synced_at', cdcVersion: 'dbmazz_cdc_version' };

function encode(spec: Omit<LoadColumnSpec, 'name'>, ...values: Value[]): { texts: string[]; out: EncodedBody } {
  const cols = loadColumns([{ name: 'c', ...spec }]);
  const out = encodeBody(
    cols,
    values.map((v) => ({ values: [v], opType: 0, deleted: false, version: 1n })),
    AUDIT,
    '2024-01-01 00:00:00.000000',
    'db.t',
  );
  const rows = JSON.parse(out.body.toString('utf8')) as Record<string, unknown>[];
  const key = cols[0]?.jsonKey ?? 'c';
  // Raw tokens as written (JSON.parse would round long numbers): cut them out of the body text.
  const text = out.body.toString('utf8');
  const texts: string[] = [];
  let from = 0;
  for (let i = 0; i < rows.length; i++) {
    const start = text.indexOf(`"${key}":`, from) + key.length + 3;
    const end = text.indexOf(',"dbmazz_op_type"', start);
    texts.push(text.slice(start, end));
    from = end;
  }
  return { texts, out };
}

function refuses(spec: Omit<LoadColumnSpec, 'name'>, v: Value, pattern: RegExp): void {
  assert.throws(
    () => encode(spec, v),
    (e: unknown) => e instanceof CdcError && e.code === 'SINK_DATA' && e.retry === 'never' && /db\.t\.c/.test(e.message) && pattern.test(e.message),
  );
}

describe('body: DECIMAL(P,S) columns', () => {
  const dec38 = { kind: 'decimal', dataType: 'decimal', columnType: 'decimal(38, 9)' } as const;

  it('sends fitting decimals as exact number tokens', () => {
    const { texts, out } = encode(dec38, new DecimalValue('99999999999999999999999999999.999999999'), new DecimalValue('-0.000000001'), 12n, 7);
    assert.deepEqual(texts, ['99999999999999999999999999999.999999999', '-0.000000001', '12', '7']);
    assert.equal(out.rounded, 0);
  });

  it('rounds extra fraction digits to the scale and counts them', () => {
    const { texts, out } = encode(dec38, new DecimalValue('0.3333333333333333333333'), new DecimalValue('2.0000000005'), new DecimalValue('1.5000000000000'));
    assert.deepEqual(texts, ['0.333333333', '2.000000001', '1.500000000']);
    assert.equal(out.rounded, 2);
  });

  it('refuses a value whose integer part does not fit (StarRocks would store NULL)', () => {
    refuses(dec38, new DecimalValue('123456789012345678901234567890'), /does not fit DECIMAL\(38,9\)/);
    refuses({ kind: 'decimal', columnSize: 4, decimalDigits: 2 }, 100n, /DECIMAL\(4,2\)/);
  });

  it('writes NaN/±Infinity as NULL (counted), and is unchecked without limits', () => {
    assert.equal(encode(dec38, new SpecialNumber('NaN')).out.nullified, 1);
    assert.deepEqual(encode({ kind: 'decimal' }, new DecimalValue('123456789012345678901234567890.1234567891')).texts, [
      '123456789012345678901234567890.1234567891',
    ]);
  });
});

describe('body: CHAR/VARCHAR/VARBINARY lengths are bytes', () => {
  const vc = { kind: 'string', columnType: 'varchar(8)' } as const;

  it('takes values up to the byte length, counted in UTF-8', () => {
    assert.deepEqual(encode(vc, '😀😀', 'ünïcø', '12345678', 12345678n).texts, ['"😀😀"', '"ünïcø"', '"12345678"', '12345678']);
  });

  it('refuses longer values whatever their shape (text, JSON, arrays, bytes as hex)', () => {
    refuses(vc, '😀😀😀', /12 bytes does not fit the column's 8 bytes/);
    refuses(vc, new JsonText('{"a":12345}'), /11 bytes/);
    refuses(vc, [1, 2, 3, 4, 5], /11 bytes/);
    refuses(vc, new Uint8Array([1, 2, 3, 4]), /10 bytes/);
    refuses({ kind: 'string', columnType: 'varchar(65533)' }, 'x'.repeat(65534), /65534 bytes/);
    refuses({ kind: 'binary', columnType: 'varbinary(4)' }, new Uint8Array(5), /5 bytes does not fit VARBINARY\(4\)/);
  });

  it('VARBINARY takes exactly its length (hex under a temporary key)', () => {
    assert.deepEqual(encode({ kind: 'binary', columnSize: 4 }, new Uint8Array([0, 1, 2, 255])).texts, ['"000102ff"']);
  });
});

describe('body: integer columns', () => {
  it('refuses values outside the column type (StarRocks would store NULL)', () => {
    const small = { kind: 'integer', dataType: 'smallint' } as const;
    assert.deepEqual(encode(small, 32767, -32768n).texts, ['32767', '-32768']);
    refuses(small, 32768, /32768 is outside the range of SMALLINT/);
    refuses({ kind: 'integer', dataType: 'int' }, 9223372036854775807n, /outside the range of INT/);
    assert.deepEqual(encode({ kind: 'largeint', dataType: 'largeint' }, 170141183460469231731687303715884105727n).texts, [
      '170141183460469231731687303715884105727',
    ]);
  });
});

describe('body: ARRAY columns', () => {
  it('counts the dimensions of PostgreSQL array values', () => {
    assert.equal(arrayDimensions([]), 0);
    assert.equal(arrayDimensions([1, null]), 1);
    assert.equal(arrayDimensions([[1], [2]]), 2);
    assert.equal(arrayDimensions([[[null]]]), 3);
  });

  it('takes values with one dimension per ARRAY level, and empty arrays anywhere', () => {
    assert.deepEqual(
      encode(
        { kind: 'array', columnType: 'array<array<int(11)>>' },
        [
          [1, 2],
          [3, null],
        ],
        [],
      ).texts,
      ['[[1,2],[3,null]]', '[]'],
    );
    assert.deepEqual(encode({ kind: 'array', columnType: 'array<int(11)>' }, [1, null, 3]).texts, ['[1,null,3]']);
  });

  it('refuses a dimension mismatch (StarRocks would store NULL elements)', () => {
    refuses(
      { kind: 'array', columnType: 'array<int(11)>' },
      [
        [1, 2],
        [3, 4],
      ],
      /2-dimensional array does not fit a column of 1 ARRAY level/,
    );
    refuses({ kind: 'array', columnType: 'array<array<int(11)>>' }, [1, 2], /1-dimensional/);
  });

  it('lets ARRAY<JSON> and JSON columns take any depth', () => {
    assert.deepEqual(
      encode({ kind: 'array', columnType: 'array<json>' }, [
        [1, 2],
        [3, 4],
      ]).texts,
      ['[[1,2],[3,4]]'],
    );
    assert.deepEqual(encode({ kind: 'json', columnType: 'json' }, [[[1]], [[2]]]).texts, ['[[[1]],[[2]]]']);
  });

  it('writes elements of every type (NULL for what has no representation, counted)', () => {
    const { texts, out } = encode({ kind: 'array' }, [
      true,
      9223372036854775807n,
      new DecimalValue('1.50'),
      'a"b',
      new TemporalValue('timestamptz', '2024-01-01 00:00:00.5'),
      new TemporalValue('date', 'infinity'),
      new JsonText('{"k": 1}'),
      new Uint8Array([0xff]),
      new SpecialNumber('NaN'),
      null,
    ]);
    assert.deepEqual(texts, ['[true,9223372036854775807,1.50,"a\\"b","2024-01-01 00:00:00.5",null,{"k": 1},"\\\\xff",null,null]']);
    assert.equal(out.nullified, 2);
  });
});

describe('body: string targets keep PostgreSQL text for values typed columns cannot hold', () => {
  it('writes special numbers, infinite and BC dates as their text', () => {
    const s = { kind: 'string' } as const;
    assert.deepEqual(
      encode(
        s,
        new SpecialNumber('-Infinity'),
        new TemporalValue('date', '0044-03-15 BC'),
        new TemporalValue('timestamptz', 'infinity'),
        new DecimalValue('1e5x'),
      ).texts,
      ['"-Infinity"', '"0044-03-15 BC"', '"infinity"', '"1e5x"'],
    );
  });

  it('writes a 1000-digit numeric as a raw number token (read as its text)', () => {
    const big = `1${'0'.repeat(1000)}`;
    assert.deepEqual(encode({ kind: 'string' }, new DecimalValue(big)).texts, [big]);
  });
});

describe('body: JSON columns and numbers StarRocks JSON cannot hold', () => {
  const json = { kind: 'json', columnType: 'json' } as const;

  it('writes documents whose numbers fit (int64, uint64, doubles), strings of digits and short tokens as they are', () => {
    const docs = [
      '{"a": 9223372036854775807, "b": -9223372036854775808}',
      '[18446744073709551615]',
      '{"big": "123456789012345678901234567890"}',
      '{"x": 1.2345678901234567890123456789}',
      '{"k\\"123456789012345678901234": 1}',
      '12345',
    ];
    assert.deepEqual(encode(json, ...docs.map((d) => new JsonText(d))).texts, docs);
  });

  it('refuses an integer beyond 64 bits, a number beyond the double range, in any position (StarRocks would load NULL)', () => {
    refuses(json, new JsonText('{"id": 18446744073709551616}'), /JSON number 18446744073709551616 does not fit StarRocks' JSON type/);
    refuses(json, new JsonText('[1, {"n": -9223372036854775809}]'), /JSON number -9223372036854775809 does not fit/);
    refuses(json, new JsonText(`{"e400": 1${'0'.repeat(400)}}`), /JSON number 1000000000000000000000000000000000000000… \(401 characters\)/);
    refuses(json, new JsonText(`[1${'0'.repeat(400)}.5]`), /does not fit StarRocks' JSON type/);
    // The general path (a document with leading white space) checks too.
    refuses(json, new JsonText(' [123456789012345678901234567890] '), /JSON number 123456789012345678901234567890/);
  });

  it('leaves STRING columns alone: their jsonb text is exact', () => {
    const doc = '{"id": 123456789012345678901234567890}';
    assert.deepEqual(encode({ kind: 'string' }, new JsonText(doc)).texts, [JSON.stringify(doc)]);
  });
});
