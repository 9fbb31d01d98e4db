/**
 * Keeps secrets out of everything dbmazz prints: `secret` settings print as `****`, `url` settings keep
 * everything but the password, and free text (error messages) is scrubbed of known secret values.
 */
import type { SettingSpec, SettingValue } from '../plugin/settings.js';

export const MASK = '****';

const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)@/i;
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const QUERY_SECRET = /([?&](?:password|pass|pwd|passwd|sslpassword|secret|token)=)[^&#]*/gi;

/** `postgres://user:secret@host/db` → `postgres://user:****@host/db` (also `?password=`). */
export function maskUrl(text: string): string {
  let out = text;
  const m = AUTHORITY.exec(out);
  if (m && m[1] !== undefined && m[2] !== undefined) {
    const colon = m[2].indexOf(':');
    if (colon >= 0) out = `${m[1]}${m[2].slice(0, colon)}:${MASK}@${out.slice(m[0].length)}`;
  } else if (SCHEME.test(out)) {
    // A password holding an unencoded `/`, `?` or `#` ends the authority early: mask conservatively,
    // from the first `:` after the scheme to the last `@`.
    const start = (SCHEME.exec(out)?.[0] ?? '').length;
    const colon = out.indexOf(':', start);
    const at = out.lastIndexOf('@');
    if (colon >= 0 && at > colon) out = `${out.slice(0, colon + 1)}${MASK}${out.slice(at)}`;
  }
  return out.replace(QUERY_SECRET, `$1${MASK}`);
}

/** Masks every URL inside free text. */
export function maskUrlsInText(text: string): string {
  return text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (url) => maskUrl(url));
}

/** A value as it may be printed for `spec`. */
export function displayValue(spec: SettingSpec, value: SettingValue | undefined): string {
  if (value === undefined) return '';
  if (spec.secret) return value === '' ? '' : MASK;
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return spec.url ? maskUrl(text) : text;
}

/** The secret parts of a value: the whole value of a secret setting, the password of a URL setting. */
export function secretParts(spec: SettingSpec, value: SettingValue | undefined): string[] {
  if (typeof value !== 'string' || value === '') return [];
  if (spec.secret) return [value];
  if (!spec.url) return [];
  const parts: string[] = [];
  try {
    const u = new URL(value);
    if (u.password !== '') parts.push(u.password, decodeURIComponentSafe(u.password));
    for (const [k, v] of u.searchParams) if (/pass|pwd|secret|token/i.test(k) && v !== '') parts.push(v);
  } catch {
    // Not a URL: maskUrl's fallback covers it.
  }
  return parts;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Replaces every occurrence of each secret (longest first) and masks URL passwords. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = maskUrlsInText(text);
  const sorted = [...new Set(secrets)].filter((s) => s !== '').sort((a, b) => b.length - a.length);
  for (const s of sorted) out = out.split(s).join(MASK);
  return out;
}
