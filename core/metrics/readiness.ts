/**
 * /healthz and /readyz decisions.
 *
 * healthy: no error recorded and not stopped (the same as the gRPC health SERVING).
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

type ReadState = Pick<RuntimeState, 'stage' | 'stageDetail' | 'errorDetail' | 'runState' | 'confirmedLsn' | 'receivedLsn' | 'bufferedEvents' | 'inFlightEvents'>;

export function healthVerdict(state: ReadState): Verdict {
  if (state.errorDetail !== '') return { ok: false, reason: state.errorDetail };
  if (state.runState === 'STOPPED') return { ok: false, reason: 'stopped' };
  return { ok: true, reason: `${state.stage}: ${state.stageDetail}` };
}

/** Pure. `sinceMoveMs`: time since the confirmed LSN last advanced. */
export function readyVerdict(state: ReadState, sinceMoveMs: number, stallMs = READY_STALL_MS): Verdict {
  if (state.errorDetail !== '') return { ok: false, reason: state.errorDetail };
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
