/**
 * The pipeline: source events → bounded buffer → flushes (per-table batches, tables in parallel; up to
 * two flushes in flight, a table's batches sent in order, confirmed in order) → sink.write →
 * checkpointer → source.acknowledge. The source keeps being read into the buffer while flushes are in
 * flight; once buffered + in-flight reaches a bound the handler returns a
 * promise and the source pauses its socket until the total drops below the low watermark.
 *
 * Modes: running (paused is a flag on top) → draining → stopped, or → stopping (stop now) → stopped,
 * or → failed. Only running and draining write and confirm. A failed pipeline drops everything
 * unconfirmed (buffer, flushes in flight, pending transactions) and is not restarted: the runtime starts
 * a new one, from the position the source confirmed, when the error is transient (`retry`).
 */
import type { Logger } from 'pino';
import { CdcError, ConfigError, toCdcError, type ErrorCode } from '../errors/errors.js';
import { formatLsn, type Lsn } from '../model/lsn.js';
import type { TableSchema } from '../model/table.js';
import type { Sink } from '../plugin/sink.js';
import type { Source, SourceEvent, SourceEventHandler } from '../plugin/source.js';
import type { RuntimeState } from '../runtime/state.js';
import { Checkpointer } from './checkpointer.js';
import { systemClock, type Clock } from './clock.js';
import { deferred, rejected } from './deferred.js';
import { FlushScheduler } from './flush-scheduler.js';
import { FlushWriter } from './flush-writer.js';
import { DEFAULT_TRUNCATE_POLICY, type PipelineOptions, type ReloadChanges } from './options.js';
import { estimateRecordBytes } from './record-size.js';
import { PositionCheck } from './position-check.js';
import { SavedPositions, type PositionStore } from './saved-positions.js';
import { SummaryReporter } from './summary.js';

export interface RunningPipeline {
  /** Resolves after a stop or drain; rejects with the CdcError on a fatal error (state.fail is set). */
  readonly done: Promise<void>;
  /** Stops reading, writes everything buffered, confirms the final position, closes source and sink. */
  drainAndStop(): Promise<void>;
  /** Stops without writing buffered changes (nothing unwritten is confirmed), closes. */
  stopNow(): Promise<void>;
  /** Stops reading; resolves once everything received is written (run state PAUSED). */
  pause(): Promise<void>;
  resume(): void;
  /** New flush settings; they apply from the next flush. */
  reload(changes: ReloadChanges): void;
}

export interface PipelineDeps {
  readonly source: Source;
  readonly sink: Sink;
  readonly state: RuntimeState;
  readonly logger: Logger;
  readonly options: PipelineOptions;
  /** The table schemas the sink was set up with. */
  readonly tables: readonly TableSchema[];
  readonly clock?: Clock;
  /** [0, 1) random source for the backoff jitter. */
  readonly random?: () => number;
  /**
   * For a source with `resumeFrom`: where its confirmed positions are saved, and what the store held
   * when this run began (the pipeline checks the source continues after it).
   */
  readonly savedPositions?: { readonly store: PositionStore; readonly resumedFrom: Lsn | undefined };
}

type Mode = 'created' | 'running' | 'draining' | 'stopping' | 'failed' | 'stopped';

export class Pipeline implements RunningPipeline {
  readonly done: Promise<void>;
  private readonly doneDeferred = deferred();
  private mode: Mode = 'created';
  private paused = false;
  private readonly source: Source;
  private readonly sink: Sink;
  private readonly state: RuntimeState;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly checkpointer = new Checkpointer();
  private readonly positions = new PositionCheck();
  private readonly abort = new AbortController();
  private readonly scheduler: FlushScheduler;
  private readonly summary: SummaryReporter;
  private confirmBlocked = false;
  private drainPromise: Promise<void> | undefined;
  private stopPromise: Promise<void> | undefined;
  private pausePromise: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private failure: CdcError | undefined;
  /** The source has no transactions: each change is confirmed by itself (capabilities never change). */
  private readonly confirmEachChange: boolean;
  /** Positions the runtime saves for a source without a server-side slot (saved-positions.ts). */
  private readonly saved: SavedPositions | undefined;

