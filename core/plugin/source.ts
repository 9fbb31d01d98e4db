import type { Lsn } from '../model/lsn.js';
import type { ChangeRecord } from '../model/change-record.js';
import type { RowBlock } from '../model/row-block.js';
import type { TableId, TableSchema } from '../model/table.js';
import type { SourceCapabilities } from './capabilities.js';

/** What a source emits, in stream order. */
export type SourceEvent =
  | { readonly kind: 'change'; readonly record: ChangeRecord }
  /**
   * Rows copied by a snapshot, as one block (RowBlock): in stream order exactly what emitting
   * `block.record(0)`, `block.record(1)`, … as `change` events would be. Sinks that do not declare
   * `rowBlocks` get those records.
   */
  | { readonly kind: 'rows'; readonly rows: RowBlock }
  /**
   * Every change of the transaction ending at `position` has been emitted. `position` is what to
   * confirm once those changes are durable; `commitLsn` is the value the transaction's records (and
   * truncate events) carry as their `commitLsn` (it may be lower than `position`: PostgreSQL stamps
   * records with the commit record's start and confirms its end).
   */
  | { readonly kind: 'commit'; readonly position: Lsn; readonly commitLsn: Lsn; readonly commitTimeMicros: bigint }
  /** A table's shape is new or changed; later changes carry the new schema. */
  | { readonly kind: 'schema'; readonly schema: TableSchema; readonly previous: TableSchema | undefined }
  | { readonly kind: 'truncate'; readonly tables: readonly TableId[]; readonly lsn: Lsn; readonly commitLsn: Lsn }
  /** The server is at `position` and nothing of ours is pending in the source. */
  | { readonly kind: 'idle'; readonly position: Lsn }
  /**
   * A durability marker: once every item emitted before it is durable in the sink, the runtime calls
   * `source.marked(token)` (in emission order, at most once per token; never if the pipeline stops
   * first). Sources use it to record progress that is not a stream position (e.g. snapshot chunks).
   */
  | { readonly kind: 'mark'; readonly token: string }
  /**
   * The source has nothing more to emit (e.g. a one-off snapshot is complete): the runtime writes
   * everything before it, confirms, stops the pipeline normally and the daemon exits with 0.
   */
  | { readonly kind: 'finished' }
  /**
   * A snapshot of `table` is complete: every row the source has was written at version `before` or
   * later since it began, so rows of the sink's target with a lower version (and not deleted) are rows
   * the source no longer has (deleted while changes could not be streamed, e.g. a lost slot). The
   * runtime asks the sink to remove them (`Sink.sweep`) after everything before this event is written.
   */
  | { readonly kind: 'sweep'; readonly table: TableId; readonly before: Lsn };

/**
 * Receives events. When it returns a promise the source must stop reading from its server (real
 * backpressure: pause the socket) until the promise settles. A rejection stops the stream.
 */
export type SourceEventHandler = (event: SourceEvent) => void | Promise<void>;

export interface SourceStatus {
  /** Position of the last event received. */
  readonly receivedPosition: Lsn;
  /** Position last confirmed to the server. */
  readonly confirmedPosition: Lsn;
}

/**
 * Which source a stream comes from. Stream positions (and so versions and load labels derived from
 * them) are comparable only between changes of one identity: e.g. a PostgreSQL cluster (its system
 * identifier) and database. A physical replica promoted to primary keeps the identity; a restored
 * dump or a new cluster fed by logical replication does not.
 */
export interface SourceIdentity {
  /** Opaque, stable text; equal for two connections exactly when their positions are comparable. */
  readonly id: string;
  /** For people, e.g. `PostgreSQL system 7316…, database shop`. */
  readonly description: string;
}

export interface SourceSetupResult {
  /** The shape of every table that will be streamed, as known at setup. */
  readonly tables: readonly TableSchema[];
}

/**
 * A change source. Lifecycle, called in this order by the runtime, never concurrently:
 * `validateConnection` → `setup` → `start` → (`acknowledge`)* → `stop` → `close`.
 * `acknowledge` may be called at any time after `start`, from the checkpoint path. An instance runs
 * once: when its stream fails with a transient error (`retry: 'retry'`, e.g. the connection was lost)
 * the runtime closes it and reconnects with a new instance, which starts from the position the server
 * has confirmed. A source never reconnects by itself.
 */
