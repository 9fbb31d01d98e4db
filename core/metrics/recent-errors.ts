/**
 * The last errors, for the dashboard: the runtime state's operator error (setup or replication
 * failed) each time it is set, and every failed sink write (retried or not) with its table. The same
 * message repeated in a row (a retry loop) is one entry with a count. Bounded; in memory only.
 */
import type { CdcError } from '../errors/errors.js';
import type { RuntimeState } from '../runtime/state.js';

export interface RecentError {
  /** Unix time of the first occurrence, ms. */
  readonly at: number;
  /** Unix time of the last occurrence, ms. */
  lastAt: number;
  count: number;
  /** Where: `pipeline` (the stage error), or `sink <table>`. */
  readonly source: string;
  readonly code: string;
  readonly message: string;
  /** Sink writes only: whether the write is retried. */
  readonly retried: boolean;
}

export class RecentErrors {
  readonly #entries: RecentError[] = [];
  readonly #unsubscribe: () => void;
  #lastDetail = '';

  constructor(
    private readonly state: Pick<RuntimeState, 'errorDetail' | 'stage' | 'onChange'>,
    private readonly max = 20,
    private readonly now: () => number = Date.now,
  ) {
    this.#unsubscribe = state.onChange(() => this.#checkState());
    this.#checkState();
  }

  #checkState(): void {
    const detail = this.state.errorDetail;
    if (detail === this.#lastDetail) return;
    this.#lastDetail = detail;
    if (detail !== '') this.record({ source: 'pipeline', code: `STAGE_${this.state.stage}`, message: detail, retried: false });
  }

  /** A failed sink write of `table` (the observer's `writeFailed`). */
  sinkWriteFailed(table: string, error: CdcError): void {
    this.record({ source: `sink ${table}`, code: error.code, message: error.operatorMessage, retried: error.retry === 'retry' });
  }

  record(e: { source: string; code: string; message: string; retried: boolean }): void {
    const at = this.now();
    const last = this.#entries.at(-1);
    if (last !== undefined && last.source === e.source && last.message === e.message) {
      last.count++;
      last.lastAt = at;
      return;
    }
    this.#entries.push({ ...e, at, lastAt: at, count: 1 });
    if (this.#entries.length > this.max) this.#entries.splice(0, this.#entries.length - this.max);
  }

  /** Newest first, as copies. */
  list(): RecentError[] {
    return this.#entries.map((e) => ({ ...e })).reverse();
  }

  dispose(): void {
    this.#unsubscribe();
  }
}
