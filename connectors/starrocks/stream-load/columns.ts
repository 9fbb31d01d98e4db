/**
 * The `columns` header of a load and the JSON key of each column (pure).
 *
 * Every name is backtick-quoted (reserved words such as `order` work, docs/starrocks-protocol.md §7.2). VARBINARY
 * columns cannot take JSON text directly (docs: JSON Stream Load does not support BINARY, §8.2), so
 * their values travel hex-encoded under a temporary key and are decoded by a column mapping:
 * `` `__dbmazz_hex_0`, `data`=to_binary(`__dbmazz_hex_0`, 'hex') `` (the workaround §8.2 names).
 *
 * Why hex: `to_binary` knows only 'hex' (the default), 'encode64' and 'utf8' — any other name, e.g.
 * 'base64', silently means hex (StarRocks be/src/exprs/binary_functions.h `to_binary_format`). Of the
 * two encodings, only hex keeps an empty bytea: `unhex('')` is an empty string, while 'encode64'
 * (`EncryptionFunctions::from_base64`) returns NULL for an empty input. Hex doubles the bytes on the
 * wire (base64: +33%); the temporary column has no length limit (a source column outside the table is
 * planned as VARCHAR of unbounded length, fe Load.initColumns).
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

export const BINARY_TEMP_PREFIX = '__dbmazz_hex_';

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
      headerEntries: [quoteIdent(jsonKey), `${quoteIdent(name)}=to_binary(${quoteIdent(jsonKey)}, 'hex')`],
      limits,
    };
  });
}

export function columnsHeader(cols: readonly LoadColumn[]): string {
  return cols.flatMap((c) => c.headerEntries).join(',');
}
