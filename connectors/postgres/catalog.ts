/**
 * Catalog reads on a normal connection: tables (existence, replica identity, primary key, unique
 * indexes, columns) and type metadata for the TypeRegistry. Read-only.
 */
import type pg from 'pg';
import type { TableId, TableSchema } from '../../core/index.js';
import { columnSchema, type PgTypeRow, type TypeRegistry } from './codec/pg-types.js';

export interface CatalogColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typeModifier: number;
}

/** A unique index, with its key columns in index order. */
export interface CatalogIndex {
  readonly name: string;
  readonly columns: readonly string[];
}

export interface CatalogTable {
  readonly id: TableId;
  readonly oid: number;
  /** 'r' table, 'p' partitioned table. */
  readonly relkind: string;
  /** d default, n nothing, f full, i index. */
  readonly replicaIdentity: string;
  /** Primary key column names in key order (empty when there is none). */
  readonly primaryKey: readonly string[];
  /** The index of REPLICA IDENTITY USING INDEX (replicaIdentity 'i'). */
  readonly identityIndex: CatalogIndex | undefined;
  /**
   * Unique indexes that `REPLICA IDENTITY USING INDEX` accepts: not partial, no expressions, not
   * deferrable, valid, every key column NOT NULL (for the operator hint when a table has no key).
   */
  readonly candidateIndexes: readonly CatalogIndex[];
  /** Set when the index behind the replication key is DEFERRABLE (setup refuses the table). */
  readonly deferrableKey: DeferrableKey | undefined;
  readonly columns: readonly CatalogColumn[];
}

/**
 * A key whose uniqueness PostgreSQL checks at the end of the statement (DEFERRABLE INITIALLY
 * IMMEDIATE) or of the transaction (INITIALLY DEFERRED) instead of row by row.
 */
export interface DeferrableKey {
  /** The constraint's name (the index's when no constraint owns it). */
  readonly constraint: string;
  readonly kind: 'primary key' | 'replica identity index';
  readonly initiallyDeferred: boolean;
  readonly columns: readonly string[];
}

/**
 * The columns rows are identified by, in key order: the primary key; without one, the columns of the
 * REPLICA IDENTITY USING INDEX index (unique and NOT NULL, and exactly what pgoutput sends as the old
 * key of updates and deletes). Empty when the table has neither (setup refuses it).
 */
export function replicationKey(t: CatalogTable): readonly string[] {
  if (t.primaryKey.length > 0) return t.primaryKey;
  if (t.replicaIdentity === 'i' && t.identityIndex) return t.identityIndex.columns;
  return [];
}

