/**
 * The snapshot engine: copies the current rows of tables (initial snapshot, backfill of added
 * tables, re-snapshot on request) in chunks while the stream runs, and places each chunk into the
 * stream between two transactions (docs/architecture.md, "Snapshots").
 *
 * - Reads: keyset chunks (chunk-sql.ts), each in its own short REPEATABLE READ transaction
 *   (reader.ts), up to `parallelism` tables at once, one chunk read ahead per table.
 * - Placement (`take`, called by the source at a transaction boundary): every row of a chunk gets
 *   the version `version` (the commit position of the last streamed transaction, or where the idle
 *   stream stands): above every transaction streamed before, so the row wins against what it
 *   reflects, and not above any transaction streamed after, which wins against it. Rows of keys
 *   that a streamed transaction invisible to the chunk's snapshot touched are left out and read
 *   again (tracker.ts): that transaction's change is newer than the row.
 * - Progress: a chunk counts once the sink has it durably (a `mark` event, `marked`); then the
 *   table's entry in the progress store moves past it. After a restart a table resumes after its
 *   last durable chunk.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  CdcError,
  DecimalValue,
  TemporalValue,
  formatTableId,
  tableKey,
  type Cell,
  type Lsn,
  type SourceEvent,
  type TableId,
  type TableSchema,
  type TableSnapshotProgress,
  type Value,
} from '../../../core/index.js';
import type { PgTypeInfo } from '../codec/pg-types.js';
import { decodeTextValue } from '../codec/text-values.js';
import { CellDecodeError, ChunkRows } from './chunk-rows.js';
import { chunkQuery, estimateQuery, keysQuery, type SqlText } from './chunk-sql.js';
import { keyText } from './key-text.js';
import type { PgSnapshot } from './pg-snapshot.js';
import type { SnapshotProgressStore, StoredSnapshot } from './progress-store.js';
import type { RawRead, SnapshotReader } from './reader.js';
import { TouchTracker } from './tracker.js';

export type SnapshotReason = TableSnapshotProgress['reason'];

export interface TableShape {
  readonly schema: TableSchema;
  /** Column types aligned with `schema.columns`. */
  readonly types: readonly PgTypeInfo[];
}

export interface SnapshotEngineOptions {
  readonly logger: Logger;
  readonly chunkRows: number;
  readonly parallelism: number;
  readonly progress: SnapshotProgressStore;
  /** The table's current shape (the stream's relation when known, else the catalog's). */
  readonly describe: (id: TableId) => TableShape | undefined;
  readonly newReader: () => SnapshotReader;
  /** A chunk is ready to be placed into the stream. */
  readonly ready: () => void;
  /** A snapshot cannot go on (not a transient error): the source fails with it. */
  readonly failed: (err: CdcError) => void;
  /** Every table's snapshot is complete and durable. */
  readonly allDone?: () => void;
  /** WAL the replication slot holds back on the server, in bytes (progress logs), when there is a slot. */
  readonly retainedWal?: () => Promise<bigint | undefined>;
  readonly now?: () => number;
}

interface Chunk {
  readonly generation: number;
  readonly id: string;
  readonly kind: 'range' | 'keys';
  /** The read cursor before this chunk (range chunks). */
  readonly startAfter: readonly string[] | undefined;
  /** The last key of this chunk as text (range chunks with rows). */
  readonly lastKey: readonly string[] | undefined;
  readonly schema: TableSchema;
  /** The rows, their key texts (for conflicts, on demand) and their keys as PostgreSQL printed them. */
  readonly rows: ChunkRows;
  readonly snapshot: PgSnapshot;
  readonly walLsn: Lsn;
  /** The table's last range chunk (fewer rows than asked). */
  readonly final: boolean;
  /** Keys chunks: the key texts that were asked for (found or gone). */
  readonly requested: readonly string[];
}

interface PendingMark {
  /** The table's sweep (its last step) rather than a chunk. */
  readonly sweep?: boolean;
  readonly task: TableTask;
  readonly generation: number;
  readonly after: readonly string[] | undefined;
  readonly rows: number;
  /** Keys this chunk settled (a re-read that is now durable). */
  readonly settles: readonly string[];
}

