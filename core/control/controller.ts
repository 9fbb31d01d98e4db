/**
 * What the control API does to the daemon: pause, resume, reload, drain, stop. It holds the running
 * pipeline (once setup succeeded) and the current source and sink; the gRPC handlers only translate
 * requests and answers. Every answer says what was done; `success` is true only when all of it was.
 *
 * Stop and DrainAndStop answer after the daemon finished (the final LSN confirmed, the slot dropped
 * when asked); the daemon calls `finish` once the pipeline is done, then exits. A stop asked for
 * during setup ends the setup retries: the daemon stops as soon as the current attempt is over. The
 * same holds while reconnecting (`detach` until the next pipeline is attached).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { deferred } from '../pipeline/deferred.js';
import { CdcError, toCdcError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { formatLsn } from '../model/lsn.js';
import { formatTableId, type TableId } from '../model/table.js';
import type { Sink } from '../plugin/sink.js';
import type { Source } from '../plugin/source.js';
import type { RunningPipeline } from '../runtime/lifecycle.js';
import type { RuntimeState } from '../runtime/state.js';
import type { ReloadConfigRequest__Output } from './gen/dbmazz/ReloadConfigRequest.js';
import { isEmptyPlan, parseReload } from './reload.js';
import { refuse, resnapshotTables, type ResnapshotOutcome } from './resnapshot.js';
import { DEFAULT_CLEANUP, destroySourceState, type CleanupOptions } from './slot-cleanup.js';
import { changeTables } from './table-reload.js';

export interface ControlResult {
  readonly success: boolean;
  readonly message: string;
}

export interface StopRequest {
  readonly kind: 'drain' | 'stop';
  /** Stop only: keep the slot and publication. */
  readonly skipSlotCleanup: boolean;
}

export interface ControllerDeps {
  readonly state: RuntimeState;
  readonly logger: Logger;
  /** The configured tables (TABLES). */
  readonly tables: readonly TableId[];
  readonly maxBufferedEvents: number;
  /** A new, unopened source of the job, used to drop the slot and publication on job deletion. */
  readonly cleanupSource: () => Source;
  readonly cleanup?: CleanupOptions;
}

/** How the daemon's run ended, as far as the control API's answers are concerned. */
export interface FinishOutcome {
  /** Slot cleanup was asked for and failed (the daemon exits 1). */
  readonly cleanupFailed: boolean;
}

/** Longest wait for a replication that is starting (stage CDC, stream being opened). */
const START_WAIT_MS = 10_000;

const ok = (message: string): ControlResult => ({ success: true, message });
const no = (message: string): ControlResult => ({ success: false, message });

export class DaemonController {
  readonly #deps: ControllerDeps;
  readonly #log: Logger;
  #running: RunningPipeline | undefined;
  #source: Source | undefined;
  #sink: Sink | undefined;
  #tables: TableId[];
  #stop: StopRequest | undefined;
  readonly #stopRequested = deferred<StopRequest>();
  readonly #finished = deferred<{ error: unknown; cleanupError: unknown }>();
  /** Resolves when the pipeline is attached or the run is over. */
  readonly #attached = deferred();
  #done = false;
  /** The pipeline failed on a transient error and is being replaced. */
  #reconnecting = false;
  #pausing = false;
  #serial: Promise<unknown> = Promise.resolve();

