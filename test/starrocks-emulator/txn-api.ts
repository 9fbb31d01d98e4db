/**
 * Stream Load transaction interface (PROTOCOL.md §5): BE side (status-code-name dialect) and FE side
 * (routing, and commit/rollback of non-PREPARE txns answered by the FE itself).
 *
 * Emulator model: a txn is "active on its BE" while in PREPARE (begin → loads). After prepare, commit,
 * user rollback or a timeout the BE context is gone (BE answers TXN_NOT_EXISTS); after an error the
 * context stays as a dead marker (`current transaction is aborted`). Data is staged in memory and
 * applied atomically at commit.
 */
import { randomUUID } from 'node:crypto';
import type { TxnRecord } from './labels.js';
import { jobStatusOf } from './labels.js';
import type { Credentials, LoadEngine } from './load-engine.js';
import { type BeHeaders, type HeaderMap, type LoadPlan, parseBeHeaders, planLoad } from './load-plan.js';
import { MAX_ERROR_LINES, type ReadStats, type RowOp } from './load-reader.js';
import { feTransactionResult, txnBody } from './responses.js';

export type TxnOp = 'begin' | 'load' | 'prepare' | 'commit' | 'rollback';

export interface TxnHttpRequest {
  readonly headers: HeaderMap;
  readonly auth: Credentials | null;
  readonly be: number;
}

interface ActiveTxn {
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
}

export type TxnLoadStart = { readonly kind: 'reply'; readonly body: string } | { readonly kind: 'proceed'; readonly ctx: TxnLoadCtx };
export interface TxnLoadCtx {
  readonly txn: ActiveTxn;
  readonly started: number;
}

const FE_PREFIX = 'class com.starrocks.common.StarRocksException: ';
export const DEFAULT_PREPARED_TIMEOUT_SEC = 86400;

function positiveInt(v: string | undefined): number | null | 'bad' {
  if (v === undefined) return null;
  if (!/^\s*\d+\s*$/.test(v) || Number(v) <= 0) return 'bad';
  return Number(v);
}

export class TxnApi {
  readonly #active = new Map<string, ActiveTxn>();
  /** BE chosen at begin, per db+label (§5.1). */
  readonly #beOf = new Map<string, number>();
  #rr = 0;

  constructor(
    private readonly engine: LoadEngine,
    private readonly beCount: number,
  ) {}

  close(): void {
    for (const t of this.#active.values()) this.#clearTimers(t);
    this.#active.clear();
  }

  // ------------------------------------------------------------------------------------------
  // FE

  /** FE routing: 307 to a BE, or an FE answer (commit/rollback of non-PREPARE txns). */
  feRoute(op: TxnOp, h: HeaderMap): { kind: 'redirect'; be: number } | { kind: 'reply'; body: string } {
    const label = h.get('label');
    const db = h.get('db');
    if (!label) return { kind: 'reply', body: feTransactionResult('FAILED', `${FE_PREFIX}Empty label.`) };
    if (!db) return { kind: 'reply', body: feTransactionResult('FAILED', `${FE_PREFIX}No database selected.`) };
    const key = `${db}\u0000${label}`;
    if (op === 'begin') {
      if (!h.get('table')) return { kind: 'reply', body: feTransactionResult('FAILED', `${FE_PREFIX}Table name must be specified when calling /begin/transaction/ first time`) };
      const live = this.#active.get(key);
      const be = live && !live.dead ? live.be : this.#rr++ % this.beCount;
      this.#beOf.set(key, be);
      return { kind: 'redirect', be };
    }
    const record = this.engine.catalog.getDatabase(db)?.labels.find(label, this.engine.now());
    const notFound = { kind: 'reply' as const, body: feTransactionResult('FAILED', `${FE_PREFIX}No transaction found with db[${db}] and label[${label}]`) };
    if ((op === 'commit' || op === 'rollback') && record && record.state !== 'PREPARE') return { kind: 'reply', body: this.#feFinish(op, record) };
    const be = this.#beOf.get(key);
    if (be === undefined) return notFound;
    return { kind: 'redirect', be };
  }

  #feFinish(op: 'commit' | 'rollback', r: TxnRecord): string {
    const extra = { Label: r.label, TxnId: r.txnId };
    if (op === 'commit') {
      if (r.state === 'COMMITTED' || r.state === 'VISIBLE') return feTransactionResult('OK', `Transaction ${r.txnId} has already committed, label is ${r.label}`, extra);
      if (r.state === 'ABORTED') return feTransactionResult('FAILED', `${FE_PREFIX}Can not commit ABORTED transaction ${r.txnId}, label is ${r.label}`, extra);
      // PREPARED
      const t = this.#prepared.get(`${r.db}\u0000${r.label}`);
      if (!t || !t.plan) return feTransactionResult('FAILED', `${FE_PREFIX}No transaction found with db[${r.db}] and label[${r.label}]`);
      const err = this.engine.commitRows(r, t.plan, t.rows);
      this.#drop(t);
      this.#logTxn(t, 'commit', err ? 'FAILED' : 'OK', err ?? '');
      return err ? feTransactionResult('FAILED', `${FE_PREFIX}${err}`, extra) : feTransactionResult('OK', '', extra);
    }
    if (r.state === 'ABORTED') return feTransactionResult('OK', `Transaction ${r.txnId} has already aborted, label is ${r.label}`, extra);
    if (r.state === 'COMMITTED' || r.state === 'VISIBLE') return feTransactionResult('FAILED', `${FE_PREFIX}Can not abort ${r.state} transaction ${r.txnId}, label is ${r.label}`, extra);
    const t = this.#prepared.get(`${r.db}\u0000${r.label}`);
    this.engine.abortTxn(r, 'User Aborted');
    if (t) this.#drop(t);
    return feTransactionResult('OK', '', extra);
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
      return txnBody('INVALID_ARGUMENT', h.get('channel_id') === undefined ? 'Must provide channel_id when stream load begin.' : 'Must provide channel_num when stream load begin.');
    if (h.get('channel_id') !== undefined) return txnBody('INVALID_ARGUMENT', 'The emulator does not support channel transactions (channel_id/channel_num)');
    const key = `${c.db}\u0000${c.label}`;
    const live = this.#active.get(key);
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
    };
    this.#active.set(key, t);
    this.#beOf.set(key, req.be);
    this.#timer(t, t.timeoutSec, `transaction is aborted by timeout ${t.timeoutSec} seconds.`);
    this.#touchIdle(t);
    return txnBody('OK', '', { fields: [['Label', c.label], ['TxnId', b.record.txnId], ['BeginTxnTimeMs', this.engine.now() - started]] });
  }