class TableTask {
  readonly key: string;
  generation = 0;
  phase: TableSnapshotProgress['phase'] = 'pending';
  reason: SnapshotReason;
  readAfter: readonly string[] | undefined;
  durableAfter: readonly string[] | undefined;
  /** key text → key as text columns: keys to read again whose re-read is not durable yet. */
  readonly unsettled = new Map<string, readonly string[]>();
  /** Keys of `unsettled` not yet read again. */
  reread: string[] = [];
  /** Keys to read again loaded from the progress store, as text columns (named once the shape is known). */
  storedReread: (readonly string[])[] = [];
  exhausted = false;
  reading = false;
  ready: Chunk | undefined;
  inFlight = 0;
  rowsCopied = 0;
  chunks = 0;
  estimated = -1;
  startedAtMs: number | undefined;
  finishedAtMs: number | undefined;
  runRows = 0;
  runStartMs: number | undefined;
  /** The version of the first placed chunk: every row the source has is written at or above it. */
  since: Lsn | undefined;
  /** Every chunk is durable: the sweep waits to be placed. */
  sweepWanted = false;
  /**
   * The sweep is durable. The table is done once nothing is being read again either: a moved key can
   * ask for a re-read while the sweep is in flight, and the table stays tracked until it is durable.
   */
  swept = false;
  retryAt = 0;
  failures = 0;
  error: string | undefined;
  /** Text bytes per row of the last chunk read (0: none yet): the next chunk's buffers are sized from it. */
  rowBytes = 0;
  lastLogMs = 0;

  constructor(
    readonly id: TableId,
    reason: SnapshotReason,
  ) {
    this.key = tableKey(id);
    this.reason = reason;
  }
}

/** A key value as PostgreSQL's input text (the reader's session settings), for reading the key again. */
function pgText(v: Value): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v instanceof DecimalValue || v instanceof TemporalValue) return v.text;
  if (v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  return undefined;
}

const READ_RETRY_MS = 1000;
const CONFLICT_RETRY_MS = 50;
const PROGRESS_LOG_MS = 10_000;
/** Rows of placed, not yet durable chunks always allowed (whatever the chunk size). */
const IN_FLIGHT_ROWS = 40_000;

export class SnapshotEngine {
  readonly tracker = new TouchTracker();
  private readonly tasks = new Map<string, TableTask>();
  private readonly marks = new Map<string, PendingMark>();
  private readonly readers: SnapshotReader[] = [];
  private readonly idleReaders: SnapshotReader[] = [];
  private active = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly saving = new Map<string, Promise<void>>();
  private readonly now: () => number;
  private finishedAll = false;

  constructor(private readonly o: SnapshotEngineOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Tables with a snapshot not yet complete. */
  get pendingTables(): readonly TableId[] {
    return [...this.tasks.values()].filter((t) => t.phase !== 'done').map((t) => t.id);
  }

  /**
   * Decides snapshots of `tables` (from their first row) and records them durably before returning:
   * call it before whatever makes the tables' changes stream (slot creation, publishing).
   */
  async plan(tables: readonly TableId[], reason: SnapshotReason): Promise<void> {
    for (const id of tables) {
      const old = this.tasks.get(tableKey(id));
      const task = new TableTask(id, reason);
      if (old) task.generation = old.generation + 1;
      this.tasks.set(task.key, task);
      this.tracker.track(task.key);
      await this.save(task);
    }
    this.finishedAll = false;
    if (tables.length > 0) {
      this.o.logger.info({ tables: tables.map(formatTableId), reason }, 'snapshot planned');
      this.pump();
    }
  }

  /** Loads the snapshots a previous run left unfinished; returns their tables. */
  async resume(): Promise<readonly TableId[]> {
    const stored = await this.o.progress.load((key) => this.o.logger.warn({ key }, 'ignoring an unreadable snapshot progress entry'));
    for (const s of stored) {
      // Planned by this process already (setup): the same entry.
      if (this.tasks.has(tableKey(s.table))) continue;
      const task = new TableTask(s.table, s.reason);
      task.readAfter = s.after ?? undefined;
      task.durableAfter = s.after ?? undefined;
      task.storedReread = s.reread.map((k) => [...k]);
      task.rowsCopied = s.rows;
      task.chunks = s.chunks;
      task.estimated = s.estimated;
      task.startedAtMs = s.startedAtMs ?? undefined;
      task.since = s.since === null || s.since === undefined ? undefined : BigInt(s.since);
      this.tasks.set(task.key, task);
      this.tracker.track(task.key);
    }
    const resumed = stored.filter((s) => this.tasks.get(tableKey(s.table))?.generation === 0 && s.chunks > 0);
    if (resumed.length > 0) {
      this.o.logger.info(
        { tables: resumed.map((s) => ({ table: formatTableId(s.table), rowsCopied: s.rows, chunks: s.chunks })) },
        'resuming unfinished snapshots after the last durable chunk',
      );
    }
    return stored.map((s) => s.table);
  }

  /** Starts reading. */
  start(): void {
    this.active = true;
    this.pump();
  }

  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.all(this.readers.map((r) => r.close()));
    await Promise.all([...this.saving.values()].map((p) => p.catch(() => undefined)));
  }

