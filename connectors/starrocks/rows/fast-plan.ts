/**
 * The plan of a batch without key changes, column-indexed (pure). Same result as the general path of
 * plan.ts (`collapse` + grouping by column set), which it replaces for almost every batch: cells are
 * arrays indexed by target column position instead of Maps keyed by name, a record whose columns are
 * already in target order lends its value array to the plan (no copy), a batch whose keys come in
 * strictly increasing order (snapshot chunks: keyset pages by primary key; insert-only traffic with
 * ascending ids) needs no per-key index at all, and column sets are compared as bitmasks.
 *
 * Undefined when the batch needs the general path: a key-changing update (the planner may have to
 * carry unchanged TOAST values from the old key's row), or a mapping it does not cover (a source
 * column or key column outside the target's column order).
 */
import type { Cell, ChangeRecord, TableSchema, Value } from '../../../core/index.js';
import { CdcError, formatTableId, UNCHANGED } from '../../../core/index.js';
import { OP_DELETE, OP_INSERT, OP_UPDATE, type OpType } from '../audit.js';
import type { BatchPlan, LoadPlan, PlannedRow, PlanTarget } from './plan.js';
import { keyPart } from './key-part.js';

/** Where one source schema's columns go in the target column order. */
interface Layout {
  readonly schema: TableSchema;
  /** Target position of each source column. */
  readonly positions: Int32Array;
  /** True when source column i goes to target position i for every i: a tuple is already in target order. */
  readonly identity: boolean;
  /** For key-only deletes: source index of each key column (-1 when absent) and its target position. */
  readonly keySource: Int32Array;
  readonly keyTarget: Int32Array;
}

/**
 * One key's row: `values` indexed by target position (`undefined` or `UNCHANGED` = not known) until
 * `group` compacts them to the load's columns; the object then becomes the planned row itself (a
 * plain object of PlannedRow's fields). `values` may be a record's own tuple (identity layouts): it is
 * copied before anything is written into it (`owned` in planFast tells).
 */
interface RowState {
  values: readonly (Cell | undefined)[];
  opType: OpType;
  deleted: boolean;
  version: bigint;
}

function present(v: Cell | undefined): v is Value {
  return v !== undefined && v !== UNCHANGED;
}

export function planFast(records: readonly ChangeRecord[], target: PlanTarget): BatchPlan | undefined {
  for (const r of records) if (r.op === 'update' && r.oldKey !== undefined) return undefined;
  const order = target.columnOrder;
  const width = order.length;
  const position = new Map<string, number>();
  for (let p = 0; p < width; p++) position.set(order[p] ?? '', p);
  const keyPos: number[] = [];
  for (const k of target.keyColumns) {
    const p = position.get(k);
    if (p === undefined) return undefined;
    keyPos.push(p);
  }
  const fullPos: number[] = [];
  for (const name of target.fullColumns) {
    const p = position.get(name);
    if (p === undefined) return undefined;
    fullPos.push(p);
  }

  const layouts = new Map<TableSchema, Layout | undefined>();
  const layoutOf = (schema: TableSchema): Layout | undefined => {
    if (layouts.has(schema)) return layouts.get(schema);
    const layout = buildLayout(schema, target, position);
    layouts.set(schema, layout);
    return layout;
  };

  const states: RowState[] = [];
  /** Per state: whether its `values` is an array of this plan's own (else a record's tuple). */
  const owned: boolean[] = [];
  /** Key id → index in `states`; built once keys stop increasing. */
  let index: Map<unknown, number> | undefined;
  let key: Value[] = new Array<Value>(keyPos.length);
  /** The previous record's key while keys increase. */
  let lastKey: Value[] | undefined;
  for (const record of records) {
    const layout = layoutOf(record.schema);
    if (layout === undefined) return undefined;
    const change = changeOf(record, layout, width);
    const own = change.values !== (record.op === 'delete' ? record.before : record.after);
    for (let k = 0; k < keyPos.length; k++) {
      const v = change.values[keyPos[k] ?? 0];
      if (!present(v)) throw missingKey(record.schema, target, target.keyColumns[k] ?? '');
      key[k] = v;
    }
    if (index === undefined) {
      if (lastKey === undefined || increasing(lastKey, key)) {
        const spare = lastKey ?? new Array<Value>(keyPos.length);
        lastKey = key;
        key = spare;
        states.push(change);
        owned.push(own);
        continue;
      }
      index = new Map();
      for (let i = 0; i < states.length; i++) index.set(keyIdOf((states[i] as RowState).values, keyPos), i);
    }
    const id = keyIdOf(change.values, keyPos);
    const at = index.get(id);
    if (at === undefined) {
      index.set(id, states.length);
      states.push(change);
      owned.push(own);
      continue;
    }
    // Applying A then B equals one upsert of A's columns overridden by B's, with B's audit values.
    const prev = states[at] as RowState;
    const vals = owned[at] === true ? (prev.values as (Cell | undefined)[]) : copyVals(prev.values, width);
    const next = change.values;
    for (let p = 0; p < width; p++) {
      const v = next[p];
      if (present(v)) vals[p] = v;
    }
    prev.values = vals;
    prev.opType = change.opType;
    prev.deleted = change.deleted;
    prev.version = change.version;
    owned[at] = true;
  }
  return { loads: group(states, target, width, fullPos), unresolved: 0 };
}

