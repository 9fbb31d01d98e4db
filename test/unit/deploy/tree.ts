/** Reading parsed YAML/JSON (unknown) with the shape asserted at each step. */

export type Json = unknown;

export function record(v: Json, what: string): Record<string, Json> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(v)}`);
  return v as Record<string, Json>;
}

export function list(v: Json, what: string): Json[] {
  if (!Array.isArray(v)) throw new Error(`${what}: expected a list, got ${JSON.stringify(v)}`);
  return v;
}

export function text(v: Json, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(v)}`);
  return v;
}

export function num(v: Json, what: string): number {
  if (typeof v !== 'number') throw new Error(`${what}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

/** The value at `path` (undefined when a step is missing). */
export function at(v: Json, ...path: readonly (string | number)[]): Json {
  let cur = v;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, Json>)[p];
  }
  return cur;
}

/** Helm's merge of a values file over the chart's values: mappings merge, anything else is replaced. */
export function mergeValues(base: Json, over: Json): Json {
  if (typeof base !== 'object' || base === null || Array.isArray(base) || typeof over !== 'object' || over === null || Array.isArray(over)) return over;
  const out: Record<string, Json> = { ...(base as Record<string, Json>) };
  for (const [k, v] of Object.entries(over as Record<string, Json>)) out[k] = k in out ? mergeValues(out[k], v) : v;
  return out;
}
