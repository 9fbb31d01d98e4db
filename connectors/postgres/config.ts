/**
 * Settings of the PostgreSQL source and the pg client configurations derived from them. The seed's
 * names (DATABASE_URL, SLOT_NAME, PUBLICATION_NAME) are accepted as aliases.
 */
import type pg from 'pg';
import { ConfigError, defineSettings, type ConnectorContext, type SettingSpec, type Settings, type TableId } from '../../core/index.js';

export const SLOT_NAME_PATTERN = /^[a-z0-9_]{1,63}$/;
export const PUBLICATION_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

export const SNAPSHOT_MODES = ['initial', 'never', 'initial_only'] as const;
export type SnapshotMode = (typeof SNAPSHOT_MODES)[number];

export const SLOT_LOST_POLICIES = ['fail', 'resnapshot'] as const;
export type SlotLostPolicy = (typeof SLOT_LOST_POLICIES)[number];

/** Each setting of the source by field name (`POSTGRES` reads them typed). */
const POSTGRES_SPEC = {
  url: {
    env: 'SOURCE_URL',
    aliases: ['DATABASE_URL'],
    type: 'string',
    required: true,
    url: true,
    schema: { pattern: '^postgres(ql)?://' },
    description: 'PostgreSQL connection URL (postgres://user:pass@host:5432/db); ?replication=database is accepted and ignored',
    expected: 'a postgres:// URL',
  },
  slotName: {
    env: 'SOURCE_SLOT_NAME',
    aliases: ['SLOT_NAME'],
    type: 'string',
    default: 'dbmazz_slot',
    schema: { pattern: SLOT_NAME_PATTERN.source },
    description: 'Logical replication slot (created with pgoutput when missing, never dropped or recreated)',
    expected: '1-63 characters of a-z, 0-9 and _',
  },
  publicationName: {
    env: 'SOURCE_PUBLICATION_NAME',
    aliases: ['PUBLICATION_NAME'],
    type: 'string',
    default: 'dbmazz_pub',
    schema: { pattern: PUBLICATION_NAME_PATTERN.source },
    description: 'Publication to stream (created FOR TABLE the TABLES list when missing; missing tables are added)',
    expected: 'an identifier: a letter or _ then up to 62 letters, digits, _ or $',
  },
  statusIntervalMs: {
    env: 'SOURCE_STATUS_INTERVAL_MS',
    type: 'integer',
    default: 1000,
    schema: { minimum: 100, maximum: 3_600_000 },
    description:
      'How often a standby status update is sent (keep well under wal_sender_timeout, 60 s by default, and under a third of SOURCE_STANDBY_STALE_MS: a hot standby watches these updates)',
    expected: 'an integer number of milliseconds, at least 100',
  },
  connectTimeoutMs: {
    env: 'SOURCE_CONNECT_TIMEOUT_MS',
    type: 'integer',
    default: 30_000,
    schema: { minimum: 1000 },
    description: 'Timeout for establishing a connection to PostgreSQL',
    expected: 'an integer number of milliseconds, at least 1000',
  },
  replicaIdentityFull: {
    env: 'SOURCE_REPLICA_IDENTITY_FULL',
    type: 'boolean',
    default: false,
    description:
      'Set REPLICA IDENTITY FULL on the tables at setup (needs table ownership): updates then carry the whole old row, so unchanged TOAST values are filled in',
    expected: 'true or false',
  },
  // Snapshots (docs/architecture.md, "Snapshots").
  snapshotMode: {
    env: 'SNAPSHOT_MODE',
    type: 'string',
    default: 'initial',
    schema: { enum: [...SNAPSHOT_MODES] },
    description:
      'initial: copy the existing rows of every table when the slot is created, of tables added later (restart or ReloadConfig), then stream; never: stream only changes made after the slot exists; initial_only: copy every table once (no slot), then exit 0',
    expected: 'initial, never or initial_only',
  },
  snapshotChunkRows: {
    env: 'SNAPSHOT_CHUNK_ROWS',
    type: 'integer',
    default: 10_000,
    schema: { minimum: 1, maximum: 1_000_000 },
    description:
      'Rows per snapshot read (one short REPEATABLE READ transaction each, keyset pagination on the key). A chunk is written whole, in one Stream Load, even when it holds more rows than FLUSH_SIZE',
    expected: 'an integer from 1 to 1000000',
  },
  snapshotParallelism: {
    env: 'SNAPSHOT_PARALLELISM',
    type: 'integer',
    default: 2,
    schema: { minimum: 1, maximum: 64 },
    description: 'Tables read at the same time during snapshots (one PostgreSQL connection each)',
    expected: 'an integer from 1 to 64',
  },
  // Hot standby and PostgreSQL failover (docs/operations.md, "Hot standby" and "PostgreSQL failover").
  standbyRetryMs: {
    env: 'SOURCE_STANDBY_RETRY_MS',
    type: 'integer',
    default: 1000,
    schema: { minimum: 100, maximum: 60_000 },
    description: 'Hot standby: how often an instance whose replication slot is held by another connection checks whether it can take over',
    expected: 'an integer number of milliseconds from 100 to 60000',
  },
  standbyStaleMs: {
    env: 'SOURCE_STANDBY_STALE_MS',
    type: 'integer',
    default: 5000,
    schema: { minimum: 1000, maximum: 3_600_000 },
    description:
      'Hot standby: a slot holder whose status updates (pg_stat_replication.reply_time) stopped for this long is terminated (pg_terminate_backend) so a standby can take over; at least 3 x SOURCE_STATUS_INTERVAL_MS',
    expected: 'an integer number of milliseconds, at least 1000',
  },
  onSlotLost: {
    env: 'SOURCE_ON_SLOT_LOST',
    type: 'string',
    default: 'fail',
    schema: { enum: [...SLOT_LOST_POLICIES] },
    description:
      'When the replication slot this pipeline streamed from is missing (primary failover) or invalidated (max_slot_wal_keep_size): fail stops with an error saying what to do; resnapshot drops an invalidated slot, creates a new one and re-snapshots every table (rows deleted meanwhile are swept)',
    expected: 'fail or resnapshot',
  },
  failoverSlot: {
    env: 'SOURCE_FAILOVER_SLOT',
    type: 'boolean',
    default: false,
    description:
      'PostgreSQL 17+: create the slot as a failover slot (and mark an existing one), so a standby with sync_replication_slots = on keeps it and streaming survives a promotion; refused on older servers',
    expected: 'true or false',
  },
} as const satisfies Readonly<Record<string, SettingSpec>>;