  constructor(deps: PipelineDeps) {
    const { options } = deps;
    this.source = deps.source;
    this.confirmEachChange = !deps.source.capabilities.transactions;
    this.sink = deps.sink;
    this.state = deps.state;
    this.logger = deps.logger;
    this.clock = deps.clock ?? systemClock;
    this.done = this.doneDeferred.promise;
    const sp = deps.savedPositions;
    this.saved = sp === undefined ? undefined : new SavedPositions(sp.store, deps.source.type, sp.resumedFrom, (err) => this.fatal(err, 'SOURCE_SETUP'));
    const writer = new FlushWriter({
      sink: this.sink,
      state: this.state,
      logger: this.logger,
      clock: this.clock,
      random: deps.random ?? Math.random,
      retry: options.retry,
      tableConcurrency: options.tableConcurrency,
      signal: this.abort.signal,
      pipelineId: options.pipelineId,
      tables: deps.tables,
      truncatePolicy: options.truncatePolicy ?? DEFAULT_TRUNCATE_POLICY,
    });
    this.scheduler = new FlushScheduler({
      clock: this.clock,
      maxBufferedEvents: options.maxBufferedEvents,
      maxBufferedBytes: options.maxBufferedBytes,
      flushSize: options.flushSize,
      flushIntervalMs: options.flushIntervalMs,
      write: (items) => writer.write(items),
      durable: (lastSeq) => {
        this.confirm(this.checkpointer.durable(lastSeq));
        this.deliverMarks(this.checkpointer.releasedMarks());
        this.state.markProgress();
        this.state.notify();
      },
      failed: (err) => this.fatal(err, 'SINK_LOAD'),
      changed: () => this.syncCounters(),
    });
    this.summary = new SummaryReporter(this.state, this.logger, this.clock, options.summaryIntervalMs);
  }

  /** Starts streaming: resolves once the source has begun. On failure the pipeline is dead (done rejects). */
  async start(): Promise<void> {
    if (this.mode !== 'created') throw new Error('Pipeline.start called twice');
    this.mode = 'running';
    try {
      await this.source.start(this.handler);
    } catch (err) {
      const error = toCdcError(err, 'SOURCE_CONNECTION');
      this.mode = 'failed';
      this.failure = error;
      this.halt(error, false);
      this.doneDeferred.reject(error);
      throw error;
    }
    const resumed = this.source.status().confirmedPosition;
    if (resumed > this.state.confirmedLsn) this.state.confirmedLsn = resumed;
    this.state.setConnected(true);
    this.source.done().then(
      () => {
        if (this.mode === 'running') {
          this.fatal(
            new CdcError({
              code: 'SOURCE_CONNECTION',
              retry: 'retry',
              message: 'The source stream ended unexpectedly.',
              hint: 'Check the source server; replication resumes from the last confirmed position.',
            }),
          );
        }
      },
      (err: unknown) => this.fatal(err, 'SOURCE_CONNECTION'),
    );
    this.summary.start();
  }

  // -- Events -------------------------------------------------------------------------------------

  private readonly handler: SourceEventHandler = (event) => {
    if (this.mode === 'failed') return rejected(this.failure);
    if (this.mode !== 'running' && this.mode !== 'draining') return undefined;
    if (this.accept(event)) this.scheduler.kick();
    this.syncCounters();
    const wait = this.scheduler.admit();
    if (wait !== undefined && this.logger.isLevelEnabled('trace')) {
      this.logger.trace({ pendingEvents: this.state.pendingEvents }, 'Buffer full; the source waits');
    }
    return wait;
  };

