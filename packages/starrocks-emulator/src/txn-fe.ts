/**
 * FE side of the transaction interface (docs/starrocks-protocol.md §5.1, §5.3): 307 routing to the BE of a label, and
 * the FE's own answers to commit/rollback of txns that are not PREPARE (idempotent on repeat).
 */
import type { TxnRecord } from './labels.js';
import type { HeaderMap } from './load-plan.js';
import { feTransactionResult } from './responses.js';
import { type TxnStore, txnKey } from './txn-store.js';

export type TxnOp = 'begin' | 'load' | 'prepare' | 'commit' | 'rollback';
export const FE_PREFIX = 'class com.starrocks.common.StarRocksException: ';

export class TxnFrontend {
  #rr = 0;

  constructor(
    private readonly store: TxnStore,
    private readonly beCount: number,
  ) {}

  /** FE routing: 307 to a BE, or an FE answer (commit/rollback of non-PREPARE txns). */
  feRoute(op: TxnOp, h: HeaderMap): { kind: 'redirect'; be: number } | { kind: 'reply'; body: string } {
    const label = h.get('label');
    const db = h.get('db');
    if (!label) return { kind: 'reply', body: feTransactionResult('FAILED', `${FE_PREFIX}Empty label.`) };
    if (!db) return { kind: 'reply', body: feTransactionResult('FAILED', `${FE_PREFIX}No database selected.`) };
    const key = txnKey(db, label);
    if (op === 'begin') {
      if (!h.get('table'))
        return { kind: 'reply', body: feTransactionResult('FAILED', `${FE_PREFIX}Table name must be specified when calling /begin/transaction/ first time`) };
      const live = this.store.active.get(key);
      const be = live && !live.dead ? live.be : this.#rr++ % this.beCount;
      this.store.beOf.set(key, be);
      return { kind: 'redirect', be };
    }
    const record = this.store.engine.catalog.getDatabase(db)?.labels.find(label, this.store.engine.now());
    const notFound = { kind: 'reply' as const, body: feTransactionResult('FAILED', `${FE_PREFIX}No transaction found with db[${db}] and label[${label}]`) };
    if ((op === 'commit' || op === 'rollback') && record && record.state !== 'PREPARE') return { kind: 'reply', body: this.#feFinish(op, record) };
    const be = this.store.beOf.get(key);
    if (be === undefined) return notFound;
    return { kind: 'redirect', be };
  }

  #feFinish(op: 'commit' | 'rollback', r: TxnRecord): string {
    const extra = { Label: r.label, TxnId: r.txnId };
    if (op === 'commit') {
      if (r.state === 'COMMITTED' || r.state === 'VISIBLE')
        return feTransactionResult('OK', `Transaction ${r.txnId} has already committed, label is ${r.label}`, extra);
      if (r.state === 'ABORTED') return feTransactionResult('FAILED', `${FE_PREFIX}Can not commit ABORTED transaction ${r.txnId}, label is ${r.label}`, extra);
      // PREPARED
      const t = this.store.prepared.get(txnKey(r.db, r.label));
      if (!t || !t.plan) return feTransactionResult('FAILED', `${FE_PREFIX}No transaction found with db[${r.db}] and label[${r.label}]`);
      const err = this.store.engine.commitRows(r, t.plan, t.rows);
      this.store.drop(t);
      this.store.log(t, 'commit', err ? 'FAILED' : 'OK', err ?? '');
      return err ? feTransactionResult('FAILED', `${FE_PREFIX}${err}`, extra) : feTransactionResult('OK', '', extra);
    }
    if (r.state === 'ABORTED') return feTransactionResult('OK', `Transaction ${r.txnId} has already aborted, label is ${r.label}`, extra);
    if (r.state === 'COMMITTED' || r.state === 'VISIBLE')
      return feTransactionResult('FAILED', `${FE_PREFIX}Can not abort ${r.state} transaction ${r.txnId}, label is ${r.label}`, extra);
    const t = this.store.prepared.get(txnKey(r.db, r.label));
    this.store.engine.abortTxn(r, 'User Aborted');
    if (t) this.store.drop(t);
    return feTransactionResult('OK', '', extra);
  }
}