  /** Forgets a table (it stopped streaming); its stored progress is removed. */
  async drop(id: TableId): Promise<void> {
    const task = this.tasks.get(tableKey(id));
    if (!task) return;
    this.tasks.delete(task.key);
    this.tracker.untrack(task.key);
    await this.o.progress.remove(id);
  }

  progress(): TableSnapshotProgress[] {
    const now = this.now();
    return [...this.tasks.values()].map((t) => {
      const seconds = t.runStartMs === undefined ? 0 : ((t.finishedAtMs ?? now) - t.runStartMs) / 1000;
      const rate = seconds > 0 ? t.runRows / seconds : 0;
      const left = t.estimated > t.rowsCopied ? t.estimated - t.rowsCopied : 0;
      return {
        table: t.id,
        phase: t.phase,
        reason: t.reason,
        rowsCopied: t.rowsCopied,
        rowsEstimated: t.estimated,
        chunks: t.chunks,
        ...(t.startedAtMs !== undefined ? { startedAtMs: t.startedAtMs } : {}),
        ...(t.finishedAtMs !== undefined ? { finishedAtMs: t.finishedAtMs } : {}),
        rowsPerSecond: Math.round(rate),
        ...(t.phase === 'copying' && rate > 0 ? { etaSeconds: Math.ceil(left / rate) } : t.phase === 'done' ? { etaSeconds: 0 } : {}),
        ...(t.error !== undefined ? { error: t.error } : {}),
      };
    });
  }

  // -- Placement ------------------------------------------------------------------------------------

  /**
   * The events of every ready chunk, placed here in the stream: rows (version `version`, or each
   * chunk's own read position when undefined: no stream runs) followed by one `mark` per chunk.
   * `tracked`: a stream runs and the tracker knows what it touched.
   */
  take(version: Lsn | undefined, tracked: boolean, nowMicros: bigint): { readonly rows: SourceEvent[]; readonly marks: SourceEvent[] } {
    const rows: SourceEvent[] = [];
    const marks: SourceEvent[] = [];
    for (const task of this.tasks.values()) {
      const chunk = task.ready;
      if (chunk !== undefined) {
        task.ready = undefined;
        if (chunk.generation === task.generation && task.phase === 'copying') this.placeChunk(task, chunk, version, tracked, nowMicros, rows, marks);
      }
      // After the chunk (a moved key's re-read that became ready while the sweep was wanted): its
      // reconciliation may lower the sweep's bound, and no ready chunk is left behind unannounced.
      if (task.sweepWanted) {
        task.sweepWanted = false;
        const token = `${task.key}#sweep`;
        this.marks.set(token, { sweep: true, task, generation: task.generation, after: undefined, rows: 0, settles: [] });
        marks.push({ kind: 'sweep', table: task.id, before: task.since ?? 0n }, { kind: 'mark', token });
        task.inFlight += 1;
      }
    }
    if (rows.length > 0 || marks.length > 0) this.pump();
    return { rows, marks };
  }

