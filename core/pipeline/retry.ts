/**
 * Runs one sink call with the retry policy: `retry: 'retry'` errors are retried with backoff (the caller
 * passes the same batch each time, so the sink derives the same label), anything else is final.
 * Connectors classify errors; only core retries (docs/design-principles.md §2.13). After the last attempt a transient error
 * stays transient: the runtime then restarts the pipeline (core/runtime/reconnect.ts).
 */
import { CdcError, toCdcError } from '../errors/errors.js';
import { backoffDelay, canRetry, type RetryPolicy } from './backoff.js';

export interface RetryContext {
  readonly policy: RetryPolicy;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  /** Aborts the waiting between attempts (stop now / fatal error elsewhere). */
  readonly signal?: AbortSignal;
  /** Called before each wait: the retry number (1-based), the delay and the error that caused it. */
  readonly onRetry?: (retry: number, delayMs: number, error: CdcError) => void;
}

/** Thrown when the signal aborted the retry loop; not an operator-facing failure. */
export class RetryAborted extends Error {
  constructor() {
    super('Retry aborted');
    this.name = 'RetryAborted';
  }
}

export async function withRetry<T>(op: (attempt: number) => Promise<T>, ctx: RetryContext): Promise<T> {
  const random = ctx.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    if (ctx.signal?.aborted) throw new RetryAborted();
    try {
      return await op(attempt);
    } catch (err) {
      if (ctx.signal?.aborted) throw new RetryAborted();
      const error = toCdcError(err);
      if (error.retry !== 'retry') throw error;
      if (!canRetry(attempt, ctx.policy)) throw exhausted(error, attempt);
      const delay = backoffDelay(attempt, ctx.policy, random, error.retryAfterMs);
      ctx.onRetry?.(attempt, delay, error);
      try {
        await ctx.sleep(delay, ctx.signal);
      } catch {
        throw new RetryAborted();
      }
    }
  }
}

export function isRetryAborted(err: unknown): err is RetryAborted {
  return err instanceof RetryAborted;
}

/**
 * The error reported after the last attempt of a retriable error: it says how often it tried and keeps
 * its directive, so the runtime decides (it restarts the pipeline from the confirmed position).
 */
function exhausted(error: CdcError, attempts: number): CdcError {
  if (error.retry !== 'retry') return error;
  return new CdcError({
    code: error.code,
    message: `${error.message} (gave up after ${attempts} attempts)`,
    retry: 'retry',
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    cause: error,
  });
}
