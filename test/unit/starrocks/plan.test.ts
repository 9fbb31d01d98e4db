import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeRecord, TableSchema } from '../../../core/index.js';
import { CdcError, UNCHANGED } from '../../../core/index.js';
import type { LoadPlan, PlanTarget } from '../../../connectors/starrocks/rows/plan.js';
import { planLoads } from '../../../connectors/starrocks/rows/plan.js';
import type { ColumnMapping } from '../../../connectors/starrocks/rows/row-changes.js';
import { recordToRowChanges } from '../../../connectors/starrocks/rows/row-changes.js';
import { column, del, ins, tableSchema, upd } from './fixtures.js';

const S = tableSchema('docs', [column('id', 'int8', true), column('title', 'text'), column('body', 'text'), column('n', 'int4')]);
const MAPPING: ColumnMapping = { targetNames: ['id', 'title', 'body', 'n'], sourceKeyTargetNames: ['id'] };

function target(schema: TableSchema = S): PlanTarget {
  return {
    tableLabel: 'db.docs',
    columnOrder: ['id', 'title', 'body', 'n'],
    keyColumns: ['id'],
    fullColumns: new Set(['id', 'title', 'body', 'n']),
    mappingFor: (s) => {
      assert.equal(s, schema);
      return MAPPING;
    },
  };
}

function plan(records: ChangeRecord[]): LoadPlan[] {
  return planLoads(records, target());
}

/** The state StarRocks would end with after applying the loads (upserts of listed columns). */
function apply(loads: readonly LoadPlan[]): Map<bigint, Record<string, unknown>> {
  const table = new Map<bigint, Record<string, unknown>>();
  for (const load of loads) {
    for (const row of load.rows) {
      const id = row.values[load.columns.indexOf('id')] as bigint;
      const prev = table.get(id) ?? {};
      const next: Record<string, unknown> = load.partial ? { ...prev } : {};
      load.columns.forEach((c, i) => (next[c] = row.values[i]));
      next['op'] = row.opType;
      next['deleted'] = row.deleted;
      next['version'] = row.version;
      table.set(id, next);
    }
  }
  return table;
}

describe('recordToRowChanges', () => {
  it('insert → full row, op 0', () => {
    const [c] = recordToRowChanges(ins(S, 10n, [1n, 't', 'b', 5]), MAPPING);
    assert.deepEqual(
      [...(c?.cells ?? [])],
      [
        ['id', 1n],
        ['title', 't'],
        ['body', 'b'],
        ['n', 5],
      ],
    );
    assert.equal(c?.opType, 0);
    assert.equal(c?.deleted, false);
    assert.equal(c?.version, 10n);
  });

  it("the version is the transaction's commit position, shared by its changes (not the change LSN)", () => {
    // One transaction (commit at 0x900) with a key change: both rows carry the commit position.
    const changes = [
      ...recordToRowChanges({ ...ins(S, 0x100n, [1n, 't', 'b', 5]), commitLsn: 0x900n }, MAPPING),
      ...recordToRowChanges({ ...upd(S, 0x200n, [2n, 't', 'b', 5], { oldKey: [1n] }), commitLsn: 0x900n }, MAPPING),
      ...recordToRowChanges({ ...del(S, 0x300n, [2n, null, null, null]), commitLsn: 0x900n }, MAPPING),
    ];
    assert.deepEqual(
      changes.map((c) => c.version),
      [0x900n, 0x900n, 0x900n, 0x900n],
    );
    // Collapsed per key, the last change of the transaction wins at its commit version.
    const loads = planLoads(
      [
        { ...ins(S, 0x100n, [1n, 'x', 'b', 5]), commitLsn: 0x900n },
        { ...upd(S, 0x200n, [1n, 'y', 'b', 6]), commitLsn: 0x900n },
      ],
      target(),
    );
    assert.deepEqual(apply(loads).get(1n), { id: 1n, title: 'y', body: 'b', n: 6, op: 1, deleted: false, version: 0x900n });
  });

  it('delete with default replica identity → key only, soft delete', () => {
    const [c] = recordToRowChanges(del(S, 11n, [1n, null, null, null]), MAPPING);
    assert.deepEqual([...(c?.cells ?? [])], [['id', 1n]]);
    assert.equal(c?.opType, 2);
    assert.equal(c?.deleted, true);
  });

  it('delete with a full before-image → full row, soft delete', () => {
    const [c] = recordToRowChanges(del(S, 11n, [1n, 't', 'b', 5], true), MAPPING);
    assert.deepEqual(
      [...(c?.cells ?? [])],
      [
        ['id', 1n],
        ['title', 't'],
        ['body', 'b'],
        ['n', 5],
      ],
    );
    assert.equal(c?.deleted, true);
  });

  it('update with UNCHANGED leaves the column out, or takes it from the before-image', () => {
    const [a] = recordToRowChanges(upd(S, 12n, [1n, 't2', UNCHANGED, 6]), MAPPING);
    assert.deepEqual([...(a?.cells.keys() ?? [])], ['id', 'title', 'n']);
    assert.equal(a?.opType, 1);
    const [b] = recordToRowChanges(upd(S, 12n, [1n, 't2', UNCHANGED, 6], { before: [1n, 't', 'old body', 5] }), MAPPING);
    assert.equal(b?.cells.get('body'), 'old body');
  });

  it('key change → soft delete of the old key, then the new row', () => {
    const changes = recordToRowChanges(upd(S, 13n, [2n, 't', 'b', 1], { oldKey: [1n] }), MAPPING);
    assert.equal(changes.length, 2);
    assert.deepEqual([...(changes[0]?.cells ?? [])], [['id', 1n]]);
    assert.equal(changes[0]?.deleted, true);
    assert.equal(changes[0]?.opType, 2);
    assert.equal(changes[1]?.cells.get('id'), 2n);
    assert.equal(changes[1]?.deleted, false);
    assert.equal(changes[1]?.version, 13n);
  });

  it('key change with a full before-image soft-deletes the full old row', () => {
    const changes = recordToRowChanges(upd(S, 13n, [2n, 't', UNCHANGED, 1], { oldKey: [1n], before: [1n, 'old', 'big', 0] }), MAPPING);
    assert.deepEqual(
      [...(changes[0]?.cells ?? [])],
      [
        ['id', 1n],
        ['title', 'old'],
        ['body', 'big'],
        ['n', 0],
      ],
    );
    // The new row gets the unchanged value from the before-image.
    assert.equal(changes[1]?.cells.get('body'), 'big');
  });
});

