/**
 * State of the transaction interface (docs/starrocks-protocol.md §5): live BE contexts (PREPARE), PREPARED txns owned
 * by the FE, the BE chosen per label, and the txn timers. Used by txn-api.ts (BE) and txn-fe.ts (FE).
 */
import type { TxnRecord } from './labels.js';
import type { LoadEngine } from './load-engine.js';
import type { BeHeaders, LoadPlan } from './load-plan.js';
import type { ReadStats, RowOp } from './load-reader.js';
import { txnBody } from './responses.js';

export interface ActiveTxn {
  readonly id: string;
  readonly record: TxnRecord;
  readonly db: string;
  readonly table: string;
  readonly be: number;
  readonly timeoutSec: number;
  readonly idleTimeoutSec: number | null;
  readonly began: number;
  plan: LoadPlan | null;
  rows: RowOp[];
  stats: ReadStats;
  loadBytes: number;
  loads: number;
  busy: boolean;
  dead: boolean;
  timers: NodeJS.Timeout[];
  idleTimer: NodeJS.Timeout | null;
  beHeaders: BeHeaders | null;
}

export const txnKey = (db: string, label: string): string => `${db}\u0000${label}`;

export class TxnStore {
  /** Txns in PREPARE, by db+label (the BE context). */
  readonly active = new Map<string, ActiveTxn>();
  /** PREPARED txns (owned by the FE). */
  readonly prepared = new Map<string, ActiveTxn>();
  /** BE chosen at begin, per db+label (§5.1). */
  readonly beOf = new Map<string, number>();

  constructor(readonly engine: LoadEngine) {}

  close(): void {
    for (const t of [...this.active.values(), ...this.prepared.values()]) this.clearTimers(t);
    this.active.clear();
    this.prepared.clear();
  }

  /**
   * Abort after an error. StarRocks rolls the txn back and removes the BE stream-load context on every
   * error path (`TransactionMgr::_rollback_transaction` → `stream_context_mgr()->remove(label)`, called
   * from TransactionStreamLoadAction::on_header/handle and TransactionMgr::commit_transaction;
   * be/src/runtime/stream_load/transaction_mgr.cpp, be/src/http/action/transaction_stream_load.cpp), so
   * later /load, /prepare, /commit and /rollback calls answer TXN_NOT_EXISTS. `dead` stays set for a
   * request still holding the txn object.
   */
  kill(t: ActiveTxn, status: string, message: string, errorUrl?: string): string {
    this.engine.abortTxn(t.record, message);
    t.dead = true;
    this.drop(t);
    this.log(t, 'abort', status, message);
    return txnBody(status, message, { errorUrl });
  }

  drop(t: ActiveTxn): void {
    this.clearTimers(t);
    const key = `${t.db}\u0000${t.record.label}`;
    if (this.active.get(key) === t) this.active.delete(key);
    if (this.prepared.get(key) === t) this.prepared.delete(key);
  }

  timer(t: ActiveTxn, seconds: number, reason: string): void {
    const h = setTimeout(() => {
      this.engine.abortTxn(t.record, reason);
      this.drop(t);
    }, seconds * 1000);
    h.unref();
    t.timers.push(h);
  }

  touchIdle(t: ActiveTxn): void {
    if (t.idleTimeoutSec === null) return;
    if (t.idleTimer) clearTimeout(t.idleTimer);
    const sec = t.idleTimeoutSec;
    t.idleTimer = setTimeout(() => {
      if (t.busy) return;
      this.engine.abortTxn(t.record, `transaction is aborted by idle timeout ${sec} seconds.`);
      this.drop(t);
    }, sec * 1000);
    t.idleTimer.unref();
  }

  clearTimers(t: ActiveTxn): void {
    for (const h of t.timers) clearTimeout(h);
    t.timers = [];
    if (t.idleTimer) clearTimeout(t.idleTimer);
    t.idleTimer = null;
  }

  log(t: ActiveTxn, op: string, status: string, message: string): void {
    this.engine.record({
      kind: 'transaction',
      label: t.record.label,
      db: t.db,
      table: t.table,
      headers: new Map([['txn_op', op]]),
      status,
      message,
      numberTotalRows: t.stats.total,
      numberLoadedRows: t.rows.length,
      numberFilteredRows: t.stats.filtered,
      txnId: t.record.txnId,
      be: t.be,
      fault: null,
    });
  }
}
