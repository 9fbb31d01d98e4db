/**
 * StarRocks' limit on the encoded primary key (docs/starrocks-protocol.md §6.1: at most 128 bytes, BE
 * `primary_key_limit_size`). A load with a longer key fails as a whole with the bare BE message
 * `primary key size exceed the limit.`; the sink checks every row before loading instead, so the
 * operator learns the table, the key and its size. Pure.
 *
 * Size as the BE computes it (`PrimaryKeyEncoder::encode_exceed_limit`):
 * - fixed-width columns: BOOLEAN/TINYINT 1, SMALLINT 2, INT and DATE 4, BIGINT and DATETIME 8, LARGEINT 16;
 * - a string column (VARCHAR/CHAR/STRING): its UTF-8 bytes; when it is not the last key column also
 *   2 bytes of separator and 1 more per NUL byte (NUL is escaped as two bytes);
 * - a key of one fixed-width column never exceeds the limit. Exactly 128 bytes is accepted.
 */
import type { Value } from '../../core/index.js';
import { CdcError, formatLsn } from '../../core/index.js';
import type { TargetColumn } from './type-map.js';

export const PRIMARY_KEY_LIMIT_BYTES = 128;

const FIXED_WIDTH: Readonly<Record<string, number>> = {
  tinyint: 1,
  smallint: 2,
  int: 4,
  integer: 4,
  bigint: 8,
  largeint: 16,
  date: 4,
  datetime: 8,
};

/** Byte width of a fixed-width key column, `'string'` for a string column, 0 when unknown. */
export function keyColumnWidth(column: Pick<TargetColumn, 'dataType' | 'kind'>): number | 'string' {
  if (column.kind === 'string') return 'string';
  if (column.kind === 'boolean') return 1;
  return FIXED_WIDTH[column.dataType.trim().toLowerCase().replace(/\(.*$/, '')] ?? 0;
}

/** The text a value becomes in a string column of the JSON body. */
function keyText(v: Value): string {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}`;
  if (Array.isArray(v)) return JSON.stringify((v as readonly (Value | null)[]).map((e) => (e === null ? null : keyText(e))));
  return String(v);
}

function nulBytes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\0'); i >= 0; i = text.indexOf('\0', i + 1)) n++;
  return n;
}

/** Encoded size of one key; `values` aligned with `columns` (the key columns in key order). */
export function encodedKeySize(columns: readonly Pick<TargetColumn, 'dataType' | 'kind'>[], values: readonly Value[]): number {
  let size = 0;
  columns.forEach((column, i) => {
    const width = keyColumnWidth(column);
    if (width !== 'string') {
      size += width;
      return;
    }
    const v = values[i] ?? null;
    const text = v === null ? '' : keyText(v);
    // Lone surrogates are written as U+FFFD (3 bytes), which is what byteLength counts for them.
    size += Buffer.byteLength(text, 'utf8');
    if (i < columns.length - 1) size += 2 + nulBytes(text);
  });
  return size;
}

/** The rows of one load, values aligned with `columns` (as rows/plan.ts produces them). */
export interface KeyedLoad {
  readonly columns: readonly string[];
  readonly rows: readonly { readonly values: readonly Value[]; readonly version: bigint }[];
}

export interface KeySizeTarget {
  /** `db.table`. */
  readonly table: string;
  /** `schema.table` of the source, for the message. */
  readonly source: string;
  /** The key columns, in key order. */
  readonly keyColumns: readonly TargetColumn[];
}

function preview(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = keyText(v);
  const chars = [...text];
  const shown = chars.length > 40 ? `${chars.slice(0, 40).join('')}…` : text;
  return `'${shown.replace(/'/g, "''")}' (${Buffer.byteLength(text, 'utf8')} bytes)`;
}

/** Throws a non-retried SINK_DATA error for the first row whose key is over the limit. */
export function checkKeySizes(target: KeySizeTarget, loads: readonly KeyedLoad[], limit = PRIMARY_KEY_LIMIT_BYTES): void {
  const { keyColumns } = target;
  // A key without string columns has a fixed size; one fixed-width column never exceeds (BE rule).
  if (!keyColumns.some((c) => keyColumnWidth(c) === 'string')) return;
  for (const load of loads) {
    const lower = load.columns.map((c) => c.toLowerCase());
    const positions = keyColumns.map((k) => lower.indexOf(k.name.toLowerCase()));
    for (const row of load.rows) {
      const values = positions.map((p) => (p < 0 ? null : (row.values[p] ?? null)));
      const size = encodedKeySize(keyColumns, values);
      if (size <= limit) continue;
      const names = keyColumns.map((c) => c.name).join(', ');
      const shown = values.map(preview).join(', ');
      throw new CdcError({
        code: 'SINK_DATA',
        retry: 'never',
        message:
          `The primary key of ${target.table} would be ${size} bytes as StarRocks encodes it, ${size - limit} beyond its ${limit}-byte limit ` +
          `(docs/starrocks-protocol.md §6.1): (${names}) = (${shown}), a change of ${target.source} at ${formatLsn(row.version)}. Nothing of this batch was loaded.`,
        hint:
          `StarRocks cannot store primary keys over ${limit} bytes (BE primary_key_limit_size). Shorten that key in PostgreSQL, or key the table by ` +
          'shorter columns (e.g. a bigint id) in both databases; see docs/starrocks.md, "Keys". The change stays unconfirmed and is read again after a restart.',
      });
    }
  }
}
