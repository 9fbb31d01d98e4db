/** Shared fixtures for the emulator's own tests (catalog built without SQL). */
import type { ColumnDefault, ColumnDefinition, KeysType, Table } from '../src/catalog.js';
import type { StarRocksEmulator } from '../src/emulator.js';
import { parseColumnType } from '../src/types.js';
import { type StreamLoadOutcome, streamLoad } from '../src/stream-load-client.js';

export function col(
  name: string,
  type: string,
  opts: { nullable?: boolean; key?: boolean; default?: string | null /* a literal, or 'CURRENT_TIMESTAMP' */ } = {},
): ColumnDefinition {
  let def: ColumnDefault = { kind: 'none' };
  if (opts.default === 'CURRENT_TIMESTAMP') def = { kind: 'current_timestamp' };
  else if (opts.default === null) def = { kind: 'null' };
  else if (opts.default !== undefined) def = { kind: 'value', text: opts.default };
  return { name, type: parseColumnType(type), nullable: opts.nullable ?? !opts.key, default: def, comment: '', isKey: opts.key ?? false };
}

export function createTable(emu: StarRocksEmulator, db: string, name: string, columns: ColumnDefinition[], keysType: KeysType = 'PRIMARY_KEYS'): Table {
  if (!emu.catalog.getDatabase(db)) emu.catalog.createDatabase(db);
  const keys = columns.filter((c) => c.isKey).map((c) => c.name);
  return emu.catalog.createTable(db, { name, keysType, columns, keyColumns: keys, distribution: { columns: keys } });
}

/** The standard PK table of many tests: id BIGINT key, v VARCHAR(10), n INT NOT NULL DEFAULT 7, ver BIGINT. */
export function createPk(emu: StarRocksEmulator, db = 'd', name = 't'): Table {
  return createTable(emu, db, name, [
    col('id', 'BIGINT', { key: true }),
    col('v', 'VARCHAR(10)'),
    col('n', 'INT', { nullable: false, default: '7' }),
    col('ver', 'BIGINT'),
  ]);
}

export function load(
  emu: StarRocksEmulator,
  table: string,
  body: string | Buffer | readonly (string | Buffer)[],
  headers: Record<string, string> = {},
  db = 'd',
): Promise<StreamLoadOutcome> {
  return streamLoad({ feUrl: emu.feHttpUrl, db, table, body, headers: { format: 'json', ...headers } });
}

export function ndjson(rows: readonly Record<string, unknown>[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n');
}

/** Rows with bigint → number for easy deepEqual. */
export function plainRows(emu: StarRocksEmulator, table: string, db = 'd'): Record<string, unknown>[] {
  return emu.rows(db, table).map((r) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) o[k] = typeof v === 'bigint' ? Number(v) : v;
    return o;
  });
}

export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}