export interface Source {
  readonly type: string;
  readonly capabilities: SourceCapabilities;
  /** Checks connectivity and prerequisites. Must not create or change anything. */
  validateConnection(): Promise<void>;
  /**
   * Optional read-only check of everything `setup` needs, returning the same tables. When present, the
   * runtime calls it before the sink's setup and calls `setup` last, so a problem on the sink side never
   * leaves a new, unused replication slot holding WAL. When the runtime restarts replication after a
   * transient failure (reconnecting, with a new instance), it calls `inspect` instead of `setup`: what
   * `setup` created must still exist, and `start` must then fail with `retry: 'never'` rather than
   * recreate it (a new slot would silently skip the changes in between). Without `inspect`, `setup` is
   * called again.
   */
  inspect?(): Promise<SourceSetupResult>;
  /**
   * Optional, read-only: the identity of the server the source streams from (SourceIdentity). Called
   * after `validateConnection` and before the sink's setup, which receives it.
   */
  identity?(): Promise<SourceIdentity>;
  /** Idempotent creation of what streaming needs (slot, publication). Never destroys state. */
  setup(): Promise<SourceSetupResult>;
  /**
   * Optional, hot standby: resolves `'turn'` once this instance may stream, i.e. no other consumer
   * holds what the source reads exclusively (PostgreSQL: the replication slot), or `'stopped'` once
   * `signal` is aborted. Meanwhile this instance is a standby: `standby` is called when it starts
   * waiting and whenever what it waits for changes. Called after `validateConnection`, before any
   * setup. Another instance may still win the race between this answer and `start`: `start` then
   * fails with `retry: 'retry'`, and the next attempt waits here again.
   */
  awaitTurn?(o: TurnOptions): Promise<'turn' | 'stopped'>;
  /** Starts streaming from the last confirmed position; resolves once streaming has begun. */
  start(handler: SourceEventHandler): Promise<void>;
  /** Resolves when the stream ends (after `stop`) or rejects when it fails. */
  done(): Promise<void>;
  /** Everything up to and including `position` is durable in the sink: confirm it to the server. */
  acknowledge(position: Lsn): void;
  /** Pauses reading (no more events until `resume`). */
  pause(): void;
  resume(): void;
  /** Stops reading; sends the last acknowledged position before resolving. Idempotent. */
  stop(): Promise<void>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
  status(): SourceStatus;
  /** The server's current position (PostgreSQL: its WAL position), for lag, when the source can tell. */
  serverPosition?(): Promise<Lsn>;
  /** Removes the server-side state (slot, publication). Only on explicit job deletion. */
  destroy?(): Promise<void>;

  // -- Optional: positions kept by the runtime (issue 12) ---------------------------------------------

  /**
   * For a source that keeps no position on its server (no replication slot, no consumer offsets):
   * declaring this method asks the runtime to keep the confirmed position for it. The runtime calls it
   * once per instance, after `setup` and before `start`, with the position saved by an earlier run
   * (undefined on the first run); `start` must then emit only what comes after it, and `status()`
   * should report it as `confirmedPosition`. A position is saved only after the sink durably wrote
   * everything up to it (when the runtime calls `acknowledge`), in a file under STATE_DIR that
   * survives the process. Positions must increase across restarts: every `commit` event's `position`
   * (for a source without transactions, every change's `commitLsn`) must be strictly greater than
   * `saved` and than the one before it; the pipeline stops with SOURCE_PROTOCOL naming the connector
   * otherwise. See docs/writing-a-connector.md.
   */
  resumeFrom?(saved: Lsn | undefined): void;

  // -- Optional: snapshots and durable progress (issue 10) -------------------------------------------

  /**
   * The store for progress that must survive the process (StateStore), when the sink offers one.
   * Called once, after the sink's setup and before the source's `setup` / `start`.
   */
  attachState?(store: StateStore): void;
  /** Everything emitted before the `mark` event carrying `token` is durable in the sink. */
  marked?(token: string): void;
  /** Progress of the snapshots (initial copy, backfill, re-snapshot) of each table that had one in this run or has one pending. */
  snapshotProgress?(): readonly TableSnapshotProgress[];
  /**
   * Copies the current rows of `tables` again (only while streaming; the tables must be streamed):
   * e.g. after a schema change added a column whose existing values the sink lacks, or after a slot
   * was lost. Resolves once the request is recorded durably; the copy runs alongside the stream.
   */
  resnapshot?(tables: readonly TableId[]): Promise<void>;

  // -- Optional, for the control API and monitoring (issue 5) ----------------------------------------

