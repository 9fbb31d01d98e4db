/**
 * Reconnecting. When a running pipeline stops on a transient error (`retry: 'retry'`: PostgreSQL or
 * StarRocks restarted or unreachable, the network cut, a batch still failing after its retries), the
 * runtime starts a new pipeline with new connectors, from the position the source has confirmed, and
 * waits between attempts with capped exponential backoff and jitter. One policy for every connector:
 * the CdcError's retry directive decides, so an error that needs an operator ends the reconnection at
 * once, and RECONNECT_MAX_DURATION_MS (0 = no limit) bounds it.
 *
 * An outage lasts until a new pipeline made progress (a flush became durable, or the source caught up
 * with nothing unwritten), not merely until it started: a pipeline that starts and fails again before
 * writing anything (StarRocks accepts connections but refuses loads) continues the same outage, with
 * the same clock, growing delays and the same bound. Meanwhile the state reports it: the last error in
 * `errorDetail` (health NOT_SERVING, /readyz 503), the stage detail says what happens next, and the
 * counters feed the metrics.
 */
import { CdcError, toCdcError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { formatLsn } from '../model/lsn.js';
import { equalJitterDelay } from '../pipeline/backoff.js';
import type { Clock } from '../pipeline/clock.js';
import type { StartOutcome } from '../control/setup-retry.js';
import type { RuntimeState } from './state.js';

export interface ReconnectPolicy {
  /** Delay ceiling before the first attempt; it doubles per attempt. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** Give up once the outage lasted this long (ms); 0 = never. */
  readonly maxDurationMs: number;
}

export interface ReconnectorDeps {
  readonly policy: ReconnectPolicy;
  readonly state: RuntimeState;
  readonly logger: Logger;
  readonly clock: Clock;
  /** [0, 1) random source for the jitter (default Math.random). */
  readonly random?: () => number;
  /** Wall-clock milliseconds, for the outage start the state reports (default Date.now). */
  readonly wallClock?: () => number;
}

export interface RestartOptions<T> {
  /** Why the pipeline stopped: a transient error. */
  readonly cause: unknown;
  /** One attempt: a new pipeline, resolved once it streams. */
  readonly attempt: () => Promise<T>;
  /** True once a stop was asked for. */
  readonly stopped: () => boolean;
  /** Aborted when a stop is asked for: ends a wait at once. */
  readonly signal: AbortSignal;
}

interface Outage {
  /** Clock time it began. */
  readonly since: number;
  attempts: number;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** One per daemon run: it remembers an outage across pipelines until one of them made progress. */
export class Reconnector {
  readonly #deps: ReconnectorDeps;
  #outage: Outage | undefined;
  #unwatch: (() => void) | undefined;

  constructor(deps: ReconnectorDeps) {
    this.#deps = deps;
  }

  /**
   * Restarts the pipeline until an attempt streams, an error needs an operator, the bound passes or a
   * stop comes. A pipeline that streams again ends the outage only once it made progress.
   */
  async restart<T>(o: RestartOptions<T>): Promise<StartOutcome<T>> {
    const { policy, state, logger, clock } = this.#deps;
    this.#stopWatching();
    const continued = this.#outage !== undefined;
    const outage: Outage = (this.#outage ??= { since: clock.now(), attempts: 0 });
    const downMs = (): number => clock.now() - outage.since;
    let last = toCdcError(o.cause);
    state.beginOutage(last.operatorMessage, (this.#deps.wallClock ?? Date.now)());
    let delay = this.#delayBefore(outage.attempts + 1, downMs());
    const lsn = formatLsn(state.confirmedLsn);
    const fields = {
      code: last.code,
      error: last.message,
      confirmedLsn: lsn,
      delayMs: delay,
      downMs: Math.round(downMs()),
      maxDurationMs: policy.maxDurationMs,
    };
    if (continued) {
      logger.warn(fields, `Replication stopped again before writing anything (${last.code}); attempt ${outage.attempts + 1} in ${seconds(delay)}`);
    } else {
      const bound = policy.maxDurationMs > 0 ? `for up to ${seconds(policy.maxDurationMs)} (RECONNECT_MAX_DURATION_MS)` : 'until it succeeds';
      logger.warn(fields, `Replication stopped (${last.code}); reconnecting ${bound}, from the confirmed LSN ${lsn}: attempt 1 in ${seconds(delay)}`);
    }
    for (;;) {
      if (policy.maxDurationMs > 0 && downMs() >= policy.maxDurationMs) return this.#giveUp(last, downMs());
      const attempt = outage.attempts + 1;
      state.setStage(state.stage, `Reconnecting: attempt ${attempt} in ${seconds(delay)}`);
      try {
        await clock.sleep(delay, o.signal);
      } catch {
        // Woken by a stop request.
      }
      if (o.stopped()) return { ok: false, error: last, stopped: true };
      outage.attempts = attempt;
      state.totals.reconnectAttempts += 1;
      // Progress from here on is the new pipeline's (it may come while it is still starting).
      const progressBefore = state.progress;
      try {
        const value = await o.attempt();
        this.#watchProgress(outage, progressBefore);
        return { ok: true, value };
      } catch (err) {
        const error = toCdcError(err);
        if (o.stopped()) return { ok: false, error, stopped: true };
        if (error.retry !== 'retry') return { ok: false, error, stopped: false };
        last = error;
        state.beginOutage(error.operatorMessage, (this.#deps.wallClock ?? Date.now)());
        delay = this.#delayBefore(attempt + 1, downMs());
        logger.warn(
          { attempt, stage: state.stage, code: error.code, error: error.message, hint: error.hint, downMs: Math.round(downMs()), delayMs: delay },
          `Reconnection attempt ${attempt} failed in stage ${state.stage} (${error.code}); attempt ${attempt + 1} in ${seconds(delay)}`,
        );
      }
    }
  }

  /** Stops watching a restarted pipeline (the daemon is done). */
  dispose(): void {
    this.#stopWatching();
  }

  /** The wait before attempt `n`, never past the bound (so the last attempt comes at the bound). */
  #delayBefore(n: number, downMs: number): number {
    const { policy, random } = this.#deps;
    const delay = equalJitterDelay(n, policy, random ?? Math.random);
    return policy.maxDurationMs > 0 ? Math.max(0, Math.min(delay, policy.maxDurationMs - downMs)) : delay;
  }

  /** The new pipeline streams: the outage ends at its first progress (`state.progress` past `before`). */
  #watchProgress(outage: Outage, before: number): void {
    const { state, logger, clock } = this.#deps;
    const from = formatLsn(state.confirmedLsn);
    state.setStage('CDC', `Reconnected (attempt ${outage.attempts}): resuming from LSN ${from}, nothing written yet`);
    logger.info(
      { attempts: outage.attempts, confirmedLsn: from },
      `Replication restarted (attempt ${outage.attempts}); resuming from the confirmed LSN ${from}`,
    );
    const check = (): void => {
      if (state.progress === before || this.#outage !== outage) return;
      this.#stopWatching();
      this.#outage = undefined;
      const down = clock.now() - outage.since;
      state.setStage('CDC', 'Replicating');
      state.endOutage();
      logger.info(
        { attempts: outage.attempts, downMs: Math.round(down), confirmedLsn: formatLsn(state.confirmedLsn) },
        `Reconnected after ${seconds(down)} and ${outage.attempts} attempt(s): replicating again`,
      );
    };
    this.#unwatch = state.onChange(check);
    check();
  }

  #stopWatching(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  /** RECONNECT_MAX_DURATION_MS passed: the final error says what happened and what the operator can do. */
  #giveUp(error: CdcError, downMs: number): StartOutcome<never> {
    const { policy, state } = this.#deps;
    const attempts = this.#outage?.attempts ?? 0;
    const lsn = formatLsn(state.confirmedLsn);
    const final = new CdcError({
      code: error.code,
      retry: 'never',
      message: `Gave up reconnecting after ${seconds(downMs)} and ${attempts} attempt(s) (RECONNECT_MAX_DURATION_MS=${policy.maxDurationMs}); the last error: ${error.message}`,
      hint:
        `${error.hint === undefined ? '' : `${error.hint} `}Nothing after LSN ${lsn} was confirmed: the source keeps those changes and dbmazz ` +
        'resumes from there when started again. Set RECONNECT_MAX_DURATION_MS=0 to keep trying until the servers are back.',
      cause: error,
    });
    state.fail(final.operatorMessage);
    return { ok: false, error: final, stopped: false };
  }
}
