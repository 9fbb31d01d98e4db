/**
 * Live table changes for the control API (ReloadConfig.tables) and the slot report for monitoring.
 * Added for issue 5; kept apart from setup.ts so the setup path is unchanged.
 *
 * - `checkTables` runs the same per-table checks as setup (exists, key, replica identity, no
 *   DEFERRABLE key, money scale) and changes nothing.
 * - `publishTables` adds tables to the publication (ALTER PUBLICATION ... ADD TABLE) unless it already
 *   publishes them (or is FOR ALL TABLES). Changes committed after it are streamed: pgoutput re-reads
 *   the publication membership when it decodes the ALTER PUBLICATION.
 * - `unpublishTables` drops tables from the publication (ALTER PUBLICATION ... DROP TABLE); a FOR ALL
 *   TABLES publication cannot drop one, which the result says.
 * Existing rows of an added table are copied by the snapshot engine (PostgresSource.addTables plans it
 * before publishing), beside the changes committed after the add.
 */
import type pg from 'pg';
import { parseLsn, tableKey, type SourceServerStatus, type TableId, type TableSchema } from '../../core/index.js';
import { qualified, quoteIdent, readTable, resolveTypes, tableSchema, type CatalogTable } from './catalog.js';
import type { TypeRegistry } from './codec/pg-types.js';
import type { PostgresConfig } from './config.js';
import { setupError } from './errors.js';
import { readPublication } from './replication/publication.js';
import { checkMoney, tableProblems } from './setup.js';

export async function checkTables(client: pg.ClientBase, cfg: PostgresConfig, registry: TypeRegistry, ids: readonly TableId[]): Promise<TableSchema[]> {
  const found: CatalogTable[] = [];
  const problems: string[] = [];
  for (const id of ids) {
    const t = await readTable(client, id);
    problems.push(...tableProblems(id, t, cfg));
    if (t) found.push(t);
  }
  if (problems.length > 0) throw setupError(problems.join('\n'), 'Fix the tables, then ask again; nothing was changed.');
  await resolveTypes(
    client,
    registry,
    found.flatMap((t) => t.columns.map((c) => c.typeOid)),
  );
  const schemas = found.map((t) => tableSchema(t, registry));
  await checkMoney(client, schemas);
  return schemas;
}

/** Adds the tables the publication lacks; returns those it added. */
export async function publishTables(client: pg.ClientBase, cfg: PostgresConfig, ids: readonly TableId[]): Promise<TableId[]> {
  const pub = await readPublication(client, cfg.publicationName);
  if (!pub) {
    throw setupError(`Publication '${cfg.publicationName}' does not exist.`, 'Restart dbmazz: setup creates it.');
  }
  if (pub.allTables) return [];
  const have = new Set(pub.tables.map(tableKey));
  const missing = ids.filter((t) => !have.has(tableKey(t)));
  if (missing.length > 0) {
    await client.query(`ALTER PUBLICATION ${quoteIdent(cfg.publicationName)} ADD TABLE ${missing.map(qualified).join(', ')}`);
  }
  return missing;
}

export interface UnpublishResult {
  /** Tables dropped from the publication. */
  readonly dropped: readonly TableId[];
  /** True when the publication is FOR ALL TABLES (nothing can be dropped from it). */
  readonly allTables: boolean;
}

export async function unpublishTables(client: pg.ClientBase, cfg: PostgresConfig, ids: readonly TableId[]): Promise<UnpublishResult> {
  const pub = await readPublication(client, cfg.publicationName);
  if (!pub) return { dropped: [], allTables: false };
  if (pub.allTables) return { dropped: [], allTables: true };
  const have = new Set(pub.tables.map(tableKey));
  const present = ids.filter((t) => have.has(tableKey(t)));
  if (present.length > 0) {
    await client.query(`ALTER PUBLICATION ${quoteIdent(cfg.publicationName)} DROP TABLE ${present.map(qualified).join(', ')}`);
  }
  return { dropped: present, allTables: false };
}

/** pg_replication_slots for the slot, as the generic server status (wal_status/safe_wal_size: PostgreSQL 13, the minimum validateServer checks). */
export async function readSlotStatus(client: pg.ClientBase, slotName: string): Promise<SourceServerStatus> {
  const res = await client.query<{
    active: boolean;
    wal_status: string | null;
    safe_wal_size: string | null;
    retained: string | null;
    confirmed: string | null;
  }>(
    `SELECT active, wal_status::text AS wal_status, safe_wal_size::text AS safe_wal_size,
            pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)::bigint::text AS retained,
            confirmed_flush_lsn::text AS confirmed
       FROM pg_catalog.pg_replication_slots WHERE slot_name = $1`,
    [slotName],
  );
  const r = res.rows[0];
  if (!r) {
    return { name: slotName, exists: false, active: false, retention: undefined, safeBytes: undefined, retainedBytes: undefined, confirmedPosition: undefined };
  }
  return {
    name: slotName,
    exists: true,
    active: r.active,
    retention: r.wal_status ?? undefined,
    safeBytes: r.safe_wal_size === null ? undefined : BigInt(r.safe_wal_size),
    retainedBytes: r.retained === null ? undefined : BigInt(r.retained),
    confirmedPosition: r.confirmed === null ? undefined : parseLsn(r.confirmed),
  };
}
