/**
 * Batch → loads (pure).
 *
 * 1. Each record becomes row changes (row-changes.ts), in stream order.
 * 2. Changes of the same primary key are collapsed into one: a row change is "upsert these
 *    columns", so applying A then B equals applying one upsert of A's columns overridden by B's, with
 *    B's audit values and version. This keeps the final state of every key (deletes followed by
 *    re-inserts included) and leaves each key in exactly one load, so the order of the loads no
 *    longer matters for correctness.
 * 3. Rows are grouped by their exact column set: in a partial update the column set is fixed per
 *    load and a listed column missing from a row would become NULL (PROTOCOL.md §6.3). Rows that
 *    carry every source column form a full (non-partial) load.
 *
 * The result is deterministic for the same records and target, so sub-load labels are stable
 * across retries and replays.
 */
import type { ChangeRecord, TableSchema, Value } from '../../../core/index.js';
import { CdcError, formatTableId } from '../../../core/index.js';
import type { OpType } from '../audit.js';
import type { ColumnMapping, RowChange } from './row-changes.js';
import { recordToRowChanges } from './row-changes.js';

export interface PlannedRow {
  /** Values aligned with the load's `columns`. */
  readonly values: readonly Value[];
  readonly opType: OpType;
  readonly deleted: boolean;
  readonly version: bigint;
}

export interface LoadPlan {
  /** Target (non-audit) columns written by this load, in table order. Includes every key column. */
  readonly columns: readonly string[];
  /** True when the load must be a partial update (`partial_update: true`). */
  readonly partial: boolean;
  readonly rows: readonly PlannedRow[];
}

export interface PlanTarget {
  /** e.g. `shop.orders`, for messages. */
  readonly tableLabel: string;
  /** All target column names in table order. */
  readonly columnOrder: readonly string[];
  /** Target primary key column names. */
  readonly keyColumns: readonly string[];
  /** Target names of every column of the batch's source schema (a row with all of them is full). */
  readonly fullColumns: ReadonlySet<string>;
  mappingFor(schema: TableSchema): ColumnMapping;
}

export function planLoads(records: readonly ChangeRecord[], target: PlanTarget): LoadPlan[] {
  const byKey = new Map<string, RowChange>();
  for (const record of records) {
    for (const change of recordToRowChanges(record, target.mappingFor(record.schema))) {
      const key = keyOf(change, target, record.schema);
      const prev = byKey.get(key);
      byKey.set(key, prev === undefined ? change : merge(prev, change));
    }
  }

  const position = new Map<string, number>();
  target.columnOrder.forEach((name, i) => position.set(name, i));
  const groups = new Map<string, { columns: string[]; rows: PlannedRow[] }>();
  for (const change of byKey.values()) {
    const columns = [...change.cells.keys()].sort((a, b) => (position.get(a) ?? 0) - (position.get(b) ?? 0));
    const signature = columns.join('\u0000');
    let group = groups.get(signature);
    if (group === undefined) {
      group = { columns, rows: [] };
      groups.set(signature, group);
    }
    group.rows.push({
      values: columns.map((c) => change.cells.get(c) ?? null),
      opType: change.opType,
      deleted: change.deleted,
      version: change.version,
    });
  }

  const plans: LoadPlan[] = [];
  for (const { columns, rows } of groups.values()) {
    const set = new Set(columns);
    const partial = [...target.fullColumns].some((c) => !set.has(c));
    plans.push({ columns, partial, rows });
  }
  // Full loads first, then partial ones; each in order of first appearance (deterministic).
  return [...plans.filter((p) => !p.partial), ...plans.filter((p) => p.partial)];
}

function merge(earlier: RowChange, later: RowChange): RowChange {
  const cells = new Map(earlier.cells);
  for (const [name, v] of later.cells) cells.set(name, v);
  return { cells, opType: later.opType, deleted: later.deleted, version: later.version };
}

function keyOf(change: RowChange, target: PlanTarget, schema: TableSchema): string {
  const parts: string[] = [];
  for (const k of target.keyColumns) {
    if (!change.cells.has(k)) {
      throw new CdcError({
        code: 'SINK_DATA',
        message: `A change of ${formatTableId(schema.id)} has no value for the primary key column ${k} of ${target.tableLabel}`,
        hint: 'The StarRocks primary key must be the source table key (PRIMARY KEY or REPLICA IDENTITY).',
      });
    }
    parts.push(keyPart(change.cells.get(k) ?? null));
  }
  return parts.join('\u0001');
}

/** An unambiguous text for a key value (type-tagged). */
export function keyPart(v: Value): string {
  if (v === null) return 'n';
  if (Array.isArray(v)) return `a[${v.map(keyPart).join(',')}]`;
  switch (typeof v) {
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'number':
    case 'bigint':
      return `i${String(v)}`;
    case 'string':
      return `s${v}`;
    default:
      break;
  }
  if (v instanceof Uint8Array) return `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  return `t${String(v)}`;
}
