/**
 * Environment (+ optional .env) → validated configuration: core settings, the selected source and sink
 * manifests and their settings, parsed TABLES and the pipeline id. Every problem of every group is
 * collected and thrown together as one ConfigError; nothing here opens a connection.
 */
import { CdcError, ConfigError } from '../errors/errors.js';
import type { TableId } from '../model/table.js';
import { capabilityProblems } from '../plugin/compatibility.js';
import type { SinkManifest, SourceManifest } from '../plugin/manifest.js';
import type { ConnectorKind, ManifestOf } from '../plugin/registry.js';
import type { ConnectorLoader } from '../plugin/loader.js';
import type { Settings, SettingSpec } from '../plugin/settings.js';
import {
  BUFFERED_FLUSHES,
  CORE_SETTINGS,
  MIN_DEFAULT_BUFFERED_EVENTS,
  DEFAULT_PIPELINE_ID,
  SLOT_NAME_SETTING,
  type LogFormat,
  type LogLevel,
} from './core-settings.js';
import { loadEnvironment } from './env-file.js';
import { scrubText } from './mask.js';
import { readSettings, type Environment } from './read-settings.js';
import { parseTables } from './tables.js';

export interface CoreConfig {
  readonly sourceType: string;
  readonly sinkType: string;
  readonly tables: readonly TableId[];
  readonly flushSize: number;
  readonly flushIntervalMs: number;
  readonly maxBufferedEvents: number;
  readonly maxBufferedBytes: number;
  readonly retry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
  /** RECONNECT_*: restarting replication after a transient failure; `maxDurationMs` 0 = no limit. */
  readonly reconnect: { readonly initialDelayMs: number; readonly maxDelayMs: number; readonly maxDurationMs: number };
  readonly grpcPort: number;
  /** CONNECTOR_STARTUP_TIMEOUT_MS: limit of each connector startup call; 0 = none. */
  readonly startupTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
}

export interface ConnectorSelection<M> {
  readonly manifest: M;
  /** Where the manifest came from (built-in, or the package / path SOURCE_TYPE / SINK_TYPE named), for messages. */
  readonly origin?: string;
  /** Validated settings of this connector only, keyed by canonical name. */
  readonly settings: Settings;
}

export interface DbmazzConfig {
  readonly core: CoreConfig;
  readonly coreSettings: Settings;
  readonly source: ConnectorSelection<SourceManifest>;
  readonly sink: ConnectorSelection<SinkManifest>;
  /** The source's slot name (SOURCE_SLOT_NAME) when it has one, else `dbmazz`. */
  readonly pipelineId: string;
  /** The .env file that was read, if any. */
  readonly envFile: string | undefined;
  /** Secret values seen in the configuration, for scrubbing messages. */
  readonly secrets: readonly string[];
}

export interface LoadConfigInput {
  readonly env: Environment;
  readonly cwd: string;
  readonly loader: ConnectorLoader;
}

function num(s: Settings, env: string): number {
  const v = s[env];
  return typeof v === 'number' ? v : 0;
}

function str(s: Settings, env: string): string {
  const v = s[env];
  return typeof v === 'string' ? v : '';
}

/**
 * MAX_BUFFERED_EVENTS, or when unset BUFFERED_FLUSHES × FLUSH_SIZE (so a larger FLUSH_SIZE alone stays
 * valid), at least MIN_DEFAULT_BUFFERED_EVENTS (a tiny FLUSH_SIZE does not make the source stop at every flush).
 */
export function maxBufferedEvents(s: Settings): number {
  const set = s['MAX_BUFFERED_EVENTS'];
  return typeof set === 'number' ? set : Math.max(MIN_DEFAULT_BUFFERED_EVENTS, BUFFERED_FLUSHES * num(s, 'FLUSH_SIZE'));
}

function toCore(s: Settings, tables: readonly TableId[]): CoreConfig {
  return {
    sourceType: str(s, 'SOURCE_TYPE'),
    sinkType: str(s, 'SINK_TYPE'),
    tables,
    flushSize: num(s, 'FLUSH_SIZE'),
    flushIntervalMs: num(s, 'FLUSH_INTERVAL_MS'),
    maxBufferedEvents: maxBufferedEvents(s),
    maxBufferedBytes: num(s, 'MAX_BUFFERED_BYTES'),
    retry: {
      maxAttempts: num(s, 'SINK_RETRY_MAX_ATTEMPTS'),
      initialDelayMs: num(s, 'SINK_RETRY_INITIAL_MS'),
      maxDelayMs: num(s, 'SINK_RETRY_MAX_MS'),
    },
    reconnect: {
      initialDelayMs: num(s, 'RECONNECT_INITIAL_MS'),
      maxDelayMs: num(s, 'RECONNECT_MAX_MS'),
      maxDurationMs: num(s, 'RECONNECT_MAX_DURATION_MS'),
    },
    grpcPort: num(s, 'GRPC_PORT'),
    startupTimeoutMs: num(s, 'CONNECTOR_STARTUP_TIMEOUT_MS'),
    logLevel: (str(s, 'LOG_LEVEL') || 'info') as LogLevel,
    logFormat: (str(s, 'LOG_FORMAT') || 'auto') as LogFormat,
  };
}

