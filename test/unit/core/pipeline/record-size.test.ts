import { test } from 'node:test';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import assert from 'node:assert/strict';
import { estimateCellBytes, estimateRecordBytes } from '../../../../core/pipeline/record-size.js';
import { EventBuffer } from '../../../../core/pipeline/event-buffer.js';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue, UNCHANGED } from '../../../../core/model/value.js';
import { StreamBuilder, testTable } from '../../../../core/testing/index.js';
import type { BufferItem } from '../../../../core/pipeline/event-buffer.js';
import type { ChangeRecord } from '../../../../core/model/change-record.js';
import type { Value } from '../../../../core/model/value.js';
import { decodeTextValue } from '../../../../connectors/postgres/codec/text-values.js';
import { TypeRegistry } from '../../../../connectors/postgres/codec/pg-types.js';

test('every value kind has a size that grows with its content', () => {
  const cells = [
    null,
    true,
    1,
    1n,
    'abc',
    new Uint8Array(100),
    new DecimalValue('12.30'),
    new SpecialNumber('NaN'),
    new JsonText('{"a":1}'),
    new TemporalValue('timestamptz', '2024-01-01 00:00:00.123456+00'),
    [1, [2, null]],
    UNCHANGED,
  ];
  for (const cell of cells) assert.ok(estimateCellBytes(cell) > 0);
  assert.ok(estimateCellBytes('x'.repeat(1000)) > estimateCellBytes('x'));
  assert.ok(estimateCellBytes(new Uint8Array(1000)) > estimateCellBytes(new Uint8Array(1)));
  assert.ok(estimateCellBytes(new JsonText('x'.repeat(500))) > estimateCellBytes(new JsonText('x')));
});

test('a record with more data is estimated larger; the buffer sums and takes in order', () => {
  const t = testTable('t');
  const s = new StreamBuilder();
  const [small, , big] = [...s.transaction((tx) => tx.insert(t, [1n, 'a'])), ...s.transaction((tx) => tx.insert(t, [2n, 'a'.repeat(10_000)]))];
  assert.ok(small?.kind === 'change' && big?.kind === 'change');
  const a = estimateRecordBytes(small.record);
  const b = estimateRecordBytes(big.record);
  assert.ok(b > a + 9_000);

  const buffer = new EventBuffer();
  buffer.push({ kind: 'change', seq: 1, record: small.record, bytes: a, at: 5 });
  buffer.push({ kind: 'change', seq: 2, record: big.record, bytes: b, at: 6 });
  assert.equal(buffer.bytes, a + b);
  assert.equal(buffer.firstAt, 5);
  assert.deepEqual(
    buffer.take(1).map((i) => i.seq),
    [1],
  );
  assert.equal(buffer.bytes, b);
  assert.equal(buffer.firstAt, 6);
  assert.deepEqual(
    buffer.take(10).map((i) => i.seq),
    [2],
  );
  assert.equal(buffer.length, 0);
  assert.equal(buffer.firstAt, undefined);
});

// -- Calibration against the V8 heap --------------------------------------------------------------

v8.setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;
const types = new TypeRegistry();
/** A cell decoded the way the PostgreSQL source decodes it: pgoutput text from a Buffer, then typed. */
const cell = (text: string, oid: number): Value => decodeTextValue(Buffer.from(text).toString('utf8'), types.lookup(oid));
const [INT8, INT4, TEXT, NUMERIC, FLOAT8, BOOL, TIMESTAMPTZ, JSONB] = [20, 23, 25, 1700, 701, 16, 1184, 3802];

const SHAPES: Record<string, (g: number) => Value[]> = {
  // The benchmark's 8-column row (bench/workload.ts).
  bench: (g) => [
    cell(String(g), INT8),
    cell((g * 1.2345).toFixed(4), NUMERIC),
    cell(`note ${g}`, TEXT),
    cell('2026-12-07 00:13:51.123456+00', TIMESTAMPTZ),
    cell(`{"k": ${g}, "s": "v${g % 97}"}`, JSONB),
    cell(g % 2 === 0 ? 't' : 'f', BOOL),
    cell(String(g % 1000), INT4),
    cell(String(g / 7), FLOAT8),
  ],
  wide: (g) =>
    Array.from({ length: 30 }, (_, i) =>
      cell(i % 3 === 0 ? String(g * 31 + i) : i % 3 === 1 ? `value ${g} ${i}` : String(i * 1.5 + g), [INT8, TEXT, NUMERIC][i % 3] ?? TEXT),
    ),
  toasted: (g) => [cell(String(g), INT8), cell(`${g}:`.padEnd(10_000, 'x'), TEXT)],
  utf16: (g) => [cell(String(g), INT8), cell(`é€${'ü'.repeat(200)}${g}`, TEXT)],
};

/** Heap growth per buffered record versus the estimate, for N records of one shape held as the buffer holds them. */
function measure(make: (g: number) => Value[], n: number): { measured: number; estimated: number } {
  const schema = testTable('t');
  const held: BufferItem[] = [];
  collect();
  collect();
  const before = process.memoryUsage().heapUsed;
  let estimated = 0;
  let commitLsn = 0n;
  let commitTimeMicros = 0n;
  for (let g = 1; g <= n; g++) {
    const lsn = BigInt(0x1_0000_0000 + g * 100);
    if (g % 100 === 1) {
      // As the PostgreSQL source builds them: one commit LSN and time per (100-change) transaction.
      commitLsn = lsn + 10_000n;
      commitTimeMicros = BigInt(Date.now()) * 1000n + BigInt(g);
    }
    const record: ChangeRecord = { schema, lsn, ordinal: 0, commitLsn, commitTimeMicros, op: 'insert', after: make(g) };
    const bytes = estimateRecordBytes(record);
    estimated += bytes;
    held.push({ kind: 'change', seq: g, record, bytes, at: performance.now() });
  }
  collect();
  collect();
  const measured = process.memoryUsage().heapUsed - before;
  assert.equal(held.length, n);
  return { measured, estimated };
}

for (const [name, make] of Object.entries(SHAPES)) {
  test(`the estimate of ${name} rows is within 25 % of the measured heap growth`, () => {
    const n = name === 'toasted' ? 2_000 : 20_000;
    const { measured, estimated } = measure(make, n);
    const ratio = measured / estimated;
    assert.ok(
      ratio > 0.8 && ratio < 1.25,
      `${name}: measured ${Math.round(measured / n)} B/record, estimated ${Math.round(estimated / n)} (ratio ${ratio.toFixed(2)})`,
    );
  });
}

test('strings cost one byte per Latin-1 character and two otherwise; small integers cost only their slot', () => {
  assert.equal(estimateCellBytes('é'.repeat(100)) - estimateCellBytes(''), 100);
  assert.equal(estimateCellBytes('€'.repeat(100)) - estimateCellBytes(''), 200);
  assert.equal(estimateCellBytes(7), estimateCellBytes(null));
  assert.ok(estimateCellBytes(7.5) > estimateCellBytes(7));
  assert.ok(estimateCellBytes(new TemporalValue('date', '2024-01-01')) > estimateCellBytes('2024-01-01'));
});
