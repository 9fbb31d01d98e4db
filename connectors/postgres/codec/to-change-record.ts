/**
 * Transaction assembly: decoded pgoutput messages → source events, without buffering.
 *
 * Design (so huge transactions still respect backpressure): records are emitted as their messages
 * arrive, each stamped with its own LSN (the XLogData walStart of the change) plus an ordinal among the
 * changes sharing that LSN (the rows of one multi-insert record, e.g. COPY), and with the
 * transaction's `commitLsn` = Begin's final_lsn (the commit record's LSN, known up front). The
 * transaction's end is announced by a `commit` event whose `position` is Commit's end_lsn: that is the
 * position to confirm once every record before it is durable (confirming end_lsn makes PostgreSQL
 * skip the transaction on restart; confirming final_lsn would replay it).
 *
 * Values: unchanged TOAST cells stay UNCHANGED unless the old row is known (REPLICA IDENTITY FULL),
 * in which case they are filled from it. A primary key change yields `oldKey`.
 */
import {
  CdcError,
  DecimalValue,
  JsonText,
  SpecialNumber,
  TemporalValue,
  UNCHANGED,
  isUnchanged,
  type Cell,
  type ChangeRecord,
  type Lsn,
  type SourceEvent,
  type TableId,
  type UpdateRecord,
  type Value,
} from '../../../core/index.js';
import type { RelationCache, RelationEntry } from '../replication/relation-cache.js';
import type { PgoutputMessage, TupleData, UpdateMessage } from '../replication/pgoutput-types.js';
import type { PgTypeInfo } from './pg-types.js';
import { decodeTextValue, TextValueError } from './text-values.js';

interface OpenTransaction {
  readonly finalLsn: Lsn;
  readonly commitTimeMicros: bigint;
  /** Transactions that end before the resume point are skipped (PostgreSQL does so too). */
  readonly skip: boolean;
}

function protocolError(message: string, cause?: unknown): CdcError {
  return new CdcError({
    code: 'SOURCE_PROTOCOL',
    message,
    hint: 'This is a bug or an unsupported PostgreSQL version; report it with the server version.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Deep equality of cells (used to tell whether the key changed). */
export function cellsEqual(a: Cell, b: Cell): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x: Value, i: number) => cellsEqual(x, b[i] as Value));
  }
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  }
  const textual = (v: object): string | undefined =>
    v instanceof DecimalValue || v instanceof JsonText || v instanceof SpecialNumber
      ? `${v.kind}:${v.text}`
      : v instanceof TemporalValue
        ? `${v.type}:${v.text}`
        : undefined;
  const ta = textual(a);
  return ta !== undefined && ta === textual(b);
}

export class TransactionAssembler {
  private tx: OpenTransaction | undefined;
  /** The LSN of the last emitted change and how many changes carried it (ordinals, see ChangeRecord). */
  private lastLsn: Lsn = -1n;
  private sameLsnCount = 0;

  constructor(
    private readonly relations: RelationCache,
    /** The position streaming resumed from. */
    private readonly startLsn: Lsn,
  ) {}

  get inTransaction(): boolean {
    return this.tx !== undefined;
  }

  /** Events for one message that arrived in an XLogData starting at `walStart`. */
  apply(msg: PgoutputMessage, walStart: Lsn): SourceEvent[] {
    switch (msg.tag) {
      case 'begin':
        if (this.tx) throw protocolError('pgoutput: Begin inside an open transaction');
        this.tx = { finalLsn: msg.finalLsn, commitTimeMicros: msg.commitTimeMicros, skip: msg.finalLsn < this.startLsn };
        // Ordinals count within the transaction, so a replay (which starts at a Begin) numbers alike.
        this.lastLsn = -1n;
        this.sameLsnCount = 0;
        return [];
      case 'commit': {
        const tx = this.open('Commit');
        this.tx = undefined;
        if (msg.commitLsn !== tx.finalLsn) throw protocolError('pgoutput: Commit LSN differs from the Begin final LSN');
        if (tx.skip) return [];
        return [{ kind: 'commit', position: msg.endLsn, commitLsn: tx.finalLsn, commitTimeMicros: tx.commitTimeMicros }];
      }
      case 'relation': {
        const u = this.relations.apply(msg);
        if (!u.changed || !u.entry.selected) return [];
        return [{ kind: 'schema', schema: u.entry.schema, previous: u.previous }];
      }
      case 'insert':
      case 'update':
      case 'delete':
        return this.change(msg, walStart);
      case 'truncate': {
        const tx = this.open('Truncate');
        if (tx.skip) return [];
        const tables: TableId[] = [];
        for (const oid of msg.relationOids) {
          const e = this.relations.get(oid);
          if (e?.selected) tables.push(e.schema.id);
        }
        return tables.length === 0 ? [] : [{ kind: 'truncate', tables, lsn: walStart, commitLsn: tx.finalLsn }];
      }
      case 'type':
      case 'origin':
      case 'message':
        return [];
    }
  }

  private open(what: string): OpenTransaction {
    if (!this.tx) throw protocolError(`pgoutput: ${what} outside a transaction`);
    return this.tx;
  }

