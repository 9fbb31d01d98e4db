/**
 * SIGTERM / SIGINT handling: the first signal asks for a graceful drain, a second one for an
 * immediate stop. Installing the listeners replaces Node's default "exit at once".
 */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
export type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];

export interface SignalTarget {
  on(signal: ShutdownSignal, listener: () => void): unknown;
  off(signal: ShutdownSignal, listener: () => void): unknown;
}

export interface ShutdownHandlers {
  first(signal: ShutdownSignal): void;
  second(signal: ShutdownSignal): void;
}

/** Returns the function that removes the listeners. */
export function onShutdownSignals(target: SignalTarget, handlers: ShutdownHandlers): () => void {
  let count = 0;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const listener = (): void => {
      count++;
      if (count === 1) handlers.first(signal);
      else if (count === 2) handlers.second(signal);
    };
    target.on(signal, listener);
    return { signal, listener };
  });
  return () => {
    for (const { signal, listener } of listeners) target.off(signal, listener);
  };
}
