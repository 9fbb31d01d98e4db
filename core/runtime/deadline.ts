/**
 * Bounds one connector startup call: it settles with the call, or rejects when `timeoutMs` passes
 * (0 = no limit) or `signal` aborts (a stop was asked for), whichever comes first. The call itself
 * cannot be interrupted: the runtime closes the connector afterwards, which must release it.
 */
export interface DeadlineOptions {
  /** 0 = no limit. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly onTimeout: () => Error;
  readonly onAbort: (reason: unknown) => Error;
}

export function withDeadline<T>(op: () => Promise<T>, o: DeadlineOptions): Promise<T> {
  if (o.signal?.aborted) return Promise.reject(o.onAbort(o.signal.reason));
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => settle(() => reject(o.onAbort(o.signal?.reason)));
    const settle = (fn: () => void): void => {
      if (timer !== undefined) clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    if (o.timeoutMs > 0) timer = setTimeout(() => settle(() => reject(o.onTimeout())), o.timeoutMs);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<T>;
    try {
      pending = op();
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      (v) => settle(() => resolve(v)),
      (err: unknown) => settle(() => reject(err)),
    );
  });
}