describe('planLoads', () => {
  it('one full load for inserts, in order of first appearance', () => {
    const loads = plan([ins(S, 1n, [2n, 'b', 'x', 1]), ins(S, 2n, [1n, 'a', 'y', 2])]);
    assert.equal(loads.length, 1);
    assert.equal(loads[0]?.partial, false);
    assert.deepEqual(loads[0]?.columns, ['id', 'title', 'body', 'n']);
    assert.deepEqual(
      loads[0]?.rows.map((r) => r.values[0]),
      [2n, 1n],
    );
  });

  it('groups rows by exact column set; each partial set gets its own partial load', () => {
    const loads = plan([
      ins(S, 1n, [1n, 'a', 'x', 1]),
      upd(S, 2n, [2n, 't', UNCHANGED, 3]),
      upd(S, 3n, [3n, UNCHANGED, UNCHANGED, 4]),
      upd(S, 4n, [4n, 'u', UNCHANGED, 5]),
      del(S, 5n, [5n, null, null, null]),
    ]);
    assert.deepEqual(
      loads.map((l) => ({ columns: l.columns, partial: l.partial, ids: l.rows.map((r) => r.values[0]) })),
      [
        { columns: ['id', 'title', 'body', 'n'], partial: false, ids: [1n] },
        { columns: ['id', 'title', 'n'], partial: true, ids: [2n, 4n] },
        { columns: ['id', 'n'], partial: true, ids: [3n] },
        { columns: ['id'], partial: true, ids: [5n] },
      ],
    );
    // Partial rows never carry a value for a column they did not have.
    for (const l of loads) for (const r of l.rows) assert.equal(r.values.length, l.columns.length);
  });

  it('collapses changes of one key: insert then partial update → one full row with the later values', () => {
    const loads = plan([ins(S, 1n, [1n, 'a', 'big', 1]), upd(S, 2n, [1n, 'b', UNCHANGED, 2])]);
    assert.equal(loads.length, 1);
    assert.equal(loads[0]?.partial, false);
    assert.deepEqual(loads[0]?.rows[0]?.values, [1n, 'b', 'big', 2]);
    assert.equal(loads[0]?.rows[0]?.version, 2n);
    assert.equal(loads[0]?.rows[0]?.opType, 1);
  });

  it('each key appears in exactly one load', () => {
    const loads = plan([
      upd(S, 1n, [1n, 'a', UNCHANGED, 1]),
      upd(S, 2n, [2n, UNCHANGED, UNCHANGED, 1]),
      upd(S, 3n, [1n, UNCHANGED, UNCHANGED, 2]),
      ins(S, 4n, [3n, 'c', 'c', 3]),
      upd(S, 5n, [2n, 'z', UNCHANGED, 9]),
    ]);
    const ids = loads.flatMap((l) => l.rows.map((r) => r.values[0]));
    assert.equal(new Set(ids).size, ids.length);
    const state = apply(loads);
    assert.deepEqual(state.get(1n), { id: 1n, title: 'a', n: 2, op: 1, deleted: false, version: 3n });
    assert.deepEqual(state.get(2n), { id: 2n, title: 'z', n: 9, op: 1, deleted: false, version: 5n });
  });

  it('delete then re-insert of the same key ends as a live row', () => {
    const loads = plan([ins(S, 1n, [1n, 'a', 'x', 1]), del(S, 2n, [1n, null, null, null]), ins(S, 3n, [1n, 'b', 'y', 2])]);
    const row = apply(loads).get(1n);
    assert.deepEqual(row, { id: 1n, title: 'b', body: 'y', n: 2, op: 0, deleted: false, version: 3n });
  });

  it('insert then delete keeps the last values, flagged deleted', () => {
    const loads = plan([ins(S, 1n, [1n, 'a', 'x', 1]), del(S, 2n, [1n, null, null, null])]);
    assert.equal(loads.length, 1);
    assert.equal(loads[0]?.partial, false);
    assert.deepEqual(apply(loads).get(1n), { id: 1n, title: 'a', body: 'x', n: 1, op: 2, deleted: true, version: 2n });
  });

  it('a lone delete is a key-only partial load (stored values stay)', () => {
    const loads = plan([del(S, 7n, [9n, null, null, null])]);
    assert.deepEqual(
      loads.map((l) => [l.columns, l.partial]),
      [[['id'], true]],
    );
    assert.deepEqual(loads[0]?.rows[0], { values: [9n], opType: 2, deleted: true, version: 7n });
  });

  it('key change: old key soft-deleted, new key written', () => {
    const loads = plan([ins(S, 1n, [1n, 'a', 'x', 1]), upd(S, 2n, [2n, 'a', 'x', 1], { oldKey: [1n] })]);
    const state = apply(loads);
    assert.deepEqual(state.get(1n), { id: 1n, title: 'a', body: 'x', n: 1, op: 2, deleted: true, version: 2n });
    assert.deepEqual(state.get(2n), { id: 2n, title: 'a', body: 'x', n: 1, op: 1, deleted: false, version: 2n });
  });

  it('key change with UNCHANGED cells and no before-image writes the new key as a partial row', () => {
    const loads = plan([upd(S, 2n, [2n, 'a', UNCHANGED, 1], { oldKey: [1n] })]);
    assert.deepEqual(
      loads.map((l) => [l.columns, l.partial, l.rows.map((r) => r.values[0])]),
      [
        [['id'], true, [1n]],
        [['id', 'title', 'n'], true, [2n]],
      ],
    );
  });

  it('is deterministic', () => {
    const recs = [upd(S, 1n, [1n, 'a', UNCHANGED, 1]), ins(S, 2n, [2n, 'b', 'c', 2]), del(S, 3n, [3n, null, null, null])];
    assert.deepEqual(plan(recs), plan(recs));
  });

  it('a row without its key column is a data error', () => {
    assert.throws(
      () => plan([upd(S, 1n, [UNCHANGED, 'a', 'b', 1])]),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_DATA' && /primary key column id/.test(e.message),
    );
  });
});

