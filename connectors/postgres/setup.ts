/**
 * Prerequisite checks and idempotent, least-privilege setup. Every check runs before anything is
 * created, so a failing setup leaves the server as it was. Order of changes: publication first (the
 * slot decodes with the catalog as of each WAL position, so the publication must exist before the
 * slot's consistent point), then the slot. An existing slot is never dropped or recreated.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { formatLsn, type Lsn, type TableId, type TableSchema } from '../../core/index.js';
import {
  displayName,
  qualified,
  quoteIdent,
  readTable,
  replicationKey,
  resolveTypes,
  tableSchema,
  type CatalogIndex,
  type CatalogTable,
  type DeferrableKey,
} from './catalog.js';
import type { TypeRegistry } from './codec/pg-types.js';
import type { PostgresConfig } from './config.js';
import { setupError } from './errors.js';
import { addTables, checkPublicationUsable, createPublication, describeTables, missingTables, readPublication } from './replication/publication.js';
import { checkSlotUsable, createSlot, failoverSlotProblem, readSlot } from './replication/slot.js';

/**
 * The oldest PostgreSQL dbmazz supports: setup creates the publication WITH (publish_via_partition_root
 * = true), new in PostgreSQL 13 (as are pg_replication_slots.wal_status and safe_wal_size, which the
 * slot report reads).
 */
export const MIN_SERVER_VERSION_NUM = 130000;

/** Throws when `server_version_num` is below the minimum. Pure. */
export function checkServerVersion(versionNum: string, version: string, target: string): void {
  const num = Number(versionNum);
  if (Number.isInteger(num) && num >= MIN_SERVER_VERSION_NUM) return;
  const min = MIN_SERVER_VERSION_NUM / 10000;
  throw setupError(
    `PostgreSQL ${version} (server_version_num ${versionNum}) at ${target} is too old: dbmazz needs PostgreSQL ${min} or later ` +
      `(setup creates the publication WITH (publish_via_partition_root = true), which PostgreSQL ${min} introduced).`,
    `Upgrade PostgreSQL to ${min} or later; nothing was changed.`,
  );
}

/** Connectivity, server version, wal_level and the role's right to replicate. Changes nothing. */
export async function validateServer(client: pg.ClientBase, cfg: PostgresConfig): Promise<void> {
  const res = await client.query<{
    wal_level: string;
    version_num: string;
    version: string;
    rolreplication: boolean | null;
    rolsuper: boolean | null;
    role: string;
  }>(
    `SELECT current_setting('wal_level') AS wal_level, current_setting('server_version_num') AS version_num,
            current_setting('server_version') AS version, r.rolreplication, r.rolsuper, current_user::text AS role
       FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_roles r ON r.rolname = current_user`,
  );
  const row = res.rows[0];
  if (!row) throw setupError(`Could not read the server settings of ${cfg.target}.`, 'Check the connection.');
  checkServerVersion(row.version_num, row.version, cfg.target);
  const failover = cfg.failoverSlot ? failoverSlotProblem(Number(row.version_num), row.version, cfg.target) : undefined;
  if (failover !== undefined) {
    throw setupError(failover, 'Set SOURCE_FAILOVER_SLOT=false (the default), or upgrade PostgreSQL to 17 or later; nothing was changed.');
  }
  if (row.wal_level !== 'logical') {
    throw setupError(
      `PostgreSQL at ${cfg.target} has wal_level = ${row.wal_level}; logical replication needs wal_level = logical.`,
      "Set wal_level = logical in postgresql.conf (or run ALTER SYSTEM SET wal_level = 'logical') and restart PostgreSQL.",
    );
  }
  if (!row.rolreplication && !row.rolsuper) {
    throw setupError(`Role '${row.role}' may not use replication at ${cfg.target}.`, `Grant it with: ALTER ROLE ${qualifiedRole(row.role)} WITH REPLICATION;`);
  }
}

function qualifiedRole(role: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(role) ? role : `"${role.replace(/"/g, '""')}"`;
}

/** Problems of one table that stop setup (all tables are checked before anything is changed). */
export function tableProblems(id: TableId, t: CatalogTable | undefined, cfg: PostgresConfig): string[] {
  const name = displayName(id);
  if (!t) return [`Table '${name}' not found in PostgreSQL. Verify the table exists and is accessible.`];
  if (replicationKey(t).length === 0) return [noKeyProblem(id, t)];
  const problems: string[] = [];
  if (t.deferrableKey) problems.push(deferrableKeyProblem(id, t.deferrableKey));
  // With a primary key, the replica identity must carry it (an identity index that covers it does).
  const covered = t.replicaIdentity === 'i' && t.identityIndex !== undefined && t.primaryKey.every((k) => t.identityIndex?.columns.includes(k));
  if (!cfg.replicaIdentityFull && (t.replicaIdentity === 'n' || (t.replicaIdentity === 'i' && !covered))) {
    const kind = t.replicaIdentity === 'n' ? 'NOTHING' : 'USING INDEX';
    problems.push(
      `Table '${name}' has REPLICA IDENTITY ${kind}; updates and deletes would not carry the primary key. ` +
        `Run ALTER TABLE ${qualified(id)} REPLICA IDENTITY DEFAULT; (or FULL).`,
    );
  }
  return problems;
}

