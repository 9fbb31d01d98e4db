/**
 * The demo's process hygiene: a cleanup stack run once in reverse order (every process stopped, every
 * temp dir removed, whatever failed), and Ctrl-C handling — the first SIGINT/SIGTERM asks the demo
 * to finish (stop traffic, drain, validate), the second aborts at once.
 */

export interface SignalSource {
  on(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export class Cleanup {
  readonly #steps: { what: string; run: () => Promise<void> | void }[] = [];
  #done: Promise<string[]> | undefined;

  /**
   * Registers a step; steps run last-registered first. A step added once the cleanup ran (the flow
   * was still starting something when the demo was aborted) runs at once.
   */
  add(what: string, run: () => Promise<void> | void): void {
    if (this.#done !== undefined) {
      void Promise.resolve()
        .then(run)
        .catch(() => undefined);
      return;
    }
    this.#steps.push({ what, run });
  }

  /** Runs every step once (later calls get the same result); resolves with the problems. */
  run(): Promise<string[]> {
    this.#done ??= (async () => {
      const problems: string[] = [];
      for (const step of [...this.#steps].reverse()) {
        try {
          await step.run();
        } catch (err) {
          problems.push(`${step.what}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return problems;
    })();
    return this.#done;
  }
}

export class StopSignal {
  #requested = false;
  #wake: () => void = () => undefined;
  readonly #wakeUp: Promise<void>;
  readonly aborted: Promise<void>;
  #abort: () => void = () => undefined;
  readonly #listener = (): void => this.#onSignal();

  constructor(
    private readonly signals: SignalSource,
    private readonly onFirst: () => void,
  ) {
    this.#wakeUp = new Promise((resolve) => (this.#wake = resolve));
    this.aborted = new Promise((resolve) => (this.#abort = resolve));
    signals.on('SIGINT', this.#listener);
    signals.on('SIGTERM', this.#listener);
  }

  get requested(): boolean {
    return this.#requested;
  }

  /** Resolves on the first signal. */
  get wakeUp(): Promise<void> {
    return this.#wakeUp;
  }

  /** Asks the demo to finish, as the first Ctrl-C does. */
  request(): void {
    if (this.#requested) return;
    this.#requested = true;
    this.onFirst();
    this.#wake();
  }

  #onSignal(): void {
    if (this.#requested) this.#abort();
    else this.request();
  }

  dispose(): void {
    this.signals.off('SIGINT', this.#listener);
    this.signals.off('SIGTERM', this.#listener);
  }
}

/**
 * Runs `start` and removes the SIGINT/SIGTERM listeners it installed. The PostgreSQL harness installs
 * handlers that stop the cluster and exit at once on the first signal (right for tests); the demo needs
 * the first Ctrl-C to drain and validate first. The harness's exit hook stays as the safety net.
 */
export async function withoutNewSignalHandlers<T>(start: () => Promise<T>): Promise<T> {
  const before = { SIGINT: new Set(process.listeners('SIGINT')), SIGTERM: new Set(process.listeners('SIGTERM')) };
  try {
    return await start();
  } finally {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(sig)) if (!before[sig].has(l)) process.off(sig, l);
    }
  }
}

/** Polls `check` every `everyMs` until it is true, the stop signal fires (when `stoppable`) or `timeoutMs` passed. */
export async function until(
  check: () => Promise<boolean> | boolean,
  opts: { everyMs?: number; timeoutMs?: number; stop?: StopSignal; abortWhen?: () => string | undefined } = {},
): Promise<'ok' | 'stopped' | 'timeout'> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  for (;;) {
    if (await check()) return 'ok';
    const why = opts.abortWhen?.();
    if (why !== undefined) throw new Error(why);
    if (opts.stop?.requested === true) return 'stopped';
    if (Date.now() > deadline) return 'timeout';
    await Promise.race([new Promise((r) => setTimeout(r, opts.everyMs ?? 250)), ...(opts.stop ? [opts.stop.wakeUp] : [])]);
  }
}
