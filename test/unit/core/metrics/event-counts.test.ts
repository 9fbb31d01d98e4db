/**
 * dbmazz_events_total and dbmazz_snapshot_rows_read_total are counted per change in plain numbers and
 * added to the prom-client counters when they are read: every read must show exactly what was
 * received, and only the series a per-change increment would have created.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeRecord } from '../../../../core/model/change-record.js';
import { PipelineMetrics } from '../../../../core/metrics/pipeline-metrics.js';
import { tableCounters } from '../../../../core/metrics/table-counters.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { StreamBuilder, testTable } from '../../../../core/testing/index.js';
import { sample } from '../../../helpers/http.js';

const orders = testTable('orders');
const items = testTable('items', { schema: 'shop' });

function records(build: (s: StreamBuilder) => ReturnType<StreamBuilder['transaction']>): ChangeRecord[] {
  return build(new StreamBuilder()).flatMap((e) => (e.kind === 'change' ? [e.record] : []));
}

const newMetrics = (): PipelineMetrics =>
  new PipelineMetrics({ state: new RuntimeState(), serverPosition: async () => undefined, serverStatus: async () => undefined });

test('events are exact at every read, across tables, schema versions and truncates', async () => {
  const m = newMetrics();
  const first = records((s) =>
    s.transaction((tx) => {
      tx.insert(orders, [1n, 'a']);
      tx.insert(items, [1n, 'x']);
      tx.insert(orders, [2n, 'b']);
      tx.update(orders, [1n, 'c']);
    }),
  );
  for (const r of first) m.change(r);
  let text = await m.metrics();
  const o = 'table="public.orders"';
  const i = 'table="shop.items"';
  assert.equal(sample(text, `dbmazz_events_total{${o},operation="insert"}`), 2);
  assert.equal(sample(text, `dbmazz_events_total{${o},operation="update"}`), 1);
  assert.equal(sample(text, `dbmazz_events_total{${i},operation="insert"}`), 1);
  // Series exist once counted, as with one increment per change.
  assert.ok(!text.includes(`dbmazz_events_total{${o},operation="delete"}`));
  assert.ok(!text.includes(`dbmazz_events_total{${i},operation="update"}`));
  assert.ok(!text.includes('dbmazz_snapshot_rows_read_total{'));

  // A new schema object of the same table (schema evolution) counts into the same series.
  const orders2 = testTable('orders', { version: 2 });
  const second = records((s) =>
    s.transaction((tx) => {
      tx.delete(orders2, [2n, null]);
      tx.insert(orders2, [3n, 'd']);
      tx.insert(orders, [4n, 'e']);
    }),
  );
  for (const r of second) m.change(r);
  m.truncate([orders.id, items.id]);
  text = await m.metrics();
  assert.equal(sample(text, `dbmazz_events_total{${o},operation="insert"}`), 4);
  assert.equal(sample(text, `dbmazz_events_total{${o},operation="delete"}`), 1);
  assert.equal(sample(text, `dbmazz_events_total{${o},operation="truncate"}`), 1);
  assert.equal(sample(text, `dbmazz_events_total{${i},operation="truncate"}`), 1);
  // Reading twice adds nothing.
  assert.equal(sample(await m.metrics(), `dbmazz_events_total{${o},operation="insert"}`), 4);

  // The dashboard reads the same counters through the registry.
  m.change(first[0] as ChangeRecord);
  const counters = await tableCounters(m.registry, ['public.orders', 'shop.items']);
  assert.deepEqual(
    counters.map((c) => [c.table, c.inserts, c.updates, c.deletes, c.truncates]),
    [
      ['public.orders', 5, 1, 1, 1],
      ['shop.items', 1, 0, 0, 1],
    ],
  );
});

test('snapshot rows are counted apart from events, exactly', async () => {
  const m = newMetrics();
  const rows = records((s) =>
    s.transaction((tx) =>
      tx.insertMany(orders, [
        [1n, 'a'],
        [2n, 'b'],
        [3n, 'c'],
      ]),
    ),
  );
  for (const r of rows) m.change({ ...r, snapshotRead: 'chunk-1' });
  let text = await m.metrics();
  assert.equal(sample(text, 'dbmazz_snapshot_rows_read_total{table="public.orders"}'), 3);
  assert.ok(!text.includes('dbmazz_events_total{'), 'snapshot rows are not events');
  m.change(rows[0] as ChangeRecord);
  m.change({ ...(rows[1] as ChangeRecord), snapshotRead: 'chunk-2' });
  text = await m.metrics();
  assert.equal(sample(text, 'dbmazz_snapshot_rows_read_total{table="public.orders"}'), 4);
  assert.equal(sample(text, 'dbmazz_events_total{table="public.orders",operation="insert"}'), 1);
});