  /** Places one ready chunk of `task`: its rows (less the stale ones) into `rows`, its mark into `marks`. */
  private placeChunk(
    task: TableTask,
    chunk: Chunk,
    version: Lsn | undefined,
    tracked: boolean,
    nowMicros: bigint,
    rows: SourceEvent[],
    marks: SourceEvent[],
  ): void {
    // The indexes of the rows placed; undefined: all of them (no conflict).
    let keep: readonly number[] | undefined;
    // See Conflicts.oldestInvisibleCommit: the sweep spares versions from there on.
    let spareFrom: Lsn | undefined;
    if (tracked) {
      // The rows' key texts are only computed when a streamed transaction touched the table.
      const c = this.tracker.conflicts(task.key, chunk.snapshot, { has: (k) => chunk.rows.keyTextSet().has(k) });
      if (c.whole) {
        this.rereadWhole(task, chunk);
        return;
      }
      spareFrom = c.oldestInvisibleCommit;
      if (c.keys.size > 0) {
        const texts = chunk.rows.keyTexts();
        keep = texts.map((_, i) => i).filter((i) => !c.keys.has(texts[i] ?? ''));
        texts.forEach((text, i) => {
          if (!c.keys.has(text)) return;
          // Read again later (also a key that was being read again: it conflicted once more).
          if (!task.reread.includes(text)) task.reread.push(text);
          task.unsettled.set(text, chunk.rows.rawKey(i));
        });
        this.o.logger.debug(
          { table: formatTableId(task.id), keys: c.keys.size },
          'snapshot rows left out: newer changes of them were streamed; reading them again',
        );
      }
    }
    const v = version ?? chunk.walLsn;
    if (task.since === undefined) task.since = v;
    if (spareFrom !== undefined && spareFrom < task.since) task.since = spareFrom;
    const placedRows = keep === undefined ? chunk.rows.length : keep.length;
    if (placedRows > 0) {
      const block = chunk.rows.block({ schema: chunk.schema, version: v, commitTimeMicros: nowMicros, snapshotRead: chunk.id, ...(keep ? { keep } : {}) });
      rows.push({ kind: 'rows', rows: block });
    }
    const settles = chunk.requested.filter((t) => !task.reread.includes(t));
    const token = `${task.key}#${chunk.id}`;
    this.marks.set(token, {
      task,
      generation: task.generation,
      after: chunk.kind === 'range' ? (chunk.lastKey ?? chunk.startAfter) : undefined,
      rows: placedRows,
      settles,
    });
    marks.push({ kind: 'mark', token });
    task.inFlight += 1;
    if (chunk.final) task.exhausted = true;
  }

  /**
   * A streamed key change moved a row to `key` (values aligned with the key columns) without sending
   * its unchanged TOAST values, while the table's copy runs: the sink cannot take them from the old
   * key's row when that row was not copied yet, and the new key's range may be copied already. The new
   * key is read again (a later read has the whole row). Keys whose values cannot be written back as
   * text are left (the sink warns about the columns it could not fill).
   */
  rereadMovedKey(table: string, key: readonly Value[]): void {
    const task = this.tasks.get(table);
    if (task === undefined || task.phase === 'done' || task.phase === 'failed') return;
    const raw: string[] = [];
    for (const v of key) {
      const t = pgText(v);
      if (t === undefined) return;
      raw.push(t);
    }
    const text = keyText(
      key,
      key.map((_, i) => i),
    );
    if (!task.reread.includes(text)) task.reread.push(text);
    task.unsettled.set(text, raw);
    this.pump();
  }

  /** Everything before the mark `token` is durable in the sink. */
  marked(token: string): void {
    const m = this.marks.get(token);
    if (!m) return;
    this.marks.delete(token);
    const { task } = m;
    if (m.generation !== task.generation || this.tasks.get(task.key) !== task) return;
    task.inFlight -= 1;
    if (m.sweep) {
      task.swept = true;
      this.settle(task);
      return;
    }
    task.rowsCopied += m.rows;
    task.runRows += m.rows;
    task.chunks += 1;
    if (m.after !== undefined) task.durableAfter = m.after;
    for (const k of m.settles) task.unsettled.delete(k);
    this.logProgress(task, false);
    this.pump();
    if (!this.settle(task)) this.saveSoon(task);
  }

  // -- Reads ----------------------------------------------------------------------------------------

