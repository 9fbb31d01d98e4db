/**
 * In-memory catalog of the StarRocks emulator: Catalog → Database → Table (+ rows), labels, user.
 * No I/O; everything is synchronous, so a mutation done in one call is atomic for the event loop.
 *
 * API NOTE (for the SQL helper):
 * - `new Catalog({ user?, password?, settings? })`; `catalog.user`, `catalog.checkPassword(u, p)`;
 *   `catalog.settings` is a mutable `EmulatorSettings` (`schemaChangeMs` = how long an ADD COLUMN job
 *   stays RUNNING, label retention, `jsonMaxBytes`).
 * - Databases: `createDatabase(name, {ifNotExists?})`, `dropDatabase(name, {ifExists?})`,
 *   `getDatabase(name)`, `databaseNames()`. Names are case-sensitive.
 * - Tables: `createTable(db, def: TableDefinition, {ifNotExists?})` validates the definition (types,
 *   key prefix, PK key NOT NULL + key types, distribution columns, defaults, reserved `__op`/`__row`);
 *   `dropTable(db, name, {ifExists?})`, `getTable(db, name)`, `truncate(db, name)`,
 *   `addColumns(table, [{ column, after?, first? }])` (finishing step of a schema change: existing rows
 *   get the DEFAULT, or NULL, or — NOT NULL without default — the type's zero value; bumps
 *   `schemaVersion`). Errors are `CatalogError` with `code` and a MySQL `errno`.
 * - `Table`: `name`, `dbName`, `id`, `keysType`, `columns` (ordered `ColumnDefinition`s), `keyColumns`,
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
import { convertDefaultText, formatDatetime } from './convert.js';
import { LabelTable, type LabelRetention } from './labels.js';
import { type ColumnType, type KeysType, keyColumnTypeError, validateColumnType } from './types.js';
import { type StoredValue, cloneStored, compareStored, encodeKey, zeroValue } from './values.js';

export type { KeysType } from './types.js';
export type { StoredValue } from './values.js';

export type ColumnDefault =
  | { readonly kind: 'none' }
  | { readonly kind: 'null' }
  | { readonly kind: 'value'; readonly text: string }
  | { readonly kind: 'current_timestamp' };

export interface ColumnDefinition {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly default: ColumnDefault;
  readonly comment: string;
  /** Normalized by the catalog from `TableDefinition.keyColumns`. */
  readonly isKey: boolean;
  /** AGG_KEYS value columns: SUM/MAX/MIN/REPLACE/…; informational only. */
  readonly aggregation?: string | undefined;
}

export interface Distribution {
  readonly columns: readonly string[];
  readonly buckets?: number | undefined;
  /** DISTRIBUTED BY RANDOM (Duplicate Key tables only). */
  readonly random?: boolean | undefined;
}

export interface TableDefinition {
  readonly name: string;
  readonly keysType: KeysType;
  readonly columns: readonly ColumnDefinition[];
  readonly keyColumns: readonly string[];
  readonly distribution: Distribution;
  readonly orderBy?: readonly string[] | undefined;
  readonly properties?: Readonly<Record<string, string>> | undefined;
  readonly comment?: string | undefined;
}

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

export type CatalogErrorCode =
  | 'DB_EXISTS'
  | 'DB_NOT_FOUND'
  | 'TABLE_EXISTS'
  | 'TABLE_NOT_FOUND'
  | 'DUPLICATE_COLUMN'
  | 'INVALID_DEFINITION'
  | 'INVALID_DEFAULT';

const ERRNO: Readonly<Record<CatalogErrorCode, number>> = {
  DB_EXISTS: 1007,
  DB_NOT_FOUND: 1049,
  TABLE_EXISTS: 1050,
  TABLE_NOT_FOUND: 1051,
  DUPLICATE_COLUMN: 1060,
  INVALID_DEFINITION: 1064,
  INVALID_DEFAULT: 1067,
};

export class CatalogError extends Error {
  override readonly name = 'CatalogError';
  readonly errno: number;
  constructor(
    readonly code: CatalogErrorCode,
    message: string,
  ) {
    super(message);
    this.errno = ERRNO[code];
  }
}

export const RESERVED_COLUMN_NAMES: readonly string[] = ['__op', '__row'];

/** The DEFAULT of a column as a stored value (`none` → NULL; callers handle NOT NULL). */
export function defaultValueOf(col: ColumnDefinition, now: Date = new Date()): StoredValue {
  switch (col.default.kind) {
    case 'none':
    case 'null':
      return null;
    case 'current_timestamp':
      return col.type.kind === 'DATE' ? formatDatetime(now).slice(0, 10) : formatDatetime(now);
    case 'value':
      return convertDefaultText(col.type, col.default.text);
  }
}

/** Value an existing row gets for a column added later: DEFAULT, else NULL, else the zero value. */
function fillValueOf(col: ColumnDefinition, now: Date): StoredValue {
  const v = defaultValueOf(col, now);
  if (v === null && !col.nullable) return zeroValue(col.type);
  return v;
}