function buildLayout(schema: TableSchema, target: PlanTarget, position: ReadonlyMap<string, number>): Layout | undefined {
  const mapping = target.mappingFor(schema);
  const n = schema.columns.length;
  const positions = new Int32Array(n);
  let identity = true;
  for (let i = 0; i < n; i++) {
    const name = mapping.targetNames[i];
    const p = name === undefined ? undefined : position.get(name);
    if (p === undefined) return undefined;
    positions[i] = p;
    if (p !== i) identity = false;
  }
  const keySource = new Int32Array(schema.keyColumns.length);
  const keyTarget = new Int32Array(schema.keyColumns.length);
  for (let k = 0; k < schema.keyColumns.length; k++) {
    const name = mapping.sourceKeyTargetNames[k];
    const p = name === undefined ? undefined : position.get(name);
    if (p === undefined) return undefined;
    keySource[k] = schema.columns.findIndex((c) => c.name === schema.keyColumns[k]);
    keyTarget[k] = p;
  }
  return { schema, positions, identity, keySource, keyTarget };
}

/** The row change of one record (no key change), as row-changes.ts defines it. */
function changeOf(record: ChangeRecord, layout: Layout, width: number): RowState {
  const version = record.commitLsn;
  if (record.op === 'insert') return { values: tuple(record.after, undefined, layout, width), opType: OP_INSERT, deleted: false, version };
  if (record.op === 'update') return { values: tuple(record.after, record.before, layout, width), opType: OP_UPDATE, deleted: false, version };
  if (record.fullBefore) return { values: tuple(record.before, undefined, layout, width), opType: OP_DELETE, deleted: true, version };
  const vals = new Array<Cell | undefined>(width).fill(undefined);
  for (let k = 0; k < layout.keySource.length; k++) {
    const i = layout.keySource[k] ?? -1;
    const v = i >= 0 ? record.before[i] : undefined;
    if (present(v)) vals[layout.keyTarget[k] ?? 0] = v;
  }
  return { values: vals, opType: OP_DELETE, deleted: true, version };
}

/**
 * A tuple's cells in target positions. An `UNCHANGED` cell takes the before-image's cell when there
 * is one. An identity layout lends the tuple itself (the caller must copy it before writing) when no
 * cell must be replaced; cells beyond the schema's columns (none in a well-formed record) would land
 * on other target columns, so such a tuple is not lent.
 */
function tuple(cells: readonly Cell[], before: readonly Cell[] | undefined, layout: Layout, width: number): readonly (Cell | undefined)[] {
  const n = layout.positions.length;
  if (layout.identity && cells.length <= n && (before === undefined || !hasUnchanged(cells))) return cells;
  const vals = new Array<Cell | undefined>(width).fill(undefined);
  for (let i = 0; i < n; i++) {
    let v = cells[i];
    if (v === UNCHANGED && before !== undefined) {
      const old = before[i];
      if (old !== undefined) v = old;
    }
    if (present(v)) vals[layout.positions[i] ?? 0] = v;
  }
  return vals;
}

