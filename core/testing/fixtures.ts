/**
 * Builders for test streams: table schemas and transactions with increasing LSNs, as a source would
 * emit them (every change carries its transaction's end LSN; the commit event comes last).
 */
import type { ChangeRecord } from '../model/change-record.js';
import type { Lsn } from '../model/lsn.js';
import type { ColumnSchema, TableId, TableSchema, ValueFamily } from '../model/table.js';
import type { Cell, Value } from '../model/value.js';
import type { SourceEvent } from '../plugin/source.js';

export interface ColumnSpec {
  readonly name: string;
  readonly family?: ValueFamily;
  readonly isKey?: boolean;
}

const TYPE_NAMES: Partial<Record<ValueFamily, string>> = { int8: 'int8', int4: 'int4', text: 'text', boolean: 'bool' };

/** A table schema; by default `id int8` (key) and `value text`, schema `public`. */
export function testTable(
  name: string,
  opts: { readonly schema?: string; readonly columns?: readonly ColumnSpec[]; readonly version?: number } = {},
): TableSchema {
  const specs = opts.columns ?? [
    { name: 'id', family: 'int8', isKey: true },
    { name: 'value', family: 'text' },
  ];
  const columns: ColumnSchema[] = specs.map((c) => ({
    name: c.name,
    typeName: TYPE_NAMES[c.family ?? 'text'] ?? c.family ?? 'text',
    typeOid: 0,
    typeModifier: -1,
    isKey: c.isKey ?? false,
    family: c.family ?? 'text',
  }));
  return {
    id: { schema: opts.schema ?? 'public', name },
    columns,
    keyColumns: columns.filter((c) => c.isKey).map((c) => c.name),
    version: opts.version ?? 1,
  };
}

/** The same table with one more column (a new schema object and version). */
export function withColumn(schema: TableSchema, column: ColumnSpec): TableSchema {
  const added: ColumnSchema = {
    name: column.name,
    typeName: column.family ?? 'text',
    typeOid: 0,
    typeModifier: -1,
    isKey: column.isKey ?? false,
    family: column.family ?? 'text',
  };
  return { ...schema, columns: [...schema.columns, added], version: schema.version + 1 };
}

type Pending =
  | { readonly kind: 'insert'; readonly schema: TableSchema; readonly lsn: Lsn; readonly ordinal: number; readonly after: readonly Value[] }
  | { readonly kind: 'update'; readonly schema: TableSchema; readonly lsn: Lsn; readonly ordinal: number; readonly after: readonly Cell[] }
  | { readonly kind: 'delete'; readonly schema: TableSchema; readonly lsn: Lsn; readonly ordinal: number; readonly before: readonly Cell[] }
  | { readonly kind: 'schema'; readonly schema: TableSchema; readonly previous: TableSchema | undefined }
  | { readonly kind: 'truncate'; readonly tables: readonly TableId[]; readonly lsn: Lsn };

export interface TransactionScope {
  insert(schema: TableSchema, after: readonly Value[]): void;
  /** Rows inserted by one WAL record (COPY, multi-row insert): one LSN, ordinals 0, 1, 2, ... */
  insertMany(schema: TableSchema, rows: readonly (readonly Value[])[]): void;
  update(schema: TableSchema, after: readonly Cell[]): void;
  delete(schema: TableSchema, before: readonly Cell[]): void;
  /** A schema event: later changes of the table should carry `schema`. */
  schema(schema: TableSchema, previous?: TableSchema): void;
  truncate(...tables: readonly TableSchema[]): void;
}

/** Hands out positions in steps of 0x10, like WAL records (commit end = commit start + 8). */
export class StreamBuilder {
  private position: Lsn;
  private readonly commitMicros = 1_700_000_000_000_000n;

  constructor(start: Lsn = 0x1_0000n) {
    this.position = start;
  }

  /** The last position handed out. */
  get current(): Lsn {
    return this.position;
  }

  private next(): Lsn {
    this.position += 0x10n;
    return this.position;
  }

  /** The events of one transaction: its changes in order, then the commit. */
  transaction(build: (tx: TransactionScope) => void): SourceEvent[] {
    const pending: Pending[] = [];
    build({
      insert: (schema, after) => pending.push({ kind: 'insert', schema, lsn: this.next(), ordinal: 0, after }),
      insertMany: (schema, rows) => {
        const lsn = this.next();
        rows.forEach((after, ordinal) => pending.push({ kind: 'insert', schema, lsn, ordinal, after }));
      },
      update: (schema, after) => pending.push({ kind: 'update', schema, lsn: this.next(), ordinal: 0, after }),
      delete: (schema, before) => pending.push({ kind: 'delete', schema, lsn: this.next(), ordinal: 0, before }),
      schema: (schema, previous) => pending.push({ kind: 'schema', schema, previous }),
      truncate: (...tables) => pending.push({ kind: 'truncate', tables: tables.map((t) => t.id), lsn: this.next() }),
    });
    // As in PostgreSQL: records carry the commit record's start, the commit event confirms its end.
    const commitLsn = this.next();
    const position = commitLsn + 0x8n;
    const base = { commitLsn, commitTimeMicros: this.commitMicros };
    const events: SourceEvent[] = pending.map((p): SourceEvent => {
      switch (p.kind) {
        case 'insert':
          return change({ op: 'insert', schema: p.schema, lsn: p.lsn, ordinal: p.ordinal, after: p.after, ...base });
        case 'update':
          return change({ op: 'update', schema: p.schema, lsn: p.lsn, ordinal: p.ordinal, after: p.after, ...base });
        case 'delete':
          return change({ op: 'delete', schema: p.schema, lsn: p.lsn, ordinal: p.ordinal, before: p.before, fullBefore: false, ...base });
        case 'schema':
          return { kind: 'schema', schema: p.schema, previous: p.previous };
        case 'truncate':
          return { kind: 'truncate', tables: p.tables, lsn: p.lsn, commitLsn };
      }
    });
    events.push({ kind: 'commit', position, commitLsn, commitTimeMicros: this.commitMicros });
    return events;
  }

  /** `count` single-insert transactions into `schema`, ids from `firstId`. */
  inserts(schema: TableSchema, count: number, firstId = 1): SourceEvent[] {
    const events: SourceEvent[] = [];
    for (let i = 0; i < count; i++) {
      events.push(...this.transaction((tx) => tx.insert(schema, [BigInt(firstId + i), `v${firstId + i}`])));
    }
    return events;
  }

  /** An idle event at a position past everything handed out. */
  idle(): SourceEvent {
    return { kind: 'idle', position: this.next() };
  }
}

function change(record: ChangeRecord): SourceEvent {
  return { kind: 'change', record };
}

/** The commit position of a transaction's events (its last event). */
export function commitOf(events: readonly SourceEvent[]): Lsn {
  const last = events[events.length - 1];
  if (last?.kind !== 'commit') throw new TypeError('events do not end with a commit');
  return last.position;
}
