/**
 * Table definition types and the in-memory `Table` (rows + schema) of the emulator catalog.
 * See catalog.ts for the API overview and the stored-value representation.
 */
import { formatDatetime } from './datetime.js';
import { convertDefaultText } from './convert.js';
import type { ColumnType, KeysType } from './types.js';
import { type EncodedKey, type StoredValue, cloneStored, compareStored, encodeKey, zeroValue } from './values.js';

export type ColumnDefault =
  { readonly kind: 'none' } | { readonly kind: 'null' } | { readonly kind: 'value'; readonly text: string } | { readonly kind: 'current_timestamp' };

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
export function fillValueOf(col: ColumnDefinition, now: Date): StoredValue {
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
  readonly #keyed = new Map<EncodedKey, StoredValue[]>();
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
    return this.sortByKey(this.unsortedRows());
  }

  /** Rows in the order they were stored (`scan` sorts them). Do not mutate the arrays. */
  unsortedRows(): (readonly StoredValue[])[] {
    return this.isKeyed ? [...this.#keyed.values()] : [...this.#list];
  }

  /**
   * `rows` (some of `unsortedRows`, in their order) sorted as `scan` sorts: the sort is stable, so a
   * subset sorted is the same as the subset of the sorted whole.
   */
  sortByKey(rows: (readonly StoredValue[])[]): (readonly StoredValue[])[] {
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

  /** `encodeKey` of key values (key-column order): for `getRowByKey` / `putRow` on keyed tables. */
  encodeKey(keyValues: readonly StoredValue[]): EncodedKey {
    return encodeKey(keyValues);
  }

  /** Keyed tables: the row stored under an encoded key (see `encodeKey`). */
  getRowByKey(encoded: EncodedKey): readonly StoredValue[] | undefined {
    return this.#keyed.get(encoded);
  }

  /**
   * Keyed tables: insert or replace by key; DUPLICATE_KEYS: append. `row` is taken over. `encoded`:
   * the row's encoded key when the caller has it (keyed tables).
   */
  putRow(row: StoredValue[], encoded?: EncodedKey): void {
    if (row.length !== this.#columns.length) throw new Error(`row has ${row.length} values, table ${this.name} has ${this.#columns.length} columns`);
    if (this.isKeyed) this.#keyed.set(encoded ?? encodeKey(this.keyOf(row)), row);
    else this.#list.push(row);
    this.#touch();
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

  /**
   * Used by Catalog.modifyColumns only: replaces the definition of the column at `index` and converts
   * the value of every row with `convert`. All values are converted before anything changes, so a
   * value that does not convert (convert throws) leaves the table as it was.
   */
  retypeColumnAt(index: number, col: ColumnDefinition, convert: (v: StoredValue) => StoredValue): void {
    const rows = [...(this.isKeyed ? this.#keyed.values() : this.#list.values())];
    const converted = rows.map((r) => convert(r[index] ?? null));
    rows.forEach((r, i) => (r[index] = converted[i] ?? null));
    this.#columns[index] = col;
    this.schemaVersion++;
    this.updateTime = new Date();
  }

  #touchedAt = 0;

  /** `updateTime` = now; one Date per millisecond however many rows a load puts. */
  #touch(): void {
    const now = Date.now();
    if (now !== this.#touchedAt) {
      this.#touchedAt = now;
      this.updateTime = new Date(now);
    }
  }

  #computeKeyIdx(): number[] {
    return this.keyColumns.map((k) => this.columnIndex(k));
  }
}
