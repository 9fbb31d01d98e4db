/**
 * One pipeline run: creates source and sink from their manifests, runs the lifecycle and maps how it
 * ends to an exit code (0 drained, 1 fatal, 130 stopped by a second signal).
 */
import { inject, injectable } from 'tsyringe';
import type { DbmazzConfig } from '../config/load-config.js';
import { truncatePolicyOf } from '../config/core-settings.js';
import { toCdcError } from '../errors/errors.js';
import { childLogger, type Logger } from '../log/logger.js';
import { formatTableId } from '../model/table.js';
import type { ConnectorContext } from '../plugin/manifest.js';
import { TOKENS } from '../di/tokens.js';
import { runLifecycle, type PipelineOptions, type RunningPipeline } from './lifecycle.js';
import type { RuntimeState } from './state.js';
import { onShutdownSignals, ShutdownController, type SignalTarget } from './signals.js';
import { ControlPlane } from '../control/control-plane.js';
import { startWithRetries } from '../control/setup-retry.js';
import type { Source } from '../plugin/source.js';

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
      control = await ControlPlane.start({ config: this.config, state: this.state, logger: this.root, createSource: () => this.#createSource() });
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
    let stopWake: () => void = () => undefined;
    const wake = Promise.race([controller.stopRequested, new Promise<void>((resolve) => (stopWake = resolve))]);
    const disposeWake = onShutdownSignals(signals, { first: () => stopWake(), second: () => stopWake() });
    const outcome = await startWithRetries({
      attempt: () => this.#start(control),
      policy: control.settings.setup,
      state: this.state,
      logger: this.#log,
      stopped: () => shutdown.stopRequested || controller.stopRequest !== undefined,
      wake,
    }).finally(disposeWake);
    if (!outcome.ok) {
      if (shutdown.wasInterrupted) return EXIT_INTERRUPTED;
      if (controller.stopRequest !== undefined) return (await controller.finish(undefined)).cleanupFailed ? EXIT_FATAL : EXIT_OK;
      this.#logFatal(outcome.error, 'Startup failed');
      await controller.finish(outcome.error);
      return EXIT_FATAL;
    }
    const running: RunningPipeline = outcome.value;
    controller.attach(running);
    shutdown.attach(running);
    try {
      await running.done;
      this.#log.info({ confirmedLsn: this.state.snapshot().confirmedLsn }, 'stopped');
      const { cleanupFailed } = await controller.finish(undefined);
      if (shutdown.wasInterrupted) return EXIT_INTERRUPTED;
      return cleanupFailed ? EXIT_FATAL : EXIT_OK;
    } catch (err) {
      if (shutdown.wasInterrupted) return EXIT_INTERRUPTED;
      this.#logFatal(err, 'Pipeline stopped with an error');
      await controller.finish(err);
      return EXIT_FATAL;
    }
  }

  #createSource(): Source {
    const src = this.config.source;
    return src.manifest.create(src.settings, this.#context('source', src.manifest.type));
  }

  async #start(control: ControlPlane): Promise<RunningPipeline> {
    const { source: src, sink: snk } = this.config;
    this.state.slotName = this.config.pipelineId;
    this.state.tables = control.controller.tables.map(formatTableId);
    const raw = { source: this.#createSource(), sink: snk.manifest.create(snk.settings, this.#context('sink', snk.manifest.type)) };
    const { source, sink } = control.instrument(raw.source, raw.sink);
    this.#log.info(
      { source: src.manifest.type, sink: snk.manifest.type, tables: this.state.tables },
      `starting: ${src.manifest.type} → ${snk.manifest.type}, ${this.state.tables.length} table(s)`,
    );
    return runLifecycle({ source, sink, state: this.state, logger: this.root, options: pipelineOptions(this.config) });
  }

  #context(component: 'source' | 'sink', type: string): ConnectorContext {
    return {
      logger: childLogger(this.root, component, { connector: type }),
      tables: this.config.core.tables,
      pipelineId: this.config.pipelineId,
    };
  }

  #logFatal(err: unknown, what: string): void {
    const e = toCdcError(err);
    const detail = this.state.errorDetail !== '' ? this.state.errorDetail : e.operatorMessage;
    this.#log.error({ err: e, stage: this.state.stage, stageDetail: this.state.stageDetail }, `${what} in stage ${this.state.stage}: ${detail}`);
  }
}
