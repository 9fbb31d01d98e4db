/**
 * One daemon run: creates source and sink from their manifests, runs the lifecycle, restarts the
 * pipeline with new connectors when it stops on a transient error (reconnect.ts), and maps how it ends
 * to an exit code (0 drained or stopped on request, 1 fatal, 130 stopped by a second signal).
 */
import { inject, injectable } from 'tsyringe';
import type { DbmazzConfig } from '../config/load-config.js';
import { truncatePolicyOf } from '../config/core-settings.js';
import { isRetriable, toCdcError } from '../errors/errors.js';
import { childLogger, type Logger } from '../log/logger.js';
import { formatTableId } from '../model/table.js';
import { TOKENS } from '../di/tokens.js';
import { runLifecycle, STOPPED_AS_STANDBY, type PipelineOptions, type RunningPipeline } from './lifecycle.js';
import type { RuntimeState } from './state.js';
import { onShutdownSignals, ShutdownController, type SignalTarget } from './signals.js';
import { ControlPlane } from '../control/control-plane.js';
import { startWithRetries, type StartOutcome } from '../control/setup-retry.js';
import type { Clock } from '../pipeline/clock.js';
import type { Sink } from '../plugin/sink.js';
import type { PipelineScopes } from '../di/container.js';
import { Reconnector } from './reconnect.js';
import { FilePositionStore, STATE_DIR_SETTING } from './position-file.js';
import { settingString } from '../plugin/settings.js';

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_CONFIG = 2;
export const EXIT_INTERRUPTED = 130;

/** Loads of different tables inside one flush run in parallel, never two loads of one table. */
const TABLE_CONCURRENCY = 4;
const SUMMARY_INTERVAL_MS = 30_000;

export function pipelineOptions(config: DbmazzConfig): PipelineOptions {
  const c = config.core;
  return {
    pipelineId: config.pipelineId,
    flushSize: c.flushSize,
    flushIntervalMs: c.flushIntervalMs,
    maxBufferedEvents: c.maxBufferedEvents,
    maxBufferedBytes: c.maxBufferedBytes,
    retry: { maxAttempts: c.retry.maxAttempts, initialDelayMs: c.retry.initialDelayMs, maxDelayMs: c.retry.maxDelayMs },
    tableConcurrency: TABLE_CONCURRENCY,
    summaryIntervalMs: SUMMARY_INTERVAL_MS,
    truncatePolicy: truncatePolicyOf(config.coreSettings),
  };
}

@injectable()
export class Daemon {
  readonly #log: Logger;

  constructor(
    @inject(TOKENS.Config) private readonly config: DbmazzConfig,
    @inject(TOKENS.RootLogger) private readonly root: Logger,
    @inject(TOKENS.RuntimeState) readonly state: RuntimeState,
    @inject(TOKENS.PipelineScopes) private readonly scopes: PipelineScopes,
    @inject(TOKENS.Clock) private readonly clock: Clock,
  ) {
    this.#log = childLogger(root, 'runtime');
  }

