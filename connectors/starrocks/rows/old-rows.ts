/**
 * Reads the stored rows of old keys for key changes that carry unchanged TOAST values (docs/stack-traps.md §4.12):
 * with the default replica identity PostgreSQL sends neither the unchanged value nor the old row, but
 * StarRocks has the old key's row. plan.ts says which keys and columns (`oldRowLookup`); this module
 * builds the SELECT, runs it through the caller's query function and turns the cells back into
 * values (`CarriedRows` for `planBatch`).
 *
 * A stored value is used only when it is the value from before this batch, judged against the
 * versions (commit positions) of this batch's own changes to that key (`batchVersions`), never the
 * batch's range:
 * - the row's `dbmazz_cdc_version` is older than every one of them (or NULL: loaded before dbmazz):
 *   written by an earlier transaction, the state before the batch; or
 * - it is one of them (a tie) and the batch does not write that column of that key itself. The row
 *   was then written by a transaction that has changes to that key in this batch: by this batch's own
 *   changes (a retry or a replay after part of it committed: the columns it does not write still hold
 *   the values from before it), or by the part of that transaction in an earlier batch (a transaction
 *   larger than a batch: the state before this batch). Both are exact.
 * Any other version is a row written by a later transaction (a replay after a crash): not used.
 *
 * Ambiguous, documented: a tie can also come from the part of the batch's LAST transaction that lies
 * in a LATER batch, when that later load committed before a crash and this batch is now replayed
 * (only then: within a run the batches of a table are written in order). Commit versions cannot tell
 * the change of a transaction that wrote the row; the value is used, which is wrong only if that later
 * part re-created the old key with other values in the columns the key change did not know (an
 * unchanged TOASTed value, no REPLICA IDENTITY FULL) before the crash. REPLICA IDENTITY FULL avoids
 * the lookup altogether.
 *
 * Values that cannot be read back faithfully (NULL, JSON text that does not parse, unsupported key
 * types) are left out; the planner then counts the column as unresolved.
 */
import type { Value } from '../../../core/index.js';
import { DecimalValue, JsonText, TemporalValue } from '../../../core/index.js';
import { quoteIdent } from '../identifiers.js';
import { keyIdentity, keyLiterals, storedKeyText, type KeyLiteral } from './key-literal.js';
import type { Query } from '../setup/mysql.js';
import type { TargetKind } from '../type-map.js';
import type { CarriedRows, OldRowLookup, OldRowRequest } from './plan.js';

/** Keys per SELECT. */
const CHUNK = 200;

export interface OldRowTable {
  readonly db: string;
  readonly name: string;
  /** Target key columns (target spelling). */
  readonly keyColumns: readonly string[];
  /** Target spelling of `dbmazz_cdc_version`. */
  readonly versionColumn: string;
  /** Lower-case name → column kind (TargetTable.byLowerName satisfies it). */
  readonly columns: ReadonlyMap<string, { readonly name: string; readonly kind: TargetKind }>;
}

/** The key's literals in the table's key kinds; undefined when a column cannot be compared. */
function requestKey(t: OldRowTable, r: OldRowRequest): KeyLiteral[] | undefined {
  return keyLiterals(
    t.keyColumns.map((k) => r.key.get(k)),
    t.keyColumns.map((k) => t.columns.get(k.toLowerCase())?.kind ?? 'other'),
  );
}

/**
 * The SELECT for a chunk of requests (key columns as k0.., the version as v, the wanted columns as
 * c0.. in the order of `columns`); undefined when no key of the chunk can be expressed.
 */
