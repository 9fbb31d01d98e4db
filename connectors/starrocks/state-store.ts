/**
 * The sink's durable key/value store (core StateStore): the Primary Key table `dbmazz_state` in
 * SINK_DATABASE, next to the data it describes (e.g. snapshot progress), so it is lost exactly when
 * that data is. The key is a sha-256 digest (keys may be longer than a primary key allows, docs/starrocks-protocol.md
 * §6.1: 128 bytes), the full key and the value are VARCHAR(65533) columns.
 *
 * - `put`: a Stream Load upsert under a label never used before (the same entry may be written again);
 * - `delete`: a Stream Load delete (`__op` = 1, docs/starrocks-protocol.md §6.1);
 * - `list(prefix)`: a SELECT over the MySQL protocol, narrowed in SQL by `LIKE` on the part of the
 *   prefix without LIKE wildcards or escapes, then filtered exactly.
 * Writes return once visible (`StreamLoader.loadVisible`), so a `list` after them sees them.
 */
import { createHash } from 'node:crypto';
import type { StateStore } from '../../core/index.js';
import { CdcError } from '../../core/index.js';
import { quoteIdent, quoteString } from './identifiers.js';
import type { Query } from './setup/mysql.js';
import { mysqlError } from './setup/mysql.js';
import { createOwnTable, loadOwnRows, ownTableColumns, type OwnTable } from './setup/own-table.js';
import { formatSyncedAt } from './stream-load/body.js';
import type { OwnStoreOptions } from './source-identity.js';
import { STATE_TABLE } from './table-names.js';

/** Longest key or value in bytes (VARCHAR(65533)). */
export const MAX_STATE_BYTES = 65533;

const COLUMNS = ['key_digest', 'state_key', 'state_value', 'updated_at'] as const;

/** The state table's DDL. */
export function stateTableStatement(db: string, replicationNum: number | undefined): string {
  const props = replicationNum === undefined ? '' : `\nPROPERTIES (${quoteString('replication_num')} = ${quoteString(String(replicationNum))})`;
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(db)}.${quoteIdent(STATE_TABLE)} (\n` +
    `  ${quoteIdent('key_digest')} VARCHAR(64) NOT NULL COMMENT ${quoteString('sha-256 (hex) of state_key')},\n` +
    `  ${quoteIdent('state_key')} VARCHAR(65533) NOT NULL,\n` +
    `  ${quoteIdent('state_value')} VARCHAR(65533) NOT NULL,\n` +
    `  ${quoteIdent('updated_at')} DATETIME NULL\n` +
    `) ENGINE=OLAP\nPRIMARY KEY (${quoteIdent('key_digest')})\nDISTRIBUTED BY HASH (${quoteIdent('key_digest')})${props}`
  );
}

export function stateKeyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** `LIKE` pattern matching every text that starts with the part of `prefix` before any `%`, `_` or `\`. */
export function prefixPattern(prefix: string): string {
  const cut = prefix.search(/[%_\\]/);
  return `${cut < 0 ? prefix : prefix.slice(0, cut)}%`;
}

/** `load` must return once the write is visible (StreamLoader.loadVisible). */
export interface StateStoreOptions extends OwnStoreOptions {
  /** Runs `fn` with a query function on the FE (the sink's SqlRunner). */
  readonly sql: <T>(fn: (query: Query) => Promise<T>) => Promise<T>;
}

export class StarRocksStateStore implements StateStore {
  private readonly table: OwnTable;

  constructor(private readonly o: StateStoreOptions) {
    this.table = { db: o.db, table: STATE_TABLE, purpose: "the source's durable progress (e.g. snapshot chunks)" };
  }

  /** Creates `dbmazz_state` when it does not exist (sink setup). */
  async ensureTable(query: Query): Promise<void> {
    if ((await ownTableColumns(query, this.o.db, STATE_TABLE)).length > 0) return;
    await createOwnTable(query, this.table, this.o.replicationNum, (rn) => stateTableStatement(this.o.db, rn), this.o.logger);
  }

  async list(prefix: string): Promise<ReadonlyMap<string, string>> {
    const fq = `${quoteIdent(this.o.db)}.${quoteIdent(STATE_TABLE)}`;
    const sql = `SELECT ${quoteIdent('state_key')} AS k, ${quoteIdent('state_value')} AS v FROM ${fq} WHERE ${quoteIdent('state_key')} LIKE ${quoteString(prefixPattern(prefix))}`;
    const rows = await this.o.sql(async (query) => {
      try {
        return await query(sql);
      } catch (err) {
        throw this.explain(mysqlError(err, `reading ${this.name()}`), 'SELECT');
      }
    });
    const out = new Map<string, string>();
    for (const r of rows) {
      const k = r['k'];
      const v = r['v'];
      if (typeof k === 'string' && typeof v === 'string' && k.startsWith(prefix)) out.set(k, v);
    }
    return out;
  }

  async put(key: string, value: string): Promise<void> {
    this.checkSize('key', key);
    this.checkSize('value', value);
    await this.write([{ key_digest: stateKeyDigest(key), state_key: key, state_value: value, updated_at: this.at() }], false);
  }

  async delete(key: string): Promise<void> {
    this.checkSize('key', key);
    // A delete needs only the key (the other fields are ignored); they are sent so the row is complete.
    await this.write([{ key_digest: stateKeyDigest(key), state_key: key, state_value: '', updated_at: this.at(), __op: 1 }], true);
  }

  private async write(rows: readonly Record<string, unknown>[], del: boolean): Promise<void> {
    const columns = del ? [...COLUMNS, '__op'] : [...COLUMNS];
    try {
      await loadOwnRows(
        { ...this.table, labelPrefix: this.o.labelPrefix, labelTag: 'state', loadTimeoutMs: this.o.loadTimeoutMs, load: this.o.load },
        columns,
        rows,
      );
    } catch (err) {
      throw this.explain(err instanceof CdcError ? err : mysqlError(err, `writing ${this.name()}`), 'INSERT');
    }
  }

  private explain(e: CdcError, privilege: 'SELECT' | 'INSERT'): CdcError {
    return new CdcError({
      code: e.code,
      retry: e.retry,
      message: `${e.message} (${this.name()} holds ${this.table.purpose})`,
      hint: `${e.hint ? `${e.hint} ` : ''}SINK_USER needs ${privilege} on ${this.name()} (it is created at setup, which needs CREATE TABLE on ${this.o.db} once).`,
      cause: e,
    });
  }

  private checkSize(what: 'key' | 'value', text: string): void {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes <= MAX_STATE_BYTES) return;
    throw new CdcError({
      code: 'SINK_DATA',
      message: `A ${what} of ${bytes} bytes does not fit ${this.name()} (at most ${MAX_STATE_BYTES} bytes): ${text.slice(0, 80)}…`,
      hint: 'This is a bug of the component that stores it; please report it.',
    });
  }

  private name(): string {
    return `${this.o.db}.${STATE_TABLE}`;
  }

  private at(): string {
    return formatSyncedAt(this.o.now()).slice(0, 19);
  }
}
