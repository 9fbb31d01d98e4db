/**
 * Environment text → typed setting value, by the spec's `type`, before JSON Schema validation.
 * Pure: returns either the value or the phrase that completes "<NAME>: '<value>' ...".
 */
import type { SettingSpec, SettingValue } from '../plugin/settings.js';
import { typeNoun } from './describe.js';

export type Coerced = { readonly ok: true; readonly value: SettingValue } | { readonly ok: false; readonly problem: string };

const INTEGER = /^[+-]?\d+$/;
const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

export function coerceSetting(spec: SettingSpec, text: string): Coerced {
  switch (spec.type) {
    case 'string':
      return { ok: true, value: text };
    case 'integer': {
      const t = text.trim();
      const n = Number(t);
      if (!INTEGER.test(t) || !Number.isSafeInteger(n)) return { ok: false, problem: `is not ${typeNoun(spec)}` };
      return { ok: true, value: n };
    }
    case 'number': {
      const t = text.trim();
      const n = Number(t);
      if (t === '' || !Number.isFinite(n)) return { ok: false, problem: `is not ${typeNoun(spec)}` };
      return { ok: true, value: n };
    }
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (TRUE.has(t)) return { ok: true, value: true };
      if (FALSE.has(t)) return { ok: true, value: false };
      return { ok: false, problem: 'is not a boolean (true or false)' };
    }
    case 'list': {
      const items = splitList(text);
      if (items.some((i) => i === '')) return { ok: false, problem: 'has an empty item (remove the extra comma)' };
      return { ok: true, value: items };
    }
  }
}

/** Splits on commas outside double quotes and trims each item. */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      items.push(current.trim());
      current = '';
    } else {
      current += ch;
    }
  }
  items.push(current.trim());
  return items;
}
