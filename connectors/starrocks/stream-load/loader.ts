/**
 * One labelled Stream Load, start to durable (docs/starrocks-protocol.md §3.1, §4.4):
 * - `Success` / `Publish Timeout` → done (Publish Timeout is committed: never retried).
 * - `Label Already Exists` + `FINISHED` → an earlier attempt committed it: done.
 * - `Label Already Exists` + `RUNNING` → poll `get_load_state` until VISIBLE/COMMITTED (done) or
 *   ABORTED/UNKNOWN (send again with the same label, once; then leave it to the pipeline's retry).
 * - `Fail` → classified CdcError; for rejected rows the first lines of the error log are included.
 * The label-state poll is the only loop here (besides the client's redirects); all other retries
 * belong to the pipeline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectorContext } from '../../../core/index.js';
import { CdcError } from '../../../core/index.js';
import type { LoadContext } from '../errors.js';
import { httpStatusError, loadFailError } from '../errors.js';
import type { StreamLoadClient } from './client.js';
import type { FeApi, LabelState } from './fe-api.js';
import { parseStreamLoadReply } from './response.js';

export interface LoadJob extends LoadContext {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface LoadResult {
  /** `Success`, `Publish Timeout`, or `Label Already Exists` when an earlier attempt had committed it. */
  readonly status: string;
  readonly alreadyLoaded: boolean;
  readonly loadedRows: number;
  readonly filteredRows: number;
  readonly sends: number;
}

export interface LoaderOptions {
  readonly pollIntervalMs: number;
  /** How long a RUNNING label is polled before giving up (retriable). */
  readonly labelWaitMs: number;
  readonly logger: ConnectorContext['logger'];
  readonly now?: () => number;
}

const MAX_SENDS = 2;

export class StreamLoader {
  constructor(
    private readonly client: StreamLoadClient,
    private readonly fe: FeApi,
    private readonly o: LoaderOptions,
  ) {}

  async load(job: LoadJob, signal?: AbortSignal): Promise<LoadResult> {
    for (let send = 1; ; send++) {
      const reply = await this.client.put(job.path, job.headers, job.body, signal);
      const retryAfter = reply.headers['retry-after'];
      const outcome = parseStreamLoadReply(reply.status, reply.body, typeof retryAfter === 'string' ? retryAfter : undefined);
      switch (outcome.kind) {
        case 'success': {
          if (outcome.filteredRows > 0) {
            const lines = outcome.errorUrl ? await this.fe.errorLog(outcome.errorUrl, 10, signal) : [];
            this.o.logger.warn(
              { table: `${job.db}.${job.table}`, label: job.label, filteredRows: outcome.filteredRows, errorUrl: outcome.errorUrl, errorLog: lines },
              'StarRocks rejected rows of a load (accepted by SINK_MAX_FILTER_RATIO); these rows are lost',
            );
          }
          if (outcome.status.toLowerCase() === 'publish timeout') {
            this.o.logger.info({ table: `${job.db}.${job.table}`, label: job.label }, 'load committed; it becomes visible after publish');
          }
          return { status: outcome.status, alreadyLoaded: false, loadedRows: outcome.loadedRows, filteredRows: outcome.filteredRows, sends: send };
        }
        case 'label-exists': {
          if (outcome.existing !== 'FINISHED') {
            const state = await this.waitForLabel(job, signal);
            if (state !== 'VISIBLE' && state !== 'COMMITTED') {
              if (send < MAX_SENDS) continue; // ABORTED: the label is free again, send it again
              throw new CdcError({
                code: 'SINK_LOAD',
                retry: 'retry',
                message: `Stream Load into ${job.db}.${job.table}: label ${job.label} was ${state} after an earlier attempt; it will be sent again`,
              });
            }
          }
          this.o.logger.info({ table: `${job.db}.${job.table}`, label: job.label }, 'label already loaded by an earlier attempt; skipping');
          return { status: 'Label Already Exists', alreadyLoaded: true, loadedRows: 0, filteredRows: 0, sends: send };
        }
        case 'fail': {
          const filtered = /too many filtered rows/i.test(outcome.message) || (outcome.filteredRows ?? 0) > 0;
          const lines = filtered && outcome.errorUrl ? await this.fe.errorLog(outcome.errorUrl, 10, signal) : [];
          const err = loadFailError(job, outcome.message, lines);
          if (lines.length > 0) {
            this.o.logger.error({ table: `${job.db}.${job.table}`, label: job.label, errorUrl: outcome.errorUrl, errorLog: lines }, 'StarRocks rejected rows');
          }
          throw err;
        }
        case 'http-error':
          throw httpStatusError(job, outcome.httpStatus, outcome.message, outcome.retryAfterMs);
      }
    }
  }

  /**
   * Like `load`, but returns only once the load is visible to queries: a `Publish Timeout` (or an
   * earlier attempt found COMMITTED) is committed but maybe not yet visible, so its label is polled
   * until VISIBLE. For writes that are read back right after (the state store).
   */
  async loadVisible(job: LoadJob, signal?: AbortSignal): Promise<LoadResult> {
    const result = await this.load(job, signal);
    if (result.status.toLowerCase() !== 'success') await this.waitForLabel(job, signal, true);
    return result;
  }

  private async waitForLabel(job: LoadJob, signal?: AbortSignal, untilVisible = false): Promise<LabelState> {
    const now = this.o.now ?? Date.now;
    const deadline = now() + this.o.labelWaitMs;
    for (;;) {
      const state = await this.fe.labelState(job.db, job.label, signal);
      if (state === 'VISIBLE' || (!untilVisible && (state === 'COMMITTED' || state === 'ABORTED' || state === 'UNKNOWN'))) return state;
      if (now() >= deadline) {
        throw new CdcError({
          code: 'SINK_TIMEOUT',
          retry: 'retry',
          message: `Stream Load into ${job.db}.${job.table}: label ${job.label} is still ${state} after ${this.o.labelWaitMs} ms`,
        });
      }
      try {
        await sleep(this.o.pollIntervalMs, undefined, signal ? { signal } : undefined);
      } catch (cause) {
        throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: `Stream Load into ${job.db}.${job.table} aborted`, cause });
      }
    }
  }
}
