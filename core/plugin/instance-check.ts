/**
 * Creates a connector from its manifest and checks what `create()` returned before the runtime calls
 * anything on it: every required method present, optional members of the right type, `type` and
 * `capabilities` equal to the manifest's (capabilities are declared once, in the manifest; the
 * instance repeats the same values). Problems are reported all at once, naming the connector.
 */
import type { SinkCapabilities, SourceCapabilities } from './capabilities.js';
import { ConnectorCreateError, InvalidConnectorInstanceError, type ConnectorName } from './connector-errors.js';
import type { ConnectorContext, SinkManifest, SourceManifest } from './manifest.js';
import type { Settings } from './settings.js';
import type { Sink } from './sink.js';
import type { Source } from './source.js';

const SOURCE_METHODS = ['validateConnection', 'setup', 'start', 'done', 'acknowledge', 'pause', 'resume', 'stop', 'close', 'status'] as const;
const SOURCE_OPTIONAL = [
  'inspect',
  'identity',
  'serverPosition',
  'destroy',
  'attachState',
  'marked',
  'snapshotProgress',
  'resnapshot',
  'serverStatus',
  'slotStatus',
  'checkTables',
  'addTables',
  'removeTables',
  'resumeFrom',
] as const;
const SINK_METHODS = ['validateConnection', 'setup', 'write', 'close'] as const;
const SINK_OPTIONAL = ['checkTables', 'schemaChanged', 'truncate', 'sweep', 'stateStore'] as const;

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v;
}

function capabilityProblems(actual: unknown, declared: SourceCapabilities | SinkCapabilities): string[] {
  if (typeof actual !== 'object' || actual === null) return [`\`capabilities\` is ${typeOf(actual)}, expected the manifest's capabilities object`];
  const got = actual as Record<string, unknown>;
  return Object.entries(declared)
    .filter(([flag, value]) => got[flag] !== value)
    .map(([flag, value]) => `\`capabilities.${flag}\` is ${JSON.stringify(got[flag]) ?? 'undefined'} but the manifest declares ${String(value)}`);
}

/** Every problem of `value` as an instance of `manifest` (empty when fine). Exported for tests. */
export function instanceProblems(value: unknown, manifest: SourceManifest | SinkManifest): string[] {
  if (typeof value !== 'object' || value === null) return [`it returned ${typeOf(value)}, not an object`];
  if (typeof (value as { then?: unknown }).then === 'function') {
    return ['it returned a Promise; create() must return the connector itself (do asynchronous work in validateConnection() or setup())'];
  }
  const o = value as Record<string, unknown>;
  const [required, optional] = manifest.kind === 'source' ? [SOURCE_METHODS, SOURCE_OPTIONAL] : [SINK_METHODS, SINK_OPTIONAL];
  const problems: string[] = [];
  const missing = required.filter((m) => typeof o[m] !== 'function');
  if (missing.length > 0) problems.push(`missing method${missing.length > 1 ? 's' : ''} ${missing.map((m) => `${m}()`).join(', ')}`);
  for (const m of optional)
    if (o[m] !== undefined && typeof o[m] !== 'function') problems.push(`\`${m}\` is ${typeOf(o[m])}, expected a method (or leave it out)`);
  if (manifest.kind === 'sink' && o['awaitsReady'] !== undefined && typeof o['awaitsReady'] !== 'boolean') {
    problems.push(`\`awaitsReady\` is ${typeOf(o['awaitsReady'])}, expected a boolean (or leave it out)`);
  }
  if (o['type'] !== manifest.type) problems.push(`\`type\` is ${JSON.stringify(o['type']) ?? 'undefined'} but the manifest's type is '${manifest.type}'`);
  problems.push(...capabilityProblems(o['capabilities'], manifest.capabilities));
  return problems;
}

function create<T>(name: ConnectorName, manifest: SourceManifest | SinkManifest, make: () => unknown): T {
  let value: unknown;
  try {
    value = make();
  } catch (err) {
    throw new ConnectorCreateError(name, err);
  }
  const problems = instanceProblems(value, manifest);
  if (problems.length > 0) throw new InvalidConnectorInstanceError(name, problems);
  return value as T;
}

export function createSource(manifest: SourceManifest, settings: Settings, ctx: ConnectorContext, origin?: string): Source {
  const name = { kind: 'source' as const, type: manifest.type, ...(origin === undefined ? {} : { origin }) };
  return create<Source>(name, manifest, () => manifest.create(settings, ctx));
}

export function createSink(manifest: SinkManifest, settings: Settings, ctx: ConnectorContext, origin?: string): Sink {
  const name = { kind: 'sink' as const, type: manifest.type, ...(origin === undefined ? {} : { origin }) };
  return create<Sink>(name, manifest, () => manifest.create(settings, ctx));
}
