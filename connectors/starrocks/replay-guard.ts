/**
 * The replay guard: after a restart PostgreSQL resends every transaction after the slot's confirmed
 * position, and some of it may already be in StarRocks (the daemon crashed after a load committed but
 * before the position was confirmed). The replayed flush is usually cut differently, so its labels
 * differ and would not stop a second application. The guard makes replays exact: at setup it reads each
 * table's highest `dbmazz_cdc_version` (the horizon); a batch reaching below the horizon looks up the
 * stored versions of its keys and drops every change whose version is not newer than what is stored
 * (already applied, or superseded). Changes above the horizon, i.e. normal operation, cost nothing.
 * `merge_condition` still guards every load; the guard only avoids re-writing rows.
 *
 * A change is dropped only when every row it writes is already at its version or newer: a
 * key-changing update writes the new key's row and a soft delete of the old key (possibly in two
 * loads of which only one committed before the crash), so both keys are looked up. Anything the guard
 * cannot compare (NULL or non-integer/string/date keys, a schema whose keys do not line up) is kept.
 * A batch the guard shortened must not reuse the labels of the batch it came from (see sink.ts).
 */
import type { Cell, ChangeRecord, TableSchema } from '../../core/index.js';
import { TemporalValue } from '../../core/index.js';
import { quoteIdent, quoteString } from './identifiers.js';
import type { Query } from './setup/mysql.js';

/** Keys per lookup query. */
const CHUNK = 500;

type KeyLiteral = { readonly sql: string; readonly text: string };

/** SQL literal and comparable text of a key value; undefined when the guard cannot compare it safely. */
function keyLiteral(v: Cell | undefined): KeyLiteral | undefined {
  if (typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v))) return { sql: String(v), text: String(v) };
  if (typeof v === 'string') return { sql: quoteString(v), text: v };
  if (v instanceof TemporalValue && v.type === 'date' && /^\d{4}-\d\d-\d\d$/.test(v.text)) return { sql: quoteString(v.text), text: v.text };
  return undefined;
}

function keyOf(values: readonly (Cell | undefined)[]): KeyLiteral[] | undefined {
  const out: KeyLiteral[] = [];
  for (const v of values) {
    const lit = keyLiteral(v);
    if (!lit) return undefined;
    out.push(lit);
  }
  return out;
}

/** Positions of the key columns in a record's own schema; undefined when they do not line up. */
function keyIndexesOf(schema: TableSchema, keyCount: number): number[] | undefined {
  const idx = schema.keyColumns.map((k) => schema.columns.findIndex((c) => c.name === k));
  return idx.length === keyCount && idx.length > 0 && idx.every((i) => i >= 0) ? idx : undefined;
}

/**
 * The keys of every row a record writes: its key (`before` for a delete, else `after`), plus the old
 * key of a key-changing update. Undefined when one of them cannot be compared.
 */
function recordKeys(record: ChangeRecord, keyIndexes: readonly number[]): KeyLiteral[][] | undefined {
  const values = record.op === 'delete' ? record.before : record.after;
  const key = keyOf(keyIndexes.map((i) => values[i]));
  if (!key) return undefined;
  if (record.op !== 'update' || record.oldKey === undefined) return [key];
  const old = record.oldKey.length === keyIndexes.length ? keyOf(record.oldKey) : undefined;
  return old ? [key, old] : undefined;
}

const textOf = (key: readonly KeyLiteral[]): string => JSON.stringify(key.map((k) => k.text));

export interface GuardTarget {
  readonly db: string;
  readonly name: string;
  /** Target spelling of the key columns, in source key order. */
  readonly keyColumns: readonly string[];
  readonly versionColumn: string;
}

export class ReplayGuard {
  private readonly horizons = new Map<string, bigint>();

  /** Reads the table's highest stored version once (at setup). */
  async readHorizon(query: Query, tableKey: string, t: GuardTarget): Promise<void> {
    if (this.horizons.has(tableKey)) return;
    const rows = await query(`SELECT MAX(${quoteIdent(t.versionColumn)}) AS v FROM ${quoteIdent(t.db)}.${quoteIdent(t.name)}`);
    const v = rows[0]?.['v'];
    this.horizons.set(tableKey, v === null || v === undefined || v === '' ? -1n : BigInt(String(v)));
  }

  /** True when some record of the batch may already be stored. */
  applies(tableKey: string, firstLsn: bigint): boolean {
    const h = this.horizons.get(tableKey);
    return h !== undefined && firstLsn <= h;
  }

  /**
   * Drops records whose version is not newer than the stored version of every row they write
   * (records are aligned with their own `schema`, which may differ within a batch).
   */
  async filter(query: Query, tableKey: string, t: GuardTarget, records: readonly ChangeRecord[]): Promise<readonly ChangeRecord[]> {
    const horizon = this.horizons.get(tableKey) ?? -1n;
    const indexes = new Map<TableSchema, number[] | undefined>();
    const indexesFor = (schema: TableSchema): number[] | undefined => {
      if (!indexes.has(schema)) indexes.set(schema, keyIndexesOf(schema, t.keyColumns.length));
      return indexes.get(schema);
    };
    const keyed = records.map((r) => {
      const idx = r.lsn <= horizon ? indexesFor(r.schema) : undefined;
      return { r, keys: idx ? recordKeys(r, idx) : undefined };
    });
    const lookups = new Map<string, KeyLiteral[]>();
    for (const k of keyed) for (const key of k.keys ?? []) lookups.set(textOf(key), key);
    if (lookups.size === 0) return records;
    const stored = new Map<string, bigint>();
    const all = [...lookups.values()];
    const select = t.keyColumns.map((c, i) => `${quoteIdent(c)} AS k${i}`).join(', ');
    for (let i = 0; i < all.length; i += CHUNK) {
      const where = all
        .slice(i, i + CHUNK)
        .map((key) => `(${key.map((lit, j) => `${quoteIdent(t.keyColumns[j] ?? '')} = ${lit.sql}`).join(' AND ')})`)
        .join(' OR ');
      const rows = await query(
        `SELECT ${select}, ${quoteIdent(t.versionColumn)} AS v FROM ${quoteIdent(t.db)}.${quoteIdent(t.name)} WHERE ${where}`,
      );
      for (const row of rows) {
        const v = row['v'];
        if (v === null || v === undefined) continue;
        const text = JSON.stringify(t.keyColumns.map((_, j) => String(row[`k${j}`])));
        stored.set(text, BigInt(String(v)));
      }
    }
    return keyed
      .filter(({ r, keys }) => {
        if (!keys) return true;
        // Kept unless every row it writes is stored at its version or newer.
        return keys.some((key) => {
          const v = stored.get(textOf(key));
          return v === undefined || r.lsn > v;
        });
      })
      .map((k) => k.r);
  }
}