/**
 * A DEFERRABLE key: inside a statement (or, INITIALLY DEFERRED, a transaction) two rows may hold the
 * same key, e.g. while keys are swapped. The changes of a key are ordered by their WAL position
 * (dbmazz_cdc_version), so StarRocks could end with a key deleted or holding another row's values.
 * PostgreSQL cannot ALTER CONSTRAINT a primary key or unique constraint (only foreign keys), so the
 * fix names the replacement.
 */
function deferrableKeyProblem(id: TableId, key: DeferrableKey): string {
  const name = displayName(id);
  const table = qualified(id);
  const when = key.initiallyDeferred ? 'DEFERRABLE INITIALLY DEFERRED' : 'DEFERRABLE (INITIALLY IMMEDIATE)';
  const checked = key.initiallyDeferred ? 'at the end of each transaction' : 'at the end of each statement';
  const replacement = quoteIdent(`${key.constraint}_immediate`);
  const createIndex = `CREATE UNIQUE INDEX CONCURRENTLY ${replacement} ON ${table} (${key.columns.map(quoteIdent).join(', ')});`;
  const risk =
    `PostgreSQL checks its uniqueness only ${checked}, so two rows can hold the same key in between, and dbmazz orders ` +
    'the changes of a key by their WAL position: StarRocks could end with that key deleted or holding the wrong row.';
  if (key.kind === 'primary key') {
    return (
      `Table '${name}' has a ${when} primary key (constraint ${key.constraint}); dbmazz refuses deferrable keys. ${risk} ` +
      '(PostgreSQL does not use a deferrable primary key as replica identity either: with REPLICA IDENTITY DEFAULT, UPDATE and DELETE on a published table fail.) ' +
      'Make the key NOT DEFERRABLE; ALTER CONSTRAINT cannot change a primary key, so replace it: ' +
      `${createIndex} ALTER TABLE ${table} DROP CONSTRAINT ${quoteIdent(key.constraint)}, ADD CONSTRAINT ${quoteIdent(key.constraint)} PRIMARY KEY USING INDEX ${replacement}; ` +
      '(foreign keys that reference it must be dropped first and created again after).'
    );
  }
  return (
    `Table '${name}' is keyed by the ${when} unique index ${key.constraint} (REPLICA IDENTITY USING INDEX); dbmazz refuses deferrable keys. ${risk} ` +
    `Use a non-deferrable replica identity index: ${createIndex} ALTER TABLE ${table} REPLICA IDENTITY USING INDEX ${replacement};`
  );
}

/** No primary key and no identity index: name the table and both fixes (with a qualifying index when there is one). */
function noKeyProblem(id: TableId, t: CatalogTable): string {
  const name = displayName(id);
  const identity =
    t.replicaIdentity === 'f' ? ' (REPLICA IDENTITY FULL does not give it one)' : t.replicaIdentity === 'n' ? ' (it has REPLICA IDENTITY NOTHING)' : '';
  const candidate: CatalogIndex | undefined = t.candidateIndexes[0];
  const index = candidate ? quoteIdent(candidate.name) : '<unique index on NOT NULL columns>';
  const found =
    t.candidateIndexes.length > 0
      ? ` Unique indexes that qualify: ${t.candidateIndexes.map((i) => `${i.name} (${i.columns.join(', ')})`).join(', ')}.`
      : ' It has no unique index on NOT NULL columns; create one first.';
  return (
    `Table '${name}' has no primary key and no REPLICA IDENTITY USING INDEX${identity}; dbmazz needs a key to apply updates and deletes. ` +
    `Either add a primary key, e.g. ALTER TABLE ${qualified(id)} ADD PRIMARY KEY (id); ` +
    `or make a unique index the key: ALTER TABLE ${qualified(id)} REPLICA IDENTITY USING INDEX ${index};${found}`
  );
}

/** Tables keyed by their identity index: REPLICA IDENTITY FULL would take their key away. */
export function keyedByIdentityIndex(t: CatalogTable): boolean {
  return t.primaryKey.length === 0 && t.replicaIdentity === 'i';
}

