/**
 * Stream Load transaction interface (docs/starrocks-protocol.md §5): BE side (status-code-name dialect) and FE side
 * (routing, and commit/rollback of non-PREPARE txns answered by the FE itself).
 *
 * Emulator model: a txn is "active on its BE" while in PREPARE (begin → loads). After prepare, commit,
 * user rollback, a timeout or any error the BE context is gone (later BE calls answer TXN_NOT_EXISTS;
 * txn-store.ts `kill`). Data is staged in memory and applied atomically at commit.
 */
import { randomUUID } from 'node:crypto';
import { jobStatusOf } from './labels.js';
import type { Credentials, LoadEngine } from './load-engine.js';
import { type HeaderMap, parseBeHeaders, planLoad } from './load-plan.js';
import { MAX_ERROR_LINES } from './load-reader.js';
import { txnBody } from './responses.js';
import { TxnFrontend, type TxnOp } from './txn-fe.js';
import { type ActiveTxn, TxnStore, txnKey } from './txn-store.js';

export type { TxnOp } from './txn-fe.js';

export interface TxnHttpRequest {
  readonly headers: HeaderMap;
  readonly auth: Credentials | null;
  readonly be: number;
}

export type TxnLoadStart = { readonly kind: 'reply'; readonly body: string } | { readonly kind: 'proceed'; readonly ctx: TxnLoadCtx };
export interface TxnLoadCtx {
  readonly txn: ActiveTxn;
  readonly started: number;
}

export const DEFAULT_PREPARED_TIMEOUT_SEC = 86400;

function positiveInt(v: string | undefined): number | null | 'bad' {
  if (v === undefined) return null;
  if (!/^\s*\d+\s*$/.test(v) || Number(v) <= 0) return 'bad';
  return Number(v);
}

export class TxnApi {
  readonly #store: TxnStore;
  readonly #fe: TxnFrontend;
  private readonly engine: LoadEngine;

  constructor(engine: LoadEngine, beCount: number) {
    this.engine = engine;
    this.#store = new TxnStore(engine);
    this.#fe = new TxnFrontend(this.#store, beCount);
  }

  close(): void {
    this.#store.close();
  }

  /** FE routing: 307 to a BE, or an FE answer (commit/rollback of non-PREPARE txns). */
  feRoute(op: TxnOp, h: HeaderMap): { kind: 'redirect'; be: number } | { kind: 'reply'; body: string } {
    return this.#fe.feRoute(op, h);
  }

  // ------------------------------------------------------------------------------------------
  // BE

