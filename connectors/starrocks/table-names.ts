/**
 * Source table → StarRocks target table name (pure). The name comes from a per-table override
 * (SINK_TABLE_MAP, `schema.table:target` entries) or else from the naming rule (SINK_TABLE_NAME, a
 * pattern with `{schema}` and `{table}`, default `{table}`). Two source tables that map to one target
 * would overwrite each other's rows, so a table set in which that happens is refused, naming both
 * source tables, the target and the settings to change.
 *
 * StarRocks table names are case-sensitive and may hold any character but NUL, 1 to 1024 characters
 * (FeNameFormat, docs/starrocks-protocol.md §7.2); the target name is used exactly as written.
 */
import type { TableId } from '../../core/index.js';
import { formatTableId, parseTables, tableKey } from '../../core/index.js';

export const TABLE_NAME_SETTING = 'SINK_TABLE_NAME';
export const TABLE_MAP_SETTING = 'SINK_TABLE_MAP';
export const DEFAULT_TABLE_NAME_PATTERN = '{table}';
/** The table in SINK_DATABASE where the sink records each target's source (source-identity.ts). */
export const SOURCE_IDENTITY_TABLE = 'dbmazz_source_identity';
/** The table in SINK_DATABASE where the sink keeps the source's durable state (state-store.ts). */
export const STATE_TABLE = 'dbmazz_state';
const OWN_TABLES: ReadonlySet<string> = new Set([SOURCE_IDENTITY_TABLE, STATE_TABLE]);

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS = new Set(['schema', 'table']);
const MAX_TABLE_NAME = 1024;

export interface TableNaming {
  /** The StarRocks table a source table is loaded into. */
  targetOf(id: TableId): string;
  /** Problems of loading exactly `tables` (bad names, two tables into one target); empty when fine. */
  problems(tables: readonly TableId[]): string[];
}

type Parsed<T> = { readonly value: T; readonly problems: readonly string[] };

/** Why `name` is not a StarRocks table name, or undefined when it is one. */
export function tableNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > MAX_TABLE_NAME) return `is longer than ${MAX_TABLE_NAME} characters`;
  if (name.includes('\0')) return 'contains a NUL character';
  if (name !== name.trim()) return 'starts or ends with white space';
  return undefined;
}

/** Checks SINK_TABLE_NAME: only `{schema}` and `{table}`, and braces only around them. */
export function parsePattern(pattern: string): Parsed<string> {
  const problems: string[] = [];
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    if (!PLACEHOLDERS.has(m[1] ?? ''))
      problems.push(`${TABLE_NAME_SETTING}: '${pattern}' has the unknown placeholder {${m[1] ?? ''}} (expected {schema} and {table})`);
  }
  if (/[{}]/.test(pattern.replace(PLACEHOLDER, ''))) problems.push(`${TABLE_NAME_SETTING}: '${pattern}' has an unmatched { or }`);
  return { value: pattern, problems };
}

export function applyPattern(pattern: string, id: TableId): string {
  return pattern.replace(PLACEHOLDER, (_, name: string) => (name === 'schema' ? id.schema : id.name));
}

/** Index of the `:` separating source and target: the last one outside double quotes. */
function separatorIndex(entry: string): number {
  let quoted = false;
  let at = -1;
  for (let i = 0; i < entry.length; i++) {
    if (entry[i] === '"') quoted = !quoted;
    else if (entry[i] === ':' && !quoted) at = i;
  }
  return at;
}

