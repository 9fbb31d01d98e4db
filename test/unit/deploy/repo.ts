/**
 * What the deployment tests check the artifacts against: the repository's files, and every variable
 * dbmazz understands (core's settings and the built-in connectors', from their SettingSpecs).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_CONNECTORS } from '../../../connectors/index.js';
import { CORE_SETTINGS } from '../../../core/config/core-settings.js';
import { readSettings, type Environment } from '../../../core/config/read-settings.js';
import type { SettingSpec } from '../../../core/plugin/settings.js';

/** The repository root, from dist/test/unit/deploy. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export function repoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

/** Each settings group as readSettings reads it: core's, then each built-in connector's. */
export const SETTING_GROUPS: readonly { readonly owner: string; readonly specs: readonly SettingSpec[] }[] = [
  { owner: 'core', specs: CORE_SETTINGS },
  ...BUILTIN_CONNECTORS.map((m) => ({ owner: `${m.kind} ${m.type}`, specs: m.settings })),
];

/** Variable name (canonical or alias) → its spec. */
export const KNOWN_SETTINGS: ReadonlyMap<string, SettingSpec> = new Map(
  SETTING_GROUPS.flatMap((g) => g.specs.flatMap((s) => [s.env, ...(s.aliases ?? [])].map((name) => [name, s] as const))),
);

/**
 * Variables that are not dbmazz settings but are read by node or glibc; each must be explained in
 * docs/configuration.md (checked by the tests).
 */
export const PROCESS_VARIABLES: readonly string[] = ['MALLOC_ARENA_MAX', 'NODE_OPTIONS'];

/** Names that are neither a setting nor a documented process variable. */
export function unknownVariables(names: Iterable<string>): string[] {
  return [...names].filter((n) => !KNOWN_SETTINGS.has(n) && !PROCESS_VARIABLES.includes(n));
}

/**
 * Why a plain value of this setting would expose a password (undefined: it does not): a secret
 * setting always, a URL setting when its value carries one. Such values must come from a Secret.
 */
export function passwordInValue(spec: SettingSpec, value: string): string | undefined {
  if (spec.secret === true) return 'a secret setting';
  if (spec.url !== true) return undefined;
  let password: string;
  try {
    password = new URL(value).password;
  } catch {
    return undefined; // not a URL: the daemon rejects it anyway
  }
  return password === '' ? undefined : 'a URL with a password';
}

/** Every problem readSettings reports for `env`, over all groups (the daemon's own check). */
export function settingProblems(env: Environment): string[] {
  return SETTING_GROUPS.flatMap((g) => [...readSettings(g.specs, env, g.owner).problems]);
}

/** The value a variable has in `env`, or its declared default. */
export function settingValue(env: Environment, name: string): string | undefined {
  const spec = KNOWN_SETTINGS.get(name);
  if (spec === undefined) throw new Error(`${name} is not a setting`);
  for (const n of [spec.env, ...(spec.aliases ?? [])]) {
    const v = env[n];
    if (v !== undefined && v !== '') return v;
  }
  return spec.default === undefined ? undefined : String(spec.default);
}