  /** Records the event; returns true when it was buffered. */
  private accept(event: SourceEvent): boolean {
    const at = this.clock.now();
    switch (event.kind) {
      case 'change': {
        const { record } = event;
        const invalid = record.snapshotRead === undefined ? this.positions.check(record) : undefined;
        const backwards = this.confirmEachChange && record.snapshotRead === undefined ? this.saved?.check(record.commitLsn) : undefined;
        if (invalid !== undefined || backwards !== undefined) {
          this.fatal(invalid ?? backwards, 'SOURCE_PROTOCOL');
          return false;
        }
        const seq = this.checkpointer.nextSeq();
        this.scheduler.push({ kind: 'change', seq, record, bytes: estimateRecordBytes(record), at });
        this.received(record.lsn);
        if (record.snapshotRead === undefined) this.state.totals.events += 1;
        else this.state.totals.snapshotRows += 1;
        if (this.confirmEachChange) this.confirm(this.checkpointer.commit(record.commitLsn));
        return true;
      }
      case 'rows': {
        const block = event.rows;
        if (block.length === 0) return false;
        if (this.sink.capabilities.rowBlocks !== true) {
          // The sink takes records: the block's rows, as the source would have emitted them.
          let buffered = false;
          for (let i = 0; i < block.length; i++) buffered = this.accept({ kind: 'change', record: block.record(i) }) || buffered;
          return buffered;
        }
        this.scheduler.push({ kind: 'rows', seq: this.checkpointer.nextSeq(), rows: block, bytes: block.bytes, at });
        this.received(block.version);
        this.state.totals.snapshotRows += block.length;
        return true;
      }
      case 'schema':
        this.scheduler.push({ kind: 'schema', seq: this.checkpointer.nextSeq(), schema: event.schema, bytes: 256, at });
        return true;
      case 'truncate': {
        const seq = this.checkpointer.nextSeq();
        this.scheduler.push({ kind: 'truncate', seq, tables: event.tables, lsn: event.lsn, bytes: 128, at });
        this.received(event.lsn);
        this.state.totals.truncates += 1;
        return true;
      }
      case 'commit': {
        const backwards = this.saved?.check(event.position);
        if (backwards !== undefined) {
          this.fatal(backwards, 'SOURCE_PROTOCOL');
          return false;
        }
        this.received(event.position);
        this.state.totals.commits += 1;
        this.confirm(this.checkpointer.commit(event.position));
        return false;
      }
      case 'sweep':
        this.scheduler.push({ kind: 'sweep', seq: this.checkpointer.nextSeq(), table: event.table, before: event.before, bytes: 128, at });
        return true;
      case 'mark': {
        const released = this.checkpointer.mark(event.token);
        this.deliverMarks(released);
        // The source waits on what is buffered: flush it once the sink is free (flush-scheduler.ts).
        if (!released.includes(event.token)) this.scheduler.urge();
        return false;
      }
      case 'finished':
        this.logger.info('The source finished; writing what is buffered, then stopping');
        void this.drainAndStop().catch(() => undefined);
        return false;
      case 'idle': {
        // Caught up: nothing unwritten, and the source is at or past everything received before (a
        // restarted pipeline is not caught up with the first keepalive, which is at its start).
        const caughtUp = this.scheduler.quiet && event.position >= this.state.receivedLsn;
        this.received(event.position);
        if (this.scheduler.quiet) this.confirm(this.checkpointer.idle(event.position));
        if (caughtUp) this.state.markProgress();
        return false;
      }
    }
  }

  private deliverMarks(tokens: readonly string[]): void {
    if (tokens.length === 0 || this.source.marked === undefined) return;
    try {
      for (const token of tokens) this.source.marked(token);
    } catch (err) {
      this.fatal(err, 'SOURCE_CONNECTION');
    }
  }

  private received(lsn: Lsn): void {
    if (lsn > this.state.receivedLsn) this.state.receivedLsn = lsn;
  }

  private confirm(position: Lsn | undefined): void {
    if (position === undefined || this.confirmBlocked || position <= this.state.confirmedLsn) return;
    try {
      this.source.acknowledge(position);
    } catch (err) {
      this.fatal(err, 'SOURCE_CONNECTION');
      return;
    }
    this.state.confirmedLsn = position;
    this.saved?.save(position);
    this.state.notify();
  }

  private syncCounters(): void {
    const { state, scheduler } = this;
    state.bufferedEvents = scheduler.bufferedEvents;
    state.bufferedBytes = scheduler.bufferedBytes;
    state.inFlightEvents = scheduler.inFlightEvents;
    state.inFlightBytes = scheduler.inFlightBytes;
  }

  // -- Control ------------------------------------------------------------------------------------

  pause(): Promise<void> {
    if (this.mode !== 'running') return this.pausePromise ?? Promise.resolve();
    if (this.paused && this.pausePromise !== undefined) return this.pausePromise;
    this.paused = true;
    this.source.pause();
    this.logger.info({ pendingEvents: this.state.pendingEvents }, 'Pausing replication');
    this.pausePromise = this.scheduler.flushAll().then(
      () => {
        if (this.paused && this.mode === 'running') this.state.setRunState('PAUSED');
      },
      (err: unknown) => {
        if (this.mode === 'failed') throw this.failure ?? err;
      },
    );
    return this.pausePromise;
  }

  resume(): void {
    if (!this.paused || this.mode !== 'running') return;
    this.paused = false;
    this.pausePromise = undefined;
    this.source.resume();
    this.state.setRunState('RUNNING');
    this.logger.info('Replication resumed');
  }

  reload(changes: ReloadChanges): void {
    const problems: string[] = [];
    const { flushSize = this.scheduler.flushSize, flushIntervalMs = this.scheduler.flushIntervalMs } = changes;
    if (!Number.isInteger(flushSize) || flushSize < 1) problems.push(`flushSize must be an integer >= 1 (got ${flushSize})`);
    if (!Number.isInteger(flushIntervalMs) || flushIntervalMs < 0) {
      problems.push(`flushIntervalMs must be an integer >= 0 (got ${flushIntervalMs})`);
    }
    if (problems.length > 0) throw new ConfigError(problems);
    this.scheduler.configure(flushSize, flushIntervalMs);
    this.logger.info({ flushSize, flushIntervalMs }, 'Flush settings reloaded');
  }

