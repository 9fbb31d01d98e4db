/**
 * A setting read from the environment. Connectors declare theirs in the manifest; core declares the
 * common ones. The value is validated with ajv against `schema` (after string coercion for env).
 */
export type SettingValue = string | number | boolean | readonly string[];

export interface SettingSpec {
  /** Canonical environment variable, e.g. `SINK_URL`. */
  readonly env: string;
  /** Accepted older names (the seed's), e.g. `STARROCKS_URL`. The canonical name wins when both are set. */
  readonly aliases?: readonly string[];
  /** How the text becomes a value before validation. */
  readonly type: 'string' | 'integer' | 'number' | 'boolean' | 'list';
  /** JSON Schema applied to the converted value (e.g. `{ minimum: 1 }`, `{ format: 'uri' }`). */
  readonly schema?: Readonly<Record<string, unknown>>;
  readonly default?: SettingValue;
  readonly required?: boolean;
  /** Never printed: logs, errors and --help show `****`. */
  readonly secret?: boolean;
  /** URL whose userinfo password must be masked when printed. */
  readonly url?: boolean;
  /** One line for --help and docs. */
  readonly description: string;
  /** The expected form, used in error messages, e.g. `a positive integer`. */
  readonly expected?: string;
}

/** Validated settings keyed by canonical env name. */
export type Settings = Readonly<Record<string, SettingValue | undefined>>;

export function settingString(s: Settings, env: string): string {
  const v = s[env];
  if (typeof v !== 'string') throw new TypeError(`setting ${env} is not a string`);
  return v;
}

export function settingOptionalString(s: Settings, env: string): string | undefined {
  const v = s[env];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function settingNumber(s: Settings, env: string): number {
  const v = s[env];
  if (typeof v !== 'number') throw new TypeError(`setting ${env} is not a number`);
  return v;
}

export function settingBoolean(s: Settings, env: string): boolean {
  const v = s[env];
  if (typeof v !== 'boolean') throw new TypeError(`setting ${env} is not a boolean`);
  return v;
}

export function settingList(s: Settings, env: string): readonly string[] {
  const v = s[env];
  if (!Array.isArray(v)) throw new TypeError(`setting ${env} is not a list`);
  return v as readonly string[];
}