  /** Nothing of the table is left to read, being read, waiting to be placed or to become durable. */
  private idle(t: TableTask): boolean {
    return t.exhausted && t.reread.length === 0 && t.unsettled.size === 0 && t.inFlight === 0 && t.ready === undefined && !t.reading;
  }

  /**
   * Moves a table whose reads are all durable on: to its sweep, then (the sweep durable) to done.
   * Called whenever that may have become true: a mark, and the end of a read (a chunk placed and
   * marked durable from within `ready`, before its read returned, is only seen then). Returns whether
   * the table moved on.
   */
  private settle(t: TableTask): boolean {
    if (!this.active || this.tasks.get(t.key) !== t || t.phase !== 'copying' || t.sweepWanted || !this.idle(t)) return false;
    if (t.swept) {
      void this.finish(t);
      return true;
    }
    // Every row is written at `since` or later: the target's older rows are gone from the source.
    t.sweepWanted = true;
    this.saveSoon(t);
    this.o.ready();
    return true;
  }

  private async finish(task: TableTask): Promise<void> {
    task.phase = 'done';
    task.finishedAtMs = this.now();
    this.tracker.untrack(task.key);
    this.logProgress(task, true);
    try {
      await this.chain(task, () => this.o.progress.remove(task.id));
    } catch (err) {
      this.o.logger.warn(
        { table: formatTableId(task.id), err: err instanceof Error ? err.message : String(err) },
        'could not remove the finished snapshot progress entry; the next start would copy the table again',
      );
    }
    if (!this.finishedAll && [...this.tasks.values()].every((t) => t.phase === 'done')) {
      this.finishedAll = true;
      // Nothing left to read: the reader connections are closed (a later snapshot opens new ones).
      const readers = this.readers.splice(0);
      this.idleReaders.length = 0;
      await Promise.all(readers.map((r) => r.close()));
      this.o.allDone?.();
    }
  }

  private rereadWhole(task: TableTask, chunk: Chunk): void {
    task.failures += 1;
    task.retryAt = this.now() + Math.min(CONFLICT_RETRY_MS * 2 ** Math.min(task.failures, 6), 5000);
    if (chunk.kind === 'range') {
      task.readAfter = chunk.startAfter;
      task.exhausted = false;
    } else {
      // Every key asked for, also those no row came back for (deleted meanwhile): each is unsettled
      // until a placed read of it is durable.
      for (const t of chunk.requested) if (!task.reread.includes(t)) task.reread.unshift(t);
    }
    this.o.logger.debug({ table: formatTableId(task.id) }, 'snapshot chunk read again: a transaction streamed before it was still in progress for its read');
    this.pump();
  }

