/**
 * Rows of one table that travel as one unit from a source to a sink: the rows of one snapshot read
 * (SourceEvent `rows`). A source keeps them compactly (PostgreSQL: the cells' text, as read, in one
 * buffer) instead of as one record and a value array per row, so a chunk waiting for its flush holds a
 * few large objects rather than millions of small ones (docs/performance.md, "Snapshot rows as
 * blocks"). Every row stands for an `insert` of a whole row: `record(i)` is exactly the InsertRecord the
 * source would otherwise have emitted for it, and `values(i, out)` its values, decoded on each call.
 *
 * Sinks that declare `rowBlocks` (SinkCapabilities) get blocks in `TableBatch.rows`; for every other
 * sink the runtime turns a block into its records when it arrives, so a sink never sees one it did not
 * ask for.
 */
import type { InsertRecord } from './change-record.js';
import type { Lsn } from './lsn.js';
import type { TableSchema } from './table.js';
import type { Value } from './value.js';

export interface RowBlock {
  readonly schema: TableSchema;
  /** Number of rows (at least one). */
  readonly length: number;
  /** Every row's `lsn` and `commitLsn` (its version), as in its record. */
  readonly version: Lsn;
  readonly commitTimeMicros: bigint;
  /** The read the rows come from (InsertRecord.snapshotRead); rows are numbered 0, 1, … (`ordinal`). */
  readonly snapshotRead: string;
  /** Estimated memory held, in bytes. */
  readonly bytes: number;
  /**
   * Writes row `i`'s values, aligned with `schema.columns`, into `out` (its length is set): what the
   * row's record carries in `after`. Decodes on each call; throws what the source's decoder throws.
   */
  values(i: number, out: Value[]): void;
  /** Row `i`'s value of column `c` (decoded on each call), as `values` gives it. */
  value(i: number, c: number): Value;
  /** Row `i` as its record (a new object each call). */
  record(i: number): InsertRecord;
  /** Optional: the cells' text, for a sink that writes some values straight from it (BlockTexts). */
  readonly texts?: BlockTexts;
}

/**
 * How a column's cell text reads as its value (`RowBlock.value`), when the cell is in that form:
 * - `integer`: `0` or `-?[1-9][0-9]*` (ASCII), the value is that integer (a `bigint` or a `number` as
 *   the column's family has it);
 * - `decimal`: `-?[0-9]+(\.[0-9]+)?`, the value is `DecimalValue` of exactly that text;
 * - `text`: the value is the string of that text (UTF-8);
 * - `boolean`: `t` or `f`, the value is `true` or `false`;
 * - `datetime`: a date or timestamp text (`YYYY-MM-DD[ HH:MM:SS[.ffffff]]`; a timestamp with time zone
 *   already in UTC), the value is the `TemporalValue` of the column's family with exactly that text;
 * - `json`: a JSON document, the value is `JsonText` of exactly that text.
 * A sink checks the form of each cell it writes from its text and takes `value` for any other.
 */
export type TextForm = 'integer' | 'decimal' | 'text' | 'boolean' | 'datetime' | 'json';

/** The cells of a block as text (offsets into `data`). */
export interface BlockTexts {
  readonly data: Uint8Array;
  /** The form of each column's cells (aligned with `schema.columns`); undefined: use `value`. */
  readonly forms: readonly (TextForm | undefined)[];
  /** Where row `i`'s cell `c` starts in `data`; -1 for NULL. */
  start(i: number, c: number): number;
  /** Where it ends. */
  end(i: number, c: number): number;
}

/** Every row of `block` as its record, in order. */
export function blockRecords(block: RowBlock): InsertRecord[] {
  const out = new Array<InsertRecord>(block.length);
  for (let i = 0; i < block.length; i++) out[i] = block.record(i);
  return out;
}