function hasUnchanged(cells: readonly Cell[]): boolean {
  for (let i = 0; i < cells.length; i++) if (cells[i] === UNCHANGED) return true;
  return false;
}

function copyVals(vals: readonly (Cell | undefined)[], width: number): (Cell | undefined)[] {
  const out = new Array<Cell | undefined>(width).fill(undefined);
  const n = Math.min(vals.length, width);
  for (let p = 0; p < n; p++) {
    const v = vals[p];
    if (present(v)) out[p] = v;
  }
  return out;
}

/**
 * True when `b` sorts strictly after `a` (column by column), for keys of bigints, numbers or strings
 * (never equal then, under any total order). Anything else, or a tie or a decrease: false.
 */
function increasing(a: readonly Value[], b: readonly Value[]): boolean {
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    const tx = typeof x;
    if (tx !== typeof y || (tx !== 'bigint' && tx !== 'number' && tx !== 'string')) return false;
    if ((x as bigint | number | string) < (y as bigint | number | string)) return true;
    if (x !== y) return false;
  }
  return false;
}

/**
 * A Map key equal for two key tuples exactly when plan.ts's key texts are equal: a single numeric key
 * is its number (bigints in the safe range become numbers, so `5n` and `5` meet as `keyPart` has
 * it), anything else the type-tagged text.
 */
function keyIdOf(vals: readonly (Cell | undefined)[], keyPos: readonly number[]): unknown {
  if (keyPos.length === 1) {
    const v = vals[keyPos[0] ?? 0];
    if (typeof v === 'bigint') {
      if (v >= -MAX_SAFE && v <= MAX_SAFE) return Number(v);
    } else if (typeof v === 'number') {
      // Integral numbers beyond 2^53 print like bigints: those go by text, as bigints beyond it do.
      if (!Number.isInteger(v) || Number.isSafeInteger(v)) return v;
    }
  }
  let text = '';
  for (let k = 0; k < keyPos.length; k++) text += (k === 0 ? '' : '\u0001') + keyPart((vals[keyPos[k] ?? 0] ?? null) as Value);
  return text;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function missingKey(schema: TableSchema, target: PlanTarget, column: string): CdcError {
  return new CdcError({
    code: 'SINK_DATA',
    message: `A change of ${formatTableId(schema.id)} has no value for the primary key column ${column} of ${target.tableLabel}`,
    hint: 'The StarRocks primary key must be the source table key (PRIMARY KEY or REPLICA IDENTITY).',
  });
}

/**
 * Rows grouped by their exact column set (a bitmask, or the positions' text beyond 31 columns); each
 * state becomes its planned row, its values compacted to the load's columns.
 */
function group(states: readonly RowState[], target: PlanTarget, width: number, fullPos: readonly number[]): LoadPlan[] {
  const groups = new Map<number | string, { positions: number[]; rows: PlannedRow[] }>();
  const narrow = width <= 31;
  const positions: number[] = [];
  for (const s of states) {
    const vals = s.values;
    let count = 0;
    let sig: number | string = narrow ? 0 : '';
    const n = Math.min(vals.length, width);
    for (let p = 0; p < n; p++) {
      if (!present(vals[p])) continue;
      positions[count++] = p;
      if (narrow) sig = (sig as number) | (1 << p);
      else sig = `${sig as string}${String.fromCharCode(p + 1)}`;
    }
    let g = groups.get(sig);
    if (g === undefined) {
      g = { positions: positions.slice(0, count), rows: [] };
      groups.set(sig, g);
    }
    // A tuple already holding exactly the load's columns in order stays as it is.
    if (count !== vals.length || (count > 0 && positions[count - 1] !== count - 1)) {
      const out = new Array<Value>(count);
      for (let c = 0; c < count; c++) out[c] = vals[positions[c] ?? 0] as Value;
      s.values = out;
    }
    g.rows.push(s as PlannedRow);
  }
  const plans: LoadPlan[] = [];
  for (const g of groups.values()) {
    const set = new Set(g.positions);
    const partial = fullPos.some((p) => !set.has(p));
    plans.push({ columns: g.positions.map((p) => target.columnOrder[p] ?? ''), partial, rows: g.rows });
  }
  return [...plans.filter((p) => !p.partial), ...plans.filter((p) => p.partial)];
}
