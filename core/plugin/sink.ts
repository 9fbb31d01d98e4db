import type { Lsn } from '../model/lsn.js';
import type { ChangeRecord } from '../model/change-record.js';
import type { RowBlock } from '../model/row-block.js';
import type { TableId, TableSchema } from '../model/table.js';
import type { SinkCapabilities } from './capabilities.js';
import type { SourceIdentity, StateStore } from './source.js';

/** What the runtime tells the sink at setup. */
export interface SinkSetupContext {
  /** The source the changes come from; undefined when the source cannot tell. */
  readonly source?: SourceIdentity;
}

/** The changes of one table inside one flush, in stream order. */
export interface TableBatch {
  readonly schema: TableSchema;
  /** The changes; empty when the batch is a block (`rows`). */
  readonly records: readonly ChangeRecord[];
  /**
   * Only for a sink declaring `rowBlocks`: the batch is this block of snapshot rows (and `records` is
   * empty), written as its records would be (`RowBlock.record`).
   */
  readonly rows?: RowBlock;
  /** Smallest and largest change position in `records` (a block: its version). */
  readonly firstLsn: Lsn;
  readonly lastLsn: Lsn;
  /** Identifies the pipeline (e.g. the slot name), for deterministic load labels. */
  readonly pipelineId: string;
}

export interface WriteResult {
  /** Rows written (after any merging the sink did). */
  readonly rowsWritten: number;
  readonly bytesWritten: number;
  /** Number of loads/requests the batch took. */
  readonly loads: number;
  /**
   * Values the sink had to change to store them, by reason (e.g. `nullified`: NaN/Infinity/infinite
   * dates written as NULL; `rounded`: decimals rounded to the column's scale). Counted in metrics.
   */
  readonly adjustedValues?: Readonly<Record<string, number>>;
}

/** Options of one `Sink.write` call. */
export interface WriteOptions {
  /**
   * Given only to a sink that declares `awaitsReady`. The batch may be prepared (planned, encoded: pure
   * work, nothing read from or written to the target) at once, but every read of the target (e.g.
   * looking up stored rows, replay checks: they must see the previous write of this table) and every
   * write must wait until `ready` resolves: then everything the pipeline wrote before this batch for
   * this table is durable. When `ready` rejects, the sink must send nothing and reject (the pipeline
   * failed elsewhere; with that reason or any error: it is not retried).
   */
  readonly ready?: Promise<void>;
}

/**
 * A change sink. Lifecycle: `validateConnection` → `setup` → (`write`)* → `close`.
 * `write` resolves only when the batch is durable (visible or committed); the runtime confirms source
 * positions only after that. `write` may be called concurrently for different tables, never for the
 * same table, except that a sink declaring `awaitsReady` may get the next batch of a table while the
 * previous one is still being written, with `options.ready` (WriteOptions) that it awaits before it
 * touches the target, and that batches of snapshot blocks (`rows`, for a sink declaring `rowBlocks`)
 * of one table may be written at once: their `ready` waits only for the table's earlier changes, not
 * for its earlier blocks (their rows are distinct keys or the same values, each with its version, so
 * they land the same in any order). Errors are `CdcError`s: `retry: 'retry'` for transient failures (the runtime
 * retries with the same batch, so writes must be idempotent per batch; when they keep failing it
 * restarts the pipeline with a new sink instance, from the source's confirmed position), `never` for
 * errors that need an operator (the daemon stops).
 */
export interface Sink {
  readonly type: string;
  readonly capabilities: SinkCapabilities;
  validateConnection(): Promise<void>;
  /**
   * Checks target tables and prepares them (e.g. audit columns). Idempotent. `context.source` is the
   * identity of the source the changes come from, when the source can tell (Source.identity): a sink
   * whose stored state orders changes by source positions should refuse state written from another source.
   */
  setup(tables: readonly TableSchema[], context?: SinkSetupContext): Promise<void>;
  /**
   * Optional, pure: problems with streaming exactly this set of tables (e.g. two of them would be
   * written into one target), one text each; empty when fine. Checked before tables are added live.
   */
  checkTables?(tables: readonly TableId[]): readonly string[];
  /** Called when a source table's shape changed, before any record carrying the new shape is written. */
  schemaChanged?(schema: TableSchema, previous: TableSchema | undefined): Promise<void>;
  /**
   * Optional: true when `write` honours `WriteOptions.ready`, so the runtime can hand it a table's next
   * batch to prepare while the previous flush is still loading (the next batch is encoded while the
   * target applies the current one). Without it, the runtime calls `write` for a table only once that
   * table's previous writes are durable, and never passes `ready`. A wrapper around a sink (metrics,
   * …) must pass `options` through, or report `awaitsReady` false.
   */
  readonly awaitsReady?: boolean;
  write(batch: TableBatch, signal: AbortSignal, options?: WriteOptions): Promise<WriteResult>;
  /**
   * Applies a source TRUNCATE of `tables` (at stream position `lsn`), after every earlier change of the
   * stream is written and before any later one. Called only with TRUNCATE_POLICY=apply. Retried like
   * `write`, and replayed after a restart like any change, so it must be idempotent. Without it, the
   * runtime logs a warning and counts the truncate.
   */
  truncate?(tables: readonly TableId[], signal: AbortSignal, lsn: Lsn): Promise<void>;
  /**
   * Optional: removes (soft-deletes, for a soft-delete sink) every row of the target of `schema` whose
   * version is below `before` and that is not deleted yet, without touching rows written at `before`
   * or later (also not ones written concurrently). Returns how many rows it removed. Retried like
   * `write`, so it must be idempotent. Without it the runtime warns that such rows stay.
   */
  sweep?(schema: TableSchema, before: Lsn, signal: AbortSignal): Promise<number>;
  /**
   * Optional: a durable key/value store next to the target data (StateStore), usable after `setup`.
   * The runtime hands it to the source (`Source.attachState`), e.g. for snapshot progress.
   */
  stateStore?(): StateStore;
  /** Releases connections. Idempotent: a drain, a failure and a signal may each close the sink. */
  close(): Promise<void>;
}
