/**
 * Startup attempts (connection checks and setup) with a fixed delay, so the health API can report a
 * setup error ("Table 'orders' not found in PostgreSQL...") while the daemon keeps trying. The error
 * stays in the RuntimeState (health NOT_SERVING) until an attempt succeeds. A stop request (signal or
 * gRPC) ends the retries at once; `maxAttempts` 0 means no limit. A connector that is not a valid
 * connector (`CONNECTOR_INVALID`: create() threw or returned something else) is not retried.
 */
import { toCdcError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { RuntimeState } from '../runtime/state.js';
import type { SetupRetrySettings } from './settings.js';

export type StartOutcome<T> =
  | { readonly ok: true; readonly value: T }
  /** `stopped`: a stop was asked for; the retries ended because of it. */
  | { readonly ok: false; readonly error: unknown; readonly stopped: boolean };

export interface StartWithRetriesOptions<T> {
  readonly attempt: () => Promise<T>;
  readonly policy: SetupRetrySettings;
  readonly state: RuntimeState;
  readonly logger: Logger;
  /** True once a stop was asked for. */
  readonly stopped: () => boolean;
  /** Resolves when a stop is asked for (ends a wait early). */
  readonly wake: Promise<unknown>;
}

function pause(ms: number, wake: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void wake.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function startWithRetries<T>(o: StartWithRetriesOptions<T>): Promise<StartOutcome<T>> {
  const { policy, state, logger } = o;
  let failedWith = '';
  for (let attempt = 1; ; attempt++) {
    try {
      const value = await o.attempt();
      if (failedWith !== '' && state.errorDetail === failedWith) {
        state.errorDetail = '';
        state.notify();
      }
      if (attempt > 1) logger.info({ attempt }, 'Startup succeeded after retrying');
      return { ok: true, value };
    } catch (error) {
      failedWith = state.errorDetail;
      if (o.stopped()) return { ok: false, error, stopped: true };
      if (policy.maxAttempts > 0 && attempt >= policy.maxAttempts) return { ok: false, error, stopped: false };
      // A connector whose create() is broken stays broken: retrying only delays the message.
      if (toCdcError(error).code === 'CONNECTOR_INVALID') return { ok: false, error, stopped: false };
      const e = toCdcError(error);
      const of = policy.maxAttempts > 0 ? ` of ${policy.maxAttempts}` : '';
      logger.warn(
        { attempt, maxAttempts: policy.maxAttempts, delayMs: policy.delayMs, stage: state.stage, code: e.code, error: state.errorDetail || e.operatorMessage },
        `Startup attempt ${attempt}${of} failed in stage ${state.stage}; retrying in ${policy.delayMs} ms`,
      );
      await pause(policy.delayMs, o.wake);
      if (o.stopped()) return { ok: false, error, stopped: true };
    }
  }
}
