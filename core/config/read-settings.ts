/**
 * Reads one group of settings (core's or one connector's) from the environment: canonical name first,
 * aliases accepted, text converted by type, then validated with the group's JSON Schema. Every problem
 * is collected, one line each; secrets never appear in them.
 */
import type { Settings, SettingSpec, SettingValue } from '../plugin/settings.js';
import { coerceSetting } from './coerce.js';
import { expectedText, namesText, quoteValue, typeNoun } from './describe.js';
import { displayValue, secretParts } from './mask.js';
import { validateGroup, violationPhrase } from './validator.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ReadSettingsResult {
  readonly settings: Settings;
  readonly problems: readonly string[];
  /** Secret values (and URL passwords) seen, to scrub from any later message. */
  readonly secrets: readonly string[];
}

function isSet(env: Environment, name: string): boolean {
  const v = env[name];
  return v !== undefined && v !== '';
}

export function readSettings(specs: readonly SettingSpec[], env: Environment, owner = 'core'): ReadSettingsResult {
  const values: Record<string, SettingValue> = {};
  const found: { index: number; text: string }[] = [];
  const secrets: string[] = [];
  const usedName = new Map<string, string>();
  let index = 0;
  const problems = { push: (text: string): void => void found.push({ index, text }) };
  // Problems are listed in the order the specs are declared.
  const ordered = (): string[] => found.sort((a, b) => a.index - b.index).map((f) => f.text);

  for (const [i, spec] of specs.entries()) {
    index = i;
    const names = [spec.env, ...(spec.aliases ?? [])].filter((n) => isSet(env, n));
    for (const n of names) secrets.push(...secretParts(spec, env[n]));
    const first = names[0];
    if (first === undefined) {
      if (spec.required) problems.push(`${namesText(spec)}: required, expected ${expectedText(spec)}`);
      else if (spec.default !== undefined) values[spec.env] = spec.default;
      continue;
    }
    const conflicting = names.find((n) => env[n] !== env[first]);
    if (conflicting !== undefined) {
      problems.push(
        `${first} and ${conflicting} are both set, to different values: set only ${spec.env}` +
          (spec.env === first ? ` (${conflicting} is its older name)` : ''),
      );
      continue;
    }
    const text = env[first] ?? '';
    const coerced = coerceSetting(spec, text);
    if (!coerced.ok) {
      problems.push(`${first}: ${quoteValue(displayValue(spec, text))} ${coerced.problem} (expected ${expectedText(spec)})`);
      continue;
    }
    values[spec.env] = coerced.value;
    usedName.set(spec.env, first);
  }

  let violations;
  try {
    violations = validateGroup(specs, values);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    problems.push(`${owner}: its settings declare an invalid JSON Schema (${reason}); this is a bug in the connector`);
    return { settings: values, problems: ordered(), secrets };
  }
  for (const { env: name, error } of violations) {
    index = specs.findIndex((s) => s.env === name);
    const spec = specs[index];
    if (!spec) continue;
    const shown = usedName.get(name);
    const label = shown ?? `${name} default`;
    const text = shown !== undefined ? (env[shown] ?? '') : (values[name] ?? '');
    problems.push(`${label}: ${quoteValue(displayValue(spec, text))} ${violationPhrase(spec, error, typeNoun(spec))} (expected ${expectedText(spec)})`);
    delete values[name];
  }
  return { settings: values, problems: ordered(), secrets };
}
