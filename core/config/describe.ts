/** Human phrases for a setting's expected form, used in error lines, --help and docs. */
import type { SettingSpec, SettingValue } from '../plugin/settings.js';
import { displayValue } from './mask.js';

function schemaNumber(spec: SettingSpec, key: string): number | undefined {
  const v = spec.schema?.[key];
  return typeof v === 'number' ? v : undefined;
}

function schemaEnum(spec: SettingSpec): readonly unknown[] | undefined {
  const v = spec.schema?.['enum'];
  return Array.isArray(v) ? v : undefined;
}

/** `a positive integer`, `a URL`, `one of a, b`, ... derived from type and schema. */
export function typeNoun(spec: SettingSpec): string {
  const values = schemaEnum(spec);
  if (values) return `one of ${values.map(String).join(', ')}`;
  switch (spec.type) {
    case 'integer': {
      const min = schemaNumber(spec, 'minimum');
      const exMin = schemaNumber(spec, 'exclusiveMinimum');
      if ((min !== undefined && min >= 1) || (exMin !== undefined && exMin >= 0)) return 'a positive integer';
      if (min === 0) return 'a non-negative integer';
      return 'an integer';
    }
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'list':
      return 'a comma-separated list';
    case 'string': {
      const format = spec.schema?.['format'];
      if (format === 'uri' || format === 'url' || spec.url) return 'a URL';
      return 'a text value';
    }
  }
}

/** Printable default: '' when there is none. */
export function displayDefault(spec: SettingSpec): string {
  const d: SettingValue | undefined = spec.default;
  return d === undefined ? '' : displayValue(spec, d);
}

/** The expected form for messages: the spec's own words, else derived, with an example when known. */
export function expectedText(spec: SettingSpec): string {
  if (spec.expected) return spec.expected;
  const noun = typeNoun(spec);
  if (noun === 'a text value' && spec.description.trim() !== '') return `a value (${spec.description.trim().replace(/\.$/, '')})`;
  const d = displayDefault(spec);
  return d !== '' && !spec.secret ? `${noun}, e.g. ${d}` : noun;
}

/** `SINK_URL (or STARROCKS_URL)`. */
export function namesText(spec: SettingSpec): string {
  const aliases = spec.aliases ?? [];
  return aliases.length === 0 ? spec.env : `${spec.env} (or ${aliases.join(', ')})`;
}

/** Quotes a printable value, shortening very long ones. */
export function quoteValue(text: string): string {
  const short = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return `'${short}'`;
}
