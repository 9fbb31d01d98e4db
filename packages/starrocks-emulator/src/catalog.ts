/**
 * In-memory catalog of the StarRocks emulator: Catalog → Database → Table (+ rows), labels, user.
 * No I/O; everything is synchronous, so a mutation done in one call is atomic for the event loop.
 *
 * API NOTE (for the SQL helper):
 * - `new Catalog({ user?, password?, settings? })`; `catalog.user`, `catalog.checkPassword(u, p)`;
 *   `catalog.settings` is a mutable `EmulatorSettings` (`schemaChangeMs` = how long an ADD COLUMN job
 *   stays RUNNING, label retention, `jsonMaxBytes`, `maxRunningTxnNumPerDb`).
 * - Databases: `createDatabase(name, {ifNotExists?})`, `dropDatabase(name, {ifExists?})`,
 *   `getDatabase(name)`, `databaseNames()`. Names are case-sensitive.
 * - Tables: `createTable(db, def: TableDefinition, {ifNotExists?})` validates the definition (types,
 *   key prefix, PK key NOT NULL + key types, distribution columns, defaults, reserved `__op`/`__row`);
 *   `dropTable(db, name, {ifExists?})`, `getTable(db, name)`, `truncate(db, name)`,
 *   `addColumns(table, [{ column, after?, first? }])` (finishing step of a schema change: existing rows
 *   get the DEFAULT, or NULL, or — NOT NULL without default — the type's zero value; bumps
 *   `schemaVersion`); `modifyColumns(table, [{ column }])` (finishing step of MODIFY COLUMN: the
 *   values of existing rows are converted to the new type, column-modify.ts). Errors are `CatalogError`
 *   with `code` and a MySQL `errno`.
 * - `Table` (defined in table.ts, re-exported here): `name`, `dbName`, `id`, `keysType`, `columns` (ordered `ColumnDefinition`s), `keyColumns`,
 *   `distribution`, `orderBy`, `properties`, `comment`, `schemaVersion`, `state` ('NORMAL' |
 *   'SCHEMA_CHANGE', set by the schema-change job), `createTime`, `updateTime`;
 *   `findColumn(name)` / `columnIndex(name)` (case-insensitive, §7.2), `keyIndexes()`, `rowCount`,
 *   `scan()` (rows as `StoredValue[]` aligned with `columns`, sorted by key columns, NULLs first; do not
 *   mutate), `rowObjects()` (copies as `{column: value}`), `getRow(keyValues)`, `putRow(row)` (PK/UNIQUE/
 *   AGG: replace by key; DUPLICATE: append), `deleteKey(keyValues)`, `clearRows()`.
 * - Stored values (`StoredValue`, values.ts): integers bigint, FLOAT/DOUBLE number, DECIMAL canonical
 *   string with exactly `s` fraction digits, BOOLEAN boolean, strings string, DATE 'YYYY-MM-DD',
 *   DATETIME 'YYYY-MM-DD HH:MM:SS[.ffffff]' (fraction only when µs ≠ 0), JSON minified text,
 *   VARBINARY Buffer, ARRAY array, MAP array of [k, v], STRUCT object, NULL null.
 *   `defaultValueOf(column, now)` gives a column's DEFAULT as a stored value; `convertText` (convert.ts)
 *   casts SQL/CSV text to a stored value.
 * - Labels/txns: `database.labels` is a `LabelTable` (labels.ts); `catalog.nextTxnId()`.
 */
import { CatalogError } from './catalog-errors.js';
import { LabelTable, type LabelRetention } from './labels.js';
import { type ColumnDefinition, Table, type TableDefinition, fillValueOf } from './table.js';
import { validateColumn, validateDefinition } from './table-validation.js';
import { convertForModify, modifyTypeError } from './column-modify.js';
import type { StoredValue } from './values.js';

