/**
 * Time as the pipeline sees it: injectable so flush timing and retry backoff are testable without
 * real waiting (`core/testing/fake-clock.ts`).
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds, monotonic enough for intervals. */
  now(): number;
  /** Calls `fn` once after `ms`. */
  setTimer(fn: () => void, ms: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

let nextId = 1;

/** The real clock. Timers are unref'd: the pipeline never keeps the process alive by itself. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref();
    const handle: TimerHandle & { t: NodeJS.Timeout } = { id: nextId++, t };
    return handle;
  },
  clearTimer(handle) {
    const t = (handle as Partial<{ t: NodeJS.Timeout }>).t;
    if (t !== undefined) clearTimeout(t);
  },
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      const t = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
