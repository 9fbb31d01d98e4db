import type { Lsn } from './lsn.js';
import type { TableSchema } from './table.js';
import type { Cell, Value } from './value.js';

export type ChangeOp = 'insert' | 'update' | 'delete';

interface ChangeBase {
  readonly schema: TableSchema;
  /**
   * The change's own position (PostgreSQL: the LSN of the change's WAL record). Monotonic per key,
   * used by sinks as the row version (`dbmazz_cdc_version`).
   */
  readonly lsn: Lsn;
  /**
   * Index of this change among the consecutive changes that share `lsn` (0 for the first). PostgreSQL
   * writes one WAL record per heap page for COPY and other multi-row inserts, so every row of that page
   * carries the same LSN. `(lsn, ordinal)` identifies the change in the stream exactly and is the same on
   * every replay: sinks key anything that must name a batch's content (Stream Load labels) by it, never
   * by LSNs alone. Changes sharing an LSN must be consecutive with ordinals 0, 1, 2, ... (the pipeline
   * checks this and stops with SOURCE_PROTOCOL otherwise).
   */
  readonly ordinal: number;
  /**
   * Identifies the transaction the change belongs to: every record of one transaction carries the same
   * value, known when the transaction begins (PostgreSQL: the LSN of its commit record, Begin's
   * final_lsn), so records can be emitted before the transaction ends. It is not itself the position
   * to confirm: the `commit` source event that follows the transaction's records carries the same
   * `commitLsn` plus the `position` to confirm once they are durable (position >= commitLsn).
   */
  readonly commitLsn: Lsn;
  /** Commit time in microseconds since the Unix epoch. */
  readonly commitTimeMicros: bigint;
  /**
   * Set on rows a snapshot copied from the source's tables (an `insert` that is not a stream change):
   * identifies the chunk read it came from, unique per read, also across restarts. Such rows sit
   * between transactions in stream order; `commitLsn` is the version they carry (a snapshot row
   * must lose against every transaction streamed after it and win against every transaction
   * streamed before it that it reflects: see the source's snapshot documentation), `lsn` equals
   * `commitLsn` and `ordinal` numbers the rows of the read. Position rules of stream changes (unique
   * `(lsn, ordinal)`) do not apply to them; sinks that name batches by positions must fold this id in.
   */
  readonly snapshotRead?: string;
}

/** Values are aligned with `schema.columns`. */
export interface InsertRecord extends ChangeBase {
  readonly op: 'insert';
  readonly after: readonly Value[];
}

export interface UpdateRecord extends ChangeBase {
  readonly op: 'update';
  /** New values; a column may be `UNCHANGED` (unchanged TOAST value that was not sent). */
  readonly after: readonly Cell[];
  /** The old tuple when the source had it (REPLICA IDENTITY FULL), aligned with columns. */
  readonly before?: readonly Cell[];
  /** Key values before the update when the key changed (aligned with `schema.keyColumns`). */
  readonly oldKey?: readonly Value[];
}

export interface DeleteRecord extends ChangeBase {
  readonly op: 'delete';
  /** The old row: key columns always present; other columns null unless REPLICA IDENTITY FULL. */
  readonly before: readonly Cell[];
  /** True when `before` carries every column (REPLICA IDENTITY FULL). */
  readonly fullBefore: boolean;
}

export type ChangeRecord = InsertRecord | UpdateRecord | DeleteRecord;