  /** Starts reads while readers are free. */
  private pump(): void {
    if (!this.active) return;
    const now = this.now();
    let wake = Infinity;
    // Chunks placed but not yet durable are bounded (2 per reader, and at least IN_FLIGHT_ROWS rows so
    // that small chunks still fill the pipeline's flushes): snapshot rows never fill the pipeline's
    // buffer ahead of streamed changes, and their memory stays small whatever the sink's pace.
    if (this.inFlight() >= Math.max(2 * this.o.parallelism, Math.ceil(IN_FLIGHT_ROWS / this.o.chunkRows))) return;
    for (const task of this.tasks.values()) {
      if (this.busyReaders() >= this.o.parallelism) break;
      if (task.phase === 'done' || task.phase === 'failed' || task.reading || task.ready !== undefined) continue;
      if (task.exhausted && task.reread.length === 0 && task.storedReread.length === 0) continue;
      if (task.retryAt > now) {
        wake = Math.min(wake, task.retryAt);
        continue;
      }
      void this.read(task);
    }
    if (wake !== Infinity && this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wake - now);
      this.timer.unref();
    }
  }

  private inFlight(): number {
    let n = 0;
    for (const t of this.tasks.values()) n += t.inFlight + (t.ready === undefined ? 0 : 1);
    return n;
  }

  private busyReaders(): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.reading) n += 1;
    return n;
  }

  private takeReader(): SnapshotReader {
    const r = this.idleReaders.pop();
    if (r) return r;
    const created = this.o.newReader();
    this.readers.push(created);
    return created;
  }

  private async read(task: TableTask): Promise<void> {
    task.reading = true;
    const generation = task.generation;
    const reader = this.takeReader();
    try {
      const shape = this.o.describe(task.id);
      if (!shape) throw new CdcError({ code: 'SOURCE_SETUP', message: `Snapshot of ${formatTableId(task.id)}: the table is not streamed.` });
      if (task.phase === 'pending') await this.begin(task, reader, shape.schema);
      const keyIndexes = shape.schema.keyColumns.map((k) => shape.schema.columns.findIndex((c) => c.name === k));
      if (task.storedReread.length > 0) this.nameStoredKeys(task, shape, keyIndexes);
      const rereadBatch = task.reread.slice(0, this.o.chunkRows);
      const startAfter = task.readAfter;
      let sql: SqlText;
      if (rereadBatch.length > 0)
        sql = keysQuery(
          shape.schema,
          rereadBatch.map((t) => task.unsettled.get(t) ?? []),
        );
      else sql = chunkQuery(shape.schema, startAfter, this.o.chunkRows);
      // Rows are decoded as they arrive (a failed read's rows are dropped with `rows`).
      const limit = rereadBatch.length > 0 ? rereadBatch.length : this.o.chunkRows;
      const rows = new ChunkRows(shape.types, keyIndexes, task.rowBytes > 0 ? { rows: limit, bytes: task.rowBytes * limit } : undefined);
      let raw: RawRead;
      try {
        raw = await reader.read(sql, `snapshot read of ${formatTableId(task.id)}`, rows);
      } catch (e) {
        // A cell PostgreSQL sent that cannot be decoded is not a connection problem (the connection
        // wraps what the row callback threw): the snapshot fails with it, as the stream would.
        const cell = e instanceof CellDecodeError ? e : e instanceof Error && e.cause instanceof CellDecodeError ? e.cause : undefined;
        throw cell === undefined ? e : this.decodeError(task, shape.schema, cell);
      }
      if (!this.active || generation !== task.generation) return;
      if (rows.length > 0) task.rowBytes = Math.ceil(rows.textBytes / rows.length);
      const chunk = this.chunkOf(task, shape.schema, raw, rows, rereadBatch, startAfter);
      if (chunk.kind === 'keys') {
        // Asked-for keys that no longer exist are settled too once this (maybe empty) chunk is durable.
        const done = new Set(rereadBatch);
        task.reread = task.reread.filter((t) => !done.has(t));
        task.ready = chunk;
      } else {
        task.readAfter = chunk.lastKey ?? startAfter;
        task.ready = chunk;
      }
      task.failures = 0;
      task.error = undefined;
      this.o.ready();
    } catch (err) {
      if (generation !== task.generation || !this.active) return;
      const e =
        err instanceof CdcError
          ? err
          : new CdcError({ code: 'SOURCE_CONNECTION', retry: 'retry', message: err instanceof Error ? err.message : String(err), cause: err });
      task.error = e.message;
      if (e.retry === 'retry') {
        task.failures += 1;
        task.retryAt = this.now() + Math.min(READ_RETRY_MS * 2 ** Math.min(task.failures - 1, 5), 30_000);
        this.o.logger.warn({ table: formatTableId(task.id), err: e.message, retryInMs: task.retryAt - this.now() }, 'snapshot read failed; retrying');
      } else {
        task.phase = 'failed';
        this.o.logger.error({ table: formatTableId(task.id), err: e.message, hint: e.hint }, 'snapshot failed');
        this.o.failed(e);
      }
    } finally {
      task.reading = false;
      this.idleReaders.push(reader);
      this.pump();
      this.settle(task);
    }
  }

  /** The first read of a table in this run: estimate, timestamps. */
  private async begin(task: TableTask, reader: SnapshotReader, schema: TableSchema): Promise<void> {
    task.phase = 'copying';
    task.startedAtMs ??= this.now();
    task.runStartMs = this.now();
    task.lastLogMs = this.now();
    if (task.estimated < 0) {
      const n = await reader.scalar(estimateQuery(schema), `estimate the rows of ${formatTableId(task.id)}`);
      task.estimated = n === undefined ? -1 : Number(n);
    }
    this.o.logger.info(
      { table: formatTableId(task.id), reason: task.reason, rowsEstimated: task.estimated, resumedAfterRows: task.rowsCopied },
      'snapshot started',
    );
    this.saveSoon(task);
  }

  /** Key texts of the re-read keys loaded from the store (decoded like any row's key). */
  private nameStoredKeys(task: TableTask, shape: TableShape, keyIndexes: readonly number[]): void {
    for (const raw of task.storedReread) {
      const cells: Cell[] = new Array<Cell>(shape.schema.columns.length).fill(null);
      keyIndexes.forEach((col, i) => {
        const type = shape.types[col];
        const text = raw[i] ?? '';
        cells[col] = type ? decodeTextValue(text, type) : text;
      });
      const text = keyText(cells, keyIndexes);
      if (!task.unsettled.has(text)) task.reread.push(text);
      task.unsettled.set(text, raw);
    }
    task.storedReread = [];
  }

  private chunkOf(
    task: TableTask,
    schema: TableSchema,
    raw: RawRead,
    rows: ChunkRows,
    requested: readonly string[],
    startAfter: readonly string[] | undefined,
  ): Chunk {
    const kind: Chunk['kind'] = requested.length > 0 ? 'keys' : 'range';
    return {
      generation: task.generation,
      id: randomBytes(6).toString('hex'),
      kind,
      startAfter,
      lastKey: kind === 'range' ? rows.lastRawKey() : undefined,
      schema,
      rows,
      snapshot: raw.snapshot,
      walLsn: raw.walLsn,
      final: kind === 'range' && rows.length < this.o.chunkRows,
      requested,
    };
  }

  private decodeError(task: TableTask, schema: TableSchema, e: CellDecodeError): CdcError {
    return new CdcError({
      code: 'SOURCE_PROTOCOL',
      message: `Snapshot of ${formatTableId(task.id)}, column ${schema.columns[e.column]?.name ?? e.column}: ${e.message}`,
      cause: e.reason,
    });
  }

  // -- Progress -------------------------------------------------------------------------------------

  private stored(task: TableTask): StoredSnapshot {
    return {
      table: task.id,
      reason: task.reason,
      after: task.durableAfter === undefined ? null : [...task.durableAfter],
      reread: [...task.unsettled.values()].map((k) => [...k]),
      rows: task.rowsCopied,
      chunks: task.chunks,
      estimated: task.estimated,
      startedAtMs: task.startedAtMs ?? null,
      since: task.since === undefined ? null : task.since.toString(),
    };
  }

  private async save(task: TableTask): Promise<void> {
    await this.chain(task, () => this.o.progress.save(this.stored(task)));
  }

  private saveSoon(task: TableTask): void {
    this.save(task).catch((err: unknown) =>
      this.o.logger.warn(
        { table: formatTableId(task.id), err: err instanceof Error ? err.message : String(err) },
        'could not save snapshot progress; a restart would copy more again',
      ),
    );
  }

  /** Runs store writes of one table one after another (the last one wins). */
  private chain(task: TableTask, op: () => Promise<void>): Promise<void> {
    const prev = this.saving.get(task.key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(op);
    this.saving.set(task.key, next);
    return next;
  }

  private logProgress(task: TableTask, final: boolean): void {
    const now = this.now();
    if (!final && now - task.lastLogMs < PROGRESS_LOG_MS) return;
    task.lastLogMs = now;
    const p = this.progress().find((x) => x.table === task.id);
    if (!p) return;
    const fields = {
      table: formatTableId(task.id),
      rowsCopied: p.rowsCopied,
      rowsEstimated: p.rowsEstimated,
      chunks: p.chunks,
      rowsPerSecond: p.rowsPerSecond,
      etaSeconds: p.etaSeconds,
    };
    if (final || this.o.retainedWal === undefined) {
      this.o.logger.info(fields, final ? 'snapshot done' : 'snapshot progress');
      return;
    }
    // While a snapshot runs the slot holds WAL back: say how much, next to the progress.
    this.o.retainedWal().then(
      (bytes) => this.o.logger.info(bytes === undefined ? fields : { ...fields, slotRetainedWalBytes: Number(bytes) }, 'snapshot progress'),
      () => this.o.logger.info(fields, 'snapshot progress'),
    );
  }
}
