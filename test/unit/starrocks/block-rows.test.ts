/**
 * A block of snapshot rows (core RowBlock) is loaded exactly as its records would be: the block path
 * (rows/block-rows.ts: the first record's plan, then rows made one at a time) gives the same load
 * columns, `partial` flag and body bytes as planning and encoding the records (rows/plan.ts,
 * stream-load/body.ts), for target column orders that match the source's or not, with or without
 * target columns the source lacks; a string key over the size limit fails the same way.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InsertRecord, RowBlock, Value } from '../../../core/index.js';
import { CdcError, DecimalValue, JsonText, TemporalValue } from '../../../core/index.js';
import { blockRows } from '../../../connectors/starrocks/rows/block-rows.js';
import type { PlanTarget } from '../../../connectors/starrocks/rows/plan.js';
import { planBatch } from '../../../connectors/starrocks/rows/plan.js';
import type { ColumnMapping } from '../../../connectors/starrocks/rows/row-changes.js';
import { encodeBody } from '../../../connectors/starrocks/stream-load/body.js';
import { loadColumns } from '../../../connectors/starrocks/stream-load/columns.js';
import type { KeySizeTarget } from '../../../connectors/starrocks/key-size.js';
import type { TargetColumn } from '../../../connectors/starrocks/type-map.js';
import { column, tableSchema } from './fixtures.js';
import { mulberry32 } from '../../helpers/random.js';

const S = tableSchema('items', [
  column('id', 'text', true),
  column('title', 'text'),
  column('amount', 'numeric'),
  column('at', 'timestamptz'),
  column('doc', 'json'),
]);
const AUDIT = { opType: 'dbmazz_op_type', isDeleted: 'dbmazz_is_deleted', syncedAt: 'dbmazz_synced_at', cdcVersion: 'dbmazz_cdc_version' };

function target(columnOrder: readonly string[]): PlanTarget {
  const mapping: ColumnMapping = { targetNames: S.columns.map((c) => c.name), sourceKeyTargetNames: S.keyColumns };
  return { tableLabel: 'db.items', columnOrder, keyColumns: ['id'], fullColumns: new Set(columnOrder), mappingFor: () => mapping };
}

const KINDS: Readonly<Record<string, TargetColumn['kind']>> = {
  id: 'string',
  title: 'string',
  amount: 'decimal',
  at: 'datetime',
  doc: 'json',
  extra: 'integer',
};
const targetColumn = (name: string): TargetColumn =>
  ({ name, kind: KINDS[name] ?? 'other', dataType: name === 'amount' ? 'DECIMAL(18,4)' : 'VARCHAR(100)', limits: {} }) as unknown as TargetColumn;
const KEYS: KeySizeTarget = { table: 'db.items', source: 'public.items', keyColumns: [targetColumn('id')] };

/** A block over value rows, as a source's would be. */
function blockOf(rows: readonly Value[][]): RowBlock {
  const record = (i: number): InsertRecord => ({
    schema: S,
    lsn: 90n,
    ordinal: i,
    commitLsn: 90n,
    commitTimeMicros: 5n,
    op: 'insert',
    after: [...(rows[i] as Value[])],
    snapshotRead: 'read1',
  });
  return {
    schema: S,
    length: rows.length,
    version: 90n,
    commitTimeMicros: 5n,
    snapshotRead: 'read1',
    bytes: 0,
    values: (i, out) => {
      out.length = 0;
      out.push(...(rows[i] as Value[]));
    },
    value: (i, c) => rows[i]?.[c] ?? null,
    record,
  };
}

function rowsOf(seed: number, n: number): Value[][] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => [
    `k${String(i).padStart(4, '0')}`,
    r() < 0.2 ? null : `t "${i}" \\ ü\n`,
    r() < 0.2 ? null : new DecimalValue(`${Math.floor(r() * 1000)}.${Math.floor(r() * 10)}`),
    new TemporalValue('timestamptz', `2024-01-0${1 + (i % 9)} 00:00:00.${String(i).padStart(6, '0')}`),
    r() < 0.2 ? null : new JsonText(`{"a":${i},"b":[1,2]}`),
  ]);
}

describe('a block of snapshot rows loads as its records', () => {
  for (const order of [
    ['id', 'title', 'amount', 'at', 'doc'],
    ['doc', 'id', 'at', 'title', 'amount'],
    ['id', 'title', 'amount', 'at', 'doc', 'extra'],
  ]) {
    it(`target columns ${order.join(', ')}`, () => {
      for (const seed of [1, 2, 3]) {
        const rows = rowsOf(seed, 50);
        const block = blockOf(rows);
        const plan = planBatch(
          Array.from({ length: rows.length }, (_, i) => block.record(i)),
          target(order),
          undefined,
        );
        assert.equal(plan.loads.length, 1);
        const load = plan.loads[0];
        const b = blockRows(block, target(order), KEYS);
        assert.ok(load !== undefined && b !== undefined);
        assert.deepEqual(b.columns, load.columns);
        assert.equal(b.partial, load.partial);
        const cols = loadColumns(load.columns.map(targetColumn));
        const viaRecords = encodeBody(cols, load.rows, AUDIT, '2026-12-07 00:00:00.000000', 'db.items');
        const viaBlock = encodeBody(cols, b.rows, AUDIT, '2026-12-07 00:00:00.000000', 'db.items');
        assert.equal(viaBlock.body.toString('utf8'), viaRecords.body.toString('utf8'));
        assert.equal(viaBlock.rows, rows.length);
      }
    });
  }

  it('checks the primary key size of every row', () => {
    const rows = rowsOf(4, 5);
    (rows[3] as Value[])[0] = 'x'.repeat(200);
    const b = blockRows(blockOf(rows), target(['id', 'title', 'amount', 'at', 'doc']), KEYS);
    assert.ok(b !== undefined);
    const cols = loadColumns(b.columns.map(targetColumn));
    assert.throws(
      () => encodeBody(cols, b.rows, AUDIT, '2026-12-07 00:00:00.000000', 'db.items'),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_DATA' && /primary key of db\.items would be 200 bytes/.test(e.message),
    );
  });
});