export type TableState = 'NORMAL' | 'SCHEMA_CHANGE';

export class Table {
  readonly id: number;
  readonly dbName: string;
  readonly name: string;
  readonly keysType: KeysType;
  #columns: ColumnDefinition[];
  readonly keyColumns: readonly string[];
  readonly distribution: Distribution;
  readonly orderBy: readonly string[];
  readonly properties: Record<string, string>;
  comment: string;
  schemaVersion = 0;
  state: TableState = 'NORMAL';
  readonly createTime: Date;
  updateTime: Date;
  /** Keyed tables (PK/UNIQUE/AGG): encoded key → row. */
  readonly #keyed = new Map<string, StoredValue[]>();
  /** DUPLICATE_KEYS: rows in insertion order. */
  #list: StoredValue[][] = [];
  #keyIdx: number[];

  constructor(id: number, dbName: string, def: TableDefinition, columns: ColumnDefinition[]) {
    this.id = id;
    this.dbName = dbName;
    this.name = def.name;
    this.keysType = def.keysType;
    this.#columns = columns;
    this.keyColumns = columns.filter((c) => c.isKey).map((c) => c.name);
    this.distribution = def.distribution;
    this.orderBy = def.orderBy ?? [];
    this.properties = { ...(def.properties ?? {}) };
    this.comment = def.comment ?? '';
    this.createTime = new Date();
    this.updateTime = this.createTime;
    this.#keyIdx = this.#computeKeyIdx();
  }

  get columns(): readonly ColumnDefinition[] {
    return this.#columns;
  }

  get isKeyed(): boolean {
    return this.keysType !== 'DUPLICATE_KEYS';
  }

  /** Case-insensitive column lookup (§7.2). */
  findColumn(name: string): ColumnDefinition | undefined {
    const i = this.columnIndex(name);
    return i < 0 ? undefined : this.#columns[i];
  }

  columnIndex(name: string): number {
    const lower = name.toLowerCase();
    return this.#columns.findIndex((c) => c.name.toLowerCase() === lower);
  }

  keyIndexes(): readonly number[] {
    return this.#keyIdx;
  }

  get rowCount(): number {
    return this.isKeyed ? this.#keyed.size : this.#list.length;
  }

  /** Rows aligned with `columns`, sorted by the key columns (stable). Do not mutate the arrays. */
  scan(): readonly (readonly StoredValue[])[] {
    const rows = this.isKeyed ? [...this.#keyed.values()] : [...this.#list];
    const idx = this.#keyIdx;
    const cols = this.#columns;
    rows.sort((a, b) => {
      for (const i of idx) {
        const col = cols[i];
        if (!col) continue;
        const c = compareStored(col.type, a[i] ?? null, b[i] ?? null);
        if (c !== 0) return c;
      }
      return 0;
    });
    return rows;
  }

  /** Copies of the rows as `{columnName: value}`, in key order. */
  rowObjects(): Record<string, StoredValue>[] {
    return this.scan().map((r) => {
      const o: Record<string, StoredValue> = {};
      this.#columns.forEach((c, i) => (o[c.name] = cloneStored(r[i] ?? null)));
      return o;
    });
  }

  keyOf(row: readonly StoredValue[]): StoredValue[] {
    return this.#keyIdx.map((i) => row[i] ?? null);
  }

  /** Row for the given key values (key-column order); keyed tables only. */
  getRow(keyValues: readonly StoredValue[]): readonly StoredValue[] | undefined {
    if (!this.isKeyed) {
      const k = encodeKey(keyValues);
      return this.#list.find((r) => encodeKey(this.keyOf(r)) === k);
    }
    return this.#keyed.get(encodeKey(keyValues));
  }

  /** Keyed tables: insert or replace by key; DUPLICATE_KEYS: append. `row` is taken over. */
  putRow(row: StoredValue[]): void {
    if (row.length !== this.#columns.length) throw new Error(`row has ${row.length} values, table ${this.name} has ${this.#columns.length} columns`);
    if (this.isKeyed) this.#keyed.set(encodeKey(this.keyOf(row)), row);
    else this.#list.push(row);
    this.updateTime = new Date();
  }

  /** Delete by key; DUPLICATE_KEYS deletes every row with that key. Returns whether a row went. */
  deleteKey(keyValues: readonly StoredValue[]): boolean {
    const k = encodeKey(keyValues);
    this.updateTime = new Date();
    if (this.isKeyed) return this.#keyed.delete(k);
    const before = this.#list.length;
    this.#list = this.#list.filter((r) => encodeKey(this.keyOf(r)) !== k);
    return this.#list.length !== before;
  }

  clearRows(): void {
    this.#keyed.clear();
    this.#list = [];
    this.updateTime = new Date();
  }

  /** Used by Catalog.addColumns only. */
  insertColumnAt(position: number, col: ColumnDefinition, fill: StoredValue): void {
    this.#columns.splice(position, 0, col);
    const rows = this.isKeyed ? this.#keyed.values() : this.#list.values();
    for (const r of rows) r.splice(position, 0, cloneStored(fill));
    this.#keyIdx = this.#computeKeyIdx();
    this.schemaVersion++;
    this.updateTime = new Date();
  }

  #computeKeyIdx(): number[] {
    return this.keyColumns.map((k) => this.columnIndex(k));
  }
}

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

export class Catalog {
  readonly user: string;
  readonly #password: string;
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
      if (nc.after !== undefined && !names.has(nc.after.toLowerCase()))
        throw new CatalogError('INVALID_DEFINITION', `Column[${nc.after}] does not exists`);
      names.add(lower);
      prepared.push({ col, fill: fillValueOf(col, now), after: nc.after, first: nc.first });
    }
    for (const p of prepared) {
      let pos = table.columns.length;
      if (p.first) pos = table.keyIndexes().length; // value columns stay after the key prefix
      else if (p.after !== undefined) pos = Math.max(table.columnIndex(p.after) + 1, table.keyIndexes().length);
      table.insertColumnAt(pos, p.col, p.fill);
    }
  }
}