/** How a table is named to the operator: `orders` for public tables, `sales.orders` otherwise. */
export function displayName(id: TableId): string {
  return id.schema === 'public' ? id.name : `${id.schema}.${id.name}`;
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export function qualified(id: TableId): string {
  return `${quoteIdent(id.schema)}.${quoteIdent(id.name)}`;
}

/** The table, or undefined when there is no such table (views and other relation kinds do not count). */
export async function readTable(client: pg.ClientBase, id: TableId): Promise<CatalogTable | undefined> {
  const rel = await client.query<{ oid: string; relkind: string; relreplident: string }>(
    `SELECT c.oid::int8::text AS oid, c.relkind::text AS relkind, c.relreplident::text AS relreplident
       FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [id.schema, id.name],
  );
  const row = rel.rows[0];
  if (!row) return undefined;
  const oid = Number(row.oid);
  const cols = await client.query<{ name: string; typeoid: string; typmod: number }>(
    `SELECT a.attname AS name, a.atttypid::int8::text AS typeoid, a.atttypmod AS typmod
       FROM pg_catalog.pg_attribute a
      WHERE a.attrelid = $1::int8::oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      ORDER BY a.attnum`,
    [oid],
  );
  const pk = await client.query<{ name: string }>(
    `SELECT a.attname AS name
       FROM pg_catalog.pg_index i
       CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
       JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::int8::oid AND i.indisprimary
      ORDER BY k.ord`,
    [oid],
  );
  const indexes = await readUniqueIndexes(client, oid);
  const primaryKey = pk.rows.map((r) => r.name);
  const identityIndex = indexes.find((i) => i.replident);
  return {
    id,
    oid,
    relkind: row.relkind,
    replicaIdentity: row.relreplident,
    primaryKey,
    identityIndex,
    candidateIndexes: indexes.filter((i) => i.usable && !i.primary),
    deferrableKey: deferrableKey(primaryKey.length > 0 ? indexes.find((i) => i.primary) : row.relreplident === 'i' ? identityIndex : undefined),
    columns: cols.rows.map((c) => ({ name: c.name, typeOid: Number(c.typeoid), typeModifier: c.typmod })),
  };
}

interface UniqueIndexRow extends CatalogIndex {
  readonly primary: boolean;
  readonly replident: boolean;
  readonly usable: boolean;
  /** False for the index of a DEFERRABLE constraint (pg_index.indimmediate). */
  readonly immediate: boolean;
  /** The PRIMARY KEY or UNIQUE constraint that owns the index, if any. */
  readonly constraint: string | undefined;
  readonly initiallyDeferred: boolean;
}

function deferrableKey(index: UniqueIndexRow | undefined): DeferrableKey | undefined {
  if (!index || index.immediate) return undefined;
  return {
    constraint: index.constraint ?? index.name,
    kind: index.primary ? 'primary key' : 'replica identity index',
    initiallyDeferred: index.initiallyDeferred,
    columns: index.columns,
  };
}

/** The unique indexes of a table, with their key columns (indnkeyatts: INCLUDE columns excluded). */
async function readUniqueIndexes(client: pg.ClientBase, oid: number): Promise<UniqueIndexRow[]> {
  const res = await client.query<{
    name: string;
    primary: boolean;
    replident: boolean;
    immediate: boolean;
    plain: boolean;
    columns: string[] | null;
    notnull: boolean | null;
    constraint: string | null;
    deferred: boolean | null;
  }>(
    `SELECT ic.relname AS name, i.indisprimary AS primary, i.indisreplident AS replident, i.indimmediate AS immediate,
            (i.indpred IS NULL AND i.indexprs IS NULL AND i.indimmediate AND i.indisvalid) AS plain,
            (SELECT array_agg(a.attname::text ORDER BY k.ord)
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE k.ord <= i.indnkeyatts) AS columns,
            (SELECT bool_and(a.attnotnull)
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              WHERE k.ord <= i.indnkeyatts) AS notnull,
            con.conname::text AS constraint, con.condeferred AS deferred
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
       LEFT JOIN pg_catalog.pg_constraint con
              ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u')
      WHERE i.indrelid = $1::int8::oid AND i.indisunique
      ORDER BY ic.relname`,
    [oid],
  );
  return res.rows.map((r) => ({
    name: r.name,
    columns: r.columns ?? [],
    primary: r.primary,
    replident: r.replident,
    usable: r.plain && r.notnull === true && (r.columns?.length ?? 0) > 0,
    immediate: r.immediate,
    constraint: r.constraint ?? undefined,
    initiallyDeferred: r.deferred === true,
  }));
}

/** Asks pg_type about every OID the registry does not know yet, following domains and arrays. */
export async function resolveTypes(client: pg.ClientBase, registry: TypeRegistry, oids: Iterable<number>): Promise<void> {
  const rows = new Map<number, PgTypeRow>();
  let missing = registry.missing(oids);
  // Fetch the whole closure (a domain's base, an array's element) before adding anything.
  for (let depth = 0; missing.length > 0 && depth < 8; depth++) {
    const res = await client.query<{
      oid: string;
      typname: string;
      typtype: string;
      typbasetype: string;
      typelem: string;
      typdelim: string;
      typcategory: string;
    }>(
      `SELECT t.oid::int8::text AS oid, t.typname, t.typtype::text AS typtype, t.typbasetype::int8::text AS typbasetype,
              t.typelem::int8::text AS typelem, t.typdelim::text AS typdelim, t.typcategory::text AS typcategory
         FROM pg_catalog.pg_type t WHERE t.oid = ANY($1::int8[]::oid[])`,
      [missing],
    );
    for (const r of res.rows) {
      rows.set(Number(r.oid), {
        oid: Number(r.oid),
        typname: r.typname,
        typtype: r.typtype,
        typbasetype: Number(r.typbasetype),
        typelem: Number(r.typelem),
        typdelim: r.typdelim,
        typcategory: r.typcategory,
      });
    }
    const referenced = res.rows.flatMap((r) => [Number(r.typbasetype), Number(r.typelem)]);
    missing = registry.missing(referenced).filter((oid) => !rows.has(oid));
  }
  // Unknown OIDs stay `other` (decoded as text).
  if (rows.size > 0) registry.addRows([...rows.values()]);
}

/** The TableSchema of a catalog table: same column mapping as the relation cache. */
export function tableSchema(t: CatalogTable, registry: TypeRegistry, version = 1): TableSchema {
  const key = replicationKey(t);
  const columns = t.columns.map((c) => columnSchema(c.name, registry.lookup(c.typeOid), c.typeModifier, key.includes(c.name)));
  return { id: t.id, columns, keyColumns: [...key], version };
}
