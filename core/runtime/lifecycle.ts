/**
 * The lifecycle stages, in order: INIT (validate both connections; nothing is created) → SETUP (source
 * setup, then sink setup with the source's tables) → CDC (stream). A failure records the operator message
 * in the state, leaves the stage where it failed, closes source and sink and rejects with the CdcError.
 *
 * `resume` (reconnecting after the pipeline streamed in this process): the same stages with new
 * connectors, but nothing is created on the source: `inspect` replaces `setup`, so a replication slot
 * that vanished meanwhile is reported by `start` (changes since then are lost) instead of being
 * created again at the current position.
 */
import type { Logger } from 'pino';
import { CdcError, type ErrorCode } from '../errors/errors.js';
import type { Lsn } from '../model/lsn.js';
import { formatTableId } from '../model/table.js';
import { StartupCancelledError, StartupTimeoutError, type ConnectorName } from '../plugin/connector-errors.js';
import type { Sink, SinkSetupContext } from '../plugin/sink.js';
import type { Source, SourceSetupResult } from '../plugin/source.js';
import type { Clock } from '../pipeline/clock.js';
import { validatePipelineOptions, type PipelineOptions } from '../pipeline/options.js';
import { Pipeline, type RunningPipeline } from '../pipeline/pipeline.js';
import type { PositionStore } from '../pipeline/saved-positions.js';
import type { RuntimeState } from './state.js';
import { withDeadline } from './deadline.js';

export type { PipelineOptions, ReloadChanges } from '../pipeline/options.js';
export type { RunningPipeline } from '../pipeline/pipeline.js';

export interface LifecycleDeps {
  readonly source: Source;
  readonly sink: Sink;
  readonly state: RuntimeState;
  readonly logger: Logger;
  readonly options: PipelineOptions;
  /** Injectable time (tests); the system clock otherwise. */
  readonly clock?: Clock;
  /** [0, 1) random source for backoff jitter (tests). */
  readonly random?: () => number;
  /** Reconnecting: the pipeline streamed before in this process (see above). */
  readonly resume?: boolean;
  /**
   * Limit (ms) of each connector startup call (validateConnection, identity, inspect, setup, start);
   * 0 or unset = none. A call that passes it fails the attempt with StartupTimeoutError (retried like
   * any transient startup error).
   */
  readonly startupTimeoutMs?: number;
  /**
   * Aborts when a stop is asked for: a pending startup call is abandoned (StartupCancelledError), and a
   * hot standby's wait (Source.awaitTurn) ends.
   */
  readonly signal?: AbortSignal;
  /** Where the connectors were loaded from, for error messages (the registry's origins). */
  readonly origins?: { readonly source?: string; readonly sink?: string };
  /** Where the confirmed position of a source with `resumeFrom` is saved (core/runtime/position-file.ts). */
  readonly positions?: PositionStore;
}

/** How long closing the connectors after a failed or cancelled startup may take. */
export const STARTUP_CLOSE_TIMEOUT_MS = 5000;

export const STAGE_DETAIL = {
  INIT: 'Initializing',
  SETUP: 'Configuring source and sink',
  CDC: 'Replicating',
} as const;

/** The stage details of a reconnection attempt. */
export const RESUME_DETAIL = {
  INIT: 'Reconnecting: checking the connections',
  SETUP: 'Reconnecting: checking source and sink',
} as const;