function validateColumn(col: ColumnDefinition): void {
  if (RESERVED_COLUMN_NAMES.includes(col.name.toLowerCase()))
    throw new CatalogError('INVALID_DEFINITION', `Column name [${col.name}] is a system reserved name. Please choose a different one.`);
  if (col.name.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Column name can not be empty');
  const typeErr = validateColumnType(col.type);
  if (typeErr) throw new CatalogError('INVALID_DEFINITION', typeErr);
  if (col.default.kind === 'current_timestamp' && col.type.kind !== 'DATETIME')
    throw new CatalogError('INVALID_DEFAULT', `Invalid default value for '${col.name}'`);
  if (col.default.kind === 'null' && !col.nullable)
    throw new CatalogError('INVALID_DEFAULT', `Invalid default value for '${col.name}'`);
  if (col.default.kind === 'value') {
    try {
      convertDefaultText(col.type, col.default.text);
    } catch {
      throw new CatalogError('INVALID_DEFAULT', `Invalid default value for '${col.name}'`);
    }
  }
}

/** Validate a definition; returns the normalized columns (isKey from keyColumns). */
function validateDefinition(def: TableDefinition): ColumnDefinition[] {
  if (def.name.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Table name can not be empty');
  if (def.columns.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Table should contain at least one column');
  const seen = new Set<string>();
  for (const c of def.columns) {
    const lower = c.name.toLowerCase();
    if (seen.has(lower)) throw new CatalogError('DUPLICATE_COLUMN', `Duplicate column name '${c.name}'`);
    seen.add(lower);
  }
  if (def.keyColumns.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Key columns can not be empty');
  const keyLower = def.keyColumns.map((k) => k.toLowerCase());
  keyLower.forEach((k, i) => {
    if (!seen.has(k)) throw new CatalogError('INVALID_DEFINITION', `Key column[${def.keyColumns[i] ?? k}] does not exist in table`);
    if (def.columns[i]?.name.toLowerCase() !== k)
      throw new CatalogError('INVALID_DEFINITION', 'Key columns should be a ordered prefix of the schema.');
  });
  const columns = def.columns.map((c, i): ColumnDefinition => ({ ...c, isKey: i < keyLower.length }));
  for (const c of columns) {
    validateColumn(c);
    if (c.isKey) {
      const e = keyColumnTypeError(c.name, c.type, def.keysType);
      if (e) throw new CatalogError('INVALID_DEFINITION', e);
      if (def.keysType === 'PRIMARY_KEYS' && c.nullable)
        throw new CatalogError('INVALID_DEFINITION', `primary key column[${c.name}] cannot be nullable`);
    }
  }
  const dist = def.distribution;
  if (dist.random) {
    if (def.keysType !== 'DUPLICATE_KEYS')
      throw new CatalogError('INVALID_DEFINITION', 'Random distribution is only supported by duplicate key tables');
  } else {
    if (dist.columns.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Distribution columns can not be empty');
    for (const d of dist.columns) {
      const lower = d.toLowerCase();
      if (!seen.has(lower)) throw new CatalogError('INVALID_DEFINITION', `Distribution column[${d}] does not exist in table`);
      if (def.keysType !== 'DUPLICATE_KEYS' && !keyLower.includes(lower))
        throw new CatalogError('INVALID_DEFINITION', `Distribution column[${d}] is not key column`);
    }
  }
  if (dist.buckets !== undefined && (!Number.isInteger(dist.buckets) || dist.buckets < 1))
    throw new CatalogError('INVALID_DEFINITION', `Number of hash distribution should be greater than zero.`);
  for (const o of def.orderBy ?? []) {
    if (!seen.has(o.toLowerCase())) throw new CatalogError('INVALID_DEFINITION', `Unknown column '${o}' in order by clause`);
  }
  return columns;
}