export async function checkMoney(client: pg.ClientBase, schemas: readonly TableSchema[]): Promise<void> {
  const uses = schemas.flatMap((s) =>
    s.columns.filter((c) => c.family === 'money' || c.elementFamily === 'money').map((c) => `${displayName(s.id)}.${c.name}`),
  );
  if (uses.length === 0) return;
  const res = await client.query<{ scale: number; lc: string }>(`SELECT scale('1'::money::numeric) AS scale, current_setting('lc_monetary') AS lc`);
  const row = res.rows[0];
  if (row && row.scale !== 2) {
    throw setupError(
      `Column(s) ${uses.join(', ')} use money, and lc_monetary '${row.lc}' gives it ${row.scale} fractional digits; ` +
        'dbmazz reads money with lc_monetary = C (2 digits), which would misscale the values.',
      'Change the columns to numeric (ALTER TABLE ... ALTER COLUMN ... TYPE numeric), or set lc_monetary to a locale with 2 fractional digits.',
    );
  }
}

export interface SetupOutcome {
  readonly schemas: readonly TableSchema[];
  readonly createdPublication: boolean;
  readonly addedTables: readonly TableId[];
  readonly createdSlot: boolean;
  /** The new slot's consistent point, when setup created it. */
  readonly createdAt?: Lsn;
}

export interface Inspection {
  readonly schemas: readonly TableSchema[];
  readonly found: readonly CatalogTable[];
  readonly slot: Awaited<ReturnType<typeof readSlot>>;
  readonly publication: Awaited<ReturnType<typeof readPublication>>;
}

/** Read-only: checks every table, the slot and the publication; creates and changes nothing. */
export async function inspectReplication(client: pg.ClientBase, cfg: PostgresConfig, registry: TypeRegistry): Promise<Inspection> {
  if (cfg.tables.length === 0) {
    throw setupError('No tables selected.', 'Set TABLES to a comma-separated list, e.g. TABLES=orders,order_items.');
  }
  // 1. Read and check everything first.
  const found: CatalogTable[] = [];
  const problems: string[] = [];
  for (const id of cfg.tables) {
    const t = await readTable(client, id);
    problems.push(...tableProblems(id, t, cfg));
    if (t) found.push(t);
  }
  if (problems.length > 0) {
    throw setupError(problems.join('\n'), 'Fix the tables listed in TABLES, then restart; nothing was changed.');
  }
  await resolveTypes(
    client,
    registry,
    found.flatMap((t) => t.columns.map((c) => c.typeOid)),
  );
  const schemas = found.map((t) => tableSchema(t, registry));
  await checkMoney(client, schemas);
  const db = await client.query<{ db: string }>('SELECT current_database()::text AS db');
  const database = db.rows[0]?.db ?? '';
  const slot = await readSlot(client, cfg.slotName);
  if (slot) checkSlotUsable(slot, database);
  const publication = await readPublication(client, cfg.publicationName);
  if (publication) checkPublicationUsable(publication);
  return { schemas, found, slot, publication };
}

export async function setupReplication(client: pg.ClientBase, cfg: PostgresConfig, registry: TypeRegistry, logger: Logger): Promise<SetupOutcome> {
  // 1. Read and check everything first.
  const { schemas, found, slot, publication } = await inspectReplication(client, cfg, registry);

  // 2. Changes, each only when needed.
  if (cfg.replicaIdentityFull) {
    for (const t of found.filter((x) => x.replicaIdentity !== 'f')) {
      if (keyedByIdentityIndex(t)) {
        logger.warn(
          { table: displayName(t.id), index: t.identityIndex?.name },
          'kept REPLICA IDENTITY USING INDEX: without a primary key that index is the key (SOURCE_REPLICA_IDENTITY_FULL does not apply to this table)',
        );
        continue;
      }
      await client.query(`ALTER TABLE ${qualified(t.id)} REPLICA IDENTITY FULL`);
      logger.info({ table: displayName(t.id) }, 'set REPLICA IDENTITY FULL');
    }
  }
  let addedTables: TableId[] = [];
  let createdAt: Lsn | undefined;
  if (!publication) {
    await createPublication(client, cfg.publicationName, cfg.tables);
    logger.info({ publication: cfg.publicationName, tables: describeTables(cfg.tables) }, 'created publication');
  } else {
    addedTables = missingTables(publication, cfg.tables);
    if (addedTables.length > 0) {
      await addTables(client, cfg.publicationName, addedTables);
      logger.info({ publication: cfg.publicationName, tables: describeTables(addedTables) }, 'added tables to publication');
    }
  }
  if (!slot) {
    const lsn = await createSlot(client, cfg.slotName, cfg.failoverSlot);
    logger.info({ slot: cfg.slotName, lsn: formatLsn(lsn), failover: cfg.failoverSlot }, 'created replication slot');
    createdAt = lsn;
  } else {
    const at = slot.confirmedFlushLsn === undefined ? 'unknown' : formatLsn(slot.confirmedFlushLsn);
    logger.info({ slot: cfg.slotName, confirmedFlushLsn: at }, 'using existing replication slot');
  }
  return { schemas, createdPublication: !publication, addedTables, createdSlot: !slot, ...(createdAt === undefined ? {} : { createdAt }) };
}