describe('planBatch: batches of distinct inserts (snapshot chunks)', () => {
  it('gives the same single full load as the general path, in table column order', () => {
    const S2 = tableSchema('docs', [column('n', 'int4'), column('id', 'int8', true), column('title', 'text'), column('body', 'text')]);
    const M2: ColumnMapping = { targetNames: ['n', 'id', 'title', 'body'], sourceKeyTargetNames: ['id'] };
    const t: PlanTarget = { ...target(S2), mappingFor: () => M2 };
    const loads = planLoads([ins(S2, 7n, [5, 1n, 'a', 'x']), ins(S2, 7n, [6, 2n, 'b', null])], t);
    assert.equal(loads.length, 1);
    assert.deepEqual(loads[0]?.columns, ['id', 'title', 'body', 'n']);
    assert.equal(loads[0]?.partial, false);
    assert.deepEqual(
      loads[0]?.rows.map((r) => [r.values, r.opType, r.deleted, r.version]),
      [
        [[1n, 'a', 'x', 5], 0, false, 7n],
        [[2n, 'b', null, 6], 0, false, 7n],
      ],
    );
  });

  it('inserts of one key twice still collapse to the last (general path)', () => {
    const loads = plan([ins(S, 7n, [1n, 'a', 'x', 1]), ins(S, 8n, [1n, 'b', 'y', 2])]);
    assert.equal(loads.length, 1);
    assert.deepEqual(
      loads[0]?.rows.map((r) => [r.values, r.version]),
      [[[1n, 'b', 'y', 2], 8n]],
    );
  });
});
