/**
 * Reads a table's JSON-lines file back as rows, the way a consumer should: per key, the line with the
 * highest `version` wins (a later line wins a tie), a delete removes the row, a key-changing update
 * removes the old key, and columns listed in `unchanged` keep their previous value. Replayed lines
 * (a snapshot chunk read again after a restart) therefore never undo a newer change.
 */
import { readFile } from 'node:fs/promises';
import type { TableId } from 'dbmazz';
import type { ChangeLine, JsonValue } from './encode.js';
import { tableFile } from './sink.js';

export type Row = Readonly<Record<string, JsonValue>>;

interface Entry {
  readonly version: bigint;
  readonly row: Row | undefined;
}

export async function readTable(dir: string, id: TableId): Promise<Row[]> {
  let text: string;
  try {
    text = await readFile(tableFile(dir, id), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const rows = new Map<string, Entry>();
  for (const raw of text.split('\n')) {
    if (raw === '') continue;
    const line = JSON.parse(raw) as ChangeLine;
    const version = BigInt(line.version);
    const key = JSON.stringify(line.key);
    const current = rows.get(key);
    if (current !== undefined && current.version > version) continue;
    if (line.op === 'delete') {
      rows.set(key, { version, row: undefined });
      continue;
    }
    const previous = line.oldKey === undefined ? current?.row : rows.get(JSON.stringify(line.oldKey))?.row;
    const kept = Object.fromEntries((line.unchanged ?? []).map((c) => [c, previous?.[c] ?? null]));
    rows.set(key, { version, row: { ...line.row, ...kept } });
    if (line.oldKey !== undefined) {
      const old = JSON.stringify(line.oldKey);
      if ((rows.get(old)?.version ?? -1n) <= version) rows.set(old, { version, row: undefined });
    }
  }
  return [...rows.values()].flatMap((e) => (e.row === undefined ? [] : [e.row]));
}
