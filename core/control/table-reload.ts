/**
 * ReloadConfig.tables: the requested list is the complete new set of tables. Tables not streamed yet
 * are added (the source checks them exactly as setup does, the sink prepares their targets, then the
 * source starts streaming them); streamed tables missing from the list are removed. Every check runs
 * before anything changes, and the answer says exactly what was done.
 *
 * Changes of an added table committed after the answer are replicated; a source with snapshots
 * (Source.snapshotProgress) also copies its existing rows (backfill), one without does not. Buffered changes of a removed table are still written; later ones are not read. The change
 * lasts until the daemon restarts (TABLES is what setup uses). The sink may refuse a set of tables
 * (Sink.checkTables, e.g. two tables with one target); tables being removed still count then, as
 * their buffered changes are still written: remove in one call, add in the next.
 */
import { toCdcError } from '../errors/errors.js';
import { formatTableId, tableKey, type TableId } from '../model/table.js';
import type { Sink, SinkSetupContext } from '../plugin/sink.js';
import type { Source } from '../plugin/source.js';

export interface TableChangeResult {
  readonly success: boolean;
  readonly message: string;
  /** The tables streamed after the call (unchanged on failure before any change). */
  readonly tables: readonly TableId[];
}

export interface TableDiff {
  readonly add: readonly TableId[];
  readonly remove: readonly TableId[];
}

/** Pure: what changes from `current` to `requested` (by `schema.table` key). */
export function diffTables(current: readonly TableId[], requested: readonly TableId[]): TableDiff {
  const have = new Set(current.map(tableKey));
  const want = new Set(requested.map(tableKey));
  return { add: requested.filter((t) => !have.has(tableKey(t))), remove: current.filter((t) => !want.has(tableKey(t))) };
}

const names = (ids: readonly TableId[]): string => ids.map(formatTableId).join(', ');
const reason = (err: unknown): string => toCdcError(err).operatorMessage;

export async function changeTables(source: Source, sink: Sink, current: readonly TableId[], requested: readonly TableId[]): Promise<TableChangeResult> {
  const { add, remove } = diffTables(current, requested);
  const unchanged = (message: string, success = false): TableChangeResult => ({ success, message, tables: current });
  if (add.length === 0 && remove.length === 0) return unchanged(`tables unchanged (${names(current)})`, true);
  if (requested.length === 0) return unchanged('cannot remove every table; use Stop to end the job');
  if (add.length > 0 && (source.checkTables === undefined || source.addTables === undefined)) {
    return unchanged(`the ${source.type} source cannot add tables while running; nothing was changed (restart with TABLES including ${names(add)})`);
  }
  if (remove.length > 0 && source.removeTables === undefined) {
    return unchanged(`the ${source.type} source cannot remove tables while running; nothing was changed (restart with TABLES without ${names(remove)})`);
  }

  // Tables being removed are still written until the removal (buffered changes), so they count too.
  const sinkProblems = add.length > 0 ? (sink.checkTables?.([...current, ...add]) ?? []) : [];
  if (sinkProblems.length > 0) return unchanged(`cannot add ${names(add)}: ${sinkProblems.join('; ')}; nothing was changed`);

  let tables = [...current];
  if (add.length > 0 && source.checkTables !== undefined && source.addTables !== undefined) {
    let schemas;
    let context: SinkSetupContext;
    try {
      schemas = await source.checkTables(add);
      context = source.identity ? { source: await source.identity() } : {};
    } catch (err) {
      return unchanged(`cannot add ${names(add)}: ${reason(err)}; nothing was changed`);
    }
    try {
      await sink.setup(schemas, context);
    } catch (err) {
      return unchanged(`cannot add ${names(add)}: the ${sink.type} sink rejected them: ${reason(err)}; nothing was changed in the source`);
    }
    try {
      await source.addTables(schemas);
    } catch (err) {
      return unchanged(`cannot add ${names(add)}: ${reason(err)}; the tables are not replicated`);
    }
    tables = [...tables, ...add];
  }
  const existing = source.snapshotProgress === undefined ? 'existing rows are not copied' : 'existing rows are copied by a snapshot: see GetStatus snapshots';
  const added = add.length > 0 ? `added ${names(add)} (changes committed from now on are replicated; ${existing})` : '';
  if (remove.length > 0 && source.removeTables !== undefined) {
    try {
      await source.removeTables(remove);
    } catch (err) {
      const done = added === '' ? 'nothing was changed' : `${added}, but`;
      return { success: false, message: `${done} removing ${names(remove)} failed: ${reason(err)}`, tables };
    }
    const gone = new Set(remove.map(tableKey));
    tables = tables.filter((t) => !gone.has(tableKey(t)));
  }
  const removed = remove.length > 0 ? `removed ${names(remove)} (their later changes are not replicated)` : '';
  const parts = [added, removed].filter((p) => p !== '');
  return { success: true, message: `${parts.join('; ')}; until restart: set TABLES=${tables.map(formatTableId).join(',')} to keep it`, tables };
}
