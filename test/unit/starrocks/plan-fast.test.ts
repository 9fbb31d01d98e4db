/**
 * The column-indexed plan (rows/fast-plan.ts) against the general path (rows/plan.ts
 * `planBatchGeneral`: row changes with Maps of cells, collapse by key text, grouping by sorted
 * names): the same loads, rows and values for varied batches, and the records left untouched.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Cell, ChangeRecord, TableSchema, Value } from '../../../core/index.js';
import { CdcError, DecimalValue, JsonText, TemporalValue, UNCHANGED } from '../../../core/index.js';
import { planFast } from '../../../connectors/starrocks/rows/fast-plan.js';
import type { BatchPlan, PlanTarget } from '../../../connectors/starrocks/rows/plan.js';
import { planBatch, planBatchGeneral } from '../../../connectors/starrocks/rows/plan.js';
import type { ColumnMapping } from '../../../connectors/starrocks/rows/row-changes.js';
import { column, del, ins, tableSchema, upd } from './fixtures.js';
import { mulberry32 } from '../../helpers/random.js';

/** A small deterministic PRNG: the same batches on every run. */
const rng = mulberry32;

const S = tableSchema('items', [
  column('id', 'int8', true),
  column('title', 'text'),
  column('body', 'text'),
  column('amount', 'numeric'),
  column('at', 'timestamptz'),
  column('doc', 'json'),
]);
const NAMES = ['id', 'title', 'body', 'amount', 'at', 'doc'];
/** The same table as seen by a later schema with its columns in another order (a non-identity layout). */
const S2 = tableSchema('items', [
  column('title', 'text'),
  column('id', 'int8', true),
  column('doc', 'json'),
  column('body', 'text'),
  column('amount', 'numeric'),
  column('at', 'timestamptz'),
]);

function mappingOf(schema: TableSchema): ColumnMapping {
  return { targetNames: schema.columns.map((c) => c.name), sourceKeyTargetNames: schema.keyColumns };
}

function targetFor(columnOrder: readonly string[], keyColumns: readonly string[], batchSchema: TableSchema): PlanTarget {
  const mappings = new Map<TableSchema, ColumnMapping>();
  return {
    tableLabel: 'db.items',
    columnOrder,
    keyColumns,
    fullColumns: new Set(mappingOf(batchSchema).targetNames),
    mappingFor: (s) => {
      let m = mappings.get(s);
      if (m === undefined) mappings.set(s, (m = mappingOf(s)));
      return m;
    },
  };
}

function value(r: () => number, i: number): Value {
  const pick = Math.floor(r() * 8);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return `t${i} é😀 "q" \\ \n`;
    case 2:
      return new DecimalValue(`${Math.floor(r() * 1000)}.${Math.floor(r() * 100)}`);
    case 3:
      return new TemporalValue('timestamptz', '2024-01-02 03:04:05.123456');
    case 4:
      return new JsonText(`{"k": ${i}}`);
    case 5:
      return 'x'.repeat(200 + i);
    default:
      return `v${i}`;
  }
}

/** A row of S (or S2's order) for key `id`. */
function rowOf(r: () => number, schema: TableSchema, id: Value, n: number): Value[] {
  return schema.columns.map((c, i) => (c.name === 'id' ? id : value(r, n * 7 + i)));
}

/** Random records over `keys` distinct keys: inserts, updates (UNCHANGED, before-images), deletes. */
function randomBatch(
  seed: number,
  size: number,
  keys: number,
  opts: { schemas?: TableSchema[]; keyOf?: (k: number, r: () => number) => Value } = {},
): ChangeRecord[] {
  const r = rng(seed);
  const schemas = opts.schemas ?? [S];
  const keyOf = opts.keyOf ?? ((k: number) => BigInt(k));
  const out: ChangeRecord[] = [];
  for (let n = 0; n < size; n++) {
    const schema = schemas[Math.floor(r() * schemas.length)] ?? S;
    const id = keyOf(Math.floor(r() * keys), r);
    const lsn = BigInt(100 + n);
    const row = rowOf(r, schema, id, n);
    const op = r();
    if (op < 0.4) out.push(ins(schema, lsn, row));
    else if (op < 0.8) {
      // Some columns unchanged (TOAST), sometimes with a before-image that has them (or not all).
      const after: Cell[] = row.map((v, i) => (schema.columns[i]?.name !== 'id' && r() < 0.3 ? UNCHANGED : v));
      const withBefore = r() < 0.4;
      const before: Cell[] | undefined = withBefore ? rowOf(r, schema, id, n + 1000).map((v) => (r() < 0.2 ? UNCHANGED : v)) : undefined;
      out.push(upd(schema, lsn, after, before === undefined ? {} : { before }));
    } else {
      const full = r() < 0.3;
      const before = full ? rowOf(r, schema, id, n + 2000) : schema.columns.map((c) => (c.name === 'id' ? id : null));
      out.push(del(schema, lsn, before, full));
    }
    // Transactions of a few changes share their commit position.
    if (r() < 0.3 && n > 0) out[n] = { ...(out[n] as ChangeRecord), commitLsn: (out[n - 1] as ChangeRecord).commitLsn };
  }
  return out;
}

/** Deep copies of the records' tuples, to check that planning leaves them as they were. */
function tuples(records: readonly ChangeRecord[]): unknown[] {
  return records.map((r) => (r.op === 'delete' ? [...r.before] : r.op === 'update' ? [[...r.after], r.before ? [...r.before] : undefined] : [...r.after]));
}