  constructor(deps: ControllerDeps) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#tables = [...deps.tables];
  }

  // -- Wiring (daemon) -----------------------------------------------------------------------------

  /** The source and sink of the current startup attempt. */
  connectors(source: Source, sink: Sink): void {
    this.#source = source;
    this.#sink = sink;
    const progress = source.snapshotProgress?.bind(source);
    this.#deps.state.snapshotProgress = progress ?? (() => []);
  }

  /** Setup succeeded: the pipeline runs. A stop asked for during setup is applied now. */
  attach(running: RunningPipeline): void {
    this.#running = running;
    this.#reconnecting = false;
    this.#attached.resolve();
    if (this.#stop) this.#apply(running, this.#stop);
  }

  /** The pipeline failed and the daemon reconnects: calls are refused (stops end it) until `attach`. */
  detach(): void {
    this.#running = undefined;
    this.#reconnecting = true;
  }

  /** Set once Stop or DrainAndStop was asked for. */
  get stopRequest(): StopRequest | undefined {
    return this.#stop;
  }

  /** Resolves when Stop or DrainAndStop is asked for. */
  get stopRequested(): Promise<StopRequest> {
    return this.#stopRequested.promise;
  }

  /**
   * The source while the pipeline streams or is paused (for lag and slot queries); undefined
   * otherwise — also while draining, since the source closes at the end of a drain.
   */
  get liveSource(): Source | undefined {
    const { state } = this.#deps;
    if (this.#running === undefined || this.#done || this.#stop !== undefined || state.stage !== 'CDC') return undefined;
    if (state.runState !== 'RUNNING' && state.runState !== 'PAUSED') return undefined;
    return this.#source;
  }

  get tables(): readonly TableId[] {
    return this.#tables;
  }

  /**
   * The run is over (`error`: why the pipeline failed, if it did). Drops the slot and publication when
   * Stop asked for it, then answers the waiting Stop / DrainAndStop calls.
   */
  async finish(error: unknown): Promise<FinishOutcome> {
    if (this.#done) return { cleanupFailed: false };
    this.#done = true;
    let cleanupError: unknown;
    const stop = this.#stop;
    if (stop?.kind === 'stop' && !stop.skipSlotCleanup) {
      this.#log.info('Job deletion: dropping the replication slot and the publication');
      try {
        await destroySourceState(this.#deps.cleanupSource, this.#log, this.#deps.cleanup ?? DEFAULT_CLEANUP);
        this.#log.info({ slot: this.#deps.state.slotName }, 'Replication slot and publication dropped');
      } catch (err) {
        cleanupError = err;
        this.#log.error({ err: toCdcError(err) }, 'Could not drop the replication slot and the publication');
      }
    }
    this.#attached.resolve();
    this.#finished.resolve({ error, cleanupError });
    return { cleanupFailed: cleanupError !== undefined };
  }

  // -- Calls ---------------------------------------------------------------------------------------

  /** The run is over, or the pipeline stopped (a failed setup attempt is not a stop: it is retried). */
  get #stopped(): boolean {
    return this.#done || (this.#running !== undefined && this.#deps.state.runState === 'STOPPED');
  }

  /**
   * Why the pipeline cannot be controlled now, or undefined when it can. In stage CDC the replication
   * may still be starting (the stream is being opened): that is waited for, briefly.
   */
  async #notControllable(what: string): Promise<string | undefined> {
    return (await this.#refusal(what))?.message;
  }

  /** As `#notControllable`, saying also whether it may work later (`unavailable`) or not (`precondition`). */
  async #refusal(what: string): Promise<{ refusal: 'unavailable' | 'precondition'; message: string } | undefined> {
    const { state } = this.#deps;
    if (this.#running === undefined && state.stage === 'CDC' && !this.#done && state.errorDetail === '') {
      await Promise.race([this.#attached.promise, sleep(START_WAIT_MS, undefined, { ref: false })]);
    }
    if (this.#stopped) return { refusal: 'precondition', message: `Cannot ${what}: the daemon has stopped` };
    if (this.#stop !== undefined || state.runState === 'DRAINING') return { refusal: 'precondition', message: `Cannot ${what}: the daemon is stopping` };
    if (this.#running === undefined || state.stage !== 'CDC') {
      const error = state.errorDetail === '' ? '' : `; last error: ${state.errorDetail}`;
      const why = this.#reconnecting ? 'reconnecting' : 'not replicating yet';
      return { refusal: 'unavailable', message: `Cannot ${what}: ${why} (stage ${state.stage}: ${state.stageDetail}${error})` };
    }
    return undefined;
  }

  async pause(): Promise<ControlResult> {
    const why = await this.#notControllable('pause');
    if (why !== undefined) return no(why);
    const running = this.#running;
    if (running === undefined) return no('Cannot pause: not replicating yet');
    if (this.#deps.state.runState === 'PAUSED') return no('CDC is already paused');
    this.#pausing = true;
    try {
      await running.pause();
    } catch (err) {
      return no(`Pause failed: ${toCdcError(err).operatorMessage}`);
    } finally {
      this.#pausing = false;
    }
    const { state } = this.#deps;
    if (state.runState !== 'PAUSED') {
      return no(`Not paused: the state is ${state.runState}${state.errorDetail === '' ? ' (resumed or stopped meanwhile)' : `: ${state.errorDetail}`}`);
    }
    return ok(`CDC paused: reading stopped and everything received was written (confirmed LSN ${formatLsn(state.confirmedLsn)})`);
  }

  async resume(): Promise<ControlResult> {
    const why = await this.#notControllable('resume');
    if (why !== undefined) return no(why);
    if (this.#deps.state.runState !== 'PAUSED' && !this.#pausing) return no('CDC is already running');
    this.#running?.resume();
    return ok(`CDC resumed from LSN ${formatLsn(this.#deps.state.confirmedLsn)}`);
  }

  reload(req: ReloadConfigRequest__Output): Promise<ControlResult> {
    const next = this.#serial.then(() => this.#reload(req));
    this.#serial = next.catch(() => undefined);
    return next;
  }

  async #reload(req: ReloadConfigRequest__Output): Promise<ControlResult> {
    const parsed = parseReload(req, { maxBufferedEvents: this.#deps.maxBufferedEvents });
    if (!parsed.ok) return no(`Nothing was changed: ${parsed.problems.join('; ')}`);
    const { plan } = parsed;
    if (isEmptyPlan(plan)) return no('No configuration changes provided (0 / empty keep the current values)');
    const why = await this.#notControllable('reload the configuration');
    if (why !== undefined) return no(why);
    const running = this.#running;
    const source = this.#source;
    const sink = this.#sink;
    if (running === undefined || source === undefined || sink === undefined) return no('Cannot reload: not replicating yet');

    const done: string[] = [];
    if (plan.tables !== undefined) {
      const result = await changeTables(source, sink, this.#tables, plan.tables);
      this.#setTables(result.tables);
      if (!result.success) {
        const flush = plan.flushSize !== undefined || plan.flushIntervalMs !== undefined ? '; flush settings were not changed' : '';
        return no(`${result.message}${flush}`);
      }
      done.push(result.message);
    }
    if (plan.flushSize !== undefined || plan.flushIntervalMs !== undefined) {
      try {
        running.reload({ flushSize: plan.flushSize, flushIntervalMs: plan.flushIntervalMs });
      } catch (err) {
        return no(`${done.length > 0 ? `${done.join('; ')}; but ` : ''}flush settings were not changed: ${toCdcError(err).operatorMessage}`);
      }
      const changes = [
        ...(plan.flushSize === undefined ? [] : [`flush_size=${plan.flushSize}`]),
        ...(plan.flushIntervalMs === undefined ? [] : [`flush_interval_ms=${plan.flushIntervalMs}`]),
      ];
      done.unshift(`${changes.join(', ')} apply from the next batch`);
    }
    this.#log.info({ changes: done }, 'Configuration reloaded');
    return ok(`Configuration reloaded: ${done.join('; ')}`);
  }

  /**
   * CdcSnapshotService/Resnapshot: copies the current rows of the named tables again (while
   * replicating, paused included). Serialized with ReloadConfig, which changes the table list.
   */
  resnapshot(entries: readonly string[]): Promise<ResnapshotOutcome> {
    const next = this.#serial.then(() => this.#resnapshot(entries));
    this.#serial = next.catch(() => undefined);
    return next;
  }

  async #resnapshot(entries: readonly string[]): Promise<ResnapshotOutcome> {
    const plan = resnapshotTables(entries, this.#tables);
    if (!plan.ok) return plan;
    const why = await this.#refusal('re-snapshot');
    if (why !== undefined) return refuse(why.refusal, why.message);
    const source = this.#source;
    if (source === undefined) return refuse('unavailable', 'Cannot re-snapshot: not replicating yet');
    if (source.resnapshot === undefined) {
      return refuse('unimplemented', `The ${source.type} source cannot copy tables (it has no snapshots); nothing was requested`);
    }
    try {
      await source.resnapshot(plan.tables);
    } catch (err) {
      return refuse('precondition', `Re-snapshot of ${plan.tables.map(formatTableId).join(', ')} failed: ${toCdcError(err).operatorMessage}`);
    }
    this.#log.info({ tables: plan.tables.map(formatTableId) }, plan.message);
    return plan;
  }

  #setTables(tables: readonly TableId[]): void {
    this.#tables = [...tables];
    const { state } = this.#deps;
    state.tables = tables.map(formatTableId);
    state.notify();
  }

  async drainAndStop(): Promise<ControlResult> {
    const { state } = this.#deps;
    if (this.#stopped) return no('CDC is already stopped');
    if (this.#stop !== undefined || state.runState === 'DRAINING') return no('CDC is already draining or stopping');
    const request: StopRequest = { kind: 'drain', skipSlotCleanup: true };
    this.#request(request);
    const stage = `${state.stage}: ${state.stageDetail}`;
    const { error } = await this.#finished.promise;
    if (this.#stop !== request) return no('The drain was interrupted by Stop: buffered changes were not written');
    if (this.#reconnecting) {
      return ok(
        `Stopped while reconnecting (stage ${stage}): nothing was buffered; LSN ${formatLsn(state.confirmedLsn)} stays confirmed and the replication slot is kept`,
      );
    }
    if (this.#running === undefined) return ok(`Stopped during startup (stage ${stage}); replication had not started`);
    if (error !== undefined) {
      return no(`Drain failed: ${this.#failure(error)}; changes after LSN ${formatLsn(state.confirmedLsn)} were not confirmed and are read again on restart`);
    }
    return ok(`Drained and stopped: everything buffered was written and LSN ${formatLsn(state.confirmedLsn)} confirmed; the replication slot is kept`);
  }

  async stop(skipSlotCleanup: boolean): Promise<ControlResult> {
    const { state } = this.#deps;
    if (this.#stopped) return no('CDC is already stopped');
    if (this.#stop?.kind === 'stop') return no('CDC is already stopping');
    const unwritten = state.bufferedEvents + state.inFlightEvents;
    const request: StopRequest = { kind: 'stop', skipSlotCleanup };
    this.#request(request);
    const stage = `${state.stage}: ${state.stageDetail}`;
    const { cleanupError } = await this.#finished.promise;
    const lost = this.#reconnecting
      ? `while reconnecting (stage ${stage}); nothing after LSN ${formatLsn(state.confirmedLsn)} was confirmed`
      : this.#running === undefined
        ? `during startup (stage ${stage}), before replication started`
        : `${unwritten} unwritten event(s) were not confirmed`;
    if (skipSlotCleanup) {
      if (this.#running === undefined) return ok(`CDC stopped ${lost}; the replication slot and the publication are kept`);
      return ok(
        `CDC stopped at confirmed LSN ${formatLsn(state.confirmedLsn)} (${lost}; they are read again on restart); the replication slot and the publication are kept`,
      );
    }
    if (cleanupError !== undefined) {
      return no(
        `CDC stopped, but dropping the replication slot '${state.slotName}' and the publication failed: ${toCdcError(cleanupError).operatorMessage}; remove them by hand`,
      );
    }
    return ok(`CDC stopped (${lost}); the replication slot '${state.slotName}' and the publication were dropped`);
  }

  #request(request: StopRequest): void {
    this.#stop = request;
    this.#log.info(
      { request: request.kind, skipSlotCleanup: request.skipSlotCleanup },
      `${request.kind === 'drain' ? 'DrainAndStop' : 'Stop'} requested over gRPC`,
    );
    this.#stopRequested.resolve(request);
    if (this.#running) this.#apply(this.#running, request);
  }

  #apply(running: RunningPipeline, request: StopRequest): void {
    const op = request.kind === 'drain' ? running.drainAndStop() : running.stopNow();
    op.catch((err: unknown) => this.#log.error({ err: toCdcError(err) }, `${request.kind} failed`));
  }

  #failure(error: unknown): string {
    const detail = this.#deps.state.errorDetail;
    if (detail !== '') return detail;
    return error instanceof CdcError ? error.operatorMessage : String(error);
  }
}
