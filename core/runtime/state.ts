/**
 * The one runtime state object of a pipeline: lifecycle stage, run state, positions and counters.
 * The gRPC control API and metrics read it; the lifecycle and the pipeline write it.
 *
 * Counters (`bufferedEvents`, `totals`, positions…) are plain fields updated in place on the hot path
 * without notification; `onChange` listeners fire on stage, run-state and error changes and after each
 * flush or confirmation, which is when a status stream should look again.
 */
import { formatLsn, LSN_ZERO, type Lsn } from '../model/lsn.js';

export type Stage = 'INIT' | 'SETUP' | 'CDC';
export type RunState = 'RUNNING' | 'PAUSED' | 'DRAINING' | 'STOPPED';

export interface RuntimeTotals {
  /** Change events received from the source. */
  events: number;
  /** Table batches written (durable). */
  batches: number;
  /** Rows the sink reported written. */
  rowsLoaded: number;
  /** Loads/requests the sink reported. */
  loads: number;
  /** Sink calls retried after a retriable error. */
  retries: number;
  /** Source transactions whose end was confirmed. */
  commits: number;
  /** Truncate events received. */
  truncates: number;
  /** Truncate events the sink could not apply (it has no `truncate`). */
  truncatesIgnored: number;
}

/** A JSON-safe copy of the state (LSNs as PostgreSQL text), for status APIs and logs. */
export interface RuntimeSnapshot {
  readonly stage: Stage;
  readonly stageDetail: string;
  readonly errorDetail: string;
  readonly runState: RunState;
  readonly slotName: string;
  readonly tables: readonly string[];
  readonly receivedLsn: string;
  readonly confirmedLsn: string;
  readonly totals: Readonly<RuntimeTotals>;
  readonly bufferedEvents: number;
  readonly bufferedBytes: number;
  readonly inFlightEvents: number;
  readonly inFlightBytes: number;
  readonly eventsPerSecond: number;
}

const FAILED_DETAIL: Readonly<Record<Stage, string>> = {
  INIT: 'Initialization failed',
  SETUP: 'Setup failed',
  CDC: 'Replication failed',
};

export class RuntimeState {
  stage: Stage = 'INIT';
  stageDetail = 'Initializing';
  /** Operator-facing error text; '' while healthy. */
  errorDetail = '';
  runState: RunState = 'RUNNING';
  slotName = '';
  /** Replicated tables as `schema.table`. */
  tables: string[] = [];
  /** Position of the last event received from the source. */
  receivedLsn: Lsn = LSN_ZERO;
  /** Position last confirmed to the source (everything up to it is durable in the sink). */
  confirmedLsn: Lsn = LSN_ZERO;
  totals: RuntimeTotals = {
    events: 0,
    batches: 0,
    rowsLoaded: 0,
    loads: 0,
    retries: 0,
    commits: 0,
    truncates: 0,
    truncatesIgnored: 0,
  };
  /** Events waiting in the buffer (not yet part of a flush). lag_events = buffered + in-flight. */
  bufferedEvents = 0;
  bufferedBytes = 0;
  /** Events of the flush being written. */
  inFlightEvents = 0;
  inFlightBytes = 0;
  /** Change events per second over the last summary interval. */
  eventsPerSecond = 0;

  private readonly listeners = new Set<() => void>();

  setStage(stage: Stage, detail: string): void {
    this.stage = stage;
    this.stageDetail = detail;
    this.notify();
  }

  /** Records a fatal error: the stage stays, its detail says it failed, `errorDetail` says why. */
  fail(message: string): void {
    this.errorDetail = message;
    this.stageDetail = FAILED_DETAIL[this.stage];
    this.notify();
  }

  setRunState(runState: RunState): void {
    if (this.runState === runState) return;
    this.runState = runState;
    this.notify();
  }

  get healthy(): boolean {
    return this.errorDetail === '';
  }

  /** lag_events: everything received and not yet durable. */
  get pendingEvents(): number {
    return this.bufferedEvents + this.inFlightEvents;
  }

  /** Subscribes; returns the unsubscribe function. A throwing listener does not stop the others. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A status listener must not break the pipeline.
      }
    }
  }

  snapshot(): RuntimeSnapshot {
    return {
      stage: this.stage,
      stageDetail: this.stageDetail,
      errorDetail: this.errorDetail,
      runState: this.runState,
      slotName: this.slotName,
      tables: [...this.tables],
      receivedLsn: formatLsn(this.receivedLsn),
      confirmedLsn: formatLsn(this.confirmedLsn),
      totals: { ...this.totals },
      bufferedEvents: this.bufferedEvents,
      bufferedBytes: this.bufferedBytes,
      inFlightEvents: this.inFlightEvents,
      inFlightBytes: this.inFlightBytes,
      eventsPerSecond: this.eventsPerSecond,
    };
  }
}
