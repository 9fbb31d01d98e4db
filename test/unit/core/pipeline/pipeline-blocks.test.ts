/**
 * Snapshot rows as blocks (SourceEvent `rows`, core/model/row-block.ts): a sink without `rowBlocks`
 * gets the block's records, as if the source had emitted them one by one; a sink with it gets the
 * block as a batch of its own, in stream order; FLUSH_SIZE and the buffer counts count a block's rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeRecord, InsertRecord, RowBlock, SourceEvent, Value } from '../../../../core/index.js';
import { orders, settle, startPipeline, tick } from './harness.js';

function block(ids: readonly number[], read: string): RowBlock {
  const values = (i: number, out: Value[]): void => {
    out.length = 0;
    out.push(BigInt(ids[i] ?? 0), `v${ids[i]}`);
  };
  return {
    schema: orders,
    length: ids.length,
    version: 50n,
    commitTimeMicros: 1n,
    snapshotRead: read,
    bytes: 100,
    values,
    value: (i, c) => {
      const out: Value[] = [];
      values(i, out);
      return out[c] ?? null;
    },
    record: (i): InsertRecord => {
      const after: Value[] = [];
      values(i, after);
      return { schema: orders, lsn: 50n, ordinal: i, commitLsn: 50n, commitTimeMicros: 1n, op: 'insert', after, snapshotRead: read };
    },
  };
}

const ids = (records: readonly ChangeRecord[]): unknown[] => records.map((r) => (r.op === 'delete' ? undefined : r.after[0]));

test('a sink without rowBlocks gets the records of a block', async () => {
  const h = await startPipeline({ flushSize: 3 });
  const events: SourceEvent[] = [{ kind: 'rows', rows: block([1, 2, 3], 'r1') }];
  h.source.emit(...events);
  await settle();
  assert.equal(h.sink.writes.length, 1);
  const batch = h.sink.writes[0]?.batch;
  assert.equal(batch?.rows, undefined);
  assert.deepEqual(ids(batch?.records ?? []), [1n, 2n, 3n]);
  assert.deepEqual(
    batch?.records.map((r) => [r.snapshotRead, r.ordinal]),
    [
      ['r1', 0],
      ['r1', 1],
      ['r1', 2],
    ],
  );
  assert.equal(h.state.totals.snapshotRows, 3);
  await h.pipeline.stopNow();
});

test('a sink with rowBlocks gets each block as a batch, in order; FLUSH_SIZE counts rows', async () => {
  const h = await startPipeline({ flushSize: 4, flushIntervalMs: 1000, sink: { capabilities: { rowBlocks: true } } });
  h.source.emit({ kind: 'rows', rows: block([1, 2, 3], 'r1') });
  await settle();
  assert.equal(h.sink.writes.length, 0, 'three rows stay buffered under FLUSH_SIZE 4');
  assert.equal(h.state.bufferedEvents, 3);
  h.source.emit({ kind: 'rows', rows: block([4, 5, 6], 'r2') });
  await settle();
  assert.equal(h.sink.writes.length, 1, 'a flush of at most FLUSH_SIZE rows: the first block only');
  assert.equal(h.sink.writes[0]?.batch.rows?.snapshotRead, 'r1');
  assert.deepEqual(h.sink.writes[0]?.batch.records, []);
  await tick(h, 1000);
  assert.equal(h.sink.writes.length, 2);
  assert.equal(h.sink.writes[1]?.batch.rows?.snapshotRead, 'r2');
  assert.deepEqual(ids(h.sink.rows('orders')), [1n, 2n, 3n, 4n, 5n, 6n]);
  assert.equal(h.state.totals.snapshotRows, 6);
  assert.equal(h.state.bufferedEvents, 0);
  await h.pipeline.stopNow();
});