  #common(req: TxnHttpRequest): { label: string; db: string } | string {
    const authErr = this.engine.checkAuth(req.auth);
    if (authErr) return txnBody(req.auth ? 'NOT_AUTHORIZED' : 'INVALID_ARGUMENT', authErr);
    if (req.headers.get('transaction_type')?.toLowerCase() === 'multi')
      return txnBody('INVALID_ARGUMENT', 'Multi-statement transaction requests can only be sent to FE nodes, not BE nodes');
    const label = req.headers.get('label');
    if (!label) return txnBody('INVALID_ARGUMENT', 'empty label');
    const db = req.headers.get('db');
    if (!db) return txnBody('INVALID_ARGUMENT', 'No database selected.');
    return { label, db };
  }

  beBegin(req: TxnHttpRequest): string {
    const c = this.#common(req);
    if (typeof c === 'string') return c;
    const h = req.headers;
    const table = h.get('table');
    if (!table) return txnBody('INVALID_ARGUMENT', 'Table name must be specified when calling /begin/transaction/ first time');
    if ((h.get('channel_id') === undefined) !== (h.get('channel_num') === undefined))
      return txnBody(
        'INVALID_ARGUMENT',
        h.get('channel_id') === undefined ? 'Must provide channel_id when stream load begin.' : 'Must provide channel_num when stream load begin.',
      );
    if (h.get('channel_id') !== undefined) return txnBody('INVALID_ARGUMENT', 'The emulator does not support channel transactions (channel_id/channel_num)');
    const key = txnKey(c.db, c.label);
    const live = this.#store.active.get(key);
    if (live && !live.dead) return txnBody('LABEL_ALREADY_EXISTS', '', { existingJobStatus: 'RUNNING' });
    const to = h.get('timeout');
    const be = parseBeHeaders(new Map(to === undefined ? [] : [['timeout', to]]));
    if (!be.ok) return txnBody('INVALID_ARGUMENT', be.message);
    const idle = positiveInt(h.get('idle_transaction_timeout'));
    if (idle === 'bad') return txnBody('INVALID_ARGUMENT', `Invalid idle_transaction_timeout: ${h.get('idle_transaction_timeout') ?? ''}`);
    const started = this.engine.now();
    const b = this.engine.beginTxn({ db: c.db, table, label: c.label, kind: 'transaction' });
    if (!b.ok) {
      if (b.existing) return txnBody('LABEL_ALREADY_EXISTS', b.message, { existingJobStatus: jobStatusOf(b.existing.state) });
      return txnBody('ANALYSIS_ERROR', b.message);
    }
    const t: ActiveTxn = {
      id: randomUUID(),
      record: b.record,
      db: c.db,
      table,
      be: req.be,
      timeoutSec: be.value.timeoutSec,
      idleTimeoutSec: idle,
      began: started,
      plan: null,
      rows: [],
      stats: { total: 0, filtered: 0, unselected: 0, errorLines: [] },
      loadBytes: 0,
      loads: 0,
      busy: false,
      dead: false,
      timers: [],
      idleTimer: null,
      beHeaders: null,
    };
    this.#store.active.set(key, t);
    this.#store.beOf.set(key, req.be);
    this.#store.timer(t, t.timeoutSec, `transaction is aborted by timeout ${t.timeoutSec} seconds.`);
    this.#store.touchIdle(t);
    return txnBody('OK', '', {
      fields: [
        ['Label', c.label],
        ['TxnId', b.record.txnId],
        ['BeginTxnTimeMs', this.engine.now() - started],
      ],
    });
  }

  /** Checks made before `100 Continue` for `/api/transaction/load`. */
  beLoadStart(req: TxnHttpRequest): TxnLoadStart {
    const reply = (body: string): TxnLoadStart => ({ kind: 'reply', body });
    const c = this.#common(req);
    if (typeof c === 'string') return reply(c);
    const t = this.#store.active.get(txnKey(c.db, c.label));
    if (!t) return reply(txnBody('TXN_NOT_EXISTS', `Transaction with label ${c.label} not exists`));
    if (t.busy) return reply(txnBody('TXN_IN_PROCESSING', 'Transaction is in processing, please retry later', { label: c.label }));
    const h = req.headers;
    const tbl = h.get('table');
    if (tbl !== undefined && tbl !== t.table)
      return reply(this.#store.kill(t, 'INVALID_ARGUMENT', `Request table ${tbl} not equal transaction table ${t.table}`));
    const be = parseBeHeaders(h);
    if (!be.ok) return reply(this.#store.kill(t, 'INVALID_ARGUMENT', be.message));
    const table = this.engine.catalog.getTable(t.db, t.table);
    if (!table) return reply(this.#store.kill(t, 'ANALYSIS_ERROR', `unknown table "${t.db}.${t.table}"`));
    const plan = planLoad(table, h, be.value.format, new Date(this.engine.now()));
    if (!plan.ok) return reply(this.#store.kill(t, 'ANALYSIS_ERROR', plan.message));
    if (t.plan && t.plan.signature !== plan.value.signature) return reply(this.#store.kill(t, 'INVALID_ARGUMENT', 'load request not equal last.'));
    t.plan ??= plan.value;
    t.busy = true;
    t.beHeaders = be.value;
    return { kind: 'proceed', ctx: { txn: t, started: this.engine.now() } };
  }

  beLoadFinish(ctx: TxnLoadCtx, body: Buffer): string {
    const t = ctx.txn;
    t.busy = false;
    const be = t.beHeaders;
    if (t.dead || !t.plan || !be) return txnBody('INTERNAL_ERROR', 'current transaction is aborted');
    const out = this.engine.readBody(t.plan, be, body);
    t.stats.total += out.stats.total;
    t.stats.filtered += out.stats.filtered;
    for (const l of out.stats.errorLines) if (t.stats.errorLines.length < MAX_ERROR_LINES) t.stats.errorLines.push(l);
    t.loadBytes += body.length;
    if (!out.ok) return this.#store.kill(t, 'INTERNAL_ERROR', out.message, this.engine.errorUrl(t.be, out.stats.errorLines));
    for (const r of out.rows) t.rows.push(r);
    t.loads++;
    this.#store.touchIdle(t);
    const ms = this.engine.now() - ctx.started;
    return txnBody('OK', '', {
      fields: [
        ['Label', t.record.label],
        ['TxnId', t.record.txnId],
        ['LoadBytes', body.length],
        ['StreamLoadPlanTimeMs', 0],
        ['ReceivedDataTimeMs', ms],
      ],
    });
  }

  /** The body of a `/load` never fully arrived. */
  beLoadAbort(ctx: TxnLoadCtx, reason: string): void {
    ctx.txn.busy = false;
    this.#store.kill(ctx.txn, 'INTERNAL_ERROR', reason);
  }

  bePrepare(req: TxnHttpRequest): string {
    return this.#beFinish(req, 'prepare');
  }

  beCommit(req: TxnHttpRequest): string {
    return this.#beFinish(req, 'commit');
  }

  beRollback(req: TxnHttpRequest): string {
    const c = this.#common(req);
    if (typeof c === 'string') return c;
    const t = this.#store.active.get(txnKey(c.db, c.label));
    if (!t) return txnBody('TXN_NOT_EXISTS', `transaction with label ${c.label} not exists`);
    if (t.busy) return txnBody('TXN_IN_PROCESSING', 'Transaction is in processing, please retry later', { label: c.label });
    this.engine.abortTxn(t.record, 'transaction is aborted by user.');
    this.#store.drop(t);
    this.#store.log(t, 'rollback', 'OK', '');
    return txnBody('OK', '', { fields: [['Label', c.label]] });
  }

  #beFinish(req: TxnHttpRequest, op: 'prepare' | 'commit'): string {
    const c = this.#common(req);
    if (typeof c === 'string') return c;
    const t = this.#store.active.get(txnKey(c.db, c.label));
    if (!t) return txnBody('TXN_NOT_EXISTS', `transaction with label ${c.label} not exists`);
    if (t.busy) return txnBody('TXN_IN_PROCESSING', 'Transaction is in processing, please retry later', { label: c.label });
    let preparedTimeout = DEFAULT_PREPARED_TIMEOUT_SEC;
    if (op === 'prepare') {
      const pt = positiveInt(req.headers.get('prepared_timeout'));
      if (pt === 'bad') return this.#store.kill(t, 'INVALID_ARGUMENT', `Invalid prepared_timeout: ${req.headers.get('prepared_timeout') ?? ''}`);
      if (pt !== null) preparedTimeout = pt;
    }
    if (!t.plan || t.loads === 0) {
      const brief = `id=${t.id}, job_id=-1, txn_id=${t.record.txnId}, label=${t.record.label}, db=${t.db}`;
      return this.#store.kill(t, 'INTERNAL_ERROR', `transaction ${brief} hasn't send any data yet`);
    }
    const errorUrl = this.engine.errorUrl(t.be, t.stats.errorLines);
    if (this.engine.tooManyFiltered(t.plan, t.stats)) return this.#store.kill(t, 'DATA_QUALITY_ERROR', 'too many filtered rows', errorUrl);
    const fields = (): [string, unknown][] => [
      ['Label', t.record.label],
      ['TxnId', t.record.txnId],
      ['NumberTotalRows', t.stats.total],
      ['NumberLoadedRows', t.rows.length],
      ['NumberFilteredRows', t.stats.filtered],
      ['NumberUnselectedRows', t.stats.unselected],
      ['LoadBytes', t.loadBytes],
      ['LoadTimeMs', this.engine.now() - t.began],
      ['StreamLoadPlanTimeMs', 0],
      ['ReceivedDataTimeMs', 0],
      ['WriteDataTimeMs', 0],
      ['CommitAndPublishTimeMs', 0],
    ];
    if (op === 'prepare') {
      this.engine.setTxnState(t.record, 'PREPARED');
      this.#store.clearTimers(t);
      // The BE context is gone after prepare; the FE owns the PREPARED txn (§5.3).
      this.#store.active.delete(txnKey(t.db, t.record.label));
      this.#store.prepared.set(txnKey(t.db, t.record.label), t);
      this.#store.timer(t, preparedTimeout, `transaction is aborted by prepared timeout ${preparedTimeout} seconds.`);
      this.#store.log(t, 'prepare', 'OK', '');
      return txnBody('OK', '', { fields: fields(), errorUrl });
    }
    const err = this.engine.commitRows(t.record, t.plan, t.rows);
    if (err) return this.#store.kill(t, 'INTERNAL_ERROR', err);
    const f = fields();
    this.#store.drop(t);
    this.#store.log(t, 'commit', 'OK', '');
    return txnBody('OK', '', { fields: f, errorUrl });
  }

  // ------------------------------------------------------------------------------------------
}
