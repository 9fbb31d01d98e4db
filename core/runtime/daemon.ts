/**
 * One pipeline run: creates source and sink from their manifests, runs the lifecycle and maps how it
 * ends to an exit code (0 drained, 1 fatal, 130 stopped by a second signal).
 */
import { inject, injectable } from 'tsyringe';
import type { DbmazzConfig } from '../config/load-config.js';
import { CdcError, toCdcError } from '../errors/errors.js';
import { childLogger, type Logger } from '../log/logger.js';
import { formatTableId } from '../model/table.js';
import type { ConnectorContext } from '../plugin/manifest.js';
import { TOKENS } from '../di/tokens.js';
import { runLifecycle, type RunningPipeline } from './lifecycle.js';
import type { PipelineOptions } from '../pipeline/options.js';
import type { RuntimeState } from './state.js';
import { onShutdownSignals, type SignalTarget } from './signals.js';

export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_CONFIG = 2;
export const EXIT_INTERRUPTED = 130;

/** Loads of different tables inside one flush run in parallel, never two loads of one table. */
const TABLE_CONCURRENCY = 4;
const SUMMARY_INTERVAL_MS = 30_000;
/** After a second signal, exit even if the immediate stop hangs. */
const STOP_NOW_GRACE_MS = 10_000;

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

  /** Runs until drained, stopped or failed; resolves with the process exit code. */
  async run(signals: SignalTarget): Promise<number> {
    const { source: src, sink: snk } = this.config;
    this.state.slotName = this.config.pipelineId;
    this.state.tables = this.config.core.tables.map(formatTableId);

    let running: RunningPipeline | undefined;
    let stopRequested = false;
    let interrupted = false;
    let forceExit: (code: number) => void = () => undefined;
    const forced = new Promise<number>((resolve) => (forceExit = resolve));
    const drain = (p: RunningPipeline): void => {
      p.drainAndStop().catch((err: unknown) => this.#logFatal(err, 'Draining failed'));
    };
    const dispose = onShutdownSignals(signals, {
      first: (signal) => {
        this.#log.info({ signal }, `${signal}: draining (stop reading, write what is buffered, confirm the final LSN); send it again to stop at once`);
        stopRequested = true;
        if (running) drain(running);
      },
      second: (signal) => {
        this.#log.warn({ signal }, `${signal} again: stopping now; buffered changes are not written (nor confirmed) and will be read again on restart`);
        interrupted = true;
        setTimeout(() => forceExit(EXIT_INTERRUPTED), STOP_NOW_GRACE_MS).unref();
        if (!running) return forceExit(EXIT_INTERRUPTED);
        running.stopNow().then(
          () => forceExit(EXIT_INTERRUPTED),
          (err: unknown) => {
            this.#logFatal(err, 'Immediate stop failed');
            forceExit(EXIT_INTERRUPTED);
          },
        );
      },
    });

    const normal = async (): Promise<number> => {
      try {
        const source = src.manifest.create(src.settings, this.#context('source', src.manifest.type));
        const sink = snk.manifest.create(snk.settings, this.#context('sink', snk.manifest.type));
        this.#log.info(
          { source: src.manifest.type, sink: snk.manifest.type, tables: this.state.tables },
          `starting: ${src.manifest.type} → ${snk.manifest.type}, ${this.state.tables.length} table(s)`,
        );
        running = await runLifecycle({ source, sink, state: this.state, logger: this.root, options: pipelineOptions(this.config) });
      } catch (err) {
        this.#logFatal(err, err instanceof CdcError ? 'Startup failed' : 'Startup failed unexpectedly');
        return EXIT_FATAL;
      }
      if (stopRequested) drain(running);
      try {
        await running.done;
        this.#log.info({ confirmedLsn: this.state.snapshot().confirmedLsn }, 'stopped');
        return interrupted ? EXIT_INTERRUPTED : EXIT_OK;
      } catch (err) {
        if (interrupted) return EXIT_INTERRUPTED;
        this.#logFatal(err, 'Pipeline stopped with an error');
        return EXIT_FATAL;
      }
    };
    // A daemon runs until it is stopped, even when its connectors hold no handle of their own.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    try {
      return await Promise.race([normal(), forced]);
    } finally {
      clearInterval(keepAlive);
      dispose();
    }
  }
}
