import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitOf } from '../../../../core/testing/index.js';
import { ConfigError } from '../../../../core/errors/errors.js';
import { formatLsn } from '../../../../core/model/lsn.js';
import type { SourceEvent } from '../../../../core/plugin/source.js';
import { items, orders, settle, startPipeline, tick } from './harness.js';

function ids(rows: readonly { op: string; after?: unknown; before?: unknown }[]): unknown[] {
  return rows.map((r) => ((r.op === 'delete' ? r.before : r.after) as unknown[])[0]);
}

test('a flush happens when FLUSH_SIZE events are buffered', async () => {
  const h = await startPipeline({ flushSize: 3 });
  h.source.emit(...h.stream.inserts(orders, 2));
  await settle();
  assert.equal(h.sink.writes.length, 0, 'two events stay buffered');
  assert.equal(h.state.bufferedEvents, 2);
  const third = h.stream.inserts(orders, 1, 3);
  h.source.emit(...third);
  await settle();
  assert.equal(h.sink.durable.length, 1);
  assert.deepEqual(ids(h.sink.rows('orders')), [1n, 2n, 3n]);
  assert.deepEqual(h.source.acknowledged, [commitOf(third)]);
  assert.equal(h.state.confirmedLsn, commitOf(third));
  assert.equal(h.state.bufferedEvents, 0);
  assert.equal(h.state.inFlightEvents, 0);
  await h.pipeline.stopNow();
});

test('a flush happens FLUSH_INTERVAL_MS after the first buffered event', async () => {
  const h = await startPipeline({ flushSize: 100, flushIntervalMs: 1000 });
  h.source.emit(...h.stream.inserts(orders, 1));
  await tick(h, 600);
  const second = h.stream.inserts(orders, 1, 2);
  h.source.emit(...second);
  await tick(h, 399);
  assert.equal(h.sink.writes.length, 0, 'not before the interval since the first event');
  await tick(h, 1);
  assert.equal(h.sink.durable.length, 1);
  assert.deepEqual(ids(h.sink.rows('orders')), [1n, 2n]);
  assert.deepEqual(h.source.acknowledged, [commitOf(second)]);
  await h.pipeline.stopNow();
});

test('records are split per table and keep their order; tables load in parallel, one table never', async () => {
  const h = await startPipeline({ flushSize: 1000, tableConcurrency: 2 });
  const events: SourceEvent[] = [];
  for (let i = 1; i <= 5; i++) {
    events.push(
      ...h.stream.transaction((tx) => {
        tx.insert(orders, [BigInt(i), `o${i}`]);
        tx.insert(items, [BigInt(100 + i), `i${i}`]);
        tx.update(orders, [BigInt(i), `o${i}-updated`]);
      }),
    );
  }
  h.sink.hold();
  h.source.emit(...events);
  await tick(h, 1000);
  assert.equal(h.sink.inProgress, 2, 'both tables load at once');
  h.sink.release();
  await settle();
  assert.equal(h.sink.durable.length, 2, 'one batch per table');
  const o = h.sink.rows('orders');
  assert.deepEqual(
    o.map((r) => `${r.op}:${String(r.op === 'delete' ? '' : r.after[1])}`),
    [1, 2, 3, 4, 5].flatMap((i) => [`insert:o${i}`, `update:o${i}-updated`]),
  );
  assert.deepEqual(ids(h.sink.rows('items')), [101n, 102n, 103n, 104n, 105n]);
  for (const batch of h.sink.durable) {
    assert.equal(batch.pipelineId, 'dbmazz_slot');
    assert.ok(batch.records.every((r) => r.schema === batch.schema));
    assert.equal(batch.firstLsn, batch.records[0]?.lsn);
    assert.equal(batch.lastLsn, batch.records[batch.records.length - 1]?.lsn);
  }
  assert.equal(h.sink.sameTableOverlaps, 0);
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  await h.pipeline.stopNow();
});

test('tableConcurrency 1 loads one table at a time', async () => {
  const h = await startPipeline({ flushSize: 1000, tableConcurrency: 1 });
  h.source.emit(...h.stream.inserts(orders, 2), ...h.stream.inserts(items, 2));
  await tick(h, 1000);
  assert.equal(h.sink.durable.length, 2);
  assert.equal(h.sink.maxConcurrentWrites, 1);
  await h.pipeline.stopNow();
});