function samePlans(records: ChangeRecord[], target: PlanTarget): BatchPlan {
  const before = tuples(records);
  const fast = planFast(records, target);
  assert.ok(fast !== undefined, 'the fast path takes the batch');
  const general = planBatchGeneral(records, target);
  assert.deepStrictEqual(fast, general);
  assert.deepStrictEqual(planBatch(records, target), general);
  assert.deepStrictEqual(tuples(records), before, 'the records are not modified');
  return fast;
}

describe('planFast equals the general plan', () => {
  it('random batches with repeated keys, partial updates, before-images, deletes', () => {
    for (let seed = 1; seed <= 60; seed++) samePlans(randomBatch(seed, 40 + seed * 3, 3 + (seed % 17)), targetFor(NAMES, ['id'], S));
  });

  it('two schemas in one batch, one not in target column order (values copied, not lent)', () => {
    for (let seed = 100; seed < 130; seed++) samePlans(randomBatch(seed, 80, 10, { schemas: [S, S2] }), targetFor(NAMES, ['id'], S2));
  });

  it('a target with more columns than the source, in another order', () => {
    const order = ['extra1', 'doc', 'id', 'title', 'extra2', 'body', 'at', 'amount'];
    for (let seed = 200; seed < 230; seed++) samePlans(randomBatch(seed, 80, 12), targetFor(order, ['id'], S));
  });

  it('key values of every kind: int4 numbers meeting int8 bigints, big integers, floats, text, composite keys', () => {
    const kinds: ((k: number, r: () => number) => Value)[] = [
      (k) => k, // int4
      (k, r) => (r() < 0.5 ? k : BigInt(k)), // the same key as number and bigint
      (k) => 2n ** 60n + BigInt(k), // beyond 2^53
      (k, r) => (r() < 0.5 ? 2 ** 60 + k * 2 ** 9 : 2n ** 60n + BigInt(k) * 2n ** 9n), // beyond 2^53 as float and bigint
      (k) => k + 0.5,
      (k) => `key-${k % 3}-${k}`,
      (k) => new DecimalValue(String(k)),
    ];
    kinds.forEach((keyOf, i) => {
      for (let seed = 300 + i * 20; seed < 310 + i * 20; seed++) samePlans(randomBatch(seed, 60, 8, { keyOf }), targetFor(NAMES, ['id'], S));
    });
    const C = tableSchema('items', [
      column('id', 'int8', true),
      column('title', 'text', true),
      column('body', 'text'),
      column('amount', 'numeric'),
      column('at', 'timestamptz'),
      column('doc', 'json'),
    ]);
    for (let seed = 500; seed < 530; seed++) {
      const r = rng(seed);
      const records = randomBatch(seed, 60, 6).map((rec): ChangeRecord => {
        const tuple = (t: readonly Cell[]): Cell[] => t.map((v, i) => (i === 1 ? `k${Math.floor(r() * 2)}` : v));
        if (rec.op === 'insert') return { ...rec, schema: C, after: tuple(rec.after) as Value[] };
        if (rec.op === 'delete') return { ...rec, schema: C, before: tuple(rec.before) };
        const { before, ...rest } = rec;
        return { ...rest, schema: C, after: tuple(rec.after), ...(before !== undefined ? { before: tuple(before) } : {}) };
      });
      samePlans(records, targetFor(NAMES, ['id', 'title'], C));
    }
  });

  it('snapshot chunks (distinct increasing keys) and ascending inserts lend their tuples to the plan', () => {
    const records = Array.from({ length: 500 }, (_, n) => ({ ...ins(S, 77n, rowOf(rng(n), S, BigInt(n * 3), n)), snapshotRead: 'r1' }));
    const plan = samePlans(records, targetFor(NAMES, ['id'], S));
    assert.equal(plan.loads.length, 1);
    assert.equal(plan.loads[0]?.partial, false);
    assert.ok(
      plan.loads[0]?.rows.every((row, i) => row.values === records[i]?.after),
      'no copy of a tuple already in target order',
    );
    // Keys that stop increasing (a page read again) still collapse to the last row of each key.
    const again = [...records, ...records.slice(0, 50).map((r) => ({ ...r, after: r.after.map((v, i) => (i === 1 ? 'again' : v)) }))];
    const collapsed = samePlans(again, targetFor(NAMES, ['id'], S));
    assert.equal(collapsed.loads[0]?.rows.length, 500);
    assert.equal(collapsed.loads[0]?.rows[0]?.values[1], 'again');
  });

  it('wide tables (column sets beyond 31 columns)', () => {
    const cols = [column('id', 'int8', true), ...Array.from({ length: 40 }, (_, i) => column(`c${i}`, 'text'))];
    const W = tableSchema('wide', cols);
    const names = cols.map((c) => c.name);
    for (let seed = 600; seed < 620; seed++) samePlans(randomBatch(seed, 60, 7, { schemas: [W] }), targetFor(names, ['id'], W));
  });

  it('the same error for a change without its key column', () => {
    const records = [ins(S, 1n, [1n, 'a', 'b', null, null, null]), upd(S, 2n, [UNCHANGED, 'a', 'b', null, null, null])];
    const target = targetFor(NAMES, ['id'], S);
    const message = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        assert.ok(e instanceof CdcError && e.code === 'SINK_DATA');
        return e.message;
      }
      assert.fail('no error');
    };
    assert.equal(
      message(() => planFast(records, target)),
      message(() => planBatchGeneral(records, target)),
    );
  });

  it('leaves key changes and columns outside the target order to the general path', () => {
    assert.equal(planFast([upd(S, 1n, [2n, 'a', 'b', null, null, null], { oldKey: [1n] })], targetFor(NAMES, ['id'], S)), undefined);
    assert.equal(planFast([ins(S, 1n, [2n, 'a', 'b', null, null, null])], targetFor(['id', 'title', 'body'], ['id'], S)), undefined);
  });
});