  /** Runs until drained, stopped or failed; resolves with the process exit code. */
  async run(signals: SignalTarget): Promise<number> {
    const shutdown = new ShutdownController(signals, this.#log);
    // A daemon runs until it is stopped, even when its connectors hold no handle of their own.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    let control: ControlPlane;
    try {
      // The control API starts before setup, so health reports setup progress and errors (issue 5).
      // The slot cleanup after a gRPC Stop uses a source of its own, from a pipeline scope of its own.
      control = await ControlPlane.start({
        config: this.config,
        state: this.state,
        logger: this.root,
        createSource: () => this.scopes.open({ tables: this.config.core.tables, metrics: control.metrics.registry }).source(),
      });
    } catch (err) {
      clearInterval(keepAlive);
      shutdown.dispose();
      this.#logFatal(err, 'Startup failed');
      return EXIT_FATAL;
    }
    try {
      const interrupted = shutdown.interrupted.then(() => EXIT_INTERRUPTED);
      return await Promise.race([this.#runPipeline(shutdown, control, signals), interrupted]);
    } finally {
      await control.close();
      clearInterval(keepAlive);
      shutdown.dispose();
    }
  }

  async #runPipeline(shutdown: ShutdownController, control: ControlPlane, signals: SignalTarget): Promise<number> {
    const { controller } = control;
    // Any stop (a signal, gRPC Stop or DrainAndStop) ends the waits of the startup and reconnection retries.
    // The reason names the stop in a cancelled startup call's message (StartupCancelledError).
    const stop = new AbortController();
    const wakeUp = (reason: string): void => stop.abort(reason);
    void controller.stopRequested.then(() => wakeUp('a gRPC stop request'));
    const disposeWake = onShutdownSignals(signals, { first: wakeUp, second: wakeUp });
    const wake = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    const stopped = (): boolean => shutdown.stopRequested || controller.stopRequest !== undefined;
    const reconnector = new Reconnector({ policy: this.config.core.reconnect, state: this.state, logger: this.#log, clock: this.clock });
    try {
      const started = await startWithRetries({
        attempt: () => this.#start(control, false, stop.signal),
        policy: control.settings.setup,
        state: this.state,
        logger: this.#log,
        stopped,
        wake,
      });
      if (!started.ok) return await this.#notStarted(started, shutdown, control);
      let running: RunningPipeline = started.value;
      for (;;) {
        const end = await this.#streamUntilDone(running, shutdown, control);
        if ('exit' in end) return end.exit;
        const { failure } = end;
        // Only a transient failure of a pipeline nobody asked to stop is retried.
        if (shutdown.wasInterrupted) return EXIT_INTERRUPTED;
        if (stopped() || !isRetriable(failure)) {
          this.#logFatal(failure, 'Pipeline stopped with an error');
          await controller.finish(failure);
          return EXIT_FATAL;
        }
        controller.detach();
        shutdown.detach();
        const restarted = await reconnector.restart({ cause: failure, attempt: () => this.#start(control, true, stop.signal), stopped, signal: stop.signal });
        if (!restarted.ok) return await this.#notReconnected(restarted, shutdown, control);
        running = restarted.value;
      }
    } finally {
      reconnector.dispose();
      disposeWake();
    }
  }

  /** Runs the pipeline until it is done: the exit code of a normal end, or the error it failed with. */
  async #streamUntilDone(
    running: RunningPipeline,
    shutdown: ShutdownController,
    control: ControlPlane,
  ): Promise<{ readonly exit: number } | { readonly failure: unknown }> {
    const { controller } = control;
    controller.attach(running);
    shutdown.attach(running);
    try {
      await running.done;
    } catch (failure) {
      return { failure };
    }
    this.#log.info({ confirmedLsn: this.state.snapshot().confirmedLsn }, 'stopped');
    const { cleanupFailed } = await controller.finish(undefined);
    if (shutdown.wasInterrupted) return { exit: EXIT_INTERRUPTED };
    return { exit: cleanupFailed ? EXIT_FATAL : EXIT_OK };
  }

  /** The startup retries ended without a running pipeline. */
  async #notStarted(outcome: Extract<StartOutcome<RunningPipeline>, { ok: false }>, shutdown: ShutdownController, control: ControlPlane): Promise<number> {
    const { controller } = control;
    if (shutdown.wasInterrupted) return EXIT_INTERRUPTED;
    if (controller.stopRequest !== undefined) return (await controller.finish(undefined)).cleanupFailed ? EXIT_FATAL : EXIT_OK;
    if (outcome.stopped && toCdcError(outcome.error).message === STOPPED_AS_STANDBY) {
      this.#log.info('stopped while standby (another instance streams)');
      this.state.setRunState('STOPPED');
      return (await controller.finish(undefined)).cleanupFailed ? EXIT_FATAL : EXIT_OK;
    }
    this.#logFatal(outcome.error, 'Startup failed');
    await controller.finish(outcome.error);
    return EXIT_FATAL;
  }

  /**
   * Reconnecting ended without a running pipeline: stopped on request (nothing is buffered; changes
   * after the confirmed LSN stay in the source), or an error that needs an operator, or the bound passed.
   */
  async #notReconnected(outcome: Extract<StartOutcome<RunningPipeline>, { ok: false }>, shutdown: ShutdownController, control: ControlPlane): Promise<number> {
    const { controller } = control;
    if (shutdown.wasInterrupted) return EXIT_INTERRUPTED;
    if (outcome.stopped) {
      this.#log.info(
        { confirmedLsn: this.state.snapshot().confirmedLsn },
        'stopped while reconnecting; changes after the confirmed LSN are read on the next start',
      );
      this.state.setRunState('STOPPED');
      return (await controller.finish(undefined)).cleanupFailed ? EXIT_FATAL : EXIT_OK;
    }
    this.#logFatal(outcome.error, 'Reconnection failed');
    this.state.setRunState('STOPPED');
    await controller.finish(outcome.error);
    return EXIT_FATAL;
  }

  /**
   * One attempt with new connectors, for the tables replicated now (ReloadConfig may have changed
   * them). `resume`: a reconnection (the lifecycle creates nothing on the source).
   */
  async #start(control: ControlPlane, resume: boolean, signal: AbortSignal): Promise<RunningPipeline> {
    const { source: src, sink: snk } = this.config;
    const tables = control.controller.tables;
    this.state.slotName = this.config.pipelineId;
    this.state.tables = tables.map(formatTableId);
    // Each pipeline is composed in a child container of its own: new connectors, their contexts.
    const scope = this.scopes.open({ tables, metrics: control.metrics.registry });
    const created = scope.source();
    let createdSink: Sink;
    try {
      createdSink = scope.sink();
    } catch (err) {
      await created.close().catch(() => undefined);
      throw err;
    }
    const { source, sink } = control.instrument(created, createdSink);
    this.#log.info(
      { source: src.manifest.type, sink: snk.manifest.type, tables: this.state.tables, resume },
      `${resume ? 'reconnecting' : 'starting'}: ${src.manifest.type} → ${snk.manifest.type}, ${this.state.tables.length} table(s)`,
    );
    const positions = new FilePositionStore(settingString(this.config.coreSettings, STATE_DIR_SETTING), this.config.pipelineId, src.manifest.type);
    return runLifecycle({
      source,
      sink,
      state: this.state,
      logger: this.root,
      options: pipelineOptions(this.config),
      clock: scope.clock,
      resume,
      startupTimeoutMs: this.config.core.startupTimeoutMs,
      signal,
      origins: { ...(src.origin === undefined ? {} : { source: src.origin }), ...(snk.origin === undefined ? {} : { sink: snk.origin }) },
      positions,
    });
  }

  #logFatal(err: unknown, what: string): void {
    const e = toCdcError(err);
    const detail = this.state.errorDetail !== '' ? this.state.errorDetail : e.operatorMessage;
    this.#log.error({ err: e, stage: this.state.stage, stageDetail: this.state.stageDetail }, `${what} in stage ${this.state.stage}: ${detail}`);
  }
}