/** A target written `"..."` keeps what is inside (`""` is a quote); otherwise it is taken as written. */
function unquoteTarget(text: string): string {
  const t = text.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/** SINK_TABLE_MAP entries → source table key → target name. */
export function parseTableMap(entries: readonly string[]): Parsed<ReadonlyMap<string, string>> {
  const map = new Map<string, string>();
  const problems: string[] = [];
  for (const entry of entries) {
    const at = separatorIndex(entry);
    const expected = '(expected schema.table:target, e.g. sales.orders:sales_orders)';
    if (at < 0) {
      problems.push(`${TABLE_MAP_SETTING}: '${entry}' has no ':' between the source table and the target name ${expected}`);
      continue;
    }
    const parsed = parseTables([entry.slice(0, at).trim()], TABLE_MAP_SETTING);
    const id = parsed.tables[0];
    if (parsed.problems.length > 0 || id === undefined) {
      problems.push(...parsed.problems);
      continue;
    }
    const target = unquoteTarget(entry.slice(at + 1));
    const bad = tableNameProblem(target);
    if (bad !== undefined) {
      problems.push(`${TABLE_MAP_SETTING}: the target of '${entry}' ${bad} ${expected}`);
      continue;
    }
    const key = tableKey(id);
    if (map.has(key)) {
      problems.push(`${TABLE_MAP_SETTING}: ${formatTableId(id)} is mapped more than once`);
      continue;
    }
    map.set(key, target);
  }
  return { value: map, problems };
}

export class TargetNaming implements TableNaming {
  constructor(
    private readonly pattern: string,
    private readonly overrides: ReadonlyMap<string, string>,
  ) {}

  /** Builds the naming from the two settings; `problems` lists everything wrong with them. */
  static parse(pattern: string | undefined, map: readonly string[] | undefined): Parsed<TargetNaming> {
    const p = parsePattern(pattern ?? DEFAULT_TABLE_NAME_PATTERN);
    const m = parseTableMap(map ?? []);
    return { value: new TargetNaming(p.value, m.value), problems: [...p.problems, ...m.problems] };
  }

  targetOf(id: TableId): string {
    return this.overrides.get(tableKey(id)) ?? applyPattern(this.pattern, id);
  }

  /** Whether `id` has a SINK_TABLE_MAP entry. */
  isMapped(id: TableId): boolean {
    return this.overrides.has(tableKey(id));
  }

  /** SINK_TABLE_MAP entries for tables that are not in `tables` (typos, or tables to add later). */
  unusedOverrides(tables: readonly TableId[]): string[] {
    const listed = new Set(tables.map(tableKey));
    return [...this.overrides.keys()].filter((k) => !listed.has(k));
  }

  problems(tables: readonly TableId[]): string[] {
    const problems: string[] = [];
    const byTarget = new Map<string, TableId[]>();
    for (const id of tables) {
      const target = this.targetOf(id);
      const how = this.isMapped(id) ? TABLE_MAP_SETTING : `${TABLE_NAME_SETTING}=${this.pattern}`;
      const bad = tableNameProblem(target);
      if (bad !== undefined) {
        problems.push(`${how}: the StarRocks table name '${target}' of ${formatTableId(id)} ${bad}; map the table to a valid name with ${TABLE_MAP_SETTING}`);
        continue;
      }
      if (OWN_TABLES.has(target)) {
        problems.push(
          `${how}: ${formatTableId(id)} would be loaded into ${target}, which dbmazz keeps for its own state; map it to another name with ${TABLE_MAP_SETTING}`,
        );
        continue;
      }
      byTarget.set(target, [...(byTarget.get(target) ?? []), id]);
    }
    for (const [target, ids] of byTarget) {
      if (ids.length < 2) continue;
      const sources = ids.map(formatTableId);
      const example = ids.map((id) => `${formatTableId(id)}:${applyPattern('{schema}_{table}', id)}`).join(',');
      problems.push(
        `${TABLE_MAP_SETTING}/${TABLE_NAME_SETTING}: ${sources.join(' and ')} would both be loaded into the StarRocks table '${target}' (one would overwrite the other's rows); ` +
          `give them distinct targets, e.g. ${TABLE_NAME_SETTING}={schema}_{table} or ${TABLE_MAP_SETTING}=${example}`,
      );
    }
    return problems;
  }
}
