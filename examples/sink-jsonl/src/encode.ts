/**
 * One change as one JSON line (pure). Values keep their exact text: int8 and numeric as strings (never
 * through a JS number), timestamps with their microseconds, bytea as base64; columns whose value the
 * source did not send (unchanged TOAST) are listed in `unchanged` instead of `row`.
 */
import { isUnchanged, tableKey, type Cell, type ChangeRecord, type Lsn, type TableSchema, type Value } from 'dbmazz';

/** The position of a change in the stream: `version` (its transaction), then `lsn` and `ordinal`. */
export interface LinePosition {
  readonly version: Lsn;
  readonly lsn: Lsn;
  readonly ordinal: number;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[];

export interface ChangeLine {
  readonly op: 'insert' | 'update' | 'delete';
  readonly table: string;
  /** Commit position of the change's transaction (decimal text): the row's version. */
  readonly version: string;
  readonly lsn: string;
  readonly ordinal: number;
  readonly key: Readonly<Record<string, JsonValue>>;
  /** The new row (insert, update); absent for a delete. */
  readonly row?: Readonly<Record<string, JsonValue>>;
  readonly unchanged?: readonly string[];
  /** The key before a key-changing update. */
  readonly oldKey?: Readonly<Record<string, JsonValue>>;
  readonly before?: Readonly<Record<string, JsonValue>>;
  /** Set on rows a snapshot copied: which read they came from. */
  readonly snapshotRead?: string;
}

export function jsonValue(v: Value): JsonValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (Array.isArray(v)) return (v as readonly Value[]).map(jsonValue);
  return String(v);
}

function columns(schema: TableSchema, cells: readonly Cell[], only?: readonly string[]): { values: Record<string, JsonValue>; unchanged: string[] } {
  const values: Record<string, JsonValue> = {};
  const unchanged: string[] = [];
  schema.columns.forEach((c, i) => {
    if (only !== undefined && !only.includes(c.name)) return;
    const cell = cells[i] ?? null;
    if (isUnchanged(cell)) unchanged.push(c.name);
    else values[c.name] = jsonValue(cell);
  });
  return { values, unchanged };
}

export function toLine(record: ChangeRecord, withBefore: boolean): ChangeLine {
  const { schema } = record;
  const base = {
    op: record.op,
    table: tableKey(schema.id),
    version: record.commitLsn.toString(),
    lsn: record.lsn.toString(),
    ordinal: record.ordinal,
    ...(record.snapshotRead === undefined ? {} : { snapshotRead: record.snapshotRead }),
  };
  if (record.op === 'delete') {
    const key = columns(schema, record.before, schema.keyColumns).values;
    return { ...base, key, ...(withBefore && record.fullBefore ? { before: columns(schema, record.before).values } : {}) };
  }
  const row = columns(schema, record.after);
  const key = columns(schema, record.after, schema.keyColumns).values;
  const oldKey =
    record.op === 'update' && record.oldKey !== undefined
      ? Object.fromEntries(schema.keyColumns.map((k, i) => [k, jsonValue(record.oldKey?.[i] ?? null)]))
      : undefined;
  const before = record.op === 'update' && withBefore && record.before !== undefined ? columns(schema, record.before).values : undefined;
  return {
    ...base,
    key,
    row: row.values,
    ...(row.unchanged.length > 0 ? { unchanged: row.unchanged } : {}),
    ...(oldKey === undefined ? {} : { oldKey }),
    ...(before === undefined ? {} : { before }),
  };
}

/** Stream order of changes (the sink's replay horizon): by version, then lsn, then ordinal. */
export function positionOf(record: ChangeRecord): LinePosition {
  return { version: record.commitLsn, lsn: record.lsn, ordinal: record.ordinal };
}

export function linePosition(line: ChangeLine): LinePosition {
  return { version: BigInt(line.version), lsn: BigInt(line.lsn), ordinal: line.ordinal };
}

export function after(a: LinePosition, b: LinePosition): boolean {
  if (a.version !== b.version) return a.version > b.version;
  if (a.lsn !== b.lsn) return a.lsn > b.lsn;
  return a.ordinal > b.ordinal;
}
