/**
 * Minimal JsonPath for `jsonpaths` / `json_root` (docs/starrocks-protocol.md §2): `$`, `$.a.b`, `$['a']`, `$.a[0]`.
 */
import { JsonObject, type JsonValue, parseJson } from './json-raw.js';

export type JsonPath = readonly (string | number)[];

/** Parse one path; null if invalid. */
export function parseJsonPath(p: string): JsonPath | null {
  const s = p.trim();
  if (!s.startsWith('$')) return null;
  const out: (string | number)[] = [];
  let i = 1;
  while (i < s.length) {
    if (s[i] === '.') {
      const m = /^[^.[\]]+/.exec(s.slice(i + 1));
      if (!m) return null;
      out.push(m[0]);
      i += 1 + m[0].length;
    } else if (s[i] === '[') {
      const m = /^\[(?:(\d+)|'([^']*)'|"([^"]*)")\]/.exec(s.slice(i));
      if (!m) return null;
      if (m[1] !== undefined) out.push(Number(m[1]));
      else out.push(m[2] ?? m[3] ?? '');
      i += m[0].length;
    } else return null;
  }
  return out;
}

/** The `jsonpaths` header: a JSON array of path strings. Throws `Invalid json path: <p>`. */
export function parseJsonPathsHeader(text: string): JsonPath[] {
  let v: JsonValue;
  try {
    v = parseJson(text);
  } catch {
    throw new Error(`Invalid json path: ${text}`);
  }
  if (!Array.isArray(v)) throw new Error(`Invalid json path: ${text}`);
  return v.map((e) => {
    if (typeof e !== 'string') throw new Error(`Invalid json path: ${text}`);
    const path = parseJsonPath(e);
    if (!path) throw new Error(`Invalid json path: ${e}`);
    return path;
  });
}

/** Follow a path; undefined when absent. */
export function evalJsonPath(v: JsonValue, path: JsonPath): JsonValue | undefined {
  let cur: JsonValue | undefined = v;
  for (const seg of path) {
    if (cur === undefined) return undefined;
    if (typeof seg === 'number') {
      cur = Array.isArray(cur) ? cur[seg] : undefined;
    } else {
      cur = cur instanceof JsonObject ? cur.get(seg) : undefined;
    }
  }
  return cur;
}
