/**
 * SIGTERM / SIGINT handling: the first signal asks for a graceful drain, a second one for an
 * immediate stop. Installing the listeners replaces Node's default "exit at once".
 */
import type { Logger } from '../log/logger.js';
import type { RunningPipeline } from './lifecycle.js';

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

/** After a second signal, give up waiting for the immediate stop after this long. */
const STOP_NOW_GRACE_MS = 10_000;

/**
 * Connects the signals to a pipeline that may not exist yet (a signal during setup drains as soon as
 * the pipeline runs). `interrupted` resolves once a second signal's immediate stop is done.
 */
export class ShutdownController {
  stopRequested = false;
  wasInterrupted = false;
  readonly interrupted: Promise<void>;
  #pipeline: RunningPipeline | undefined;
  #resolveInterrupted: () => void = () => undefined;
  readonly #dispose: () => void;

  constructor(
    target: SignalTarget,
    private readonly log: Logger,
  ) {
    this.interrupted = new Promise((resolve) => (this.#resolveInterrupted = resolve));
    this.#dispose = onShutdownSignals(target, { first: (s) => this.#first(s), second: (s) => this.#second(s) });
  }

  attach(pipeline: RunningPipeline): void {
    this.#pipeline = pipeline;
    if (this.stopRequested) this.#drain(pipeline);
  }

  /** The pipeline failed and is being replaced (reconnecting): a signal now ends the reconnection. */
  detach(): void {
    this.#pipeline = undefined;
  }

  dispose(): void {
    this.#dispose();
  }

  #drain(pipeline: RunningPipeline): void {
    pipeline.drainAndStop().catch((err: unknown) => this.log.error({ err }, 'Draining failed'));
  }

  #first(signal: ShutdownSignal): void {
    if (this.#pipeline)
      this.log.info({ signal }, `${signal}: draining (stop reading, write what is buffered, confirm the final LSN); send it again to stop at once`);
    // Before a pipeline runs (starting, reconnecting) there is nothing to drain: a pending startup call is abandoned.
    else this.log.info({ signal }, `${signal}: stopping; no pipeline is running (a pending startup call is abandoned); send it again to exit at once`);
    this.stopRequested = true;
    if (this.#pipeline) this.#drain(this.#pipeline);
  }

  #second(signal: ShutdownSignal): void {
    this.log.warn({ signal }, `${signal} again: stopping now; buffered changes are not written (nor confirmed) and are read again on restart`);
    this.wasInterrupted = true;
    setTimeout(() => this.#resolveInterrupted(), STOP_NOW_GRACE_MS).unref();
    if (!this.#pipeline) return this.#resolveInterrupted();
    this.#pipeline.stopNow().then(
      () => this.#resolveInterrupted(),
      (err: unknown) => {
        this.log.error({ err }, 'Immediate stop failed');
        this.#resolveInterrupted();
      },
    );
  }
}