export type { KeysType } from './types.js';
export type { StoredValue } from './values.js';
export { CatalogError, type CatalogErrorCode } from './catalog-errors.js';
export { RESERVED_COLUMN_NAMES } from './table-validation.js';
export { Table, defaultValueOf } from './table.js';
export type { ColumnDefault, ColumnDefinition, Distribution, TableDefinition, TableState } from './table.js';

export interface EmulatorSettings {
  /** How long an ADD COLUMN job stays RUNNING (ms); 0 → finishes almost at once (still async). */
  schemaChangeMs: number;
  labelKeepMaxSecond: number;
  labelKeepMaxNum: number;
  /** JSON Stream Load body limit (§1.5 `streaming_load_max_batch_size_mb`), bytes. */
  jsonMaxBytes: number;
  /** `max_running_txn_num_per_db` (§9.2). */
  maxRunningTxnNumPerDb: number;
}

export const DEFAULT_SETTINGS: Readonly<EmulatorSettings> = {
  schemaChangeMs: 0,
  labelKeepMaxSecond: 259200,
  labelKeepMaxNum: 1000,
  jsonMaxBytes: 104857600,
  maxRunningTxnNumPerDb: 1000,
};

export class Database {
  readonly tables = new Map<string, Table>();
  readonly labels: LabelTable;
  readonly createTime = new Date();

  constructor(
    readonly id: number,
    readonly name: string,
    retention: () => LabelRetention,
  ) {
    this.labels = new LabelTable(name, retention);
  }

  tableNames(): string[] {
    return [...this.tables.keys()];
  }
}

export interface NewColumn {
  readonly column: ColumnDefinition;
  readonly after?: string | undefined;
  readonly first?: boolean | undefined;
}

/** A column's new definition (finishing step of MODIFY COLUMN); matched by name, case-insensitively. */
export interface ModifiedColumn {
  readonly column: ColumnDefinition;
}

export class Catalog {
  readonly user: string;
  #password: string;
  readonly settings: EmulatorSettings;
  readonly #dbs = new Map<string, Database>();
  #nextId = 10001;
  #nextTxn = 1001;

