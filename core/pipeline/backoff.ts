/**
 * The pure retry schedules, exponential and capped: a sink call retries with full jitter (AWS "full
 * jitter": a uniform delay in [0, min(max, initial·2^(n-1)))), raised to the server's Retry-After hint
 * when there is one; reconnecting waits with equal jitter (at least half the ceiling, so a restart
 * never follows the failure at once, and many daemons do not reconnect in step).
 */
export interface RetryPolicy {
  /** Total attempts including the first one (>= 1). */
  readonly maxAttempts: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

export type BackoffSchedule = Pick<RetryPolicy, 'initialDelayMs' | 'maxDelayMs'>;

/** The un-jittered ceiling before retry number `retry` (1 = the first retry). */
export function backoffCeiling(retry: number, policy: BackoffSchedule): number {
  const exponent = Math.max(0, retry - 1);
  // 2^exponent overflows to Infinity for huge exponents, which Math.min handles.
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
}

/**
 * Delay before retry number `retry` (1-based). `random` returns a number in [0, 1) (Math.random);
 * `retryAfterMs` is the server's hint (e.g. HTTP Retry-After), which is honoured as a minimum.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const jittered = Math.floor(random() * backoffCeiling(retry, policy));
  const hint = retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0 ? retryAfterMs : 0;
  return Math.max(jittered, Math.ceil(hint));
}

/** Whether retry number `retry` (1-based) is still allowed: attempt `retry + 1` <= maxAttempts. */
export function canRetry(retry: number, policy: RetryPolicy): boolean {
  return retry + 1 <= policy.maxAttempts;
}

/** Delay before reconnection attempt `retry` (1-based): a uniform delay in [ceiling/2, ceiling). */
export function equalJitterDelay(retry: number, policy: BackoffSchedule, random: () => number): number {
  const ceiling = backoffCeiling(retry, policy);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}
