/**
 * The replay guard: after a restart PostgreSQL resends every transaction after the slot's confirmed
 * position, and some of it may already be in StarRocks (the daemon crashed after a load committed but
 * before the position was confirmed). The replayed flush is usually cut differently, so its labels
 * differ and would not stop a second application. The guard makes replays exact: at setup it reads each
 * table's highest `dbmazz_cdc_version` (the horizon); a batch whose smallest version reaches the horizon
 * looks up the stored versions of its keys and drops every change that is strictly older than what is
 * stored for every row it writes (superseded by a later transaction). Batches above the horizon, i.e.
 * normal operation, cost nothing. `merge_condition` still guards every load; the guard only avoids
 * re-writing rows.
 *
 * Versions are commit positions (rows/row-changes.ts): every change of one transaction carries the
 * same version, so a stored row at a change's own version was written by that change's transaction,
 * maybe by a later change of it. Such ties are re-applied, never dropped: a replay always resends whole
 * transactions from their Begin, in order, so re-applying a transaction's changes of a key in order
 * ends with its last one (StarRocks applies ties, docs/starrocks-protocol.md §6.4), and dropping only some of them
 * could leave an earlier one last.
 *
 * A change is dropped only when every row it writes is stored at a newer version: a key-changing
 * update writes the new key's row and a soft delete of the old key (possibly in two loads of which only
 * one committed before the crash), so both keys are looked up. Keys of every kind StarRocks allows in
 * a primary key are compared (rows/key-literal.ts: integers, booleans, strings, dates, datetimes, and
 * composites of them). A change whose key cannot be compared (a value that is not written as that
 * kind, a schema whose keys do not line up) is kept: re-applying it is still exact in the end, since
 * `merge_condition` lets it through only when it is not older than the stored row and the rest of its
 * transaction and the later ones follow it.
 * A batch the guard shortened must not reuse the labels of the batch it came from (see sink.ts).
 */
import type { ChangeRecord, TableSchema } from '../../core/index.js';
import { quoteIdent } from './identifiers.js';
import { keyIdentity, keyLiterals, storedKeyText, type KeyLiteral } from './rows/key-literal.js';
import type { Query } from './setup/mysql.js';
import type { TargetKind } from './type-map.js';
import { sqlText } from './sql-text.js';

/** Keys per lookup query. */
const CHUNK = 500;

/** Positions of the key columns in a record's own schema; undefined when they do not line up. */
function keyIndexesOf(schema: TableSchema, keyCount: number): number[] | undefined {
  const idx = schema.keyColumns.map((k) => schema.columns.findIndex((c) => c.name === k));
  return idx.length === keyCount && idx.length > 0 && idx.every((i) => i >= 0) ? idx : undefined;
}

/**
 * The keys of every row a record writes: its key (`before` for a delete, else `after`), plus the old
 * key of a key-changing update. Undefined when one of them cannot be compared.
 */
function recordKeys(record: ChangeRecord, keyIndexes: readonly number[], kinds: readonly TargetKind[]): KeyLiteral[][] | undefined {
  const values = record.op === 'delete' ? record.before : record.after;
  const key = keyLiterals(
    keyIndexes.map((i) => values[i]),
    kinds,
  );
  if (!key) return undefined;
  if (record.op !== 'update' || record.oldKey === undefined) return [key];
  const old = keyLiterals(record.oldKey, kinds);
  return old ? [key, old] : undefined;
}

const textOf = (key: readonly KeyLiteral[]): string => keyIdentity(key.map((k) => k.text)) ?? '';

export interface GuardTarget {
  readonly db: string;
  readonly name: string;
  /** Target spelling of the key columns, in source key order. */
  readonly keyColumns: readonly string[];
  /** The target kind of each key column (same order): how its values are compared. */
  readonly keyKinds: readonly TargetKind[];
  readonly versionColumn: string;
}

export class ReplayGuard {
  private readonly horizons = new Map<string, bigint>();

  /** Reads the table's highest stored version once (at setup). */
  async readHorizon(query: Query, tableKey: string, t: GuardTarget): Promise<void> {
    if (this.horizons.has(tableKey)) return;
    const rows = await query(`SELECT MAX(${quoteIdent(t.versionColumn)}) AS v FROM ${quoteIdent(t.db)}.${quoteIdent(t.name)}`);
    const v = rows[0]?.['v'];
    this.horizons.set(tableKey, v === null || v === undefined || v === '' ? -1n : BigInt(sqlText(v)));
  }

  /** True when some record of the batch may already be stored (`minVersion`: `minCommitVersion` of the batch). */
  applies(tableKey: string, minVersion: bigint): boolean {
    const h = this.horizons.get(tableKey);
    return h !== undefined && minVersion <= h;
  }

  /**
   * Drops records whose version is strictly older than the stored version of every row they write
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
      const idx = r.commitLsn <= horizon ? indexesFor(r.schema) : undefined;
      return { r, keys: idx ? recordKeys(r, idx, t.keyKinds) : undefined };
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
      const rows = await query(`SELECT ${select}, ${quoteIdent(t.versionColumn)} AS v FROM ${quoteIdent(t.db)}.${quoteIdent(t.name)} WHERE ${where}`);
      for (const row of rows) {
        const v = row['v'];
        if (v === null || v === undefined) continue;
        const text = keyIdentity(t.keyKinds.map((kind, j) => storedKeyText(row[`k${j}`], kind)));
        if (text !== undefined) stored.set(text, BigInt(sqlText(v)));
      }
    }
    return keyed
      .filter(({ r, keys }) => {
        if (!keys) return true;
        // Kept unless every row it writes is stored at a newer version (ties are re-applied).
        return keys.some((key) => {
          const v = stored.get(textOf(key));
          return v === undefined || r.commitLsn >= v;
        });
      })
      .map((k) => k.r);
  }
}

/** The smallest version (commit position) of a non-empty batch's records. */
export function minCommitVersion(records: readonly ChangeRecord[]): bigint {
  let min: bigint | undefined;
  for (const r of records) if (min === undefined || r.commitLsn < min) min = r.commitLsn;
  if (min === undefined) throw new RangeError('an empty batch has no version');
  return min;
}