test('two flushes at most are in flight while the source keeps being read; a table waits for its previous batch', async () => {
  const h = await startPipeline({ flushSize: 2 });
  h.sink.hold();
  h.source.emit(...h.stream.inserts(orders, 2));
  await settle();
  assert.equal(h.sink.writes.length, 1, 'flush 1 in flight');
  const more = h.stream.inserts(orders, 3, 3);
  h.source.emit(...more);
  await settle();
  assert.equal(h.source.pending, 0, 'the source keeps delivering during the flush');
  // Flush 2 (ids 3, 4) started (a full flush is due); id 5 waits: two flushes are in flight.
  assert.equal(h.state.bufferedEvents, 1);
  assert.equal(h.state.inFlightEvents, 4);
  assert.equal(h.sink.writes.length, 1, "flush 2's orders batch waits for flush 1's (this sink cannot prepare early)");
  h.sink.release();
  await settle();
  assert.deepEqual(ids(h.sink.rows('orders')), [1n, 2n, 3n, 4n]);
  assert.equal(h.sink.sameTableOverlaps, 0);
  await tick(h, 1000);
  assert.deepEqual(ids(h.sink.rows('orders')), [1n, 2n, 3n, 4n, 5n]);
  assert.equal(h.source.acknowledged.at(-1), commitOf(more));
  await h.pipeline.stopNow();
});

test('reload applies new flush size and interval to the next flush', async () => {
  const h = await startPipeline({ flushSize: 100, flushIntervalMs: 5000 });
  h.pipeline.reload({ flushSize: 2 });
  h.source.emit(...h.stream.inserts(orders, 2));
  await settle();
  assert.equal(h.sink.durable.length, 1, 'the new size triggers the flush');
  h.pipeline.reload({ flushIntervalMs: 100 });
  h.source.emit(...h.stream.inserts(orders, 1, 3));
  await tick(h, 100);
  assert.equal(h.sink.durable.length, 2, 'the new interval triggers the flush');
  // A reload while events wait re-arms the timer with the new interval.
  h.pipeline.reload({ flushIntervalMs: 10_000 });
  h.source.emit(...h.stream.inserts(orders, 1, 4));
  h.pipeline.reload({ flushIntervalMs: 50 });
  await tick(h, 50);
  assert.equal(h.sink.durable.length, 3);
  assert.throws(() => h.pipeline.reload({ flushSize: 0 }), ConfigError);
  assert.throws(() => h.pipeline.reload({ flushIntervalMs: 1.5 }), ConfigError);
  await h.pipeline.stopNow();
});

test('each batch is logged at debug with LSNs as text; a summary is logged periodically', async () => {
  const h = await startPipeline({ flushSize: 2, summaryIntervalMs: 10_000 });
  const events = h.stream.inserts(orders, 2);
  h.source.emit(...events);
  await settle();
  const [line] = h.log.find('Batch written');
  assert.ok(line);
  const first = events[0];
  assert.ok(first?.kind === 'change');
  assert.equal(line.table, 'public.orders');
  assert.equal(line.rows, 2);
  assert.equal(line.loads, 1);
  assert.equal(typeof line.ms, 'number');
  assert.equal(line.firstLsn, formatLsn(first.record.lsn));
  assert.match(String(line.lastLsn), /^[0-9A-F]+\/[0-9A-F]+$/);
  await tick(h, 10_000);
  const [summary] = h.log.find('Replication summary');
  assert.ok(summary);
  assert.equal(summary.confirmedLsn, formatLsn(commitOf(events)));
  assert.equal(summary.events, 2);
  assert.equal(summary.eventsPerSecond, 0.2);
  assert.equal(summary.bufferedEvents, 0);
  await h.pipeline.stopNow();
});

test('a durability mark flushes what is buffered before it once no flush is in flight, without waiting for FLUSH_INTERVAL_MS', async () => {
  const h = await startPipeline({ flushSize: 4, flushIntervalMs: 1000 });
  const marked: string[] = [];
  Object.assign(h.source, { marked: (token: string) => marked.push(token) });
  h.sink.hold();
  h.source.emit(...h.stream.inserts(orders, 4));
  await settle();
  assert.equal(h.sink.writes.length, 1, 'a full flush, held by the sink');
  h.source.emit(...h.stream.inserts(orders, 2, 5), { kind: 'mark', token: 'chunk' });
  await settle();
  assert.equal(h.sink.writes.length, 1, 'the rows before the mark wait while a flush is in flight');
  h.sink.release();
  await settle();
  assert.equal(h.sink.writes.length, 2, 'flushed as soon as the sink was free, before the interval');
  assert.deepEqual(ids(h.sink.rows('orders')), [1n, 2n, 3n, 4n, 5n, 6n]);
  assert.deepEqual(marked, ['chunk']);
  // Without a mark, a partial buffer waits for the interval as before.
  h.source.emit(...h.stream.inserts(orders, 1, 7));
  await tick(h, 999);
  assert.equal(h.sink.writes.length, 2);
  await tick(h, 1);
  assert.equal(h.sink.writes.length, 3);
  await h.pipeline.stopNow();
});
