/**
 * Checks, at load time, that a value really is a connector manifest this core can run: plugin API
 * version first (a mismatch gets its own precise error), then the shape, every problem at once.
 */
import { CdcError } from '../errors/errors.js';
import { PLUGIN_API_VERSION, type ConnectorManifest } from './manifest.js';

const SETTING_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'list']);
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
export const CAPABILITIES = {
  source: ['unchangedColumns', 'keyChanges', 'transactions'],
  sink: ['partialUpdate', 'softDelete', 'idempotentBatches'],
} as const;

/** Capability flags a manifest may leave out (absent: false); a boolean when present. */
export const OPTIONAL_CAPABILITIES = {
  source: [],
  sink: ['rowBlocks'],
} as const;

export class ApiVersionMismatchError extends CdcError {
  constructor(
    readonly origin: string,
    readonly declared: unknown,
  ) {
    super({
      code: 'CONNECTOR_INVALID',
      message: `${origin} declares plugin apiVersion ${JSON.stringify(declared) ?? 'undefined'}, but this dbmazz implements plugin apiVersion ${PLUGIN_API_VERSION}.`,
      hint: `Install a release of the connector built for plugin apiVersion ${PLUGIN_API_VERSION}, or a dbmazz release that implements apiVersion ${JSON.stringify(declared) ?? 'undefined'}.`,
    });
    this.name = 'ApiVersionMismatchError';
  }
}

export class InvalidManifestError extends CdcError {
  constructor(
    readonly origin: string,
    readonly problems: readonly string[],
  ) {
    super({
      code: 'CONNECTOR_INVALID',
      message: `${origin} is not a valid dbmazz connector manifest: ${problems.join('; ')}.`,
      hint: 'See docs/writing-a-connector.md for the manifest shape.',
    });
    this.name = 'InvalidManifestError';
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Looks like a manifest at all (used to pick candidates among a module's exports). */
export function looksLikeManifest(v: unknown): v is Record<string, unknown> {
  return isRecord(v) && (v['kind'] === 'source' || v['kind'] === 'sink' || 'apiVersion' in v);
}

function settingProblems(settings: unknown): string[] {
  if (!Array.isArray(settings)) return ['`settings` must be an array of setting specs'];
  const problems: string[] = [];
  const names = new Set<string>();
  settings.forEach((s: unknown, i) => {
    if (!isRecord(s)) return problems.push(`settings[${i}] is not an object`);
    const env = s['env'];
    const where = typeof env === 'string' ? `setting ${env}` : `settings[${i}]`;
    if (typeof env !== 'string' || !ENV_NAME.test(env)) problems.push(`${where}: \`env\` must be an upper-case variable name`);
    const aliases = s['aliases'];
    if (aliases !== undefined && (!Array.isArray(aliases) || aliases.some((a) => typeof a !== 'string' || !ENV_NAME.test(a)))) {
      problems.push(`${where}: \`aliases\` must be upper-case variable names`);
    }
    for (const n of [env, ...(Array.isArray(aliases) ? (aliases as unknown[]) : [])]) {
      if (typeof n !== 'string') continue;
      if (names.has(n)) problems.push(`${where}: the variable ${n} is declared twice`);
      names.add(n);
    }
    if (typeof s['type'] !== 'string' || !SETTING_TYPES.has(s['type'])) {
      problems.push(`${where}: \`type\` must be one of ${[...SETTING_TYPES].join(', ')}`);
    }
    if (typeof s['description'] !== 'string') problems.push(`${where}: \`description\` must be a string`);
    if (s['schema'] !== undefined && !isRecord(s['schema'])) problems.push(`${where}: \`schema\` must be an object`);
    return undefined;
  });
  return problems;
}

/** Returns the value as a manifest or throws ApiVersionMismatchError / InvalidManifestError. */
export function checkManifest(value: unknown, origin: string): ConnectorManifest {
  if (!isRecord(value)) throw new InvalidManifestError(origin, ['it is not an object']);
  if (value['apiVersion'] !== PLUGIN_API_VERSION) throw new ApiVersionMismatchError(origin, value['apiVersion']);
  const problems: string[] = [];
  const kind = value['kind'];
  if (kind !== 'source' && kind !== 'sink') problems.push("`kind` must be 'source' or 'sink'");
  if (typeof value['type'] !== 'string' || !/^\S+$/.test(value['type'])) problems.push('`type` must be a non-empty name without spaces');
  if (typeof value['description'] !== 'string') problems.push('`description` must be a string');
  if (value['version'] !== undefined && typeof value['version'] !== 'string') problems.push('`version` must be a string');
  if (typeof value['create'] !== 'function') problems.push('`create` must be a function (settings, ctx) => connector');
  if (value['checkConfig'] !== undefined && typeof value['checkConfig'] !== 'function')
    problems.push('`checkConfig` must be a function (settings, tables) => problems');
  problems.push(...settingProblems(value['settings']));
  const caps = value['capabilities'];
  if (kind === 'source' || kind === 'sink') {
    if (!isRecord(caps)) problems.push('`capabilities` must be an object');
    else {
      for (const flag of CAPABILITIES[kind]) {
        if (typeof caps[flag] !== 'boolean') problems.push(`\`capabilities.${flag}\` must be a boolean`);
      }
      for (const flag of OPTIONAL_CAPABILITIES[kind] as readonly string[]) {
        if (caps[flag] !== undefined && typeof caps[flag] !== 'boolean') problems.push(`\`capabilities.${flag}\` must be a boolean when present`);
      }
    }
  }
  if (problems.length > 0) throw new InvalidManifestError(origin, problems);
  return value as unknown as ConnectorManifest;
}