  /**
   * What the server keeps so this pipeline can resume (PostgreSQL: the replication slot), as the server
   * reports it now: for metrics and monitoring, when the source keeps anything on its server.
   */
  serverStatus?(): Promise<SourceServerStatus>;
  /** @deprecated Implement `serverStatus()`; still read (mapped by core/control/server-status.ts) when a source has only this. */
  slotStatus?(): Promise<SlotStatus>;
  /**
   * Live table changes (ReloadConfig.tables), called only while streaming and never concurrently:
   * `checkTables` reads and checks tables that are not streamed yet exactly as `setup` would and
   * changes nothing; `addTables` then starts streaming them (changes committed after it returns are
   * delivered); `removeTables` stops streaming tables (later changes of them are not delivered).
   */
  checkTables?(tables: readonly TableId[]): Promise<readonly TableSchema[]>;
  addTables?(tables: readonly TableSchema[]): Promise<void>;
  removeTables?(tables: readonly TableId[]): Promise<void>;
}

export interface TurnOptions {
  readonly signal: AbortSignal;
  standby(info: StandbyInfo): void;
}

/** What a standby waits for, e.g. the slot held by another connection. */
export interface StandbyInfo {
  /** One operator-facing sentence, e.g. "replication slot 'dbmazz_slot' is held by PID 4242 (10.0.0.7)". */
  readonly detail: string;
}

/**
 * What a source's server keeps so the pipeline can resume from its confirmed position, and the history
 * it holds back for it (PostgreSQL: the replication slot and its WAL; a binlog-based source: the binlog
 * files), as the server reports it. Every field is optional knowledge: undefined when the server cannot tell.
 */
export interface SourceServerStatus {
  /** What the server calls it (PostgreSQL: the slot name). */
  readonly name: string;
  readonly exists: boolean;
  /** A connection reads from it now. */
  readonly active: boolean;
  /**
   * The server's word for how safe the held-back history is (PostgreSQL: wal_status `reserved`,
   * `extended`, `unreserved`, `lost`); `lost` means the history needed to resume is gone.
   */
  readonly retention: string | undefined;
  /** Bytes the server can still write before the held-back history is in danger of being removed; undefined = no limit. */
  readonly safeBytes: bigint | undefined;
  /** History the server holds back for this pipeline (its current position − the oldest position kept), in bytes. */
  readonly retainedBytes: bigint | undefined;
  /** The position the server has recorded as confirmed. */
  readonly confirmedPosition: Lsn | undefined;
}

/** @deprecated Use SourceServerStatus. A replication slot as PostgreSQL reports it (pg_replication_slots). */
export interface SlotStatus {
  readonly slotName: string;
  readonly exists: boolean;
  readonly active: boolean;
  /** `reserved`, `extended`, `unreserved` or `lost` (PostgreSQL 13+); undefined when unknown. */
  readonly walStatus: string | undefined;
  /** Bytes of WAL that can still be written before the slot is in danger of being lost; undefined = no limit. */
  readonly safeWalSizeBytes: bigint | undefined;
  /** WAL the slot holds back on the server (current position − restart position), in bytes. */
  readonly retainedWalBytes: bigint | undefined;
  readonly confirmedFlushLsn: Lsn | undefined;
}

/**
 * A small durable key/value store the sink keeps next to the data it writes (StarRocks: the table
 * `dbmazz_state` in SINK_DATABASE), so progress that describes the target's content is lost exactly
 * when that content is. Keys and values are short texts (values: JSON written by the source).
 */
export interface StateStore {
  /** Every entry whose key starts with `prefix`. */
  list(prefix: string): Promise<ReadonlyMap<string, string>>;
  put(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export type SnapshotPhase = 'pending' | 'copying' | 'done' | 'failed';

/** One table's snapshot, for logs, GetStatus, metrics and the dashboard. */
export interface TableSnapshotProgress {
  readonly table: TableId;
  readonly phase: SnapshotPhase;
  /** Why the snapshot runs: `initial` (new slot), `added` (table added), `requested` (re-snapshot). */
  readonly reason: 'initial' | 'added' | 'requested';
  /** Rows written durably so far (chunks confirmed), including earlier runs of the same snapshot. */
  readonly rowsCopied: number;
  /** The server's estimate of the table's rows when the snapshot started (PostgreSQL: pg_class.reltuples); -1 when unknown. */
  readonly rowsEstimated: number;
  /** Chunks written durably so far. */
  readonly chunks: number;
  /** Epoch milliseconds; undefined before it started. */
  readonly startedAtMs?: number;
  readonly finishedAtMs?: number;
  /** Rows per second over this run's copying so far; 0 when unknown. */
  readonly rowsPerSecond: number;
  /** Seconds until done at the current rate; undefined when unknown. */
  readonly etaSeconds?: number;
  /** The last error of a failed snapshot. */
  readonly error?: string;
}
