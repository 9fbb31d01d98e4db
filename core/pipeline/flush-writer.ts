/**
 * Executes flushes against the sink: plans each (per-table batches, schema changes, truncates), then
 * runs its tables in parallel up to `tableConcurrency`, the steps of one table in order, every sink call
 * through the retry policy. `write` resolves when every write of the flush is durable; rejects with the
 * first final error. It keeps the table schemas the sink knows, to announce changes.
 *
 * Flushes may overlap (the scheduler starts the next one while one is in flight), in order:
 * - a table's first step in a flush waits until its steps of every earlier flush have ended (durable).
 *   A sink that declares `awaitsReady` gets the batch at once with that wait as `ready` and prepares it
 *   meanwhile; any other sink is called only after it. One exception: a table's work that is only
 *   snapshot blocks waits for the table's earlier changes, not for its earlier blocks
 *   (`onlySnapshotBlocks`): the loads of consecutive chunks of a copy overlap;
 * - a `barrier` plan (truncate, schema change, sweep: flush-plan.ts) starts once every earlier flush has
 *   ended, and every later flush waits for it to end before it hands anything to the sink;
 * - the first failure of any flush aborts the others (their waits reject, their sink calls are
 *   aborted): nothing is sent after it, and every flush rejects with that first error.
 */