  /** The current flush settings (after reloads). */
  get flushSettings(): { readonly flushSize: number; readonly flushIntervalMs: number } {
    return { flushSize: this.scheduler.flushSize, flushIntervalMs: this.scheduler.flushIntervalMs };
  }

  drainAndStop(): Promise<void> {
    this.drainPromise ??= this.drain();
    return this.drainPromise;
  }

  private async drain(): Promise<void> {
    if (this.mode !== 'running') return this.afterInterruption();
    this.mode = 'draining';
    this.state.setRunState('DRAINING');
    this.logger.info({ pendingEvents: this.state.pendingEvents }, 'Draining before stop');
    try {
      // Pause first so the final flush covers everything received, then stop: the source sends the
      // last acknowledged position (the final one) while stopping.
      this.source.pause();
      await this.scheduler.flushAll();
      await this.source.stop();
      // Anything the source still delivered while stopping.
      await this.scheduler.flushAll();
    } catch (err) {
      if (this.mode === 'draining') this.fatal(err, 'SOURCE_CONNECTION');
      return this.afterInterruption();
    }
    if (this.mode !== 'draining') return this.afterInterruption();
    await this.shutdown();
    // Saving the last position may have failed while shutting down.
    if (this.mode !== 'draining') return this.afterInterruption();
    this.mode = 'stopped';
    this.logger.info({ confirmedLsn: formatLsn(this.state.confirmedLsn) }, 'Stopped after drain');
    this.doneDeferred.resolve();
  }

  /** What a drain returns once another path (stop now, a failure) took over. */
  private async afterInterruption(): Promise<void> {
    if (this.stopPromise !== undefined) return this.stopPromise;
    return this.done;
  }

  stopNow(): Promise<void> {
    this.stopPromise ??= this.stopImmediately();
    return this.stopPromise;
  }

  private async stopImmediately(): Promise<void> {
    if (this.mode === 'failed') return this.done.catch(() => undefined);
    if (this.mode === 'stopped') return;
    if (this.mode === 'created') {
      this.mode = 'stopped';
      this.doneDeferred.resolve();
      return;
    }
    this.mode = 'stopping';
    this.logger.warn(
      { notWritten: this.state.pendingEvents, confirmedLsn: formatLsn(this.state.confirmedLsn) },
      'Stopping now: unwritten changes are not confirmed and will be read again on restart',
    );
    this.halt(new CdcError({ code: 'INTERNAL', message: 'The pipeline was stopped.' }), true);
    await this.shutdown();
    this.mode = 'stopped';
    this.doneDeferred.resolve();
  }

  // -- Failure and shutdown -----------------------------------------------------------------------

  private fatal(err: unknown, fallback: ErrorCode = 'INTERNAL'): void {
    if (this.mode !== 'running' && this.mode !== 'draining') return;
    const error = toCdcError(err, fallback);
    this.mode = 'failed';
    this.failure = error;
    this.state.fail(error.operatorMessage);
    const fields = { code: error.code, error: error.message, hint: error.hint, retry: error.retry, confirmedLsn: formatLsn(this.state.confirmedLsn) };
    // A transient error is the runtime's to retry (it restarts the pipeline): a warning, not a failure.
    if (error.retry === 'retry') this.logger.warn(fields, 'Replication interrupted; changes after the confirmed LSN are read again');
    else this.logger.error(fields, 'Replication failed');
    this.halt(error, false);
    void this.shutdown().then(() => this.doneDeferred.reject(error));
  }

  /** Stops writing and confirming; aborts sink calls; wakes everyone waiting. */
  private halt(reason: Error, releaseSource: boolean): void {
    this.confirmBlocked = true;
    this.state.setConnected(false);
    this.abort.abort(reason);
    this.summary.stop();
    this.scheduler.halt(reason, releaseSource);
  }

  private shutdown(): Promise<void> {
    this.closing ??= (async () => {
      this.summary.stop();
      await this.safely('stop the source', () => this.source.stop());
      // Positions confirmed so far (also while stopping) are durable in the sink: keep them.
      await this.saved?.flush();
      await this.safely('close the sink', () => this.sink.close());
      await this.safely('close the source', () => this.source.close());
      this.state.setConnected(false);
      this.syncCounters();
      this.state.setRunState('STOPPED');
    })();
    return this.closing;
  }

  private async safely(what: string, op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (err) {
      this.logger.warn({ error: err instanceof Error ? err.message : String(err) }, `Could not ${what}`);
    }
  }
}
