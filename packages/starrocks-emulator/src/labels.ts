/**
 * Per-database label/transaction table (docs/starrocks-protocol.md §4).
 *
 * - Label format `^[-\w]{1,128}$` (§4.1) — `labelFormatError(label)`.
 * - One label may have several txn records over time (ABORTED ones are reusable, §4.2); a begin fails
 *   while any retained record with that label is not ABORTED (`begin` returns the blocking record).
 *   Job status for `Label Already Exists`: PREPARE/PREPARED → RUNNING, COMMITTED/VISIBLE → FINISHED.
 * - Retention (§4.2): a final-state record (VISIBLE/ABORTED) is forgotten `labelKeepMaxSecond` after it
 *   finished, or earlier when the db holds more than `labelKeepMaxNum` records (oldest final first).
 *   Eviction runs on every `begin` and `find`.
 * Pure: time is passed in (`now` in ms).
 */

export type TxnState = 'PREPARE' | 'PREPARED' | 'COMMITTED' | 'VISIBLE' | 'ABORTED';
export type TxnKind = 'stream_load' | 'transaction' | 'insert';

export interface TxnRecord {
  readonly txnId: number;
  readonly label: string;
  readonly db: string;
  readonly table: string | null;
  readonly kind: TxnKind;
  state: TxnState;
  /** Abort reason / failure message ('' when none). */
  reason: string;
  readonly createdAt: number;
  finishedAt: number | null;
}

export interface LabelRetention {
  /** Seconds a final-state txn is kept (StarRocks `label_keep_max_second`, default 259200 = 3 days). */
  labelKeepMaxSecond: number;
  /** Max retained txns per db (StarRocks `label_keep_max_num`, default 1000). */
  labelKeepMaxNum: number;
}

export const LABEL_REGEX = /^[-\w]{1,128}$/;

/** `Label format error. regex: ^[-\w]{1,128}$, label: <l>` or null when the label is valid (§2, §4.1). */
export function labelFormatError(label: string): string | null {
  // \w in Java (no UNICODE_CHARACTER_CLASS) is ASCII-only, same as JS without the u flag.
  return LABEL_REGEX.test(label) ? null : `Label format error. regex: ^[-\\w]{1,128}$, label: ${label}`;
}

export function jobStatusOf(state: TxnState): 'RUNNING' | 'FINISHED' | 'ABORTED' {
  if (state === 'COMMITTED' || state === 'VISIBLE') return 'FINISHED';
  if (state === 'ABORTED') return 'ABORTED';
  return 'RUNNING';
}

export function isFinalState(state: TxnState): boolean {
  return state === 'VISIBLE' || state === 'ABORTED';
}

export type BeginResult = { readonly ok: true; readonly record: TxnRecord } | { readonly ok: false; readonly existing: TxnRecord };

export class LabelTable {
  /** All retained records in begin order. */
  readonly #records: TxnRecord[] = [];
  /** Latest retained record per label. */
  readonly #byLabel = new Map<string, TxnRecord>();

  constructor(
    readonly db: string,
    private readonly retention: () => LabelRetention,
  ) {}

  /**
   * Register a new txn for `label`. Fails (returning the blocking record) when a retained record with
   * this label is not ABORTED.
   */
  begin(args: { label: string; txnId: number; table: string | null; kind: TxnKind; now: number }): BeginResult {
    this.evict(args.now);
    const existing = this.#byLabel.get(args.label);
    if (existing && existing.state !== 'ABORTED') return { ok: false, existing };
    const record: TxnRecord = {
      txnId: args.txnId,
      label: args.label,
      db: this.db,
      table: args.table,
      kind: args.kind,
      state: 'PREPARE',
      reason: '',
      createdAt: args.now,
      finishedAt: null,
    };
    this.#records.push(record);
    this.#byLabel.set(args.label, record);
    return { ok: true, record };
  }

  /** Move a record to a new state; final states stamp `finishedAt`. */
  setState(record: TxnRecord, state: TxnState, now: number, reason?: string): void {
    record.state = state;
    if (reason !== undefined) record.reason = reason;
    if (isFinalState(state) || state === 'COMMITTED') record.finishedAt = now;
  }

  /** Latest retained record for a label. */
  find(label: string, now: number): TxnRecord | undefined {
    this.evict(now);
    return this.#byLabel.get(label);
  }

  findByTxnId(txnId: number): TxnRecord | undefined {
    return this.#records.find((r) => r.txnId === txnId);
  }

  /** Retained records, oldest first. */
  records(): readonly TxnRecord[] {
    return this.#records;
  }

  /** Records in PREPARE/PREPARED/COMMITTED state. */
  running(): TxnRecord[] {
    return this.#records.filter((r) => r.state === 'PREPARE' || r.state === 'PREPARED');
  }

  evict(now: number): void {
    const { labelKeepMaxSecond, labelKeepMaxNum } = this.retention();
    const maxAgeMs = labelKeepMaxSecond * 1000;
    let removed = false;
    // age-based
    for (let i = this.#records.length - 1; i >= 0; i--) {
      const r = this.#records[i];
      if (r && isFinalState(r.state) && r.finishedAt !== null && now - r.finishedAt >= maxAgeMs) {
        this.#records.splice(i, 1);
        removed = true;
      }
    }
    // count-based: drop the oldest final-state records first
    if (this.#records.length > labelKeepMaxNum) {
      let excess = this.#records.length - labelKeepMaxNum;
      const finals = this.#records.filter((r) => isFinalState(r.state)).sort((a, b) => (a.finishedAt ?? 0) - (b.finishedAt ?? 0) || a.txnId - b.txnId);
      const drop = new Set<TxnRecord>();
      for (const r of finals) {
        if (excess <= 0) break;
        drop.add(r);
        excess--;
      }
      if (drop.size > 0) {
        for (let i = this.#records.length - 1; i >= 0; i--) {
          const r = this.#records[i];
          if (r && drop.has(r)) this.#records.splice(i, 1);
        }
        removed = true;
      }
    }
    if (removed) {
      this.#byLabel.clear();
      for (const r of this.#records) this.#byLabel.set(r.label, r);
    }
  }
}