  constructor(opts: { user?: string; password?: string; settings?: Partial<EmulatorSettings> } = {}) {
    this.user = opts.user ?? 'root';
    this.#password = opts.password ?? '';
    this.settings = { ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) };
  }

  get password(): string {
    return this.#password;
  }

  /** The operator changed the password (`ALTER USER ... IDENTIFIED BY`): new logins and loads need it. */
  setPassword(password: string): void {
    this.#password = password;
  }

  /** A `user@host` user has the `@host` part dropped (§1.2). */
  checkPassword(user: string, password: string): boolean {
    const at = user.indexOf('@');
    const bare = at >= 0 ? user.slice(0, at) : user;
    return bare === this.user && password === this.#password;
  }

  nextTxnId(): number {
    return this.#nextTxn++;
  }

  nextObjectId(): number {
    return this.#nextId++;
  }

  databaseNames(): string[] {
    return [...this.#dbs.keys()];
  }

  getDatabase(name: string): Database | undefined {
    return this.#dbs.get(name);
  }

  createDatabase(name: string, opts: { ifNotExists?: boolean } = {}): Database {
    const existing = this.#dbs.get(name);
    if (existing) {
      if (opts.ifNotExists) return existing;
      throw new CatalogError('DB_EXISTS', `Can't create database '${name}'; database exists`);
    }
    const db = new Database(this.nextObjectId(), name, () => this.settings);
    this.#dbs.set(name, db);
    return db;
  }

  dropDatabase(name: string, opts: { ifExists?: boolean } = {}): boolean {
    if (!this.#dbs.has(name)) {
      if (opts.ifExists) return false;
      throw new CatalogError('DB_NOT_FOUND', `Can't drop database '${name}'; database doesn't exist`);
    }
    this.#dbs.delete(name);
    return true;
  }

  #db(name: string): Database {
    const db = this.#dbs.get(name);
    if (!db) throw new CatalogError('DB_NOT_FOUND', `Unknown database '${name}'`);
    return db;
  }

  getTable(db: string, name: string): Table | undefined {
    return this.#dbs.get(db)?.tables.get(name);
  }

  createTable(dbName: string, def: TableDefinition, opts: { ifNotExists?: boolean } = {}): Table {
    const db = this.#db(dbName);
    const existing = db.tables.get(def.name);
    if (existing) {
      if (opts.ifNotExists) return existing;
      throw new CatalogError('TABLE_EXISTS', `Table '${def.name}' already exists`);
    }
    const columns = validateDefinition(def);
    const table = new Table(this.nextObjectId(), dbName, def, columns);
    db.tables.set(def.name, table);
    return table;
  }

  dropTable(dbName: string, name: string, opts: { ifExists?: boolean } = {}): boolean {
    const db = this.#db(dbName);
    if (!db.tables.has(name)) {
      if (opts.ifExists) return false;
      throw new CatalogError('TABLE_NOT_FOUND', `Unknown table '${name}'`);
    }
    db.tables.delete(name);
    return true;
  }

  truncate(dbName: string, name: string): void {
    const t = this.#db(dbName).tables.get(name);
    if (!t) throw new CatalogError('TABLE_NOT_FOUND', `Unknown table '${dbName}.${name}'`);
    t.clearRows();
  }

  /**
   * Change the type of value columns (finishing step of MODIFY COLUMN): existing values are converted
   * (column-modify.ts). Validates and converts everything before changing anything.
   */
  modifyColumns(table: Table, mods: readonly ModifiedColumn[]): void {
    const plans = mods.map((m) => {
      const index = table.columnIndex(m.column.name);
      const old = table.columns[index];
      if (index < 0 || !old) throw new CatalogError('INVALID_DEFINITION', `Column[${m.column.name}] does not exists`);
      const col: ColumnDefinition = { ...m.column, name: old.name, isKey: old.isKey };
      validateColumn(col);
      const error = modifyTypeError(old.type, col.type);
      if (error) throw new CatalogError('INVALID_DEFINITION', error);
      return { index, old, col };
    });
    // Convert every column first (throws before any change), then apply.
    const snapshot = table.scan();
    for (const p of plans) for (const r of snapshot) convertForModify(p.old.name, p.old.type, p.col.type, r[p.index] ?? null);
    for (const p of plans) table.retypeColumnAt(p.index, p.col, (v) => convertForModify(p.old.name, p.old.type, p.col.type, v));
  }

  /** Add value columns (finishing step of ADD COLUMN). Validates everything before changing anything. */
  addColumns(table: Table, cols: readonly NewColumn[], now: Date = new Date()): void {
    const names = new Set(table.columns.map((c) => c.name.toLowerCase()));
    const prepared: { col: ColumnDefinition; fill: StoredValue; after?: string | undefined; first?: boolean | undefined }[] = [];
    for (const nc of cols) {
      const col: ColumnDefinition = { ...nc.column, isKey: false };
      const lower = col.name.toLowerCase();
      if (names.has(lower)) throw new CatalogError('DUPLICATE_COLUMN', `Duplicate column name '${col.name}'`);
      if (nc.column.isKey && table.keysType === 'PRIMARY_KEYS')
        throw new CatalogError('INVALID_DEFINITION', `Can not add key column ${col.name} to primary key table ${table.name}`);
      validateColumn(col);
      if (nc.after !== undefined && !names.has(nc.after.toLowerCase())) throw new CatalogError('INVALID_DEFINITION', `Column[${nc.after}] does not exists`);
      names.add(lower);
      prepared.push({ col, fill: fillValueOf(col, now), after: nc.after, first: nc.first });
    }
    for (const p of prepared) {
      let pos = table.columns.length;
      if (p.first)
        pos = table.keyIndexes().length; // value columns stay after the key prefix
      else if (p.after !== undefined) pos = Math.max(table.columnIndex(p.after) + 1, table.keyIndexes().length);
      table.insertColumnAt(pos, p.col, p.fill);
    }
  }
}