export function oldRowsQuery(t: OldRowTable, requests: readonly OldRowRequest[]): { readonly sql: string; readonly columns: readonly string[] } | undefined {
  const columns = new Set<string>();
  const where: string[] = [];
  for (const r of requests) {
    const lits = requestKey(t, r);
    if (lits === undefined) continue;
    where.push(`(${t.keyColumns.map((k, i) => `${quoteIdent(k)} = ${lits[i]?.sql ?? 'NULL'}`).join(' AND ')})`);
    for (const c of r.columns) columns.add(c);
  }
  if (where.length === 0) return undefined;
  const select = [
    ...t.keyColumns.map((k, i) => `${quoteIdent(k)} AS ${quoteIdent(`k${i}`)}`),
    `${quoteIdent(t.versionColumn)} AS ${quoteIdent('v')}`,
    ...[...columns].map((c, i) => `${quoteIdent(c)} AS ${quoteIdent(`c${i}`)}`),
  ];
  return { sql: `SELECT ${select.join(', ')} FROM ${quoteIdent(t.db)}.${quoteIdent(t.name)} WHERE ${where.join(' OR ')}`, columns: [...columns] };
}

function cellText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A cell as mysql2 returns it (text protocol, dateStrings, bigNumberStrings) → the value to re-send. */
export function storedCellToValue(cell: unknown, kind: TargetKind): Value | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (kind === 'binary') return Buffer.isBuffer(cell) ? new Uint8Array(cell) : undefined;
  const text = cellText(cell);
  if (text === undefined) return undefined;
  switch (kind) {
    case 'string':
    case 'other':
      return text;
    case 'json':
    case 'array':
    case 'map':
    case 'struct':
      return isJson(text) ? new JsonText(text) : undefined;
    case 'decimal':
      return new DecimalValue(text);
    case 'integer':
    case 'largeint':
      return /^-?\d+$/.test(text) ? BigInt(text) : undefined;
    case 'float': {
      const n = Number(text);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return text === '1' || text.toLowerCase() === 'true';
    case 'date':
      return new TemporalValue('date', text);
    case 'datetime':
      return new TemporalValue('timestamp', text);
  }
}

/** Runs the lookups and keeps the values that are the old rows' state from before the batch. */
export async function fetchOldRows(query: Query, t: OldRowTable, lookup: OldRowLookup): Promise<CarriedRows> {
  const out = new Map<string, Map<string, Value>>();
  for (let i = 0; i < lookup.requests.length; i += CHUNK) {
    const chunk = lookup.requests.slice(i, i + CHUNK);
    const q = oldRowsQuery(t, chunk);
    if (q === undefined) continue;
    const byText = new Map<string, OldRowRequest>();
    for (const r of chunk) {
      const text = keyIdentity(requestKey(t, r)?.map((l) => l.text) ?? [undefined]);
      if (text !== undefined) byText.set(text, r);
    }
    const kinds = t.keyColumns.map((k) => t.columns.get(k.toLowerCase())?.kind ?? 'other');
    for (const row of await query(q.sql)) {
      const text = keyIdentity(kinds.map((kind, j) => storedKeyText(row[`k${j}`], kind)));
      const req = text === undefined ? undefined : byText.get(text);
      if (req === undefined) continue;
      const vText = cellText(row['v']);
      const version = vText !== undefined && /^-?\d+$/.test(vText) ? BigInt(vText) : undefined;
      const withinBatch = version !== undefined && req.batchVersions.has(version);
      if (version !== undefined && !withinBatch && [...req.batchVersions].some((b) => b < version)) continue; // changed after this batch
      const values = new Map<string, Value>();
      q.columns.forEach((c, j) => {
        if (!req.columns.has(c) || (withinBatch && req.writtenByBatch.has(c))) return;
        const kind = t.columns.get(c.toLowerCase())?.kind ?? 'other';
        const v = storedCellToValue(row[`c${j}`], kind);
        if (v !== undefined) values.set(c, v);
      });
      out.set(req.keyText, values);
    }
  }
  return out;
}

/**
 * Remembers the last lookups so that a retried batch re-plans with exactly the values of its first
 * attempt (a retry may find part of the batch already committed, including the old keys' rows).
 */
export class OldRowCache {
  private readonly entries = new Map<string, CarriedRows>();

  constructor(private readonly size = 16) {}

  async get(id: string, read: () => Promise<CarriedRows>): Promise<CarriedRows> {
    const hit = this.entries.get(id);
    if (hit !== undefined) return hit;
    const rows = await read();
    this.entries.set(id, rows);
    while (this.entries.size > this.size) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    return rows;
  }
}
