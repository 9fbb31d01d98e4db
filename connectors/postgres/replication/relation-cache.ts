/**
 * Relation metadata by relation OID, replaced on every Relation message. pgoutput sends a Relation
 * before the first change of a table in a session and again after its shape changes (ALTER TABLE):
 * the cache reports whether the shape differs from what was known, so the source can emit a `schema`
 * event (with the previous schema) before the first record with the new shape.
 *
 * Key columns are the primary key. With REPLICA IDENTITY FULL pgoutput flags every column as "key", so
 * the primary key known from setup is used instead of the flags.
 */
import { sameColumnType, tableKey, type ColumnSchema, type TableId, type TableSchema } from '../../../core/index.js';
import { columnSchema, type PgTypeInfo } from '../codec/pg-types.js';
import type { RelationMessage, ReplicaIdentity } from './pgoutput-types.js';

export interface RelationEntry {
  readonly oid: number;
  readonly schema: TableSchema;
  /** Column types aligned with `schema.columns`. */
  readonly types: readonly PgTypeInfo[];
  /** Indexes of the key columns in `schema.columns`, in key order. */
  readonly keyIndexes: readonly number[];
  readonly replicaIdentity: ReplicaIdentity;
  /** Whether the table is one of the selected tables (others in the publication are ignored). */
  readonly selected: boolean;
}

export interface RelationUpdate {
  readonly entry: RelationEntry;
  /** True when the shape differs from the last one known for this table. */
  readonly changed: boolean;
  readonly previous: TableSchema | undefined;
}

export interface RelationCacheOptions {
  /** Resolves a type OID (unknown OIDs must come back as an `other` placeholder). */
  readonly lookupType: (oid: number) => PgTypeInfo;
  /** Tables to stream; changes of other tables are marked `selected: false`. */
  readonly tables: readonly TableId[];
  /** Schemas known from setup: the baseline that the first Relation message is compared with. */
  readonly known?: readonly TableSchema[];
}

function sameColumn(a: ColumnSchema, b: ColumnSchema): boolean {
  return a.name === b.name && a.isKey === b.isKey && sameColumnType(a, b);
}

export function sameShape(a: TableSchema, b: TableSchema): boolean {
  return (
    tableKey(a.id) === tableKey(b.id) &&
    a.columns.length === b.columns.length &&
    a.columns.every((c, i) => {
      const other = b.columns[i];
      return other !== undefined && sameColumn(c, other);
    }) &&
    a.keyColumns.length === b.keyColumns.length &&
    a.keyColumns.every((k, i) => k === b.keyColumns[i])
  );
}

export class RelationCache {
  private readonly byOid = new Map<number, RelationEntry>();
  /** Last schema per table key (from setup or the stream). */
  private readonly latest = new Map<string, TableSchema>();
  private readonly selected: Set<string>;

  constructor(private readonly opts: RelationCacheOptions) {
    this.selected = new Set(opts.tables.map(tableKey));
    for (const s of opts.known ?? []) this.latest.set(tableKey(s.id), s);
  }

  /**
   * Changes which tables are streamed (live table changes): entries already cached are updated, so the
   * next change of an added table is delivered even when its Relation message came earlier. `known`
   * (from the catalog) is the baseline its first Relation message is compared with, as at setup.
   */
  setSelected(id: TableId, selected: boolean, known?: TableSchema): void {
    const key = tableKey(id);
    if (known !== undefined && !this.latest.has(key)) this.latest.set(key, known);
    if (selected) this.selected.add(key);
    else this.selected.delete(key);
    for (const [oid, entry] of this.byOid) {
      if (tableKey(entry.schema.id) === key && entry.selected !== selected) this.byOid.set(oid, { ...entry, selected });
    }
  }

  get(oid: number): RelationEntry | undefined {
    return this.byOid.get(oid);
  }

  /** The last known schema of a table. */
  schemaOf(id: TableId): TableSchema | undefined {
    return this.latest.get(tableKey(id));
  }

  apply(msg: RelationMessage): RelationUpdate {
    const id: TableId = { schema: msg.namespace, name: msg.name };
    const key = tableKey(id);
    const before = this.byOid.get(msg.relationOid);
    const previous = before?.schema ?? this.latest.get(key);
    const keyNames = this.keyNames(msg, previous);
    const types = msg.columns.map((c) => this.opts.lookupType(c.typeOid));
    const columns = msg.columns.map((c, i) => columnSchema(c.name, types[i] ?? this.opts.lookupType(c.typeOid), c.typeModifier, keyNames.includes(c.name)));
    const draft: TableSchema = { id, columns, keyColumns: keyNames, version: (previous?.version ?? 0) + 1 };
    const changed = previous === undefined || !sameShape(previous, draft);
    const schema = changed ? draft : previous;
    const keyIndexes = keyNames.map((k) => columns.findIndex((c) => c.name === k));
    const entry: RelationEntry = {
      oid: msg.relationOid,
      schema,
      types,
      keyIndexes,
      replicaIdentity: msg.replicaIdentity,
      selected: this.selected.has(key),
    };
    this.byOid.set(msg.relationOid, entry);
    this.latest.set(key, schema);
    return { entry, changed, previous };
  }

  private keyNames(msg: RelationMessage, previous: TableSchema | undefined): string[] {
    const flagged = msg.columns.filter((c) => c.isKey).map((c) => c.name);
    const names = new Set(msg.columns.map((c) => c.name));
    const knownKey = previous?.keyColumns.filter((k) => names.has(k)) ?? [];
    if (msg.replicaIdentity === 'default') {
      // Flags are the primary key; keep the known key order when it is the same set.
      const same = knownKey.length === flagged.length && knownKey.every((k) => flagged.includes(k));
      return same ? knownKey : flagged;
    }
    // FULL flags every column and INDEX flags the index: the primary key comes from the catalog.
    return knownKey.length > 0 ? knownKey : flagged;
  }
}