  /** Checks made before `100 Continue` for `/api/transaction/load`. */
  beLoadStart(req: TxnHttpRequest): TxnLoadStart {
    const reply = (body: string): TxnLoadStart => ({ kind: 'reply', body });
    const c = this.#common(req);
    if (typeof c === 'string') return reply(c);
    const t = this.#active.get(`${c.db}\u0000${c.label}`);
    if (!t) return reply(txnBody('TXN_NOT_EXISTS', `Transaction with label ${c.label} not exists`));
    if (t.dead) return reply(txnBody('INTERNAL_ERROR', 'current transaction is aborted'));
    if (t.busy) return reply(txnBody('TXN_IN_PROCESSING', 'Transaction is in processing, please retry later', { label: c.label }));
    const h = req.headers;
    const tbl = h.get('table');
    if (tbl !== undefined && tbl !== t.table) return reply(this.#kill(t, 'INVALID_ARGUMENT', `Request table ${tbl} not equal transaction table ${t.table}`));
    const be = parseBeHeaders(h);
    if (!be.ok) return reply(this.#kill(t, 'INVALID_ARGUMENT', be.message));
    const table = this.engine.catalog.getTable(t.db, t.table);
    if (!table) return reply(this.#kill(t, 'ANALYSIS_ERROR', `unknown table "${t.db}.${t.table}"`));
    const plan = planLoad(table, h, be.value.format, new Date(this.engine.now()));
    if (!plan.ok) return reply(this.#kill(t, 'ANALYSIS_ERROR', plan.message));
    if (t.plan && t.plan.signature !== plan.value.signature) return reply(this.#kill(t, 'INVALID_ARGUMENT', 'load request not equal last.'));
    t.plan ??= plan.value;
    t.busy = true;
    this.#beHeaders.set(t, be.value);
    return { kind: 'proceed', ctx: { txn: t, started: this.engine.now() } };
  }

  readonly #beHeaders = new WeakMap<ActiveTxn, BeHeaders>();

  beLoadFinish(ctx: TxnLoadCtx, body: Buffer): string {
    const t = ctx.txn;
    t.busy = false;
    const be = this.#beHeaders.get(t);
    if (t.dead || !t.plan || !be) return txnBody('INTERNAL_ERROR', 'current transaction is aborted');
    const out = this.engine.readBody(t.plan, be, body);
    t.stats.total += out.stats.total;
    t.stats.filtered += out.stats.filtered;
    for (const l of out.stats.errorLines) if (t.stats.errorLines.length < MAX_ERROR_LINES) t.stats.errorLines.push(l);
    t.loadBytes += body.length;
    if (!out.ok) return this.#kill(t, 'INTERNAL_ERROR', out.message, this.engine.errorUrl(t.be, out.stats.errorLines));
    for (const r of out.rows) t.rows.push(r);
    t.loads++;
    this.#touchIdle(t);
    const ms = this.engine.now() - ctx.started;
    return txnBody('OK', '', {
      fields: [['Label', t.record.label], ['TxnId', t.record.txnId], ['LoadBytes', body.length], ['StreamLoadPlanTimeMs', 0], ['ReceivedDataTimeMs', ms]],
    });
  }

  /** The body of a `/load` never fully arrived. */
  beLoadAbort(ctx: TxnLoadCtx, reason: string): void {
    ctx.txn.busy = false;
    this.#kill(ctx.txn, 'INTERNAL_ERROR', reason);
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
    const t = this.#active.get(`${c.db}\u0000${c.label}`);
    if (!t) return txnBody('TXN_NOT_EXISTS', `transaction with label ${c.label} not exists`);
    if (t.busy) return txnBody('TXN_IN_PROCESSING', 'Transaction is in processing, please retry later', { label: c.label });
    this.engine.abortTxn(t.record, 'transaction is aborted by user.');
    this.#drop(t);
    this.#logTxn(t, 'rollback', 'OK', '');
    return txnBody('OK', '', { fields: [['Label', c.label]] });
  }

  #beFinish(req: TxnHttpRequest, op: 'prepare' | 'commit'): string {
    const c = this.#common(req);
    if (typeof c === 'string') return c;
    const t = this.#active.get(`${c.db}\u0000${c.label}`);
    if (!t) return txnBody('TXN_NOT_EXISTS', `transaction with label ${c.label} not exists`);
    if (t.dead) return txnBody('INTERNAL_ERROR', 'current transaction is aborted');
    if (t.busy) return txnBody('TXN_IN_PROCESSING', 'Transaction is in processing, please retry later', { label: c.label });
    let preparedTimeout = DEFAULT_PREPARED_TIMEOUT_SEC;
    if (op === 'prepare') {
      const pt = positiveInt(req.headers.get('prepared_timeout'));
      if (pt === 'bad') return this.#kill(t, 'INVALID_ARGUMENT', `Invalid prepared_timeout: ${req.headers.get('prepared_timeout') ?? ''}`);
      if (pt !== null) preparedTimeout = pt;
    }
    if (!t.plan || t.loads === 0) {
      const brief = `id=${t.id}, job_id=-1, txn_id=${t.record.txnId}, label=${t.record.label}, db=${t.db}`;
      return this.#kill(t, 'INTERNAL_ERROR', `transaction ${brief} hasn't send any data yet`);
    }
    const errorUrl = this.engine.errorUrl(t.be, t.stats.errorLines);
    if (this.engine.tooManyFiltered(t.plan, t.stats)) return this.#kill(t, 'DATA_QUALITY_ERROR', 'too many filtered rows', errorUrl);
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
      this.#clearTimers(t);
      // The BE context is gone after prepare; the FE owns the PREPARED txn (§5.3).
      this.#active.delete(`${t.db}\u0000${t.record.label}`);
      this.#prepared.set(`${t.db}\u0000${t.record.label}`, t);
      this.#timer(t, preparedTimeout, `transaction is aborted by prepared timeout ${preparedTimeout} seconds.`);
      this.#logTxn(t, 'prepare', 'OK', '');
      return txnBody('OK', '', { fields: fields(), errorUrl });
    }
    const err = this.engine.commitRows(t.record, t.plan, t.rows);
    if (err) return this.#kill(t, 'INTERNAL_ERROR', err);
    const f = fields();
    this.#drop(t);
    this.#logTxn(t, 'commit', 'OK', '');
    return txnBody('OK', '', { fields: f, errorUrl });
  }

  /** PREPARED txns (owned by the FE). */
  readonly #prepared = new Map<string, ActiveTxn>();

  // ------------------------------------------------------------------------------------------

  /** Abort after an error; the BE context stays as a dead marker. */
  #kill(t: ActiveTxn, status: string, message: string, errorUrl?: string): string {
    this.engine.abortTxn(t.record, message);
    t.dead = true;
    this.#clearTimers(t);
    this.#logTxn(t, 'abort', status, message);
    return txnBody(status, message, { errorUrl });
  }

  #drop(t: ActiveTxn): void {
    this.#clearTimers(t);
    const key = `${t.db}\u0000${t.record.label}`;
    if (this.#active.get(key) === t) this.#active.delete(key);
    if (this.#prepared.get(key) === t) this.#prepared.delete(key);
  }

  #timer(t: ActiveTxn, seconds: number, reason: string): void {
    const h = setTimeout(() => {
      this.engine.abortTxn(t.record, reason);
      this.#drop(t);
    }, seconds * 1000);
    h.unref();
    t.timers.push(h);
  }

  #touchIdle(t: ActiveTxn): void {
    if (t.idleTimeoutSec === null) return;
    if (t.idleTimer) clearTimeout(t.idleTimer);
    const sec = t.idleTimeoutSec;
    t.idleTimer = setTimeout(() => {
      if (t.busy) return;
      this.engine.abortTxn(t.record, `transaction is aborted by idle timeout ${sec} seconds.`);
      this.#drop(t);
    }, sec * 1000);
    t.idleTimer.unref();
  }

  #clearTimers(t: ActiveTxn): void {
    for (const h of t.timers) clearTimeout(h);
    t.timers = [];
    if (t.idleTimer) clearTimeout(t.idleTimer);
    t.idleTimer = null;
  }

  #logTxn(t: ActiveTxn, op: string, status: string, message: string): void {
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