  private change(msg: PgoutputMessage & { relationOid: number }, lsn: Lsn): SourceEvent[] {
    const tx = this.open(msg.tag);
    if (tx.skip) return [];
    const entry = this.relations.get(msg.relationOid);
    if (!entry) throw protocolError(`pgoutput: change for relation ${msg.relationOid} before its Relation message`);
    if (!entry.selected) return [];
    // COPY and multi-row inserts give every row of a heap page the same LSN: number them.
    const ordinal = lsn === this.lastLsn ? this.sameLsnCount : 0;
    this.lastLsn = lsn;
    this.sameLsnCount = ordinal + 1;
    // Plain object literals, never `{ ...base, ... }`: a spread copy keeps its fields out of the object
    // (a separate property store), measured at ~250 more heap bytes per buffered record.
    const { schema } = entry;
    const { finalLsn: commitLsn, commitTimeMicros } = tx;
    let record: ChangeRecord;
    if (msg.tag === 'insert') {
      const after = this.decode(entry, msg.newTuple);
      for (let i = 0; i < after.length; i++) {
        if (isUnchanged(after[i] ?? null)) throw protocolError(`pgoutput: unchanged value in an insert (column ${this.col(entry, i)})`);
      }
      record = { schema, lsn, ordinal, commitLsn, commitTimeMicros, op: 'insert', after: after as Value[] };
    } else if (msg.tag === 'update') {
      const { after, before, oldKey } = this.update(entry, msg);
      const update: { -readonly [K in keyof UpdateRecord]: UpdateRecord[K] } = { schema, lsn, ordinal, commitLsn, commitTimeMicros, op: 'update', after };
      if (before) update.before = before;
      if (oldKey) update.oldKey = oldKey;
      record = update;
    } else if (msg.tag === 'delete') {
      const before = this.decode(entry, msg.oldTuple);
      record = { schema, lsn, ordinal, commitLsn, commitTimeMicros, op: 'delete', before, fullBefore: msg.oldKind === 'O' };
    } else {
      return [];
    }
    return [{ kind: 'change', record }];
  }

  private update(entry: RelationEntry, msg: UpdateMessage): { after: Cell[]; before: Cell[] | undefined; oldKey: Value[] | undefined } {
    const after = this.decode(entry, msg.newTuple);
    const old = msg.oldTuple ? this.decode(entry, msg.oldTuple) : undefined;
    const before = msg.oldKind === 'O' ? old : undefined;
    if (before) {
      for (let i = 0; i < after.length; i++) {
        const b = before[i];
        if (after[i] === UNCHANGED && b !== undefined && b !== UNCHANGED) after[i] = b;
      }
    }
    if (old === undefined) {
      // No old tuple (the key did not change, REPLICA IDENTITY DEFAULT): nothing to compare.
      for (const k of entry.keyIndexes) {
        if (after[k] === UNCHANGED) throw this.unchangedKey(entry, k);
      }
      return { after, before, oldKey: undefined };
    }
    const newKey: Cell[] = [];
    const oldKey: Value[] = [];
    for (const k of entry.keyIndexes) {
      const o = old?.[k];
      if (after[k] === UNCHANGED) {
        // An unchanged (TOASTed) key column: the key did not change; its value is in the old tuple.
        if (o === undefined || o === UNCHANGED) throw this.unchangedKey(entry, k);
        after[k] = o;
      }
      newKey.push(after[k] ?? null);
      if (old) {
        if (o === undefined || isUnchanged(o)) throw protocolError(`pgoutput: old tuple lacks key column ${this.col(entry, k)}`);
        oldKey.push(o);
      }
    }
    const keyChanged = old !== undefined && !oldKey.every((v, i) => cellsEqual(v, newKey[i] ?? null));
    return { after, before, oldKey: keyChanged ? oldKey : undefined };
  }

  private unchangedKey(entry: RelationEntry, k: number): CdcError {
    return protocolError(`pgoutput: key column ${this.col(entry, k)} unchanged without an old key`);
  }

  private col(entry: RelationEntry, i: number): string {
    return `${entry.schema.id.schema}.${entry.schema.id.name}.${entry.schema.columns[i]?.name ?? `#${i}`}`;
  }

  /** The tuple's values, decoded in place: the message's tuple array becomes the record's cells. */
  private decode(entry: RelationEntry, tuple: TupleData): Cell[] {
    if (tuple.length !== entry.types.length) {
      throw protocolError(
        `pgoutput: tuple for ${entry.schema.id.schema}.${entry.schema.id.name} has ${tuple.length} columns, relation has ${entry.types.length}`,
      );
    }
    const { types } = entry;
    const cells: Cell[] = tuple;
    for (let i = 0; i < tuple.length; i++) {
      const cell = tuple[i];
      const type = types[i];
      if (typeof cell === 'string' && type !== undefined) cells[i] = this.value(entry, i, cell, type);
    }
    return cells;
  }

  private value(entry: RelationEntry, i: number, text: string, type: PgTypeInfo): Value {
    try {
      return decodeTextValue(text, type);
    } catch (e) {
      if (e instanceof TextValueError) throw protocolError(`Column ${this.col(entry, i)}: ${e.message}`, e);
      throw e;
    }
  }
}
