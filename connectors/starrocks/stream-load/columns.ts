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
import type { TargetKind } from '../type-map.js';

export interface LoadColumn {
  /** Target column name. */
  readonly name: string;
  readonly kind: TargetKind;
  /** The key of this column in each JSON row. */
  readonly jsonKey: string;
  /** Entries this column contributes to the `columns` header. */
  readonly headerEntries: readonly string[];
}

export const BINARY_TEMP_PREFIX = '__dbmazz_b64_';

export function loadColumns(cols: readonly { readonly name: string; readonly kind: TargetKind }[]): LoadColumn[] {
  let temp = 0;
  return cols.map(({ name, kind }) => {
    if (kind !== 'binary') return { name, kind, jsonKey: name, headerEntries: [quoteIdent(name)] };
    const jsonKey = `${BINARY_TEMP_PREFIX}${temp++}`;
    return {
      name,
      kind,
      jsonKey,
      headerEntries: [quoteIdent(jsonKey), `${quoteIdent(name)}=to_binary(${quoteIdent(jsonKey)}, 'base64')`],
    };
  });
}

export function columnsHeader(cols: readonly LoadColumn[]): string {
  return cols.flatMap((c) => c.headerEntries).join(',');
}
