/** The periodic info line: throughput, totals, positions, buffer. LSNs as text (style §4.7). */
import type { Logger } from 'pino';
import { formatLsn } from '../model/lsn.js';
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
