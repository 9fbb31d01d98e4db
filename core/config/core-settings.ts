/**
 * The settings core itself reads. Connectors declare theirs in their manifests; together they are every
 * variable dbmazz understands (docs/configuration.md is generated from these specs).
 */
import type { Settings, SettingSpec } from '../plugin/settings.js';
import { DEFAULT_TRUNCATE_POLICY, TRUNCATE_POLICIES, type TruncatePolicy } from '../pipeline/options.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const DEFAULT_PIPELINE_ID = 'dbmazz';
/** MAX_BUFFERED_BYTES when unset: 64 MiB (issue 11: RSS ≤ bound + ~100 MiB stays near 160 MB). */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** MAX_BUFFERED_EVENTS when unset: this many times FLUSH_SIZE, and at least MIN_DEFAULT_BUFFERED_EVENTS. */
export const BUFFERED_FLUSHES = 3;
export const MIN_DEFAULT_BUFFERED_EVENTS = 30_000;
/** The source setting whose value names the pipeline (the replication slot), when the source has it. */
export const SLOT_NAME_SETTING = 'SOURCE_SLOT_NAME';

export const CORE_SETTINGS: readonly SettingSpec[] = [
  {
    env: 'SOURCE_TYPE',
    type: 'string',
    default: 'postgres',
    schema: { minLength: 1 },
    description:
      'Source connector: a built-in type (postgres), an installed npm package name, or the path (absolute, or relative to the working directory) of a module file or package directory that exports a dbmazz connector manifest.',
    expected: 'a connector type, e.g. postgres',
  },
  {
    env: 'SINK_TYPE',
    type: 'string',
    default: 'starrocks',
    schema: { minLength: 1 },
    description:
      'Sink connector: a built-in type (starrocks), an installed npm package name, or the path (absolute, or relative to the working directory) of a module file or package directory that exports a dbmazz connector manifest.',
    expected: 'a connector type, e.g. starrocks',
  },
  {
    env: 'TABLES',
    type: 'list',
    required: true,
    description:
      'Comma-separated tables to replicate: `schema.table`, or `table` for the `public` schema. Unquoted names fold to lower case; double-quote a name to keep its case or special characters.',
    expected: 'a comma-separated list of tables, e.g. orders,public.order_items',
  },
  {
    env: 'FLUSH_SIZE',
    type: 'integer',
    default: 10000,
    schema: { minimum: 1 },
    description: 'Buffered changes that trigger a flush to the sink.',
    expected: 'a positive integer, e.g. 10000',
  },
  {
    env: 'FLUSH_INTERVAL_MS',
    type: 'integer',
    default: 1000,
    schema: { minimum: 1 },
    description: 'Longest time (ms) a buffered change waits before it is flushed.',
    expected: 'a positive integer (milliseconds), e.g. 1000',
  },
  {
    env: 'MAX_BUFFERED_EVENTS',
    type: 'integer',
    schema: { minimum: 1 },
    description:
      'Backpressure bound: when this many changes are buffered or in flight, the source stops reading until the sink catches up. At least FLUSH_SIZE. Default: 3 × FLUSH_SIZE, at least 30000 (30000 with the default FLUSH_SIZE): one batch loading, one being encoded, one filling; more only adds memory (docs/performance.md).',
    expected: 'a positive integer, e.g. 30000',
  },
  {
    env: 'MAX_BUFFERED_BYTES',
    type: 'integer',
    default: DEFAULT_MAX_BUFFERED_BYTES,
    schema: { minimum: 1 },
    description:
      'Backpressure bound in bytes of buffered and in-flight change data, as estimated V8 heap (calibrated to within about 10 %; see docs/performance.md). The process needs a fixed overhead on top (about 100 MiB RSS with FLUSH_SIZE 10000). Default 64 MiB.',
    expected: 'a positive integer (bytes), e.g. 67108864',
  },
  {
    env: 'SINK_RETRY_MAX_ATTEMPTS',
    type: 'integer',
    default: 10,
    schema: { minimum: 1 },
    description:
      'Attempts per batch for transient sink errors (1 = no retry); then the pipeline restarts from the confirmed LSN like after a lost connection (see RECONNECT_MAX_DURATION_MS), the LSN staying unconfirmed meanwhile.',
    expected: 'a positive integer, e.g. 10',
  },
  {
    env: 'SINK_RETRY_INITIAL_MS',
    type: 'integer',
    default: 500,
    schema: { minimum: 1 },
    description: 'First retry delay (ms); it doubles per attempt, with jitter.',
    expected: 'a positive integer (milliseconds), e.g. 500',
  },
  {
    env: 'SINK_RETRY_MAX_MS',
    type: 'integer',
    default: 30000,
    schema: { minimum: 1 },
    description: 'Largest retry delay (ms). At least SINK_RETRY_INITIAL_MS.',
    expected: 'a positive integer (milliseconds), e.g. 30000',
  },
  {
    env: 'RECONNECT_MAX_DURATION_MS',
    type: 'integer',
    default: 0,
    schema: { minimum: 0 },
    description:
      'How long (ms) the daemon keeps reconnecting after replication stopped on a transient error (PostgreSQL or StarRocks unreachable or restarting, a batch still failing after SINK_RETRY_MAX_ATTEMPTS) before it exits 1; 0 = keep trying until stopped. Errors that need an operator (credentials, privileges, schema, rejected rows, a dropped slot) end the process at once.',
    expected: 'a non-negative integer (milliseconds), e.g. 600000 (0 = no limit)',
  },
  {
    env: 'RECONNECT_INITIAL_MS',
    type: 'integer',
    default: 1000,
    schema: { minimum: 1 },
    description: 'Delay (ms) before the first reconnection attempt; it doubles per attempt, with jitter, up to RECONNECT_MAX_MS.',
    expected: 'a positive integer (milliseconds), e.g. 1000',
  },
  {
    env: 'RECONNECT_MAX_MS',
    type: 'integer',
    default: 30000,
    schema: { minimum: 1 },
    description: 'Largest delay (ms) between reconnection attempts. At least RECONNECT_INITIAL_MS.',
    expected: 'a positive integer (milliseconds), e.g. 30000',
  },
  {
    env: 'TRUNCATE_POLICY',
    type: 'string',
    default: DEFAULT_TRUNCATE_POLICY,
    schema: { enum: [...TRUNCATE_POLICIES] },
    description:
      'What a source TRUNCATE does: `ignore` (default) logs a warning and keeps the target rows; `apply` truncates the target table too, in stream order (after every earlier change is written, before any later one); `fail` stops replication with a stage error, leaving the TRUNCATE unconfirmed so it is read again after a restart.',
    expected: `one of ${TRUNCATE_POLICIES.join(', ')}`,
  },
  {
    env: 'GRPC_PORT',
    type: 'integer',
    default: 50051,
    schema: { minimum: 0, maximum: 65535 },
    description: 'Port of the gRPC control and monitoring API (0 picks a free port).',
    expected: 'a TCP port between 0 and 65535, e.g. 50051',
  },
  {
    env: 'STATE_DIR',
    type: 'string',
    default: 'dbmazz-state',
    schema: { minLength: 1 },
    description:
      'Directory (relative to the working directory, or absolute) where dbmazz saves the confirmed position of a source that keeps none on its server (a connector with Source.resumeFrom; not PostgreSQL, whose slot holds it): `<pipeline id>.position.json`, replaced atomically. Put it on a persistent volume: deleting it makes such a source start from its beginning.',
    expected: 'a directory path, e.g. /var/lib/dbmazz',
  },
  // -- Control API, metrics and setup retries (issue 5; read by core/control/settings.ts) ------------
  {
    env: 'GRPC_HOST',
    type: 'string',
    default: '127.0.0.1',
    schema: { minLength: 1 },
    description: 'Address the gRPC API listens on. The default accepts local connections only; use 0.0.0.0 in containers.',
    expected: 'an IP address or host name, e.g. 0.0.0.0',
  },
  {
    env: 'GRPC_AUTH_TOKEN',
    type: 'string',
    secret: true,
    schema: { pattern: '^[\\x21-\\x7e]+$' },
    description: 'When set, every gRPC call except health checks must send the metadata `authorization: Bearer <token>`; others get UNAUTHENTICATED.',
    expected: 'printable ASCII without spaces',
  },
  {
    env: 'GRPC_TLS_CERT',
    type: 'string',
    description: 'PEM certificate chain file: the gRPC API serves TLS instead of plaintext. Needs GRPC_TLS_KEY.',
    expected: 'a file path',
  },
  {
    env: 'GRPC_TLS_KEY',
    type: 'string',
    description: 'PEM private key file of GRPC_TLS_CERT.',
    expected: 'a file path',
  },
  {
    env: 'METRICS_PORT',
    type: 'integer',
    schema: { minimum: 0, maximum: 65535 },
    description: 'When set, serves Prometheus /metrics, /livez, /healthz and /readyz over HTTP on this port (0 picks a free port). Off by default.',
    expected: 'a TCP port between 0 and 65535, e.g. 9187',
  },
  {
    env: 'METRICS_HOST',
    type: 'string',
    default: '127.0.0.1',
    schema: { minLength: 1 },
    description: 'Address the metrics HTTP server listens on; use 0.0.0.0 so Prometheus can scrape a container.',
    expected: 'an IP address or host name, e.g. 0.0.0.0',
  },
  {
    env: 'SETUP_MAX_ATTEMPTS',
    type: 'integer',
    default: 3,
    schema: { minimum: 0 },
    description:
      'Attempts of the startup (connection checks and setup) before the daemon exits 1; 0 = keep trying until stopped. Between attempts the health API reports the error.',
    expected: 'a non-negative integer, e.g. 3 (0 = no limit)',
  },
  {
    env: 'SETUP_RETRY_DELAY_MS',
    type: 'integer',
    default: 2000,
    schema: { minimum: 1 },
    description: 'Wait (ms) between startup attempts.',
    expected: 'a positive integer (milliseconds), e.g. 2000',
  },
  {
    env: 'CONNECTOR_STARTUP_TIMEOUT_MS',
    type: 'integer',
    default: 300000,
    schema: { minimum: 0 },
    description:
      "Limit (ms) of each connector startup call (a source's or sink's validateConnection, setup, start, ...); one that takes longer fails the startup attempt, naming the connector and the call (retried per SETUP_MAX_ATTEMPTS). 0 = no limit. Creating a PostgreSQL replication slot waits for the transactions running at that moment, so keep it above your longest transaction.",
    expected: 'a non-negative integer (milliseconds), e.g. 300000 (0 = no limit)',
  },
  {
    env: 'LOG_LEVEL',
    type: 'string',
    default: 'info',
    schema: { enum: [...LOG_LEVELS] },
    description: 'Log level.',
    expected: `one of ${LOG_LEVELS.join(', ')}`,
  },
  {
    env: 'LOG_FORMAT',
    type: 'string',
    default: 'auto',
    schema: { enum: [...LOG_FORMATS] },
    description: 'Log format: `json` (one JSON object per line), `pretty` (human-readable), or `auto` (pretty when stdout is a terminal, else JSON).',
    expected: `one of ${LOG_FORMATS.join(', ')}`,
  },
];

/** TRUNCATE_POLICY from validated core settings (the default when unset). */
export function truncatePolicyOf(settings: Settings): TruncatePolicy {
  const v = settings['TRUNCATE_POLICY'];
  return TRUNCATE_POLICIES.find((p) => p === v) ?? DEFAULT_TRUNCATE_POLICY;
}
