/**
 * Settings of the StarRocks sink (environment names from the seed, with their older aliases) and
 * the typed configuration the sink runs with.
 */
import type { Settings, SettingSpec, TableId } from '../../core/index.js';
import { CdcError, defineSettings } from '../../core/index.js';
import { SCHEMA_EVOLUTION_POLICIES, type SchemaEvolutionPolicy } from './schema-evolution.js';
import { SOURCE_CHANGE_POLICIES, type SourceChangePolicy } from './source-identity.js';
import { DEFAULT_TABLE_NAME_PATTERN, TABLE_MAP_SETTING, TABLE_NAME_SETTING, TargetNaming } from './table-names.js';

/** The sink's settings, declared once: `STARROCKS.specs` for the manifest, `STARROCKS.read` typed. */
export const STARROCKS = defineSettings({
  url: {
    env: 'SINK_URL',
    aliases: ['STARROCKS_URL'],
    type: 'string',
    required: true,
    url: true,
    schema: { pattern: '^https?://[^\\s/]+' },
    expected: 'an http(s) URL such as http://starrocks-fe:8030',
    description: 'StarRocks FE HTTP URL (Stream Load is sent here and 307-redirected to a BE), e.g. http://fe:8030',
  },
  mysqlPort: {
    env: 'SINK_PORT',
    type: 'integer',
    default: 9030,
    schema: { minimum: 1, maximum: 65535 },
    expected: 'a TCP port',
    description: 'FE MySQL-protocol port used for setup (metadata and ALTER TABLE)',
  },
  mysqlHost: {
    env: 'SINK_MYSQL_HOST',
    type: 'string',
    description: 'Host of the FE MySQL-protocol endpoint (default: the host of SINK_URL)',
  },
  database: {
    env: 'SINK_DATABASE',
    aliases: ['STARROCKS_DB'],
    type: 'string',
    required: true,
    schema: { minLength: 1 },
    description: 'Target database; each source table is loaded into the table named by SINK_TABLE_MAP or SINK_TABLE_NAME (default: the source table name)',
  },
  tableName: {
    env: 'SINK_TABLE_NAME',
    type: 'string',
    default: DEFAULT_TABLE_NAME_PATTERN,
    schema: { minLength: 1 },
    expected: 'a pattern with {schema} and {table}, e.g. {schema}_{table}',
    description:
      'Naming rule of the StarRocks target tables: {schema} and {table} are replaced by the source schema and table name. Default {table}: the source table name. Two source tables may not map to one target (the configuration is refused)',
  },
  tableMap: {
    env: 'SINK_TABLE_MAP',
    type: 'list',
    expected: 'comma-separated schema.table:target entries, e.g. a.orders:orders_a,b.orders:orders_b',
    description:
      'Per-table target names, overriding SINK_TABLE_NAME: `schema.table:target` entries (source written as in TABLES; the target is used exactly as written, case-sensitive; double-quote it when it holds a comma or colon)',
  },
  onSourceChange: {
    env: 'SINK_ON_SOURCE_CHANGE',
    type: 'string',
    default: 'fail',
    schema: { enum: [...SOURCE_CHANGE_POLICIES] },
    expected: `one of ${SOURCE_CHANGE_POLICIES.join(', ')}`,
    description:
      "A target table holding rows written from another source (another PostgreSQL cluster or database, e.g. after a dump/restore or an upgrade by logical replication) cannot take this source's changes: their versions are not comparable. fail (default): stop at setup naming the table. truncate: empty those target tables (TRUNCATE TABLE) and record the new source; rows come back only as they change in the source. See docs/operations.md",
  },
  user: {
    env: 'SINK_USER',
    aliases: ['STARROCKS_USER'],
    type: 'string',
    default: 'root',
    schema: { minLength: 1 },
    description:
      'StarRocks user (needs SELECT, INSERT and ALTER on the target tables, SELECT and INSERT on dbmazz_source_identity and dbmazz_state, and CREATE TABLE on SINK_DATABASE once, to create those two)',
  },
  password: {
    env: 'SINK_PASSWORD',
    aliases: ['STARROCKS_PASS'],
    type: 'string',
    default: '',
    secret: true,
    description: 'Password of SINK_USER',
  },
  labelPrefix: {
    env: 'SINK_LABEL_PREFIX',
    type: 'string',
    default: 'dbmazz',
    schema: { pattern: '^[-\\w]{1,32}$' },
    expected: '1-32 characters of [A-Za-z0-9_-]',
    description: 'Prefix of Stream Load labels (labels are unique per database; keep it unique per pipeline)',
  },
  maxFilterRatio: {
    env: 'SINK_MAX_FILTER_RATIO',
    type: 'number',
    default: 0,
    schema: { minimum: 0, maximum: 1 },
    expected: 'a number between 0 and 1',
    description:
      'Stream Load max_filter_ratio. 0 (default): any rejected row fails the batch (the error log is reported); >0 accepts losing rows, which are logged',
  },
  loadTimeoutMs: {
    env: 'SINK_LOAD_TIMEOUT_MS',
    type: 'integer',
    default: 120_000,
    schema: { minimum: 1000, maximum: 259_200_000 },
    expected: 'milliseconds, at least 1000',
    description: 'Stream Load `timeout` (rounded up to seconds) and how long the sink waits for a load reply or for a RUNNING label',
  },
  connectTimeoutMs: {
    env: 'SINK_CONNECT_TIMEOUT_MS',
    type: 'integer',
    default: 10_000,
    schema: { minimum: 1 },
    expected: 'milliseconds',
    description: 'TCP connect timeout for the FE/BE HTTP endpoints and the MySQL port',
  },
  continueTimeoutMs: {
    env: 'SINK_CONTINUE_TIMEOUT_MS',
    type: 'integer',
    default: 10_000,
    schema: { minimum: 1 },
    expected: 'milliseconds',
    description: 'How long to wait for `100 Continue` before sending the body anyway (as curl and Apache HttpClient do)',
  },
  pollIntervalMs: {
    env: 'SINK_POLL_INTERVAL_MS',
    type: 'integer',
    default: 1000,
    schema: { minimum: 10 },
    expected: 'milliseconds',
    description: 'Interval for polling a RUNNING label (get_load_state) and schema-change jobs',
  },
  ddlTimeoutMs: {
    env: 'SINK_DDL_TIMEOUT_MS',
    type: 'integer',
    default: 600_000,
    schema: { minimum: 1000 },
    expected: 'milliseconds',
    description:
      'How long the sink waits for an ALTER TABLE schema-change job (audit columns, schema evolution) to finish, including waiting for another running schema change',
  },
  schemaEvolution: {
    env: 'SCHEMA_EVOLUTION',
    type: 'string',
    default: 'evolve',
    schema: { enum: [...SCHEMA_EVOLUTION_POLICIES] },
    expected: `one of ${SCHEMA_EVOLUTION_POLICIES.join(', ')}`,
    description:
      'What a source column change does to the StarRocks table. evolve: add new columns (ALTER TABLE ADD COLUMN, waiting for the job before loading them), widen changed types when StarRocks can (else a stage error), keep dropped columns; ignore: no DDL, columns StarRocks lacks are not loaded (warning); fail: stop with a stage error when a source change needs the StarRocks table to change (dropped columns only warn). See docs/starrocks.md "Schema evolution"',
  },
  createTables: {
    env: 'SINK_CREATE_TABLES',
    type: 'boolean',
    default: false,
    description:
      'Create a missing target table from the source definition (Primary Key table, mapped types, key columns NOT NULL, DISTRIBUTED BY HASH(key), audit columns). false: a missing table is a setup error',
  },
  replicationNum: {
    env: 'SINK_REPLICATION_NUM',
    type: 'integer',
    schema: { minimum: 1 },
    expected: 'a positive integer',
    description:
      'replication_num of tables created with SINK_CREATE_TABLES. Unset: the cluster default (FE default_replication_num, 3 unless changed); use 1 on a single-BE cluster',
  },
});

