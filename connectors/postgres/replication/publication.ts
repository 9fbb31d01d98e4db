/**
 * The publication: created FOR TABLE the selected tables when missing; when it exists, missing
 * tables are added (ALTER PUBLICATION ADD TABLE). Tables a user added are never removed.
 */
import type pg from 'pg';
import { tableKey, type TableId } from '../../../core/index.js';
import { displayName, qualified, quoteIdent } from '../catalog.js';
import { setupError } from '../errors.js';

export interface PublicationInfo {
  readonly name: string;
  readonly allTables: boolean;
  /** Operations it publishes that dbmazz needs but it lacks (insert, update, delete, truncate). */
  readonly missingOperations: readonly string[];
  readonly tables: readonly TableId[];
}

export async function readPublication(client: pg.ClientBase, name: string): Promise<PublicationInfo | undefined> {
  const res = await client.query<{
    puballtables: boolean;
    pubinsert: boolean;
    pubupdate: boolean;
    pubdelete: boolean;
    pubtruncate: boolean;
  }>(`SELECT puballtables, pubinsert, pubupdate, pubdelete, pubtruncate FROM pg_catalog.pg_publication WHERE pubname = $1`, [name]);
  const p = res.rows[0];
  if (!p) return undefined;
  const tables = await client.query<{ schemaname: string; tablename: string }>(
    `SELECT schemaname::text, tablename::text FROM pg_catalog.pg_publication_tables WHERE pubname = $1`,
    [name],
  );
  const ops: Array<[string, boolean]> = [
    ['insert', p.pubinsert],
    ['update', p.pubupdate],
    ['delete', p.pubdelete],
    ['truncate', p.pubtruncate],
  ];
  return {
    name,
    allTables: p.puballtables,
    missingOperations: ops.filter(([, on]) => !on).map(([op]) => op),
    tables: tables.rows.map((r) => ({ schema: r.schemaname, name: r.tablename })),
  };
}

/** Throws (touching nothing) when the publication does not publish what dbmazz needs. Pure. */
export function checkPublicationUsable(p: PublicationInfo): void {
  if (p.missingOperations.length > 0) {
    throw setupError(
      `Publication '${p.name}' does not publish ${p.missingOperations.join(', ')}.`,
      `Run: ALTER PUBLICATION ${quoteIdent(p.name)} SET (publish = 'insert, update, delete, truncate');`,
    );
  }
}

/** Tables of `wanted` the publication lacks. Pure. */
export function missingTables(p: PublicationInfo, wanted: readonly TableId[]): TableId[] {
  if (p.allTables) return [];
  const have = new Set(p.tables.map(tableKey));
  return wanted.filter((t) => !have.has(tableKey(t)));
}

export async function createPublication(client: pg.ClientBase, name: string, tables: readonly TableId[]): Promise<void> {
  // publish_via_partition_root: changes of a partitioned table arrive under the table's own name.
  await client.query(`CREATE PUBLICATION ${quoteIdent(name)} FOR TABLE ${tables.map(qualified).join(', ')} WITH (publish_via_partition_root = true)`);
}

export async function addTables(client: pg.ClientBase, name: string, tables: readonly TableId[]): Promise<void> {
  if (tables.length === 0) return;
  await client.query(`ALTER PUBLICATION ${quoteIdent(name)} ADD TABLE ${tables.map(qualified).join(', ')}`);
}

export async function dropPublication(client: pg.ClientBase, name: string): Promise<void> {
  await client.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(name)}`);
}

export function describeTables(tables: readonly TableId[]): string {
  return tables.map(displayName).join(', ');
}
