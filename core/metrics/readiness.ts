/**
 * /healthz and /readyz decisions.
 *
 * healthy: no error recorded, not stopped, not a hot standby (the same as the gRPC health SERVING).
 * live (/livez, the liveness probe): the process answers and its event loop is not stuck; true while
 * reconnecting or waiting as a standby, so an orchestrator restarts only a hung process.
 * ready: replicating — stage CDC, running (not paused, draining or stopped), no error — and the slot
 * moving or idle-confirmed: the confirmed LSN advanced within the last `stallMs`, or nothing received
 * is waiting (every event received is confirmed).
 */
import type { RuntimeState } from '../runtime/state.js';

export interface Verdict {
  readonly ok: boolean;
  readonly reason: string;
}

export const READY_STALL_MS = 60_000;

type ReadState = Pick<
  RuntimeState,
  'stage' | 'stageDetail' | 'errorDetail' | 'runState' | 'confirmedLsn' | 'receivedLsn' | 'bufferedEvents' | 'inFlightEvents'
> & {
  readonly standby?: RuntimeState['standby'];
};

export function healthVerdict(state: ReadState): Verdict {
  if (state.errorDetail !== '') return { ok: false, reason: state.errorDetail };
  if (state.runState === 'STOPPED') return { ok: false, reason: 'stopped' };
  if (state.standby !== undefined) return { ok: false, reason: `standby: ${state.standby.detail}` };
  return { ok: true, reason: `${state.stage}: ${state.stageDetail}` };
}

/** Pure. `sinceMoveMs`: time since the confirmed LSN last advanced. */
export function readyVerdict(state: ReadState, sinceMoveMs: number, stallMs = READY_STALL_MS): Verdict {
  if (state.errorDetail !== '') return { ok: false, reason: state.errorDetail };
  if (state.standby !== undefined) return { ok: false, reason: `standby: ${state.standby.detail}` };
  if (state.stage !== 'CDC') return { ok: false, reason: `stage ${state.stage}: ${state.stageDetail}` };
  if (state.runState !== 'RUNNING') return { ok: false, reason: `replication is ${state.runState.toLowerCase()}` };
  const idle = state.bufferedEvents + state.inFlightEvents === 0 && state.confirmedLsn >= state.receivedLsn;
  if (idle) return { ok: true, reason: 'replicating; everything received is confirmed' };
  if (sinceMoveMs <= stallMs) return { ok: true, reason: 'replicating; the confirmed LSN is advancing' };
  return { ok: false, reason: `the confirmed LSN has not advanced for ${Math.round(sinceMoveMs / 1000)} s with events pending` };
}

/** Remembers when the confirmed LSN last advanced (RuntimeState notifies after each confirmation). */
export class ConfirmedLsnWatch {
  #last: bigint;
  #movedAt: number;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly state: RuntimeState,
    private readonly now: () => number = Date.now,
  ) {
    this.#last = state.confirmedLsn;
    this.#movedAt = now();
    this.#unsubscribe = state.onChange(() => this.#check());
  }

  #check(): void {
    if (this.state.confirmedLsn !== this.#last) {
      this.#last = this.state.confirmedLsn;
      this.#movedAt = this.now();
    }
  }

  sinceMoveMs(): number {
    this.#check();
    return this.now() - this.#movedAt;
  }

  dispose(): void {
    this.#unsubscribe();
  }
}

/** Event-loop delay above which /livez fails: the process answers but cannot do its work. */
export const LIVE_MAX_LOOP_DELAY_MS = 10_000;

/**
 * Measures how late a short timer fires (the event loop's delay). /livez answers from the same event
 * loop, so a fully blocked loop does not answer at all (the probe times out); a loop that answers but
 * ran timers `maxDelayMs` late in the last interval is reported as not live.
 */
export class LoopWatch {
  #worstMs = 0;
  #expected: number;
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly intervalMs = 500,
    private readonly now: () => number = Date.now,
  ) {
    this.#expected = now() + intervalMs;
    this.#timer = setInterval(() => {
      const late = this.now() - this.#expected;
      this.#worstMs = Math.max(late, 0);
      this.#expected = this.now() + this.intervalMs;
    }, intervalMs);
    this.#timer.unref();
  }

  verdict(maxDelayMs = LIVE_MAX_LOOP_DELAY_MS): Verdict {
    const late = Math.max(this.#worstMs, this.now() - this.#expected);
    if (late > maxDelayMs) return { ok: false, reason: `the event loop is ${Math.round(late)} ms late` };
    return { ok: true, reason: 'the process answers; its event loop runs' };
  }

  dispose(): void {
    clearInterval(this.#timer);
  }
}
