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

// -- Typed settings ---------------------------------------------------------------------------------

/** The value a setting of each `type` has after validation. */
export interface SettingTypeValue {
  readonly string: string;
  readonly integer: number;
  readonly number: number;
  readonly boolean: boolean;
  readonly list: readonly string[];
}

/** The values a string setting with `schema.enum` can take (`never` without one). */
type EnumOf<S extends SettingSpec> = S extends { readonly schema: { readonly enum: readonly (infer E extends string)[] } } ? E : never;

/** The type of a declared setting's value: the enum's members for a string setting with `schema.enum`. */
type ValueTypeOf<S extends SettingSpec> = [EnumOf<S>] extends [never] ? SettingTypeValue[S['type']] : EnumOf<S>;

/** The value of one declared setting: never undefined when it is required or has a default. */
export type SettingValueOf<S extends SettingSpec> = S extends { readonly required: true } | { readonly default: SettingValue }
  ? ValueTypeOf<S>
  : ValueTypeOf<S> | undefined;

/** A connector's settings declared once: the specs for the manifest, and a typed reader. */
export interface SettingsDefinition<D extends Readonly<Record<string, SettingSpec>>> {
  /** For the manifest's `settings`. */
  readonly specs: readonly SettingSpec[];
  /**
   * The validated settings `create` receives, as an object typed from the declaration (`{ dir: string }`
   * for `{ dir: { env: 'SINK_JSONL_DIR', type: 'string', required: true, ... } }`). Throws a TypeError
   * naming the variable when a value does not have its declared type (the runtime validated them
   * against these specs, so that is a bug, e.g. specs and manifest out of step).
   */
  read(settings: Settings): { readonly [K in keyof D]: SettingValueOf<D[K]> };
}

const TYPE_CHECKS: Readonly<Record<SettingSpec['type'], (v: SettingValue) => boolean>> = {
  string: (v) => typeof v === 'string',
  integer: (v) => typeof v === 'number' && Number.isInteger(v),
  number: (v) => typeof v === 'number',
  boolean: (v) => typeof v === 'boolean',
  list: (v) => Array.isArray(v),
};

/**
 * Declares a connector's settings by field name, so `create` reads `settings.dir` (typed) instead of
 * `settingString(s, 'SINK_JSONL_DIR')`. Use `specs` as the manifest's `settings`.
 */
export function defineSettings<const D extends Readonly<Record<string, SettingSpec>>>(definition: D): SettingsDefinition<D> {
  const entries = Object.entries(definition);
  return {
    specs: entries.map(([, spec]) => spec),
    read(settings) {
      const out: Record<string, SettingValue | undefined> = {};
      for (const [field, spec] of entries) {
        const v = settings[spec.env];
        if (v === undefined || (v === '' && spec.type === 'string' && spec.required !== true)) {
          if (spec.required === true) throw new TypeError(`setting ${spec.env} is required but missing`);
          out[field] = spec.default;
          continue;
        }
        if (!TYPE_CHECKS[spec.type](v)) throw new TypeError(`setting ${spec.env} is not a${spec.type === 'integer' ? 'n' : ''} ${spec.type}`);
        const members = spec.schema?.['enum'];
        if (Array.isArray(members) && !members.includes(v)) throw new TypeError(`setting ${spec.env} is not one of ${members.join(', ')}`);
        out[field] = v;
      }
      return out as { readonly [K in keyof D]: SettingValueOf<D[K]> };
    },
  };
}