/** The source's settings, declared once: `POSTGRES.specs` for the manifest, `POSTGRES.read` typed. */
export const POSTGRES = defineSettings(POSTGRES_SPEC);

export const POSTGRES_SETTINGS: readonly SettingSpec[] = POSTGRES.specs;

export interface PostgresConfig {
  /** Connection URL without `replication` (it holds the password: never print it; use `target`). */
  readonly url: string;
  /** `host:port/database` for messages. */
  readonly target: string;
  readonly user: string;
  readonly slotName: string;
  readonly publicationName: string;
  readonly statusIntervalMs: number;
  readonly connectTimeoutMs: number;
  readonly replicaIdentityFull: boolean;
  readonly tables: readonly TableId[];
  /** Names this pipeline's snapshot progress entries (the slot name, ConnectorContext.pipelineId). */
  readonly pipelineId: string;
  readonly snapshotMode: SnapshotMode;
  readonly snapshotChunkRows: number;
  readonly snapshotParallelism: number;
  readonly standbyRetryMs: number;
  readonly standbyStaleMs: number;
  readonly onSlotLost: SlotLostPolicy;
  readonly failoverSlot: boolean;
}

/** Problems that need two settings (manifest checkConfig): the standby must not mistake a healthy holder for a stale one. */
export function standbyProblems(settings: Settings): string[] {
  // Runs while other settings may be missing or invalid (all problems are listed at once): it reads
  // only these two, by the names their specs declare.
  const status = settings[POSTGRES_SPEC.statusIntervalMs.env];
  const stale = settings[POSTGRES_SPEC.standbyStaleMs.env];
  if (typeof status !== 'number' || typeof stale !== 'number' || stale >= 3 * status) return [];
  return [
    `SOURCE_STANDBY_STALE_MS (${stale}) must be at least 3 x SOURCE_STATUS_INTERVAL_MS (${status}): a standby would terminate a healthy instance between two of its status updates. Lower SOURCE_STATUS_INTERVAL_MS or raise SOURCE_STANDBY_STALE_MS.`,
  ];
}

