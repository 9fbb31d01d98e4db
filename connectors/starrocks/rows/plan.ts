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
 *    load and a listed column missing from a row would become NULL (docs/starrocks-protocol.md §6.3). Rows that
 *    carry every source column form a full (non-partial) load. The audit columns (with
 *    `dbmazz_cdc_version`, the merge condition) are added to every load's set by the sink.
 * 4. Key changes whose new row lacks unchanged TOAST values (no before-image, docs/stack-traps.md §4.12): the new
 *    key's row takes them from the old key's row — its state in this batch when the batch changed
 *    it, else the old row as StarRocks stored it before the batch (`carried`, read by old-rows.ts;
 *    `oldRowLookup` says which). Chains (A→B→C in one batch) follow through. What neither knows is
 *    left out (the new row gets the column's DEFAULT) and counted in `unresolved`.
 *
 * The result is deterministic for the same records and target, so sub-load labels are stable
 * across retries and replays. Steps 1-3 for batches without key changes run column-indexed in
 * fast-plan.ts (same result, a fraction of the cost); this file keeps the general path.
 */
import type { ChangeRecord, TableSchema, Value } from '../../../core/index.js';
import { CdcError, formatTableId } from '../../../core/index.js';
import type { OpType } from '../audit.js';
import { planFast } from './fast-plan.js';
import { keyPart } from './key-part.js';
import type { ColumnMapping, RowChange } from './row-changes.js';
import { oldKeyCellsOf, recordToRowChanges, unknownColumnsOfKeyChange } from './row-changes.js';

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

/** Stored old rows: key text (as `keyText`) → target column → value. */
export type CarriedRows = ReadonlyMap<string, ReadonlyMap<string, Value>>;

/** One old key whose stored row is needed, with the columns wanted from it. */
export interface OldRowRequest {
  readonly keyText: string;
  /** Target key column → value. */
  readonly key: ReadonlyMap<string, Value>;
  readonly columns: ReadonlySet<string>;
  /** Columns this batch itself writes to that key (a stored value there may be this batch's own). */
  readonly writtenByBatch: ReadonlySet<string>;
  /**
   * The versions (commit positions) of this batch's own changes to that key (at least the key change
   * that moves it). A stored row at one of them was written by one of those transactions (this batch
   * on a retry, or their part in an earlier batch; old-rows.ts has the one ambiguous case); a stored
   * row older than all of them is the state from before the batch; any other stored version is from
   * after the batch (a replay). The batch's overall range cannot tell these apart: one batch holds
   * many transactions, each touching other keys.
   */
  readonly batchVersions: ReadonlySet<bigint>;
}

export interface OldRowLookup {
  readonly requests: readonly OldRowRequest[];
}

export interface BatchPlan {
  readonly loads: LoadPlan[];
  /** Columns of key-changed rows that no source knew (left to the DEFAULT). */
  readonly unresolved: number;
}

export function planLoads(records: readonly ChangeRecord[], target: PlanTarget, carried?: CarriedRows): LoadPlan[] {
  return planBatch(records, target, carried).loads;
}

/** Which stored old rows the batch's key changes need (none for almost every batch). */
export function oldRowLookup(records: readonly ChangeRecord[], target: PlanTarget): OldRowLookup {
  // Only key-changing updates can need a stored row: most batches have none (no collapse needed).
  if (!records.some((r) => r.op === 'update' && r.oldKey !== undefined)) return { requests: [] };
  const wanted = new Map<string, { key: ReadonlyMap<string, Value>; columns: Set<string> }>();
  const byKey = collapse(records, target, (keyText, key, column) => {
    let w = wanted.get(keyText);
    if (w === undefined) {
      w = { key, columns: new Set() };
      wanted.set(keyText, w);
    }
    w.columns.add(column);
    return undefined;
  });
  if (wanted.size === 0) return { requests: [] };
  const versions = new Map<string, Set<bigint>>();
  for (const record of records) {
    for (const change of recordToRowChanges(record, target.mappingFor(record.schema))) {
      const text = keyText(change.cells, target, record.schema);
      if (!wanted.has(text)) continue;
      let set = versions.get(text);
      if (set === undefined) versions.set(text, (set = new Set()));
      set.add(change.version);
    }
  }
  const requests = [...wanted.entries()].map(([keyText, w]) => ({
    keyText,
    key: w.key,
    columns: w.columns,
    writtenByBatch: new Set(byKey.get(keyText)?.cells.keys() ?? []),
    batchVersions: versions.get(keyText) ?? new Set<bigint>(),
  }));
  return { requests };
}

/**
 * Batches without key changes (snapshot chunks and almost all streamed batches) take the
 * column-indexed path of fast-plan.ts; the others, and mappings it does not cover, the general one.
 */
export function planBatch(records: readonly ChangeRecord[], target: PlanTarget, carried?: CarriedRows): BatchPlan {
  return planFast(records, target) ?? planBatchGeneral(records, target, carried);
}

/**
 * The general path: every record as row changes (row-changes.ts), collapsed per key by name. What
 * `planFast` (fast-plan.ts) must equal; exported for the tests that compare them.
 */
export function planBatchGeneral(records: readonly ChangeRecord[], target: PlanTarget, carried?: CarriedRows): BatchPlan {
  let unresolved = 0;
  const byKey = collapse(records, target, (keyText, _key, column) => {
    const v = carried?.get(keyText)?.get(column);
    if (v !== undefined) return v;
    unresolved++;
    return undefined;
  });

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
  return { loads: [...plans.filter((p) => !p.partial), ...plans.filter((p) => p.partial)], unresolved };
}

/**
 * Row changes collapsed per key, in stream order. `fromStored(oldKeyText, oldKey, column)` is asked
 * for a column of a key change that the batch itself does not know; `undefined` leaves it out.
 */
function collapse(
  records: readonly ChangeRecord[],
  target: PlanTarget,
  fromStored: (keyText: string, key: ReadonlyMap<string, Value>, column: string) => Value | undefined,
): Map<string, RowChange> {
  const byKey = new Map<string, RowChange>();
  /** New key text → column → old key text whose stored row holds the value (lookups only). */
  const pending = new Map<string, Map<string, { keyText: string; key: ReadonlyMap<string, Value> }>>();
  for (const record of records) {
    const mapping = target.mappingFor(record.schema);
    const changes = recordToRowChanges(record, mapping);
    const unknown = unknownColumnsOfKeyChange(record, mapping);
    let moved: { readonly newText: string; readonly inherited: ReadonlySet<string> } | undefined;
    if (unknown.length > 0 && record.op === 'update') {
      const oldKey = oldKeyCellsOf(record, mapping);
      const oldText = keyText(oldKey, target, record.schema);
      const upsert = changes[changes.length - 1];
      if (upsert !== undefined) {
        const cells = new Map(upsert.cells);
        const newText = keyText(cells, target, record.schema);
        const inherited = new Map<string, { keyText: string; key: ReadonlyMap<string, Value> }>();
        for (const column of unknown) {
          // The old row's value: written in this batch, unless it came (unresolved) from an older key.
          const origin = pending.get(oldText)?.get(column);
          const known = byKey.get(oldText)?.cells;
          if (origin === undefined && known?.has(column)) {
            cells.set(column, known.get(column) ?? null);
            continue;
          }
          // Not known in this batch: the value is in the stored row of the key this one came from.
          const from = origin ?? { keyText: oldText, key: oldKey };
          const v = fromStored(from.keyText, from.key, column);
          if (v !== undefined) cells.set(column, v);
          else inherited.set(column, from);
        }
        pending.set(newText, inherited);
        changes[changes.length - 1] = { ...upsert, cells };
        moved = { newText, inherited: new Set(inherited.keys()) };
      }
    }
    for (const change of changes) {
      const key = keyText(change.cells, target, record.schema);
      const prev = byKey.get(key);
      byKey.set(key, prev === undefined ? change : merge(prev, change));
      // A change that writes a column makes it known: it no longer comes from an older stored row.
      const p = pending.get(key);
      if (p !== undefined) for (const c of change.cells.keys()) p.delete(c);
    }
    // The moved row must not keep what an earlier row of the new key had in the columns it lacks.
    if (moved !== undefined && moved.inherited.size > 0) {
      const row = byKey.get(moved.newText);
      if (row !== undefined) {
        const cells = new Map(row.cells);
        for (const c of moved.inherited) cells.delete(c);
        byKey.set(moved.newText, { ...row, cells });
      }
    }
  }
  return byKey;
}

function merge(earlier: RowChange, later: RowChange): RowChange {
  const cells = new Map(earlier.cells);
  for (const [name, v] of later.cells) cells.set(name, v);
  return { cells, opType: later.opType, deleted: later.deleted, version: later.version };
}

/** The key text of a row's cells (target key columns, type-tagged). */
function keyText(cells: ReadonlyMap<string, Value>, target: PlanTarget, schema: TableSchema): string {
  const parts: string[] = [];
  for (const k of target.keyColumns) {
    if (!cells.has(k)) {
      throw new CdcError({
        code: 'SINK_DATA',
        message: `A change of ${formatTableId(schema.id)} has no value for the primary key column ${k} of ${target.tableLabel}`,
        hint: 'The StarRocks primary key must be the source table key (PRIMARY KEY or REPLICA IDENTITY).',
      });
    }
    parts.push(keyPart(cells.get(k) ?? null));
  }
  return parts.join('\u0001');
}

export { keyPart };
