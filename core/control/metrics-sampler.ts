/**
 * Samples for StreamMetrics. Each stream keeps its own previous reading, so "per second" and CPU are
 * over that stream's last interval:
 *  - events_per_second = events received during the interval / its length;
 *  - lag_bytes = server WAL position (queried from the source) − confirmed LSN; when the server cannot
 *    be asked (setup, stopped, query failed) it falls back to received − confirmed, a lower bound;
 *  - lag_events = buffered + in-flight events;
 *  - memory_bytes = process RSS; cpu_millicores = process CPU time (user + system) during the interval
 *    per wall-clock time (1000 = one core).
 */
import type { Lsn } from '../model/lsn.js';
import type { RuntimeState } from '../runtime/state.js';
import type { MetricsResponse } from './gen/dbmazz/MetricsResponse.js';

export interface ProcessProbe {
  /** Wall clock, ms (monotonic is fine). */
  nowMs(): number;
  /** Unix time, seconds. */
  unixSeconds(): number;
  /** Process CPU time (user + system), µs. */
  cpuMicros(): number;
  rssBytes(): number;
}

export const systemProcessProbe: ProcessProbe = {
  nowMs: () => performance.now(),
  unixSeconds: () => Math.floor(Date.now() / 1000),
  cpuMicros: () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  },
  rssBytes: () => process.memoryUsage.rss(),
};

/** The server's current source position (PostgreSQL: its WAL position), or undefined when it cannot be asked now. */
export type ServerPositionFn = () => Promise<Lsn | undefined>;

type SampledState = Pick<RuntimeState, 'totals' | 'receivedLsn' | 'confirmedLsn' | 'bufferedEvents' | 'inFlightEvents'>;

interface Reading {
  readonly atMs: number;
  readonly events: number;
  readonly cpuMicros: number;
}

/** Pure: lag in bytes; never negative. */
export function lagBytes(serverPosition: Lsn | undefined, received: Lsn, confirmed: Lsn): bigint {
  const head = serverPosition ?? received;
  return head > confirmed ? head - confirmed : 0n;
}

/** Pure: CPU in millicores from a CPU-time delta (µs) over a wall-clock delta (ms). */
export function millicores(cpuMicros: number, wallMs: number): number {
  if (wallMs <= 0 || cpuMicros <= 0) return 0;
  return Math.round(cpuMicros / wallMs);
}

export function perSecond(count: number, wallMs: number): number {
  if (wallMs <= 0 || count <= 0) return 0;
  return Math.round((count / wallMs) * 1000 * 100) / 100;
}

export class MetricsSampler {
  #last: Reading;

  constructor(
    private readonly state: SampledState,
    private readonly serverPosition: ServerPositionFn,
    private readonly probe: ProcessProbe = systemProcessProbe,
  ) {
    this.#last = this.#read();
  }

  #read(): Reading {
    return { atMs: this.probe.nowMs(), events: this.state.totals.events, cpuMicros: this.probe.cpuMicros() };
  }

  async sample(): Promise<Required<MetricsResponse>> {
    const server = await this.serverPosition().catch(() => undefined);
    const now = this.#read();
    const wallMs = now.atMs - this.#last.atMs;
    const { state } = this;
    const sample: Required<MetricsResponse> = {
      timestamp: String(this.probe.unixSeconds()),
      eventsPerSecond: perSecond(now.events - this.#last.events, wallMs),
      lagBytes: lagBytes(server, state.receivedLsn, state.confirmedLsn).toString(),
      lagEvents: String(state.bufferedEvents + state.inFlightEvents),
      memoryBytes: String(this.probe.rssBytes()),
      totalEventsProcessed: String(state.totals.events),
      totalBatchesSent: String(state.totals.batches),
      cpuMillicores: String(millicores(now.cpuMicros - this.#last.cpuMicros, wallMs)),
    };
    this.#last = now;
    return sample;
  }
}
