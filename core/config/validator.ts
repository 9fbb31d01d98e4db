/**
 * The one ajv instance. Each SettingSpec becomes a JSON Schema property (its `type` mapped from the
 * spec's type, then the spec's own `schema` keywords); a group of specs is one object schema. Values
 * are already converted from text (coerce.ts), so ajv does no coercion.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { SettingSpec, SettingValue } from '../plugin/settings.js';

const ajv = new Ajv({ strict: true, allErrors: true, logger: false });

function isAbsoluteUrl(text: string): boolean {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#]/i.test(text)) return false;
  try {
    new URL(text);
    return true;
  } catch {
    return false;
  }
}
ajv.addFormat('uri', { type: 'string', validate: isAbsoluteUrl });
ajv.addFormat('url', { type: 'string', validate: isAbsoluteUrl });

/** The JSON Schema property for one setting. */
export function settingSchema(spec: SettingSpec): Record<string, unknown> {
  const base: Record<string, unknown> = spec.type === 'list' ? { type: 'array', items: { type: 'string' } } : { type: spec.type };
  return { ...base, ...(spec.schema ?? {}), description: spec.description };
}

/** The object schema for a group of settings (required-ness is checked before, with better words). */
export function groupSchema(specs: readonly SettingSpec[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const spec of specs) properties[spec.env] = settingSchema(spec);
  return { type: 'object', properties };
}

export interface SettingViolation {
  readonly env: string;
  readonly error: ErrorObject;
}

const compiled = new WeakMap<readonly SettingSpec[], ValidateFunction>();

/**
 * Validates converted values against the group's schema. Throws when a spec's schema itself is
 * invalid (a connector bug); the caller reports it as a problem.
 */
export function validateGroup(specs: readonly SettingSpec[], values: Readonly<Record<string, SettingValue>>): SettingViolation[] {
  let validate = compiled.get(specs);
  if (!validate) {
    validate = ajv.compile(groupSchema(specs));
    compiled.set(specs, validate);
  }
  if (validate(values)) return [];
  const out: SettingViolation[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const env = error.instancePath.split('/')[1] ?? '';
    if (env === '' || seen.has(env)) continue; // one line per variable
    seen.add(env);
    out.push({ env, error });
  }
  return out;
}

/** Completes "<NAME>: '<value>' ..." for a schema violation. */
export function violationPhrase(spec: SettingSpec, error: ErrorObject, noun: string): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      if (spec.type === 'integer' && noun !== 'an integer') return `is not ${noun}`;
      return `must be ${String(p['comparison'])} ${String(p['limit'])}`;
    case 'enum':
      return `is not ${noun}`;
    case 'format':
      return p['format'] === 'uri' || p['format'] === 'url' ? 'is not a valid absolute URL' : `is not a valid ${String(p['format'])}`;
    case 'pattern':
      return 'does not have the expected form';
    case 'minLength':
      return p['limit'] === 1 ? 'must not be empty' : `is shorter than ${String(p['limit'])} characters`;
    case 'maxLength':
      return `is longer than ${String(p['limit'])} characters`;
    case 'minItems':
      return `must have at least ${String(p['limit'])} item(s)`;
    case 'maxItems':
      return `must have at most ${String(p['limit'])} item(s)`;
    case 'uniqueItems':
      return 'lists an item twice';
    default:
      return error.message ?? 'is not valid';
  }
}
