/**
 * Change records → row upserts for a Primary Key table (pure).
 *
 * Every change becomes one or two "row changes": an upsert of the columns the change knows plus the
 * audit columns. A row change never carries a column whose value is unknown, so a load can never
 * write NULL over a value that did not change:
 * - insert: the full row, `dbmazz_op_type` 0.
 * - update: the new values, `dbmazz_op_type` 1. An `UNCHANGED` cell takes the before-image's value
 *   when the source sent one (REPLICA IDENTITY FULL); otherwise the column is left out (partial row).
 * - delete: a soft delete (`dbmazz_is_deleted` true, `dbmazz_op_type` 2). With a full before-image
 *   the full old row is written; with the default replica identity only the key columns, so the
 *   stored values stay as they were.
 * - update with `oldKey` (primary key changed): a soft delete of the old key (as for a delete) and
 *   an upsert of the new key. When the new row has `UNCHANGED` cells and no before-image (style
 *   §4.12), those columns are left out here; the planner fills them from the old key's row (plan.ts,
 *   old-rows.ts), since a partial row for a new key would otherwise get the DEFAULT (§6.3).
 */
import type { Cell, ChangeRecord, TableSchema, Value } from '../../../core/index.js';
import { CdcError, formatTableId, isUnchanged } from '../../../core/index.js';
import type { OpType } from '../audit.js';
import { OP_DELETE, OP_INSERT, OP_UPDATE } from '../audit.js';

export interface RowChange {
  /** Target column name → value: only the columns this change knows. */
  readonly cells: ReadonlyMap<string, Value>;
  readonly opType: OpType;
  readonly deleted: boolean;
  /**
   * `dbmazz_cdc_version`: the commit position of the change's transaction (`ChangeRecord.commitLsn`),
   * shared by every change of one transaction; for a snapshot row, the version it was read at.
   */
  readonly version: bigint;
}

/** How one source schema maps onto the target table. */
export interface ColumnMapping {
  /** Target column name for each column of the source schema (same order). */
  readonly targetNames: readonly string[];
  /** Target name of each source key column (same order as `schema.keyColumns`). */
  readonly sourceKeyTargetNames: readonly string[];
}

export function recordToRowChanges(record: ChangeRecord, mapping: ColumnMapping): RowChange[] {
  // Commit order, not change order: a transaction that began before another one and committed after
  // it has change LSNs below the other's; only its commit position orders it (docs/starrocks.md).
  const version = record.commitLsn;
  switch (record.op) {
    case 'insert':
      return [{ cells: cellsOf(record.schema, mapping, record.after), opType: OP_INSERT, deleted: false, version }];
    case 'delete': {
      const cells = record.fullBefore ? cellsOf(record.schema, mapping, record.before) : keyCellsOf(record.schema, mapping, record.before);
      return [{ cells, opType: OP_DELETE, deleted: true, version }];
    }
    case 'update': {
      const after = record.after.map((cell, i): Cell => {
        if (!isUnchanged(cell)) return cell;
        const old = record.before?.[i];
        return old === undefined ? cell : old;
      });
      const upsert: RowChange = { cells: cellsOf(record.schema, mapping, after), opType: OP_UPDATE, deleted: false, version };
      if (record.oldKey === undefined) return [upsert];
      return [{ cells: oldKeyCells(record, mapping), opType: OP_DELETE, deleted: true, version }, upsert];
    }
  }
}

/** Cells of a tuple aligned with `schema.columns`, leaving out `UNCHANGED` ones. */
function cellsOf(schema: TableSchema, mapping: ColumnMapping, tuple: readonly Cell[]): Map<string, Value> {
  const out = new Map<string, Value>();
  schema.columns.forEach((_col, i) => {
    const cell = tuple[i];
    const name = mapping.targetNames[i];
    if (cell === undefined || name === undefined || isUnchanged(cell)) return;
    out.set(name, cell);
  });
  return out;
}

/** Only the key columns of a tuple aligned with `schema.columns` (the rest is not meaningful). */
function keyCellsOf(schema: TableSchema, mapping: ColumnMapping, tuple: readonly Cell[]): Map<string, Value> {
  const out = new Map<string, Value>();
  schema.keyColumns.forEach((keyName, k) => {
    const i = schema.columns.findIndex((c) => c.name === keyName);
    const cell = i >= 0 ? tuple[i] : undefined;
    const name = mapping.sourceKeyTargetNames[k];
    if (cell === undefined || name === undefined || isUnchanged(cell)) return;
    out.set(name, cell);
  });
  return out;
}

/** The old key's row of a key-changing update: the full before-image when there is one, else the key. */
function oldKeyCells(record: ChangeRecord & { op: 'update' }, mapping: ColumnMapping): Map<string, Value> {
  const { schema } = record;
  const before = record.before;
  const complete = before !== undefined && before.length === schema.columns.length && !before.some(isUnchanged);
  const out = complete ? cellsOf(schema, mapping, before) : new Map<string, Value>();
  const oldKey = record.oldKey ?? [];
  schema.keyColumns.forEach((keyName, k) => {
    const v = oldKey[k];
    const name = mapping.sourceKeyTargetNames[k];
    if (v === undefined || name === undefined) {
      throw new CdcError({
        code: 'SINK_DATA',
        message: `Key change on ${formatTableId(schema.id)}: old key value for column ${keyName} is missing`,
      });
    }
    out.set(name, v);
  });
  return out;
}

/**
 * Target names of the columns a key-changing update does not know: `UNCHANGED` in the new row and
 * not in a before-image. Empty for every other record.
 */
export function unknownColumnsOfKeyChange(record: ChangeRecord, mapping: ColumnMapping): string[] {
  if (record.op !== 'update' || record.oldKey === undefined) return [];
  const out: string[] = [];
  record.after.forEach((cell, i) => {
    if (!isUnchanged(cell)) return;
    const old = record.before?.[i];
    const name = mapping.targetNames[i];
    if (name !== undefined && (old === undefined || isUnchanged(old))) out.push(name);
  });
  return out;
}

/** The old key of a key-changing update as target key column → value. */
export function oldKeyCellsOf(record: ChangeRecord & { op: 'update' }, mapping: ColumnMapping): Map<string, Value> {
  const out = new Map<string, Value>();
  (record.oldKey ?? []).forEach((v, k) => {
    const name = mapping.sourceKeyTargetNames[k];
    if (name !== undefined) out.set(name, v);
  });
  return out;
}
