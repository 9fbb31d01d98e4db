/**
 * The BE's limit on the encoded primary key (docs/starrocks-protocol.md §6.1: `primary_key_limit_size`, 128 bytes by
 * default; src memtable `kPrimaryKeyLimitSize`). A Primary Key load in which any row (upsert or
 * `__op` delete: the BE checks the memtable before splitting them) has a longer key fails as a whole
 * with `primary key size exceed the limit.`. Exactly the limit is accepted.
 *
 * Size as `PrimaryKeyEncoder::encode_exceed_limit` computes it: one key column → only a string key can
 * exceed, by its byte length; several → fixed widths (BOOLEAN/TINYINT 1, SMALLINT 2, INT/DATE 4,
 * BIGINT/DATETIME 8, LARGEINT 16) plus each string's bytes, and for a string that is not the last key
 * column 2 separator bytes and 1 per NUL byte. The emulator checks every row (StarRocks ≤ 2.x checked
 * only the first row of a single-string key: stricter).
 */
import type { Table } from './catalog.js';
import type { TargetColumn } from './load-plan.js';
import type { RowOp } from './load-reader.js';
import type { ColumnType } from './types.js';
import type { StoredValue } from './values.js';

export const PRIMARY_KEY_LIMIT_SIZE = 128;
export const PRIMARY_KEY_LIMIT_MESSAGE = 'primary key size exceed the limit.';

const FIXED: Partial<Record<ColumnType['kind'], number>> = {
  BOOLEAN: 1,
  TINYINT: 1,
  SMALLINT: 2,
  INT: 4,
  BIGINT: 8,
  LARGEINT: 16,
  DATE: 4,
  DATETIME: 8,
};

function isString(t: ColumnType): boolean {
  return t.kind === 'VARCHAR' || t.kind === 'CHAR';
}

/** Encoded size of one key (values in key-column order). */
export function encodedPrimaryKeySize(types: readonly ColumnType[], values: readonly StoredValue[]): number {
  let size = 0;
  types.forEach((t, i) => {
    if (!isString(t)) {
      size += FIXED[t.kind] ?? 0;
      return;
    }
    const v = values[i];
    const text = typeof v === 'string' ? v : '';
    const bytes = Buffer.from(text, 'utf8');
    size += bytes.length;
    if (i < types.length - 1) size += 2 + bytes.filter((b) => b === 0).length;
  });
  return size;
}

/** True when a row of the load has a key over the limit (Primary Key tables only). */
export function primaryKeyTooLong(table: Table, targets: readonly TargetColumn[], rows: readonly RowOp[], limit = PRIMARY_KEY_LIMIT_SIZE): boolean {
  if (table.keysType !== 'PRIMARY_KEYS') return false;
  const keyIdx = table.keyIndexes();
  const types = keyIdx.flatMap((ci) => table.columns[ci]?.type ?? []);
  if (!types.some(isString)) return false;
  const positions = keyIdx.map((ci) => {
    const name = table.columns[ci]?.name.toLowerCase();
    return targets.findIndex((t) => t.name.toLowerCase() === name);
  });
  return rows.some(
    (r) =>
      encodedPrimaryKeySize(
        types,
        positions.map((p) => (p < 0 ? null : (r.values[p] ?? null))),
      ) > limit,
  );
}
