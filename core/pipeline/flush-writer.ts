/**
 * Executes a flush against the sink: plans it (per-table batches, schema changes, truncates), then runs
 * tables in parallel up to `tableConcurrency`, the steps of one table in order, every sink call through
 * the retry policy. Resolves when every write of the flush is durable; rejects with the first final error.
 * It keeps the table schemas the sink knows, to announce changes.
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
import type { BufferItem } from './event-buffer.js';
import { planFlush, type FlushPhase, type TableStep, type TableWork } from './flush-plan.js';
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

export class FlushWriter {
  /** Tables whose ignored TRUNCATE was warned about (later ones are logged at debug). */
  private readonly truncateWarned = new Set<string>();
  private schemas: ReadonlyMap<string, TableSchema>;

  constructor(private readonly deps: FlushWriterDeps) {
    this.schemas = new Map(deps.tables.map((t) => [tableKey(t.id), t]));
  }

  async write(items: readonly BufferItem[]): Promise<void> {
    const plan = planFlush(items, this.schemas, this.deps.pipelineId);
    // A failed flush is fatal for the pipeline, so the sink's schemas can be taken as planned.
    this.schemas = plan.schemas;
    for (const phase of plan.phases) await this.runPhase(phase);
  }

  private async runPhase(phase: FlushPhase): Promise<void> {
    if (phase.kind === 'truncate') {
      await this.truncate(phase);
      return;
    }
    await runLimited(phase.tables, this.deps.tableConcurrency, (work) => this.runTable(work));
  }

  private async runTable(work: TableWork): Promise<void> {
    for (const step of work.steps) await this.runStep(work.table, step);
  }

  private async runStep(table: string, step: TableStep): Promise<void> {
    if (step.kind === 'write') {
      await this.writeBatch(table, step.batch);
      return;
    }
    const { sink, logger } = this.deps;
    if (step.kind === 'sweep') {
      if (sink.sweep === undefined) {
        logger.warn({ table }, 'Snapshot complete; the sink cannot remove rows the source no longer has (no sweep), so such rows stay');
        return;
      }
      const sweep = sink.sweep.bind(sink);
      const removed = await this.retrying(table, 'sweep', () => sweep(step.schema, step.before, this.deps.signal));
      logger.info({ table, removed }, removed > 0 ? 'Snapshot complete; removed target rows the source no longer has' : 'Snapshot complete; no stale target rows');
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

  private async writeBatch(table: string, batch: TableBatch): Promise<void> {
    const { sink, state, logger, clock, signal } = this.deps;
    const started = clock.now();
    let attempts = 0;
    const result = await this.retrying(table, 'write', (attempt) => {
      attempts = attempt;
      return sink.write(batch, signal);
    });
    state.totals.batches += 1;
    state.totals.rowsLoaded += result.rowsWritten;
    state.totals.loads += result.loads;
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          table,
          rows: batch.records.length,
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
        hint:
          'Choose what the target does with it, then restart (the TRUNCATE is read again): TRUNCATE_POLICY=apply truncates the target table too, TRUNCATE_POLICY=ignore keeps its rows.',
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
    await this.retrying(tables.join(','), 'truncate', () => truncate(phase.tables, this.deps.signal, phase.lsn));
    logger.info({ tables, lsn }, 'TRUNCATE applied');
  }

  private retrying<T>(table: string, what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    const { state, logger, clock, random, retry, signal } = this.deps;
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
