import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateCellBytes, estimateRecordBytes } from '../../../../core/pipeline/record-size.js';
import { EventBuffer } from '../../../../core/pipeline/event-buffer.js';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue, UNCHANGED } from '../../../../core/model/value.js';
import { StreamBuilder, testTable } from '../../../../core/testing/index.js';

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
  const [small, , big] = [
    ...s.transaction((tx) => tx.insert(t, [1n, 'a'])),
    ...s.transaction((tx) => tx.insert(t, [2n, 'a'.repeat(10_000)])),
  ];
  assert.ok(small?.kind === 'change' && big?.kind === 'change');
  const a = estimateRecordBytes(small.record);
  const b = estimateRecordBytes(big.record);
  assert.ok(b > a + 10_000);

  const buffer = new EventBuffer();
  buffer.push({ kind: 'change', seq: 1, record: small.record, bytes: a, at: 5 });
  buffer.push({ kind: 'change', seq: 2, record: big.record, bytes: b, at: 6 });
  assert.equal(buffer.bytes, a + b);
  assert.equal(buffer.firstAt, 5);
  assert.deepEqual(buffer.take(1).map((i) => i.seq), [1]);
  assert.equal(buffer.bytes, b);
  assert.equal(buffer.firstAt, 6);
  assert.deepEqual(buffer.take(10).map((i) => i.seq), [2]);
  assert.equal(buffer.length, 0);
  assert.equal(buffer.firstAt, undefined);
});
