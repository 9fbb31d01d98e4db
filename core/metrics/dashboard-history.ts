/**
 * The dashboard's time series: one sample per second of throughput, lag and memory, kept for the last
 * ten minutes in a ring, so a page opened late still draws the recent past. Sampling is cheap: the
 * runtime state's counters plus the server WAL position (the probe shared with /metrics and
 * StreamMetrics, which caches and bounds the query).
 */
import type { Lsn } from '../model/lsn.js';
import type { RuntimeState } from '../runtime/state.js';

export interface DashboardSample {
  /** Unix time, ms. */
  readonly t: number;
  readonly eventsPerSecond: number;
  readonly rowsPerSecond: number;
  readonly lagBytes: number;
  readonly lagEvents: number;
  readonly rssBytes: number;
  /** Process CPU over the interval; 1000 = one core. */
  readonly cpuMillicores: number;
}

export interface HistoryProbe {
  nowMs(): number;
  rssBytes(): number;
  /** Process CPU time (user + system), µs. */
  cpuMicros(): number;
}

export const systemHistoryProbe: HistoryProbe = {
  nowMs: () => Date.now(),
  rssBytes: () => process.memoryUsage.rss(),
  cpuMicros: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
};

export interface DashboardHistoryOptions {
  readonly intervalMs?: number;
  /** Samples kept (default 600: ten minutes at one per second). */
  readonly capacity?: number;
  readonly probe?: HistoryProbe;
}

type SampledState = Pick<RuntimeState, 'totals' | 'receivedLsn' | 'confirmedLsn' | 'bufferedEvents' | 'inFlightEvents'>;

/** Pure: a rate per second from a counter delta over `ms`, rounded to 0.1. */
export function ratePerSecond(delta: number, ms: number): number {
  if (ms <= 0 || delta <= 0) return 0;
  return Math.round((delta * 10_000) / ms) / 10;
}

/** Pure: server (or received) position minus confirmed, as a float64 byte count; never negative. */
export function lagBytesOf(server: Lsn | undefined, received: Lsn, confirmed: Lsn): number {
  const head = server ?? received;
  return head > confirmed ? Number(head - confirmed) : 0;
}

export class DashboardHistory {
  readonly #samples: DashboardSample[] = [];
  readonly #capacity: number;
  readonly #probe: HistoryProbe;
  readonly #timer: NodeJS.Timeout;
  #last: { t: number; events: number; rows: number; cpu: number };
  #sampling = false;

  constructor(
    private readonly state: SampledState,
    private readonly serverPosition: () => Promise<Lsn | undefined>,
    opts: DashboardHistoryOptions = {},
  ) {
    this.#capacity = opts.capacity ?? 600;
    this.#probe = opts.probe ?? systemHistoryProbe;
    this.#last = this.#reading();
    this.#timer = setInterval(() => void this.sample(), opts.intervalMs ?? 1000);
    this.#timer.unref();
  }

  #reading(): { t: number; events: number; rows: number; cpu: number } {
    return { t: this.#probe.nowMs(), events: this.state.totals.events, rows: this.state.totals.rowsLoaded, cpu: this.#probe.cpuMicros() };
  }

  /** Takes one sample now (the timer calls this; a sample still being taken is not doubled). */
  async sample(): Promise<void> {
    if (this.#sampling) return;
    this.#sampling = true;
    try {
      const server = await this.serverPosition().catch(() => undefined);
      const now = this.#reading();
      const ms = now.t - this.#last.t;
      const { state } = this;
      this.#push({
        t: now.t,
        eventsPerSecond: ratePerSecond(now.events - this.#last.events, ms),
        rowsPerSecond: ratePerSecond(now.rows - this.#last.rows, ms),
        lagBytes: lagBytesOf(server, state.receivedLsn, state.confirmedLsn),
        lagEvents: state.bufferedEvents + state.inFlightEvents,
        rssBytes: this.#probe.rssBytes(),
        cpuMillicores: ms > 0 ? Math.max(0, Math.round((now.cpu - this.#last.cpu) / ms)) : 0,
      });
      this.#last = now;
    } finally {
      this.#sampling = false;
    }
  }

  #push(s: DashboardSample): void {
    this.#samples.push(s);
    if (this.#samples.length > this.#capacity) this.#samples.splice(0, this.#samples.length - this.#capacity);
  }

  /** Samples taken after `sinceMs` (all kept ones for 0), oldest first. */
  since(sinceMs: number): DashboardSample[] {
    return this.#samples.filter((s) => s.t > sinceMs);
  }

  latest(): DashboardSample | undefined {
    return this.#samples.at(-1);
  }

  dispose(): void {
    clearInterval(this.#timer);
  }
}
