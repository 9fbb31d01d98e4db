import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planFlush, sameSchema, type FlushPhase } from '../../../../core/pipeline/flush-plan.js';
import type { BufferItem } from '../../../../core/pipeline/event-buffer.js';
import { StreamBuilder, testTable, withColumn } from '../../../../core/testing/index.js';
import type { SourceEvent } from '../../../../core/plugin/source.js';
import type { TableSchema } from '../../../../core/model/table.js';

const orders = testTable('orders');
const items = testTable('items');
const known = new Map<string, TableSchema>([
  ['public.orders', orders],
  ['public.items', items],
]);

function toItems(events: readonly SourceEvent[]): BufferItem[] {
  let seq = 0;
  const out: BufferItem[] = [];
  for (const e of events) {
    if (e.kind === 'change') out.push({ kind: 'change', seq: ++seq, record: e.record, bytes: 1, at: 0 });
    else if (e.kind === 'schema') out.push({ kind: 'schema', seq: ++seq, schema: e.schema, bytes: 1, at: 0 });
    else if (e.kind === 'truncate') out.push({ kind: 'truncate', seq: ++seq, tables: e.tables, lsn: e.lsn, bytes: 1, at: 0 });
  }
  return out;
}

function tablesPhase(phase: FlushPhase | undefined) {
  assert.ok(phase !== undefined && phase.kind === 'tables');
  return phase.tables;
}

test('records are split per table in stream order, one batch per table', () => {
  const s = new StreamBuilder();
  const events = [
    ...s.transaction((tx) => {
      tx.insert(orders, [1n, 'a']);
      tx.insert(items, [10n, 'x']);
      tx.update(orders, [1n, 'b']);
    }),
    ...s.transaction((tx) => {
      tx.delete(orders, [1n, null]);
      tx.insert(items, [11n, 'y']);
    }),
  ];
  const plan = planFlush(toItems(events), known, 'slot');
  assert.equal(plan.changes, 5);
  assert.equal(plan.phases.length, 1);
  const tables = tablesPhase(plan.phases[0]);
  assert.deepEqual(
    tables.map((t) => t.table),
    ['public.orders', 'public.items'],
  );
  const [o, i] = tables.map((t) => t.steps);
  assert.equal(o?.length, 1);
  const ob = o?.[0];
  assert.ok(ob?.kind === 'write');
  assert.deepEqual(
    ob.batch.records.map((r) => r.op),
    ['insert', 'update', 'delete'],
  );
  assert.equal(ob.batch.schema, orders);
  assert.equal(ob.batch.pipelineId, 'slot');
  assert.equal(ob.batch.firstLsn, ob.batch.records[0]?.lsn);
  assert.equal(ob.batch.lastLsn, ob.batch.records[2]?.lsn);
  const ib = i?.[0];
  assert.ok(ib?.kind === 'write');
  assert.deepEqual(
    ib.batch.records.map((r) => r.lsn),
    ib.batch.records.map((r) => r.lsn).sort((a, b) => (a < b ? -1 : 1)),
  );
  assert.deepEqual(
    ib.batch.records.map((r) => (r.op === 'insert' ? r.after[0] : undefined)),
    [10n, 11n],
  );
});

test('a schema change inside a flush splits the batch and announces the new schema first', () => {
  const s = new StreamBuilder();
  const v2 = withColumn(orders, { name: 'note' });
  const events = [
    ...s.transaction((tx) => tx.insert(orders, [1n, 'a'])),
    ...s.transaction((tx) => {
      tx.schema(v2, orders);
      tx.insert(v2, [2n, 'b', 'n']);
    }),
  ];
  const plan = planFlush(toItems(events), known, 'slot');
  const steps = tablesPhase(plan.phases[0])[0]?.steps ?? [];
  assert.deepEqual(
    steps.map((st) => st.kind),
    ['write', 'schema', 'write'],
  );
  const [w1, sc, w2] = steps;
  assert.ok(w1?.kind === 'write' && sc?.kind === 'schema' && w2?.kind === 'write');
  assert.equal(w1.batch.schema, orders);
  assert.equal(sc.schema, v2);
  assert.equal(sc.previous, orders);
  assert.equal(w2.batch.schema, v2);
  assert.equal(plan.schemas.get('public.orders'), v2);
});

test('records that carry a new schema without a schema event still announce it', () => {
  const s = new StreamBuilder();
  const v2 = withColumn(orders, { name: 'note' });
  const events = [...s.transaction((tx) => tx.insert(orders, [1n, 'a'])), ...s.transaction((tx) => tx.insert(v2, [2n, 'b', 'n']))];
  const plan = planFlush(toItems(events), known, 'slot');
  const steps = tablesPhase(plan.phases[0])[0]?.steps ?? [];
  assert.deepEqual(
    steps.map((st) => st.kind),
    ['write', 'schema', 'write'],
  );
});

test('an equal schema under another object is not a change', () => {
  const copy: TableSchema = { ...orders, columns: orders.columns.map((c) => ({ ...c })), version: 7 };
  assert.ok(sameSchema(orders, copy));
  assert.ok(!sameSchema(orders, withColumn(orders, { name: 'x' })));
  const s = new StreamBuilder();
  const events = [
    ...s.transaction((tx) => {
      tx.schema(copy);
      tx.insert(copy, [1n, 'a']);
      tx.insert(orders, [2n, 'b']);
    }),
  ];
  const steps = tablesPhase(planFlush(toItems(events), known, 'slot').phases[0])[0]?.steps ?? [];
  assert.deepEqual(
    steps.map((st) => st.kind),
    ['write'],
  );
  const w = steps[0];
  assert.ok(w?.kind === 'write');
  assert.equal(w.batch.records.length, 2);
});

test('a truncate is a barrier between the changes before and after it', () => {
  const s = new StreamBuilder();
  const events = s.transaction((tx) => {
    tx.insert(orders, [1n, 'a']);
    tx.insert(items, [1n, 'x']);
    tx.truncate(orders);
    tx.insert(orders, [2n, 'b']);
  });
  const plan = planFlush(toItems(events), known, 'slot');
  assert.deepEqual(
    plan.phases.map((p) => p.kind),
    ['tables', 'truncate', 'tables'],
  );
  assert.deepEqual(
    tablesPhase(plan.phases[0]).map((t) => t.table),
    ['public.orders', 'public.items'],
  );
  const truncate = plan.phases[1];
  assert.ok(truncate?.kind === 'truncate');
  assert.deepEqual(truncate.tables, [orders.id]);
  assert.deepEqual(
    tablesPhase(plan.phases[2]).map((t) => t.table),
    ['public.orders'],
  );
});

test('a table unknown to the sink is announced with no previous schema', () => {
  const s = new StreamBuilder();
  const extra = testTable('extra');
  const steps = tablesPhase(planFlush(toItems(s.transaction((tx) => tx.insert(extra, [1n, 'a']))), known, 'slot').phases[0])[0]?.steps ?? [];
  assert.deepEqual(
    steps.map((st) => st.kind),
    ['schema', 'write'],
  );
  const sc = steps[0];
  assert.ok(sc?.kind === 'schema');
  assert.equal(sc.previous, undefined);
});
