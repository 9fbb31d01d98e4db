/**
 * Applies row operations to a table (docs/starrocks-protocol.md §6). Synchronous and infallible once called, so a
 * load is atomic: every check happens before (load-reader, filter ratio).
 *
 * Primary Key tables:
 * - rows are applied in load order; a later row for a key wins (§6.1);
 * - `__op` = 1 deletes by key (unconditional, also with merge_condition and partial update);
 * - full-row upsert replaces the row; columns outside the plan (added by a schema change after the
 *   plan was made) get their DEFAULT / NULL / zero value;
 * - partial update (§6.3): existing rows keep the columns outside the set; new keys take the DEFAULT,
 *   or the type's zero value for NOT NULL columns without default;
 * - merge_condition (§6.4): an upsert of an existing key applies only when incoming >= stored (ties
 *   apply); NULL compares lowest ([UNCONFIRMED] emulator rule: stored NULL → applies, incoming NULL
 *   over a non-NULL stored value → skipped); new keys are inserted. Skipped rows still count as loaded.
 * DUPLICATE_KEYS tables append; UNIQUE/AGG tables replace by key.
 */
import type { Table } from './catalog.js';
import { defaultValueOf } from './catalog.js';
import type { TargetColumn } from './load-plan.js';
import type { RowOp } from './load-reader.js';
import { type StoredValue, compareStored, zeroValue } from './values.js';

export interface ApplyOptions {
  readonly partialUpdate: boolean;
  readonly mergeCondition: string | null;
  readonly now: Date;
}

export interface ApplyStats {
  upserted: number;
  deleted: number;
  skippedByCondition: number;
  /** Upserts of an existing key whose merge-condition value equalled the stored one (ties apply, §6.4). */
  conditionTies: number;
  /** The merge-condition value of each tie, as text (diagnostics for tests). */
  conditionTieValues: string[];
}

export function applyRows(table: Table, targets: readonly TargetColumn[], rows: readonly RowOp[], opts: ApplyOptions): ApplyStats {
  const stats: ApplyStats = { upserted: 0, deleted: 0, skippedByCondition: 0, conditionTies: 0, conditionTieValues: [] };
  const cols = table.columns;
  // table column index → target index (or -1)
  const targetOf = cols.map((c) => targets.findIndex((t) => t.name.toLowerCase() === c.name.toLowerCase()));
  const keyIdx = table.keyIndexes();
  const keyTargets = keyIdx.map((ci) => targetOf[ci] ?? -1);
  const fill: StoredValue[] = cols.map((c) => {
    const d = defaultValueOf(c, opts.now);
    return d === null && !c.nullable ? zeroValue(c.type) : d;
  });
  const condCol = opts.mergeCondition === null ? -1 : table.columnIndex(opts.mergeCondition);
  const condTarget = condCol < 0 ? -1 : (targetOf[condCol] ?? -1);
  const condType = condCol < 0 ? undefined : cols[condCol]?.type;
  const isPk = table.keysType === 'PRIMARY_KEYS';
  // A full-row load of every column in table order: a row's values become the stored row as they are
  // (the rows of a load are applied once and not used after).
  const identity = targets.length === cols.length && targetOf.every((ti, ci) => ti === ci);

  const keyed = table.isKeyed;
  // The stored row's key equals the looked-up key only when every key column comes from the load.
  const keyFromLoad = keyTargets.every((ti) => ti >= 0);
  // Reused for every row: the table reads key values and keeps none of them.
  const key: StoredValue[] = new Array<StoredValue>(keyTargets.length);
  for (const r of rows) {
    for (let k = 0; k < keyTargets.length; k++) {
      const ti = keyTargets[k] ?? -1;
      key[k] = ti < 0 ? null : (r.values[ti] ?? null);
    }
    if (isPk && r.op === 1) {
      if (table.deleteKey(key)) stats.deleted++;
      continue;
    }
    const encoded = keyed ? table.encodeKey(key) : undefined;
    const existing = encoded !== undefined ? table.getRowByKey(encoded) : undefined;
    if (existing && condType && condTarget >= 0) {
      const incoming = r.values[condTarget] ?? null;
      const cmp = compareStored(condType, incoming, existing[condCol] ?? null);
      if (cmp < 0) {
        stats.skippedByCondition++;
        continue;
      }
      if (cmp === 0) {
        stats.conditionTies++;
        stats.conditionTieValues.push(String(incoming));
      }
    }
    let row: StoredValue[];
    if (opts.partialUpdate && existing) {
      row = [...existing];
      targetOf.forEach((ti, ci) => {
        if (ti >= 0) row[ci] = r.values[ti] ?? null;
      });
    } else if (identity) {
      row = r.values;
    } else {
      row = new Array<StoredValue>(targetOf.length);
      for (let ci = 0; ci < targetOf.length; ci++) {
        const ti = targetOf[ci] ?? -1;
        row[ci] = ti >= 0 ? (r.values[ti] ?? null) : (fill[ci] ?? null);
      }
    }
    table.putRow(row, keyFromLoad ? encoded : undefined);
    stats.upserted++;
  }
  return stats;
}
