/**
 * The periodic info line: throughput, totals, positions, buffer, and while a snapshot is pending or
 * copying, its progress per table. LSNs as text (docs/stack-traps.md §4.7).
 */
import type { Logger } from 'pino';
import { isRunning, readSnapshots, snapshotPercent } from '../metrics/snapshot-view.js';
import { formatLsn } from '../model/lsn.js';
import { formatTableId } from '../model/table.js';
import type { TableSnapshotProgress } from '../plugin/source.js';
import type { RuntimeState } from '../runtime/state.js';
import type { Clock, TimerHandle } from './clock.js';

export class SummaryReporter {
  private timer: TimerHandle | undefined;
  private lastAt = 0;
  private lastEvents = 0;

  constructor(
    private readonly state: RuntimeState,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    if (this.intervalMs <= 0 || this.timer !== undefined) return;
    this.lastAt = this.clock.now();
    this.lastEvents = this.state.totals.events;
    this.schedule();
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Computes events/s since the previous report and logs the summary line. */
  report(): void {
    const { state } = this;
    const now = this.clock.now();
    const seconds = (now - this.lastAt) / 1000;
    const events = state.totals.events;
    state.eventsPerSecond = seconds > 0 ? Math.round(((events - this.lastEvents) / seconds) * 10) / 10 : 0;
    this.lastAt = now;
    this.lastEvents = events;
    this.logger.info(
      {
        eventsPerSecond: state.eventsPerSecond,
        events,
        batches: state.totals.batches,
        rowsLoaded: state.totals.rowsLoaded,
        loads: state.totals.loads,
        retries: state.totals.retries,
        receivedLsn: formatLsn(state.receivedLsn),
        confirmedLsn: formatLsn(state.confirmedLsn),
        bufferedEvents: state.bufferedEvents,
        inFlightEvents: state.inFlightEvents,
        bufferedBytes: state.bufferedBytes + state.inFlightBytes,
        runState: state.runState,
        ...snapshotSummary(readSnapshots(state.snapshotProgress), state.totals.snapshotRows),
      },
      'Replication summary',
    );
    state.notify();
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(() => {
      this.schedule();
      this.report();
    }, this.intervalMs);
  }
}

/** One running table snapshot in the summary line. */
export interface SnapshotSummaryEntry {
  readonly table: string;
  readonly phase: string;
  readonly rowsCopied: number;
  /** -1 when unknown. */
  readonly rowsEstimated: number;
  /** Omitted when unknown. */
  readonly percent?: number;
  readonly chunks: number;
  readonly rowsPerSecond: number;
  readonly etaSeconds?: number;
}

/** Pure: the summary's snapshot fields; none when no snapshot is pending or copying. */
export function snapshotSummary(
  progress: readonly TableSnapshotProgress[],
  rowsRead: number,
): { snapshotRowsRead?: number; snapshots?: SnapshotSummaryEntry[] } {
  const running = progress.filter(isRunning);
  if (running.length === 0) return {};
  return {
    snapshotRowsRead: rowsRead,
    snapshots: running.map((p) => {
      const percent = snapshotPercent(p);
      return {
        table: formatTableId(p.table),
        phase: p.phase,
        rowsCopied: p.rowsCopied,
        rowsEstimated: p.rowsEstimated,
        ...(percent === undefined ? {} : { percent }),
        chunks: p.chunks,
        rowsPerSecond: Math.round(p.rowsPerSecond * 10) / 10,
        ...(p.etaSeconds === undefined || !Number.isFinite(p.etaSeconds) ? {} : { etaSeconds: Math.max(0, Math.round(p.etaSeconds)) }),
      };
    }),
  };
}