/** Problems that involve two core settings. */
function crossFieldProblems(s: Settings): string[] {
  const problems: string[] = [];
  const flush = s['FLUSH_SIZE'];
  const maxEvents = s['MAX_BUFFERED_EVENTS'];
  if (typeof flush === 'number' && typeof maxEvents === 'number' && maxEvents < flush) {
    problems.push(
      `MAX_BUFFERED_EVENTS: '${maxEvents}' is smaller than FLUSH_SIZE (${flush}), so a flush by size could never happen (expected at least FLUSH_SIZE)`,
    );
  }
  for (const [initialEnv, maxEnv] of [
    ['SINK_RETRY_INITIAL_MS', 'SINK_RETRY_MAX_MS'],
    ['RECONNECT_INITIAL_MS', 'RECONNECT_MAX_MS'],
  ] as const) {
    const initial = s[initialEnv];
    const max = s[maxEnv];
    if (typeof initial === 'number' && typeof max === 'number' && max < initial) {
      problems.push(`${maxEnv}: '${max}' is smaller than ${initialEnv} (${initial}) (expected at least ${initialEnv})`);
    }
  }
  return problems;
}

/** A variable declared by two groups would be read twice with different meanings. */
function collisionProblems(groups: readonly { owner: string; specs: readonly SettingSpec[] }[]): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const { owner, specs } of groups) {
    for (const spec of specs) {
      for (const name of [spec.env, ...(spec.aliases ?? [])]) {
        const first = owners.get(name);
        if (first !== undefined && first !== owner) problems.push(`${name} is declared by both ${first} and ${owner}; one of them must rename it`);
        else owners.set(name, owner);
      }
    }
  }
  return problems;
}

async function loadManifest<K extends ConnectorKind>(
  loader: ConnectorLoader,
  kind: K,
  type: string | undefined,
  problems: string[],
): Promise<ManifestOf<K> | undefined> {
  if (type === undefined || type === '') return undefined;
  try {
    return await loader.load(kind, type);
  } catch (err) {
    problems.push(err instanceof CdcError ? err.operatorMessage : String(err));
    return undefined;
  }
}

function originOf(loader: ConnectorLoader, m: SourceManifest | SinkManifest): { origin?: string } {
  const origin = loader.registry.origin(m.kind, m.type);
  return origin === undefined ? {} : { origin };
}

export async function loadConfig(input: LoadConfigInput): Promise<DbmazzConfig> {
  const loaded = loadEnvironment(input.env, input.cwd);
  const problems: string[] = [...loaded.problems];
  const secrets: string[] = [];

  const core = readSettings(CORE_SETTINGS, loaded.env);
  problems.push(...core.problems);
  secrets.push(...core.secrets);
  const listed = core.settings['TABLES'];
  const tables = Array.isArray(listed) ? parseTables(listed) : { tables: [], problems: [] };
  problems.push(...tables.problems, ...crossFieldProblems(core.settings));

  const sourceType = core.settings['SOURCE_TYPE'];
  const sinkType = core.settings['SINK_TYPE'];
  const sourceManifest = await loadManifest(input.loader, 'source', typeof sourceType === 'string' ? sourceType : undefined, problems);
  const sinkManifest = await loadManifest(input.loader, 'sink', typeof sinkType === 'string' ? sinkType : undefined, problems);

  const groups = [{ owner: 'core', specs: CORE_SETTINGS }];
  const source = sourceManifest ? readSettings(sourceManifest.settings, loaded.env, `the source '${sourceManifest.type}'`) : undefined;
  const sink = sinkManifest ? readSettings(sinkManifest.settings, loaded.env, `the sink '${sinkManifest.type}'`) : undefined;
  if (sourceManifest && source) {
    groups.push({ owner: `the source '${sourceManifest.type}'`, specs: sourceManifest.settings });
    problems.push(...source.problems);
    secrets.push(...source.secrets);
  }
  if (sinkManifest && sink) {
    groups.push({ owner: `the sink '${sinkManifest.type}'`, specs: sinkManifest.settings });
    problems.push(...sink.problems);
    secrets.push(...sink.secrets);
  }
  problems.push(...collisionProblems(groups));
  // What the source sends must be something the sink can write (core/plugin/compatibility.ts).
  if (sourceManifest && sinkManifest) problems.push(...capabilityProblems(sourceManifest, sinkManifest));
  // Checks of a connector that need several of its settings, or TABLES (e.g. target names).
  for (const [manifest, read] of [
    [sourceManifest, source],
    [sinkManifest, sink],
  ] as const) {
    if (manifest?.checkConfig && read && read.problems.length === 0 && tables.problems.length === 0) {
      try {
        problems.push(...manifest.checkConfig(read.settings, tables.tables));
      } catch (err) {
        problems.push(
          `the ${manifest.kind} '${manifest.type}': its configuration check failed (${err instanceof Error ? err.message : String(err)}); this is a bug in the connector`,
        );
      }
    }
  }

  if (problems.length > 0 || !sourceManifest || !sinkManifest || !source || !sink) {
    throw new ConfigError(problems.map((p) => scrubText(p, secrets)));
  }
  const slot = source.settings[SLOT_NAME_SETTING];
  return {
    core: toCore(core.settings, tables.tables),
    coreSettings: core.settings,
    source: { manifest: sourceManifest, settings: source.settings, ...originOf(input.loader, sourceManifest) },
    sink: { manifest: sinkManifest, settings: sink.settings, ...originOf(input.loader, sinkManifest) },
    pipelineId: typeof slot === 'string' && slot !== '' ? slot : DEFAULT_PIPELINE_ID,
    envFile: loaded.file,
    secrets,
  };
}
