/**
 * The `columns` header of a load and the JSON key of each column (pure).
 *
 * Every name is backtick-quoted (reserved words such as `order` work, PROTOCOL.md §7.2). VARBINARY
 * columns cannot take JSON text directly (docs: JSON Stream Load does not support BINARY, §8.2), so
 * their values travel base64-encoded under a temporary key and are decoded by a column mapping:
 * `` `__dbmazz_b64_0`, `data`=to_binary(`__dbmazz_b64_0`, 'base64') `` (the workaround §8.2 names;
 * [UNCONFIRMED] on a live server).
 */
import { quoteIdent } from '../identifiers.js';
import type { LimitSource, TargetKind, ValueLimits } from '../type-map.js';
import { valueLimits } from '../type-map.js';

export interface LoadColumn {
  /** Target column name. */
  readonly name: string;
  readonly kind: TargetKind;
  /** The key of this column in each JSON row. */
  readonly jsonKey: string;
  /** Entries this column contributes to the `columns` header. */
  readonly headerEntries: readonly string[];
  /** What values must fit (DECIMAL precision/scale, byte length, integer range, array depth). */
  readonly limits: ValueLimits;
}

/** A target column as the sink knows it: a TargetColumn, or just a name and kind. */
export interface LoadColumnSpec extends LimitSource {
  readonly name: string;
}

export const BINARY_TEMP_PREFIX = '__dbmazz_b64_';

/**
 * Load columns for target columns. Pass the full TargetColumn (with `columnType` / `columnSize` /
 * `decimalDigits`) to have values checked against the column's limits (body.ts).
 */
export function loadColumns(cols: readonly LoadColumnSpec[]): LoadColumn[] {
  let temp = 0;
  return cols.map((col) => {
    const { name, kind } = col;
    const limits = valueLimits(col);
    if (kind !== 'binary') return { name, kind, jsonKey: name, headerEntries: [quoteIdent(name)], limits };
    const jsonKey = `${BINARY_TEMP_PREFIX}${temp++}`;
    return {
      name,
      kind,
      jsonKey,
      headerEntries: [quoteIdent(jsonKey), `${quoteIdent(name)}=to_binary(${quoteIdent(jsonKey)}, 'base64')`],
      limits,
    };
  });
}

export function columnsHeader(cols: readonly LoadColumn[]): string {
  return cols.flatMap((c) => c.headerEntries).join(',');
}
