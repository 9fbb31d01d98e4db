/**
 * The rows the kit writes and expects: a table with `id` (int8, the key) and `note` (text), plus the
 * columns a schema change adds (text). Changes are described as operations on ids; the kit compares
 * what a target stores as text (`StoredRow`), so every sink can answer in its own format.
 */
import type { ChangeRecord } from '../../model/change-record.js';
import type { Lsn } from '../../model/lsn.js';
import type { ColumnSchema, TableId, TableSchema } from '../../model/table.js';
import type { Cell, Value } from '../../model/value.js';

/** One change at the source: the kit's table has `id` (key) and `note`. */
export type ConformanceChange =
  | { readonly op: 'insert'; readonly id: bigint; readonly note: string }
  | { readonly op: 'update'; readonly id: bigint; readonly note: string }
  | { readonly op: 'delete'; readonly id: bigint };

/** A stored row as text per column (`null` for SQL NULL): e.g. `{ id: '1', note: 'a' }`. */
export type StoredRow = Readonly<Record<string, string | null>>;

function column(name: string, family: 'int8' | 'text', isKey: boolean): ColumnSchema {
  return { name, typeName: family, typeOid: family === 'int8' ? 20 : 25, typeModifier: -1, isKey, family };
}

/** The kit's table; `extra` adds text columns after `note` (a schema change). */
export function conformanceSchema(id: TableId, extra: readonly string[] = [], version = 1): TableSchema {
  return {
    id,
    columns: [column('id', 'int8', true), column('note', 'text', false), ...extra.map((n) => column(n, 'text', false))],
    keyColumns: ['id'],
    version,
  };
}

/** Builds the records of kit-made batches with increasing positions, one transaction per batch. */
export class RecordBuilder {
  #position: Lsn;

  constructor(start: Lsn = 0x100_0000n) {
    this.#position = start;
  }

  /** One transaction: `changes` as records of `schema` (extra columns get `extra`). */
  transaction(schema: TableSchema, changes: readonly ConformanceChange[], extra: string | null = null): ChangeRecord[] {
    const lsns = changes.map(() => (this.#position += 0x10n));
    const commitLsn = (this.#position += 0x10n);
    const base = { schema, commitLsn, commitTimeMicros: 1_700_000_000_000_000n + commitLsn, ordinal: 0 };
    return changes.map((c, i): ChangeRecord => {
      const lsn = lsns[i] ?? commitLsn;
      const row = (note: string | null): Value[] => [c.id, note, ...schema.columns.slice(2).map(() => extra)];
      if (c.op === 'delete') return { ...base, op: 'delete', lsn, before: row(null), fullBefore: false };
      return { ...base, op: c.op, lsn, after: row(c.note) };
    });
  }
}

/** `id` of a record (its key, from `after` or, for a delete, `before`), as text. */
export function recordId(record: ChangeRecord): string {
  const idx = record.schema.columns.findIndex((c) => c.name === 'id');
  const values: readonly Cell[] = record.op === 'delete' ? record.before : record.after;
  return String(values[idx]);
}

/** `note` of an insert or update, as text. */
export function recordNote(record: ChangeRecord): string | undefined {
  if (record.op === 'delete') return undefined;
  const idx = record.schema.columns.findIndex((c) => c.name === 'note');
  const v = record.after[idx];
  return v === null || v === undefined ? undefined : String(v);
}

/** What a target should hold after applying `changes` in order, by id. */
export function expectedRows(changes: readonly ConformanceChange[]): Map<string, string> {
  const rows = new Map<string, string>();
  for (const c of changes) {
    if (c.op === 'delete') rows.delete(String(c.id));
    else rows.set(String(c.id), c.note);
  }
  return rows;
}

export function describeRows(rows: readonly StoredRow[]): string {
  return rows.length === 0 ? '(none)' : rows.map((r) => JSON.stringify(r)).join(', ');
}