import type { Logger } from 'pino';
import { CdcError } from '../errors/errors.js';
import { formatLsn } from '../model/lsn.js';
import { formatTableId, tableKey, type TableSchema } from '../model/table.js';
import type { Sink, TableBatch } from '../plugin/sink.js';
import type { RuntimeState } from '../runtime/state.js';
import type { RetryPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import { runLimited } from './concurrency.js';
import { deferred, rejected, type Deferred } from './deferred.js';
import type { BufferItem } from './event-buffer.js';
import { planFlush, type FlushPhase, type FlushPlan, type TableStep, type TableWork } from './flush-plan.js';
import type { TruncatePolicy } from './options.js';
import { withRetry } from './retry.js';

export interface FlushWriterDeps {
  readonly sink: Sink;
  readonly state: RuntimeState;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly random: () => number;
  readonly retry: RetryPolicy;
  readonly tableConcurrency: number;
  /** Aborts sink calls and retry waits (stop now, fatal error). */
  readonly signal: AbortSignal;
  readonly pipelineId: string;
  /** The table schemas the sink was set up with. */
  readonly tables: readonly TableSchema[];
  /** TRUNCATE_POLICY: see options.ts. */
  readonly truncatePolicy: TruncatePolicy;
}

/**
 * What a table's next steps wait for: `all`, the end of every earlier step of the table; `ordered`,
 * the end of every step up to its latest one that is not only snapshot blocks.
 */
interface TableOrder {
  readonly all: Promise<void>;
  readonly ordered: Promise<void>;
}

/**
 * Steps of snapshot blocks only (TableBatch.rows): the rows of different blocks of a table are distinct
 * keys (chunks of a keyset, or keys read again because they moved or conflicted, which the chunks that
 * read them earlier left out), or the same key read at the same version with the same values, and each
 * row carries its version. So blocks land the same whatever order their loads finish in, and they need
 * not wait for each other: only for the table's earlier changes.
 */
function onlySnapshotBlocks(work: TableWork): boolean {
  return work.steps.every((step) => step.kind === 'write' && step.batch.rows !== undefined && step.batch.records.length === 0);
}

/** A table's place in the order of flushes. */
interface TableTurn {
  /** Resolves once the table's steps of every earlier flush are durable; rejects on a failure. */
  readonly ready: Promise<void>;
  /** Settled by this flush once its steps of the table have ended (never rejected). */
  readonly ended: Deferred;
}

const RESOLVED = Promise.resolve();
const nothing = (): void => undefined;

export class FlushWriter {
  /** Tables whose ignored TRUNCATE was warned about (later ones are logged at debug). */
  private readonly truncateWarned = new Set<string>();
  private schemas: ReadonlyMap<string, TableSchema>;
  /** The pipeline's signal, or the first failed flush: aborts every sink call and retry wait. */
  private readonly abort = new AbortController();
  private failure: { readonly error: unknown } | undefined;
  /** Settles once every flush so far has ended. */
  private allEnded: Promise<void> = RESOLVED;
  /** Settles once the latest barrier flush (and every flush before it) has ended. */
  private barrierEnded: Promise<void> = RESOLVED;
  /** Per table: the ends its later steps wait for (TableOrder). */
  private readonly tableOrder = new Map<string, TableOrder>();

  constructor(private readonly deps: FlushWriterDeps) {
    this.schemas = new Map(deps.tables.map((t) => [tableKey(t.id), t]));
    const { signal } = deps;
    if (signal.aborted) this.abort.abort(signal.reason);
    else signal.addEventListener('abort', () => this.abort.abort(signal.reason), { once: true });
  }

  /** Plans the flush now (after every earlier one); resolves once all of it is durable. */
  write(items: readonly BufferItem[]): Promise<void> {
    if (this.failure !== undefined) return rejected(this.failure.error);
    let plan: FlushPlan;
    try {
      plan = planFlush(items, this.schemas, this.deps.pipelineId);
    } catch (err) {
      this.fail(err);
      return rejected(err);
    }
    // A failed flush is fatal for the pipeline, so the sink's schemas can be taken as planned.
    this.schemas = plan.schemas;
    const ended = deferred();
    const earlier = this.allEnded;
    this.allEnded = Promise.all([earlier, ended.promise]).then(nothing);
    if (plan.barrier) {
      this.barrierEnded = this.allEnded;
      return this.run(plan, ended, new Map(), this.turnAfter(earlier));
    }
    const turns = new Map<string, TableTurn>();
    for (const phase of plan.phases) {
      if (phase.kind !== 'tables') continue;
      for (const work of phase.tables) {
        const tableEnded = deferred();
        const order = this.tableOrder.get(work.table) ?? { all: RESOLVED, ordered: RESOLVED };
        const independent = onlySnapshotBlocks(work);
        const previous = independent ? order.ordered : order.all;
        const all = Promise.all([order.all, tableEnded.promise]).then(nothing);
        this.tableOrder.set(work.table, { all, ordered: independent ? order.ordered : all });
        turns.set(work.table, { ready: this.turnAfter(previous), ended: tableEnded });
      }
    }
    // Nothing of it reaches the sink, not even to be prepared, before the latest barrier has ended: the
    // sink prepares a batch with what it knows of the target, which a truncate or schema change alters.
    return this.run(plan, ended, turns, this.turnAfter(this.barrierEnded));
  }

  private async run(plan: FlushPlan, ended: Deferred, turns: ReadonlyMap<string, TableTurn>, start: Promise<void>): Promise<void> {
    try {
      await start;
      for (const phase of plan.phases) await this.runPhase(phase, turns);
    } catch (err) {
      this.fail(err);
      throw this.failure?.error ?? err;
    } finally {
      for (const turn of turns.values()) turn.ended.resolve();
      ended.resolve();
    }
  }

  /**
   * Resolves after `earlier` (which never rejects) unless a flush failed or the pipeline aborted
   * meanwhile; never unhandled. A failure aborts the flushes still running, so `earlier` ends soon.
   */
  private turnAfter(earlier: Promise<unknown>): Promise<void> {
    const turn = earlier.then(() => {
      if (this.failure !== undefined) throw this.failure.error;
      if (this.abort.signal.aborted) throw this.abort.signal.reason;
    });
    turn.catch(nothing);
    return turn;
  }

  /** The first failure wins: it aborts every other flush's sink calls and waits. */
  private fail(err: unknown): void {
    if (this.failure !== undefined) return;
    this.failure = { error: err };
    this.abort.abort(err);
  }

  private async runPhase(phase: FlushPhase, turns: ReadonlyMap<string, TableTurn>): Promise<void> {
    if (phase.kind === 'truncate') {
      await this.truncate(phase);
      return;
    }
    await runLimited(phase.tables, this.deps.tableConcurrency, (work) => this.runTable(work, turns.get(work.table)));
  }

  private async runTable(work: TableWork, turn: TableTurn | undefined): Promise<void> {
    try {
      for (const [i, step] of work.steps.entries()) await this.runStep(work.table, step, i === 0 ? turn?.ready : undefined);
    } catch (err) {
      // Before `ended` settles: a later flush waiting for this table must see the failure.
      this.fail(err);
      throw err;
    } finally {
      turn?.ended.resolve();
    }
  }

  /** `ready`: the table's turn (first step of a table in an overlapping flush); else it is its turn. */
  private async runStep(table: string, step: TableStep, ready: Promise<void> | undefined): Promise<void> {
    if (step.kind === 'write') {
      await this.writeBatch(table, step.batch, ready);
      return;
    }
    // Only barrier plans have other steps, and they start when it is their turn.
    const { sink, logger } = this.deps;
    if (step.kind === 'sweep') {
      if (sink.sweep === undefined) {
        logger.warn({ table }, 'Snapshot complete; the sink cannot remove rows the source no longer has (no sweep), so such rows stay');
        return;
      }
      const sweep = sink.sweep.bind(sink);
      const removed = await this.retrying(table, 'sweep', () => sweep(step.schema, step.before, this.abort.signal));
      logger.info(
        { table, removed },
        removed > 0 ? 'Snapshot complete; removed target rows the source no longer has' : 'Snapshot complete; no stale target rows',
      );
      return;
    }
    const columns = step.schema.columns.map((c) => c.name);
    if (sink.schemaChanged === undefined) {
      logger.info({ table, columns }, 'Source table schema changed; the sink has no schema hook');
      return;
    }
    const schemaChanged = sink.schemaChanged.bind(sink);
    await this.retrying(table, 'schema change', () => schemaChanged(step.schema, step.previous));
    logger.info({ table, columns }, 'Source table schema changed; sink updated');
  }

  private async writeBatch(table: string, batch: TableBatch, ready: Promise<void> | undefined): Promise<void> {
    const { sink, state, logger, clock } = this.deps;
    const { signal } = this.abort;
    // A sink that cannot prepare before its turn is called only then.
    const early = ready !== undefined && sink.awaitsReady === true;
    if (ready !== undefined && !early) await ready;
    const started = clock.now();
    let attempts = 0;
    const result = await this.retrying(table, 'write', (attempt) => {
      attempts = attempt;
      return early ? sink.write(batch, signal, { ready }) : sink.write(batch, signal);
    });
    state.totals.batches += 1;
    state.totals.rowsLoaded += result.rowsWritten;
    state.totals.loads += result.loads;
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          table,
          rows: batch.rows?.length ?? batch.records.length,
          rowsWritten: result.rowsWritten,
          bytes: result.bytesWritten,
          loads: result.loads,
          attempts,
          ms: Math.round(clock.now() - started),
          firstLsn: formatLsn(batch.firstLsn),
          lastLsn: formatLsn(batch.lastLsn),
        },
        'Batch written',
      );
    }
  }

  private async truncate(phase: Extract<FlushPhase, { kind: 'truncate' }>): Promise<void> {
    const { sink, state, logger, truncatePolicy } = this.deps;
    const tables = phase.tables.map(formatTableId);
    const lsn = formatLsn(phase.lsn);
    if (truncatePolicy === 'fail') {
      throw new CdcError({
        code: 'SINK_DATA',
        retry: 'never',
        message: `TRUNCATE of ${tables.join(', ')} at ${lsn} stops replication (TRUNCATE_POLICY=fail); it and every later change are unconfirmed.`,
        hint: 'Choose what the target does with it, then restart (the TRUNCATE is read again): TRUNCATE_POLICY=apply truncates the target table too, TRUNCATE_POLICY=ignore keeps its rows.',
      });
    }
    if (truncatePolicy === 'ignore' || sink.truncate === undefined) {
      state.totals.truncatesIgnored += 1;
      const fields = { tables, lsn, ignored: state.totals.truncatesIgnored };
      const why =
        truncatePolicy === 'ignore'
          ? 'TRUNCATE ignored (TRUNCATE_POLICY=ignore): the target rows are kept; set TRUNCATE_POLICY=apply to truncate the target too'
          : `TRUNCATE not applied: the ${sink.type} sink cannot truncate; target rows are kept`;
      const fresh = phase.tables.map(tableKey).filter((t) => !this.truncateWarned.has(t));
      if (fresh.length > 0) {
        for (const t of fresh) this.truncateWarned.add(t);
        logger.warn(fields, why);
      } else {
        logger.debug(fields, why);
      }
      return;
    }
    const truncate = sink.truncate.bind(sink);
    await this.retrying(tables.join(','), 'truncate', () => truncate(phase.tables, this.abort.signal, phase.lsn));
    logger.info({ tables, lsn }, 'TRUNCATE applied');
  }

  private retrying<T>(table: string, what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    const { state, logger, clock, random, retry } = this.deps;
    const { signal } = this.abort;
    return withRetry(op, {
      policy: retry,
      sleep: (ms, s) => clock.sleep(ms, s),
      random,
      signal,
      onRetry: (retryNo: number, delayMs: number, error: CdcError) => {
        state.totals.retries += 1;
        logger.warn(
          { table, attempt: retryNo, maxAttempts: retry.maxAttempts, delayMs, code: error.code, error: error.message },
          `Sink ${what} failed; retrying`,
        );
      },
    });
  }
}
