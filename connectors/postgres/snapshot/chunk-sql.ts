/**
 * The SQL of snapshot reads (pure). Chunks are read by keyset pagination on the table's key (the
 * primary key or replica identity index, whose columns are unique and NOT NULL): `WHERE (k1, k2) >
 * ($1, $2) ORDER BY k1, k2 LIMIT n`, which the key's btree index answers without scanning what was
 * read before (never OFFSET). The last key of a chunk is passed back exactly as PostgreSQL printed
 * it; the parameters take the key columns' types by inference, so comparisons use the column's own
 * type and collation.
 */
import type { TableSchema } from '../../../core/index.js';
import { qualified, quoteIdent } from '../catalog.js';

const qualifiedName = (schema: TableSchema): string => qualified(schema.id);

export interface SqlText {
  readonly text: string;
  readonly values: readonly string[];
}

const selectList = (schema: TableSchema): string => schema.columns.map((c) => quoteIdent(c.name)).join(', ');
const keyList = (schema: TableSchema): string => schema.keyColumns.map(quoteIdent).join(', ');

/** The next chunk after `after` (the previous chunk's last key, as text; undefined for the first). */
export function chunkQuery(schema: TableSchema, after: readonly string[] | undefined, limit: number): SqlText {
  if (schema.keyColumns.length === 0) throw new RangeError(`${schema.id.schema}.${schema.id.name} has no key`);
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`invalid chunk size ${limit}`);
  const keys = keyList(schema);
  let where = '';
  if (after !== undefined) {
    if (after.length !== schema.keyColumns.length) throw new RangeError('resume key does not match the table key');
    const params = after.map((_, i) => `$${i + 1}`).join(', ');
    where = after.length === 1 ? ` WHERE ${keys} > ${params}` : ` WHERE (${keys}) > (${params})`;
  }
  return { text: `SELECT ${selectList(schema)} FROM ${qualifiedName(schema)}${where} ORDER BY ${keys} LIMIT ${limit}`, values: after ?? [] };
}

/** The current rows of exactly these keys (each key: its columns as text, in key order). */
export function keysQuery(schema: TableSchema, keys: readonly (readonly string[])[]): SqlText {
  const width = schema.keyColumns.length;
  if (width === 0) throw new RangeError(`${schema.id.schema}.${schema.id.name} has no key`);
  if (keys.length === 0) throw new RangeError('no keys to read');
  const values: string[] = [];
  const tuples = keys.map((key) => {
    if (key.length !== width) throw new RangeError('key does not match the table key');
    const ps = key.map((v) => {
      values.push(v);
      return `$${values.length}`;
    });
    return width === 1 ? ps[0] : `(${ps.join(', ')})`;
  });
  const lhs = width === 1 ? keyList(schema) : `(${keyList(schema)})`;
  return { text: `SELECT ${selectList(schema)} FROM ${qualifiedName(schema)} WHERE ${lhs} IN (${tuples.join(', ')})`, values };
}

/**
 * `COPY (<sql>) TO STDOUT` with the parameters written as literals (COPY takes no parameters). A
 * parameter becomes an escape string literal (`E'…'`: backslashes and quotes doubled, so it reads the
 * same whatever `standard_conforming_strings` is), of type unknown like the parameter it replaces, so
 * comparisons still take the key column's type and collation. Only `$n` outside double-quoted
 * identifiers are parameters (the queries above write no other literal).
 */
export function copyStatement(sql: SqlText): string {
  const t = sql.text;
  let out = '';
  let i = 0;
  while (i < t.length) {
    const c = t[i];
    if (c === '"') {
      // An identifier, `""` inside it a quote.
      let j = i + 1;
      while (j < t.length && !(t[j] === '"' && t[j + 1] !== '"')) j += t[j] === '"' ? 2 : 1;
      out += t.slice(i, j + 1);
      i = j + 1;
    } else if (c === '$') {
      let j = i + 1;
      while (j < t.length && (t[j] ?? '') >= '0' && (t[j] ?? '') <= '9') j++;
      const n = Number(t.slice(i + 1, j));
      const v = sql.values[n - 1];
      if (j === i + 1 || v === undefined) throw new RangeError(`no value for parameter ${t.slice(i, j)}`);
      out += sqlLiteral(v);
      i = j;
    } else if (c === "'") {
      throw new RangeError('a snapshot query holds no string literal');
    } else {
      out += c;
      i++;
    }
  }
  return `COPY (${out}) TO STDOUT`;
}

/** `text` as an escape string literal (PostgreSQL text never holds NUL, which no literal can carry). */
export function sqlLiteral(text: string): string {
  if (text.includes('\u0000')) throw new RangeError('a key value holds NUL');
  return `E'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * PostgreSQL's estimate of the table's rows: pg_class.reltuples once analysed, else the statistics
 * collector's live-row count (kept up to date by inserts, no ANALYZE needed); -1 when neither knows.
 */
export function estimateQuery(schema: TableSchema): SqlText {
  return {
    text:
      `SELECT (CASE WHEN c.reltuples > 0 THEN c.reltuples::bigint WHEN COALESCE(st.n_live_tup, 0) > 0 THEN st.n_live_tup ELSE -1 END)::text AS n ` +
      `FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace s ON s.oid = c.relnamespace ` +
      `LEFT JOIN pg_catalog.pg_stat_user_tables st ON st.relid = c.oid WHERE s.nspname = $1 AND c.relname = $2`,
    values: [schema.id.schema, schema.id.name],
  };
}
