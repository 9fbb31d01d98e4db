/**
 * The replay guard: after a restart PostgreSQL resends every transaction after the slot's confirmed
 * position, and some of it may already be in StarRocks (the daemon crashed after a load committed but
 * before the position was confirmed). The replayed flush is usually cut differently, so its labels
 * differ and would not stop a second application. The guard makes replays exact: at setup it reads each
 * table's highest `dbmazz_cdc_version` (the horizon); a batch reaching below the horizon looks up the
 * stored versions of its keys and drops every change whose version is not newer than what is stored
 * (already applied, or superseded). Changes above the horizon, i.e. normal operation, cost nothing.
 * `merge_condition` still guards every load; the guard only avoids re-writing rows.
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

function recordKey(record: ChangeRecord, keyIndexes: readonly number[]): KeyLiteral[] | undefined {
  const values = record.op === 'delete' ? record.before : record.after;
  const out: KeyLiteral[] = [];
  for (const i of keyIndexes) {
    const lit = keyLiteral(values[i]);
    if (!lit) return undefined;
    out.push(lit);
  }
  return out;
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

  /** Drops records whose version is not newer than the stored version of their key. */
  async filter(query: Query, tableKey: string, t: GuardTarget, schema: TableSchema, records: readonly ChangeRecord[]): Promise<readonly ChangeRecord[]> {
    const horizon = this.horizons.get(tableKey) ?? -1n;
    const keyIndexes = schema.keyColumns.map((k) => schema.columns.findIndex((c) => c.name === k));
    if (keyIndexes.some((i) => i < 0)) return records;
    const keyed = records.map((r) => ({ r, key: r.lsn <= horizon ? recordKey(r, keyIndexes) : undefined }));
    const lookups = new Map<string, KeyLiteral[]>();
    for (const k of keyed) if (k.key) lookups.set(textOf(k.key), k.key);
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
    return keyed.filter(({ r, key }) => {
      if (!key) return true;
      const v = stored.get(textOf(key));
      return v === undefined || r.lsn > v;
    }).map((k) => k.r);
  }
}