/** Replaces the password of a URL with `****` (and never throws). */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:****@');
  }
}

export function parseConfig(settings: Settings, ctx: ConnectorContext): PostgresConfig {
  // Absent values take the spec defaults, so the source also works with hand-built settings (tests).
  const s = POSTGRES.read(settings);
  let u: URL;
  try {
    u = new URL(s.url);
  } catch {
    throw new ConfigError([`SOURCE_URL: '${maskUrl(s.url)}' is not a valid URL (expected postgres://user:pass@host:5432/db)`]);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new ConfigError([`SOURCE_URL: expected a postgres:// URL, got '${u.protocol}//'`]);
  }
  u.searchParams.delete('replication');
  const { slotName, publicationName } = s;
  const problems: string[] = [];
  if (!SLOT_NAME_PATTERN.test(slotName)) problems.push(`SOURCE_SLOT_NAME: '${slotName}' must be 1-63 characters of a-z, 0-9 and _`);
  if (!PUBLICATION_NAME_PATTERN.test(publicationName)) problems.push(`SOURCE_PUBLICATION_NAME: '${publicationName}' is not a valid name`);
  if (problems.length > 0) throw new ConfigError(problems);
  const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || decodeURIComponent(u.username) || 'postgres';
  return {
    url: u.toString(),
    target: `${u.hostname || u.searchParams.get('host') || 'localhost'}:${u.port || '5432'}/${database}`,
    user: decodeURIComponent(u.username) || 'postgres',
    slotName,
    publicationName,
    statusIntervalMs: s.statusIntervalMs,
    connectTimeoutMs: s.connectTimeoutMs,
    replicaIdentityFull: s.replicaIdentityFull,
    tables: ctx.tables,
    pipelineId: ctx.pipelineId,
    snapshotMode: s.snapshotMode,
    snapshotChunkRows: s.snapshotChunkRows,
    snapshotParallelism: s.snapshotParallelism,
    standbyRetryMs: s.standbyRetryMs,
    standbyStaleMs: s.standbyStaleMs,
    onSlotLost: s.onSlotLost,
    failoverSlot: s.failoverSlot,
  };
}

/**
 * Session settings of the replication connection: pgoutput prints values with the walsender's
 * settings, and codec/text-values.ts expects exactly these output formats.
 */
export const REPLICATION_SESSION_OPTIONS = [
  'DateStyle=ISO',
  'IntervalStyle=postgres',
  'TimeZone=UTC',
  'extra_float_digits=3',
  'bytea_output=hex',
  'lc_monetary=C',
]
  .map((o) => `-c ${o}`)
  .join(' ');

/** pg client settings: a normal connection (setup, catalog, lag) or a logical replication one. */
export function clientConfig(cfg: PostgresConfig, kind: 'query' | 'replication'): pg.ClientConfig {
  const u = new URL(cfg.url);
  // A connection string overrides explicit pg options, so `options` is merged here instead.
  const userOptions = u.searchParams.get('options');
  u.searchParams.delete('options');
  const appName = u.searchParams.get('application_name') ?? 'dbmazz';
  const base: pg.ClientConfig = {
    connectionString: u.toString(),
    connectionTimeoutMillis: cfg.connectTimeoutMs,
    keepAlive: true,
    application_name: appName,
  };
  if (kind === 'query') return userOptions ? { ...base, options: userOptions } : base;
  const options = userOptions ? `${userOptions} ${REPLICATION_SESSION_OPTIONS}` : REPLICATION_SESSION_OPTIONS;
  const replication: pg.ClientConfig & { replication: 'database' } = { ...base, options, replication: 'database' };
  return replication;
}
