/**
 * The one runtime state object of a pipeline: lifecycle stage, run state, positions and counters.
 * The gRPC control API and metrics read it; the lifecycle and the pipeline write it.
 *
 * Counters (`bufferedEvents`, `totals`, positions…) are plain fields updated in place on the hot path
 * without notification; `onChange` listeners fire on stage, run-state and error changes and after each
 * flush or confirmation, which is when a status stream should look again.
 */
import { formatLsn, LSN_ZERO, type Lsn } from '../model/lsn.js';
import type { StandbyInfo, TableSnapshotProgress } from '../plugin/source.js';

export type Stage = 'INIT' | 'SETUP' | 'CDC';
export type RunState = 'RUNNING' | 'PAUSED' | 'DRAINING' | 'STOPPED';

export interface RuntimeTotals {
  /** Change events received from the source (rows copied by snapshots are not change events). */
  events: number;
  /** Rows received from the source's snapshots (ChangeRecord.snapshotRead). */
  snapshotRows: number;
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
  /** Attempts to restart replication after a transient failure (reconnecting). */
  reconnectAttempts: number;
  /** Outages recovered: replication restarted after a transient failure. */
  reconnects: number;
}

/** Replication stopped on a transient error and is being restarted (reconnecting). */
export interface Outage {
  /** Wall-clock time (ms since the epoch) the replication stopped. */
  readonly since: number;
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
  readonly connected: boolean;
  /** ISO time replication stopped on a transient error, while reconnecting; '' otherwise. */
  readonly reconnectingSince: string;
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
    snapshotRows: 0,
    batches: 0,
    rowsLoaded: 0,
    loads: 0,
    retries: 0,
    commits: 0,
    truncates: 0,
    truncatesIgnored: 0,
    reconnectAttempts: 0,
    reconnects: 0,
  };
  /** True while a pipeline streams: its source and sink connections are up (set by the pipeline). */
  connected = false;
  /**
   * Grows each time the pipeline proves it works: a flush became durable, or the source was caught up
   * with nothing unwritten. A restarted pipeline has recovered from an outage once it grew.
   */
  progress = 0;
  /** Set while reconnecting (see `beginOutage`). */
  outage: Outage | undefined;
  /** Events waiting in the buffer (not yet part of a flush). lag_events = buffered + in-flight. */
  bufferedEvents = 0;
  bufferedBytes = 0;
  /** Events of the flush being written. */
  inFlightEvents = 0;
  inFlightBytes = 0;
  /** Change events per second over the last summary interval. */
  eventsPerSecond = 0;
  /**
   * Progress of the current source's snapshots (Source.snapshotProgress), for GetStatus, metrics,
   * the dashboard and the summary log; set when a source is attached, empty without one.
   */
  snapshotProgress: () => readonly TableSnapshotProgress[] = () => [];
  /**
   * Set while this instance is a hot standby (Source.awaitTurn): another instance streams. Health is
   * NOT_SERVING without an error, /readyz not ready, dbmazz_standby 1.
   */
  standby: StandbyInfo | undefined;
  /** Times this instance took over streaming after waiting as a standby. */
  takeovers = 0;

  private readonly listeners = new Set<() => void>();

  setStage(stage: Stage, detail: string): void {
    this.stage = stage;
    this.stageDetail = detail;
    this.notify();
  }

  /** Becomes a standby (`info`) or stops being one; a standby has no error to report (it waits). */
  setStandby(info: StandbyInfo | undefined): void {
    if (info !== undefined) this.errorDetail = '';
    else if (this.standby !== undefined) this.takeovers += 1;
    this.standby = info;
    this.notify();
  }

  /** Records a fatal error: the stage stays, its detail says it failed, `errorDetail` says why. */
  fail(message: string): void {
    this.errorDetail = message;
    this.stageDetail = FAILED_DETAIL[this.stage];
    this.notify();
  }

  /**
   * Replication stopped on a transient error (`reason`, the operator message) and will be restarted:
   * the daemon keeps running (RUNNING), reports the reason (health NOT_SERVING) and holds nothing
   * unwritten (the failed pipeline dropped its buffer; the source sends it again).
   */
  beginOutage(reason: string, now: number): void {
    this.outage ??= { since: now };
    this.errorDetail = reason;
    this.runState = 'RUNNING';
    this.connected = false;
    this.bufferedEvents = 0;
    this.bufferedBytes = 0;
    this.inFlightEvents = 0;
    this.inFlightBytes = 0;
    this.notify();
  }

  /** Replication runs again and made progress: the error is cleared. */
  endOutage(): void {
    if (this.outage === undefined) return;
    this.outage = undefined;
    this.errorDetail = '';
    this.totals.reconnects += 1;
    this.notify();
  }

  /** See `progress`; listeners hear of it only while an outage waits for it. */
  markProgress(): void {
    this.progress += 1;
    if (this.outage !== undefined) this.notify();
  }

  setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
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
      connected: this.connected,
      reconnectingSince: this.outage === undefined ? '' : new Date(this.outage.since).toISOString(),
      bufferedEvents: this.bufferedEvents,
      bufferedBytes: this.bufferedBytes,
      inFlightEvents: this.inFlightEvents,
      inFlightBytes: this.inFlightBytes,
      eventsPerSecond: this.eventsPerSecond,
    };
  }
}
