/**
 * CdcSnapshotService/Resnapshot: which tables a request names (TABLES syntax, schema `public` by
 * default) and why it is refused. The outcome's `refusal` is transport-neutral; the gRPC handler maps
 * it to a status code (resnapshotStatus).
 */
import * as grpc from '@grpc/grpc-js';
import { parseTables } from '../config/tables.js';
import { formatTableId, tableKey, type TableId } from '../model/table.js';

/**
 * Why a re-snapshot is refused: `invalid` (the request is wrong: no table, bad name, a table not
 * replicated), `unavailable` (not replicating yet, reconnecting: later may work), `precondition`
 * (stopping or stopped), `unimplemented` (the source cannot snapshot).
 */
export type ResnapshotRefusal = 'invalid' | 'unavailable' | 'precondition' | 'unimplemented';

export type ResnapshotOutcome =
  | { readonly ok: true; readonly message: string; readonly tables: readonly TableId[] }
  | { readonly ok: false; readonly refusal: ResnapshotRefusal; readonly message: string };

export const refuse = (refusal: ResnapshotRefusal, message: string): ResnapshotOutcome => ({ ok: false, refusal, message });

/** Pure: the requested entries as replicated tables, or the `invalid` refusal listing every problem. */
export function resnapshotTables(entries: readonly string[], streamed: readonly TableId[]): ResnapshotOutcome {
  const trimmed = entries.map((e) => e.trim());
  if (trimmed.length === 0 || trimmed.every((e) => e === '')) {
    return refuse('invalid', 'Nothing was requested: name at least one table (`schema.table` or `table`)');
  }
  const parsed = parseTables(trimmed, 'tables');
  const problems = [...parsed.problems];
  const replicated = new Set(streamed.map(tableKey));
  const unknown = parsed.tables.filter((t) => !replicated.has(tableKey(t)));
  if (unknown.length > 0) {
    const list = streamed.length === 0 ? 'none' : streamed.map(formatTableId).join(', ');
    problems.push(
      `not replicated: ${unknown.map(formatTableId).join(', ')} (replicated tables: ${list}; add a table with ReloadConfig.tables, which copies its rows)`,
    );
  }
  if (problems.length > 0) return refuse('invalid', `Nothing was requested: ${problems.join('; ')}`);
  const names = parsed.tables.map(formatTableId).join(', ');
  return {
    ok: true,
    tables: parsed.tables,
    message: `Re-snapshot of ${names} requested: their current rows are copied next to the stream; GetStatus shows the progress`,
  };
}

const CODES: Readonly<Record<ResnapshotRefusal, grpc.status>> = {
  invalid: grpc.status.INVALID_ARGUMENT,
  unavailable: grpc.status.UNAVAILABLE,
  precondition: grpc.status.FAILED_PRECONDITION,
  unimplemented: grpc.status.UNIMPLEMENTED,
};

export function resnapshotStatus(refusal: ResnapshotRefusal): grpc.status {
  return CODES[refusal];
}
