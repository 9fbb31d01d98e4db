import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commitOf, withColumn } from '../../../../core/testing/index.js';
import { tableKey } from '../../../../core/model/table.js';
import { orders, settle, startPipeline, tick } from './harness.js';

test('schemaChanged is called before the first record with the new schema is written', async () => {
  const h = await startPipeline({ flushSize: 100 });
  const v2 = withColumn(orders, { name: 'note' });
  const events = [
    ...h.stream.transaction((tx) => tx.insert(orders, [1n, 'a'])),
    ...h.stream.transaction((tx) => {
      tx.schema(v2, orders);
      tx.insert(v2, [2n, 'b', 'n']);
    }),
    ...h.stream.transaction((tx) => tx.insert(v2, [3n, 'c', 'm'])),
  ];
  h.source.emit(...events);
  await tick(h, 1000);
  const ops = h.sink.log.map((e) => (e.op === 'schemaChanged' ? `schema:v${e.schema.version}` : e.op === 'write' ? `write:v${e.batch.schema.version}` : e.op));
  assert.deepEqual(ops, ['write:v1', 'durable', 'schema:v2', 'write:v2', 'durable']);
  const change = h.sink.log.find((e) => e.op === 'schemaChanged');
  assert.ok(change?.op === 'schemaChanged');
  assert.equal(change.previous, orders, 'previous is what the sink had');
  assert.equal(h.sink.durable[1]?.records.length, 2);
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  assert.equal(h.log.find('Source table schema changed; sink updated').length, 1);

  // Later flushes keep the new schema: no second announcement.
  h.source.emit(...h.stream.transaction((tx) => tx.insert(v2, [4n, 'd', 'o'])));
  await tick(h, 1000);
  assert.equal(h.sink.log.filter((e) => e.op === 'schemaChanged').length, 1);
  await h.pipeline.stopNow();
});

test('a schema change is still split into its own batch when the sink has no schema hook', async () => {
  const h = await startPipeline({ flushSize: 100, sink: { schemaHook: false } });
  assert.equal(h.sink.schemaChanged, undefined);
  const v2 = withColumn(orders, { name: 'note' });
  h.source.emit(
    ...h.stream.transaction((tx) => {
      tx.insert(orders, [1n, 'a']);
      tx.insert(v2, [2n, 'b', 'n']);
    }),
  );
  await tick(h, 1000);
  assert.deepEqual(
    h.sink.durable.map((b) => b.schema.version),
    [1, 2],
  );
  await h.pipeline.stopNow();
});

test('truncates are passed on in order (TRUNCATE_POLICY=apply)', async () => {
  const h = await startPipeline({ flushSize: 100, truncatePolicy: 'apply' });
  const events = h.stream.transaction((tx) => {
    tx.insert(orders, [1n, 'a']);
    tx.truncate(orders);
    tx.insert(orders, [2n, 'b']);
  });
  h.source.emit(...events);
  await tick(h, 1000);
  const ops = h.sink.log.filter((e) => e.op !== 'durable').map((e) => e.op);
  assert.deepEqual(ops, ['write', 'truncate', 'write']);
  const truncate = h.sink.log.find((e) => e.op === 'truncate');
  assert.ok(truncate?.op === 'truncate');
  assert.deepEqual(truncate.tables, [tableKey(orders.id)]);
  assert.equal(h.state.totals.truncates, 1);
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  await h.pipeline.stopNow();
});

test('a sink without truncate: warned once, counted, order kept', async () => {
  const h = await startPipeline({ flushSize: 100, truncatePolicy: 'apply', sink: { truncate: false } });
  h.source.emit(
    ...h.stream.transaction((tx) => {
      tx.insert(orders, [1n, 'a']);
      tx.truncate(orders);
      tx.insert(orders, [2n, 'b']);
    }),
    ...h.stream.transaction((tx) => tx.truncate(orders)),
  );
  await tick(h, 1000);
  assert.equal(h.state.totals.truncates, 2);
  assert.equal(h.state.totals.truncatesIgnored, 2);
  const warnings = h.log.lines.filter((l) => l.level === 40 && /TRUNCATE not applied/.test(l.msg));
  assert.equal(warnings.length, 1);
  assert.equal(h.sink.durable.length, 2, 'the writes around the truncate stay separate');
  await settle();
  await h.pipeline.stopNow();
});
