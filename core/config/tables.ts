/**
 * TABLES entries → TableId. `schema.table` or `table` (schema `public`). Unquoted identifiers fold to
 * lower case, as PostgreSQL does; `"Quoted"` identifiers keep case and may hold any character (`""` is
 * a quote). Duplicates are rejected.
 */
import { tableKey, type TableId } from '../model/table.js';

export const DEFAULT_SCHEMA = 'public';
const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export type ParsedTables = { readonly tables: readonly TableId[]; readonly problems: readonly string[] };

/** Splits `a."b.c"` into identifier parts; returns a problem text on bad syntax. */
function splitIdentifiers(entry: string): string[] | string {
  const parts: string[] = [];
  let i = 0;
  while (i <= entry.length) {
    if (entry[i] === '"') {
      let name = '';
      i++;
      for (;;) {
        if (i >= entry.length) return 'has an unterminated quoted identifier';
        if (entry[i] === '"') {
          if (entry[i + 1] === '"') {
            name += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        name += entry[i];
        i++;
      }
      if (name === '') return 'has an empty quoted identifier';
      parts.push(name);
    } else {
      const dot = entry.indexOf('.', i);
      const end = dot < 0 ? entry.length : dot;
      const raw = entry.slice(i, end);
      if (!UNQUOTED.test(raw)) {
        return raw === '' ? 'has an empty name part' : `has '${raw}', which needs double quotes (unquoted names are letters, digits, _ and $)`;
      }
      parts.push(raw.toLowerCase());
      i = end;
    }
    if (i >= entry.length) break;
    if (entry[i] !== '.') return 'has text after a quoted identifier (expected a dot)';
    i++;
    if (i >= entry.length) return 'ends with a dot';
  }
  return parts;
}

export function parseTables(entries: readonly string[], variable = 'TABLES'): ParsedTables {
  const tables: TableId[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const parts = splitIdentifiers(entry);
    if (typeof parts === 'string' || parts.length > 2 || parts.length === 0) {
      const why = typeof parts === 'string' ? parts : 'has more than two name parts';
      problems.push(`${variable}: '${entry}' ${why} (expected schema.table or table, e.g. public.orders)`);
      continue;
    }
    const id: TableId = parts.length === 2 ? { schema: parts[0] ?? '', name: parts[1] ?? '' } : { schema: DEFAULT_SCHEMA, name: parts[0] ?? '' };
    const key = tableKey(id);
    if (seen.has(key)) {
      problems.push(`${variable}: '${entry}' is listed more than once (as ${key})`);
      continue;
    }
    seen.add(key);
    tables.push(id);
  }
  return { tables, problems };
}