/** Wraps an unclassified error so the operator learns which step failed. */
function stepError(err: unknown, code: ErrorCode, step: string): CdcError {
  if (err instanceof CdcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CdcError({ code, message: `${step} failed: ${message}`, cause: err });
}

export async function runLifecycle(deps: LifecycleDeps): Promise<RunningPipeline> {
  const { source, sink, state, options } = deps;
  const resume = deps.resume === true;
  validatePipelineOptions(options);
  const logger = deps.logger.child({ component: 'lifecycle' });
  state.slotName = options.pipelineId;
  state.setRunState('RUNNING');

  const named = (kind: 'source' | 'sink'): ConnectorName => {
    const origin = deps.origins?.[kind];
    return { kind, type: kind === 'source' ? source.type : sink.type, ...(origin === undefined ? {} : { origin }) };
  };
  const connectors = { source: named('source'), sink: named('sink') };
  const bounded = <T>(code: ErrorCode, who: ConnectorName, call: string, op: () => Promise<T>): Promise<T> =>
    withDeadline(op, {
      timeoutMs: deps.startupTimeoutMs ?? 0,
      ...(deps.signal === undefined ? {} : { signal: deps.signal }),
      onTimeout: () => new StartupTimeoutError(who, call, deps.startupTimeoutMs ?? 0, code),
      onAbort: (reason) => new StartupCancelledError(who, call, typeof reason === 'string' ? reason : 'stop requested', code),
    });
  /** Runs a connector's startup call `kind.call()`, bounded by the startup limit and a stop. */
  const step = async <T>(code: ErrorCode, what: string, op: () => Promise<T>, kind: 'source' | 'sink', call: string): Promise<T> => {
    try {
      return await bounded(code, connectors[kind], call, op);
    } catch (err) {
      return failed(err, code, what);
    }
  };
  /** Records a failed startup call, closes the connectors and throws. */
  const failed = async (err: unknown, code: ErrorCode, what: string): Promise<never> => {
    const error = stepError(err, code, what);
    state.fail(error.operatorMessage);
    const fields = { stage: state.stage, code: error.code, error: error.message, hint: error.hint, retry: error.retry };
    // A reconnection attempt failing on a transient error is expected: the runtime logs and retries it.
    if (error instanceof StartupCancelledError) logger.warn(fields, error.message);
    else if (resume && error.retry === 'retry') logger.debug(fields, `${what} failed`);
    else logger.error(fields, `${what} failed`);
    await closeQuietly(source, sink, logger);
    // While reconnecting the daemon keeps running; a failed startup attempt reads STOPPED.
    if (!resume) state.setRunState('STOPPED');
    throw error;
  };

  state.setStage('INIT', resume ? RESUME_DETAIL.INIT : STAGE_DETAIL.INIT);
  logger.info({ source: source.type, sink: sink.type }, 'Checking connections');
  await step('SOURCE_CONNECTION', `${source.type} source connection check`, () => source.validateConnection(), 'source', 'validateConnection');
  await step('SINK_CONNECTION', `${sink.type} sink connection check`, () => sink.validateConnection(), 'sink', 'validateConnection');

  if (source.awaitTurn !== undefined && deps.signal !== undefined) {
    // Not bounded by the startup limit: a standby waits as long as another instance streams.
    const recorded = <T>(what: string, op: () => Promise<T>): Promise<T> => op().catch((err: unknown) => failed(err, 'SOURCE_CONNECTION', what));
    await awaitTurn(source, deps.signal, state, logger, recorded, () => closeQuietly(source, sink, logger));
  }

  state.setStage('SETUP', resume ? RESUME_DETAIL.SETUP : STAGE_DETAIL.SETUP);
  // With `inspect`, the source's tables are checked read-only first and its slot is created last, so a
  // sink-side problem never leaves a new, unused slot holding WAL.
  const inspect = source.inspect?.bind(source);
  // The sink learns which source the changes come from, to refuse state written from another one.
  const identify = source.identity?.bind(source);
  const context: SinkSetupContext = identify
    ? { source: await step('SOURCE_SETUP', `${source.type} source identity`, () => identify(), 'source', 'identity') }
    : {};
  let tables: SourceSetupResult['tables'];
  if (inspect) {
    ({ tables } = await step('SOURCE_SETUP', `${source.type} source check`, () => inspect(), 'source', 'inspect'));
    state.tables = tables.map((t) => formatTableId(t.id));
    await step('SINK_SETUP', `${sink.type} sink setup`, () => sink.setup(tables, context), 'sink', 'setup');
    logger.info({ tables: state.tables }, 'Sink ready');
    attachState(source, sink);
    if (!resume) {
      ({ tables } = await step('SOURCE_SETUP', `${source.type} source setup`, () => source.setup(), 'source', 'setup'));
      logger.info({ tables: state.tables }, 'Source ready');
    }
  } else {
    ({ tables } = await step('SOURCE_SETUP', `${source.type} source setup`, () => source.setup(), 'source', 'setup'));
    state.tables = tables.map((t) => formatTableId(t.id));
    logger.info({ tables: state.tables }, 'Source ready');
    await step('SINK_SETUP', `${sink.type} sink setup`, () => sink.setup(tables, context), 'sink', 'setup');
    logger.info({ tables: state.tables }, 'Sink ready');
    attachState(source, sink);
  }

  const savedPositions = await resumeSource(source, deps.positions, step);

  state.setStage('CDC', STAGE_DETAIL.CDC);
  const pipeline = new Pipeline({
    source,
    sink,
    state,
    logger: deps.logger.child({ component: 'pipeline' }),
    options,
    tables,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    ...(deps.random === undefined ? {} : { random: deps.random }),
    ...(savedPositions === undefined ? {} : { savedPositions }),
  });
  await step('SOURCE_CONNECTION', `${source.type} replication start`, () => pipeline.start(), 'source', 'start');
  logger.info({ slot: options.pipelineId, tables: state.tables }, 'Replicating');
  return pipeline;
}

/** Thrown when a stop ends a hot standby's wait: nothing was started, nothing is lost. */
export const STOPPED_AS_STANDBY = 'stopped while standby';

/**
 * Hot standby: waits until the source may stream. While waiting the stage detail says so (health
 * NOT_SERVING, not ready); a stop ends the wait with a CdcError whose message is STOPPED_AS_STANDBY.
 */
async function awaitTurn(
  source: Source,
  signal: AbortSignal,
  state: RuntimeState,
  logger: Logger,
  step: (what: string, op: () => Promise<'turn' | 'stopped'>) => Promise<'turn' | 'stopped'>,
  close: () => Promise<void>,
): Promise<void> {
  const wait = source.awaitTurn?.bind(source);
  if (wait === undefined) return;
  // A stop ends the wait at once, even in the middle of one of the source's checks. The listener is
  // removed afterwards: the signal lives as long as the daemon, across reconnection attempts.
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<'stopped'>((resolve) => {
    onAbort = () => resolve('stopped');
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  let turn: 'turn' | 'stopped';
  try {
    turn = await step(`${source.type} standby wait`, () =>
      Promise.race([
        wait({
          signal,
          standby: (info) => {
            state.setStandby(info);
            state.setStage('INIT', `Standby: ${info.detail}`);
          },
        }),
        aborted,
      ]),
    );
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
  if (turn === 'stopped') {
    await close();
    throw new CdcError({ code: 'INTERNAL', message: STOPPED_AS_STANDBY });
  }
  if (state.standby !== undefined) {
    state.setStandby(undefined);
    logger.info('Standby: taking over');
  }
}

type Step = <T>(code: ErrorCode, what: string, op: () => Promise<T>, kind: 'source' | 'sink', call: string) => Promise<T>;

/**
 * A source that keeps no position on its server (it has `resumeFrom`) gets the position saved by the
 * last run; the pipeline then saves each confirmed one. Undefined for sources with a slot.
 */
async function resumeSource(
  source: Source,
  store: PositionStore | undefined,
  step: Step,
): Promise<{ store: PositionStore; resumedFrom: Lsn | undefined } | undefined> {
  const resumeFrom = source.resumeFrom?.bind(source);
  if (resumeFrom === undefined) return undefined;
  return step(
    'SOURCE_SETUP',
    `${source.type} saved position`,
    async () => {
      if (store === undefined) {
        throw new CdcError({ code: 'INTERNAL', message: `The '${source.type}' source needs a saved position, but the runtime was given no position store.` });
      }
      const resumedFrom = await store.load();
      resumeFrom(resumedFrom);
      return { store, resumedFrom };
    },
    'source',
    'resumeFrom',
  );
}

/** Hands the sink's durable state store (if any) to the source (if it wants one). */
function attachState(source: Source, sink: Sink): void {
  const store = sink.stateStore?.();
  if (store !== undefined) source.attachState?.(store);
}

/** Closes both, each bounded by STARTUP_CLOSE_TIMEOUT_MS (a connector hanging in close is left behind). */
async function closeQuietly(source: Source, sink: Sink, logger: Logger): Promise<void> {
  for (const [what, close] of [
    ['sink', () => sink.close()],
    ['source', () => source.close()],
  ] as const) {
    try {
      await withDeadline(close, {
        timeoutMs: STARTUP_CLOSE_TIMEOUT_MS,
        onTimeout: () => new Error(`close() did not finish within ${STARTUP_CLOSE_TIMEOUT_MS} ms`),
        onAbort: () => new Error('aborted'),
      });
    } catch (err) {
      logger.warn({ error: err instanceof Error ? err.message : String(err) }, `Could not close the ${what}`);
    }
  }
}
