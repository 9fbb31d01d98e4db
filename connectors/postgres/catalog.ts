/**
 * Catalog reads on a normal connection: tables (existence, replica identity, primary key, columns)
 * and type metadata for the TypeRegistry. Read-only.
 */
import type pg from 'pg';
import type { TableId, TableSchema } from '../../core/index.js';
import { columnSchema, type PgTypeRow, type TypeRegistry } from './codec/pg-types.js';

export interface CatalogColumn {
  readonly name: string;
  readonly typeOid: number;
  readonly typeModifier: number;
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
  readonly columns: readonly CatalogColumn[];
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
  return {
    id,
    oid,
    relkind: row.relkind,
    replicaIdentity: row.relreplident,
    primaryKey: pk.rows.map((r) => r.name),
    columns: cols.rows.map((c) => ({ name: c.name, typeOid: Number(c.typeoid), typeModifier: c.typmod })),
  };
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
  const columns = t.columns.map((c) =>
    columnSchema(c.name, registry.lookup(c.typeOid), c.typeModifier, t.primaryKey.includes(c.name)),
  );
  return { id: t.id, columns, keyColumns: [...t.primaryKey], version };
}