export const STARROCKS_SETTINGS: readonly SettingSpec[] = STARROCKS.specs;

export interface StarRocksConfig {
  /** FE HTTP base URL without trailing slash. */
  readonly feUrl: URL;
  readonly mysqlHost: string;
  readonly mysqlPort: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
  readonly labelPrefix: string;
  readonly maxFilterRatio: number;
  readonly loadTimeoutMs: number;
  readonly connectTimeoutMs: number;
  readonly continueTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly ddlTimeoutMs: number;
  readonly schemaEvolution: SchemaEvolutionPolicy;
  readonly createTables: boolean;
  /** undefined: let the cluster's default_replication_num apply. */
  readonly replicationNum: number | undefined;
  /** SINK_TABLE_NAME and SINK_TABLE_MAP. */
  readonly naming: TargetNaming;
  /** SINK_ON_SOURCE_CHANGE. */
  readonly onSourceChange: SourceChangePolicy;
}

/** Builds the typed configuration from validated settings. */
export function readStarRocksConfig(given: Settings): StarRocksConfig {
  // Absent values take the spec defaults, so the sink also works with hand-built settings (tests).
  const s = STARROCKS.read(given);
  let feUrl: URL;
  try {
    feUrl = new URL(s.url);
  } catch (cause) {
    throw new CdcError({ code: 'CONFIG_INVALID', message: 'SINK_URL is not a valid URL', cause });
  }
  if (feUrl.protocol !== 'http:' && feUrl.protocol !== 'https:') {
    throw new CdcError({ code: 'CONFIG_INVALID', message: `SINK_URL must be http:// or https://, got ${feUrl.protocol}` });
  }
  const hostname = feUrl.hostname.replace(/^\[|\]$/g, '');
  return {
    feUrl,
    mysqlHost: s.mysqlHost ?? hostname,
    mysqlPort: s.mysqlPort,
    database: s.database,
    user: s.user,
    password: s.password ?? '',
    labelPrefix: s.labelPrefix,
    maxFilterRatio: s.maxFilterRatio,
    loadTimeoutMs: s.loadTimeoutMs,
    connectTimeoutMs: s.connectTimeoutMs,
    continueTimeoutMs: s.continueTimeoutMs,
    pollIntervalMs: s.pollIntervalMs,
    ddlTimeoutMs: s.ddlTimeoutMs,
    schemaEvolution: s.schemaEvolution,
    createTables: s.createTables,
    replicationNum: s.replicationNum,
    naming: readNaming(s.tableName, s.tableMap),
    onSourceChange: s.onSourceChange,
  };
}

function namingOf(tableName: string | undefined, tableMap: readonly string[] | undefined): { value: TargetNaming; problems: readonly string[] } {
  return TargetNaming.parse(tableName, tableMap);
}

function readNaming(tableName: string, tableMap: readonly string[] | undefined): TargetNaming {
  const { value, problems } = namingOf(tableName, tableMap);
  if (problems.length > 0) throw new CdcError({ code: 'CONFIG_INVALID', message: problems.join('; ') });
  return value;
}

/**
 * The manifest's configuration check (runs with TABLES, before anything is contacted): the naming
 * settings are well formed, every target is a valid StarRocks table name, and no two tables of
 * TABLES map to one target.
 */
export function checkStarRocksConfig(settings: Settings, tables: readonly TableId[]): string[] {
  // Runs while other settings may still be missing or invalid (all problems are listed at once), so
  // it reads only the two naming settings, not the whole typed configuration.
  const name = settings[TABLE_NAME_SETTING];
  const map = settings[TABLE_MAP_SETTING];
  const { value, problems } = namingOf(typeof name === 'string' ? name : undefined, Array.isArray(map) ? map : undefined);
  return problems.length > 0 ? [...problems] : value.problems(tables);
}
