/**
 * Load engine: plain Stream Load end to end (docs/starrocks-protocol.md §1–§4, §6), and the txn/label core shared
 * with the transaction interface (txn-api.ts). No sockets here: the HTTP layer passes headers,
 * credentials and the body; the engine answers with result objects.
 *
 * Order of checks for a Stream Load (all before the body, i.e. before `100 Continue`):
 * BE auth header → BE headers (format, compression, timeout) → JSON size (Content-Length) → FE begin
 * (password, label format, db, table, running-txn limit, label uniqueness) → FE plan (flags, columns,
 * partial update, merge_condition, defaults; failure aborts the txn). After the body: decompress,
 * parse/convert, `max_filter_ratio`, the encoded primary-key limit (pk-limit.ts), then an atomic
 * apply and VISIBLE.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { ErrorLogStore } from './error-log.js';
import type { Catalog, Table } from './catalog.js';

export { ErrorLogStore } from './error-log.js';
import { type TxnKind, type TxnRecord, jobStatusOf, labelFormatError } from './labels.js';
import { applyRows } from './load-apply.js';
import { readJsonBodyFast } from './json-body-fast.js';
import { PRIMARY_KEY_LIMIT_MESSAGE, primaryKeyTooLong } from './pk-limit.js';
import { type BeHeaders, type HeaderMap, type LoadPlan, parseBeHeaders, planLoad } from './load-plan.js';
import { type ReadOutcome, type ReadStats, type RowOp, readCsvBody, readJsonBody } from './load-reader.js';
import { type StreamLoadResult, emptyResult } from './responses.js';

export interface Credentials {
  readonly user: string;
  readonly password: string;
}

export interface LoadLogEntry {
  readonly kind: 'stream_load' | 'transaction';
  readonly label: string;
  readonly db: string;
  readonly table: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly status: string;
  readonly message: string;
  readonly numberTotalRows: number;
  readonly numberLoadedRows: number;
  readonly numberFilteredRows: number;
  /**
   * Rows of the load that hit an existing key with an EQUAL merge_condition value (they apply, §6.4).
   * With dbmazz's commit versions a tie is a change of a transaction that already wrote the row (a
   * transaction split over loads, or one replayed after a crash); tests compare the tied values with
   * what was stored before a restart.
   */
  readonly conditionTies?: number;
  /** The merge_condition value of each tie, as text (present when `conditionTies` > 0). */
  readonly conditionTieValues?: readonly string[];
  readonly txnId: number;
  readonly be: number;
  readonly fault: string | null;
  readonly time: Date;
}

export interface EngineHooks {
  now(): number;
  /** `host:port` of BE number `be` (for ErrorURL). */
  beAddress(be: number): string;
}

export type BeginOutcome =
  | { readonly ok: true; readonly record: TxnRecord; readonly table: Table | null }
  | { readonly ok: false; readonly existing: TxnRecord; readonly message: string }
  | { readonly ok: false; readonly existing?: undefined; readonly message: string };

export interface StreamLoadRequest {
  readonly db: string;
  readonly table: string;
  readonly headers: HeaderMap;
  readonly auth: Credentials | null;
  readonly contentLength: number | null;
  readonly be: number;
}

export interface StreamLoadCtx {
  readonly req: StreamLoadRequest;
  readonly label: string;
  readonly record: TxnRecord;
  readonly plan: LoadPlan;
  readonly beHeaders: BeHeaders;
  readonly started: number;
  readonly beginMs: number;
  readonly planMs: number;
  done: boolean;
}

export type StreamLoadStart = { readonly kind: 'reply'; readonly result: StreamLoadResult } | { readonly kind: 'proceed'; readonly ctx: StreamLoadCtx };

/** What a fault injected at commit time does to the outcome (see faults.ts). */
export type CommitEffect = { readonly kind: 'none' } | { readonly kind: 'fail'; readonly message: string } | { readonly kind: 'publishTimeout' };

export function accessDenied(user: string, password: string): string {
  return `Access denied for user '${user}' (using password: ${password === '' ? 'NO' : 'YES'})`;
}

function headersForLog(h: HeaderMap): Record<string, string> {
  const o: Record<string, string> = {};
  for (const [k, v] of h) if (k !== 'authorization') o[k] = v;
  return o;
}

export class LoadEngine {
  readonly errorLogs = new ErrorLogStore();
  readonly #log: LoadLogEntry[] = [];
  readonly #conditionTies = new Map<number, readonly string[]>();

  constructor(
    readonly catalog: Catalog,
    private readonly hooks: EngineHooks,
  ) {}

  now(): number {
    return this.hooks.now();
  }

  loads(): readonly LoadLogEntry[] {
    return this.#log;
  }

  clearLoads(): void {
    this.#log.length = 0;
  }

  record(entry: Omit<LoadLogEntry, 'time' | 'headers'> & { headers: HeaderMap }): void {
    this.#log.push({ ...entry, headers: headersForLog(entry.headers), time: new Date(this.now()) });
  }

  /** BE-side credential check (§3.3); null when fine. */
  checkAuth(auth: Credentials | null): string | null {
    if (!auth) return 'no valid Basic authorization';
    return this.catalog.checkPassword(auth.user, auth.password) ? null : accessDenied(auth.user, auth.password);
  }

  /** FE `loadTxnBegin`: label format, db, table, running-txn limit, label uniqueness (§3.3, §4). */
  beginTxn(args: { db: string; table: string | null; label: string; kind: TxnKind }): BeginOutcome {
    const fmt = labelFormatError(args.label);
    if (fmt) return { ok: false, message: fmt };
    const db = this.catalog.getDatabase(args.db);
    if (!db) return { ok: false, message: `unknown database, database=${args.db}` };
    let table: Table | null = null;
    if (args.table !== null) {
      table = db.tables.get(args.table) ?? null;
      if (!table) return { ok: false, message: `unknown table "${args.db}.${args.table}"` };
    }
    const running = db.labels.running().length;
    const max = this.catalog.settings.maxRunningTxnNumPerDb;
    if (running >= max) return { ok: false, message: `current running txns on db ${db.id} is ${running}, larger than limit ${max}` };
    const r = db.labels.begin({ label: args.label, txnId: this.catalog.nextTxnId(), table: args.table, kind: args.kind, now: this.now() });
    if (!r.ok) return { ok: false, existing: r.existing, message: `Label [${args.label}] has already been used.` };
    return { ok: true, record: r.record, table };
  }

  abortTxn(record: TxnRecord, reason: string): void {
    if (record.state === 'ABORTED' || record.state === 'COMMITTED' || record.state === 'VISIBLE') return;
    this.catalog.getDatabase(record.db)?.labels.setState(record, 'ABORTED', this.now(), reason);
  }

  setTxnState(record: TxnRecord, state: 'PREPARED' | 'COMMITTED' | 'VISIBLE'): void {
    this.catalog.getDatabase(record.db)?.labels.setState(record, state, this.now());
  }

  /** Decompress (if asked) and read the body. */
  readBody(plan: LoadPlan, be: BeHeaders, body: Buffer): ReadOutcome {
    let raw = body;
    try {
      if (be.compression === 'gzip') raw = gunzipSync(body);
      else if (be.compression === 'deflate') raw = inflateSync(body);
    } catch (e) {
      return {
        ok: false,
        message: `Failed to decompress the body (${be.compression}): ${e instanceof Error ? e.message : String(e)}`,
        stats: { total: 0, filtered: 0, unselected: 0, errorLines: [] },
      };
    }
    const now = new Date(this.now());
    if (plan.format !== 'json') return readCsvBody(plan, raw.toString('utf8'), now);
    // The byte-level reader gives the same rows when every row loads; anything else is read again.
    return readJsonBodyFast(plan, raw) ?? readJsonBody(plan, raw.toString('utf8'), now);
  }

  errorUrl(be: number, lines: readonly string[]): string | undefined {
    if (lines.length === 0) return undefined;
    return `http://${this.hooks.beAddress(be)}/api/_load_error_log?file=${this.errorLogs.save(be, lines)}`;
  }

  /** `filtered / (total − unselected) > max_filter_ratio` (§2). */
  tooManyFiltered(plan: LoadPlan, s: ReadStats): boolean {
    const denom = s.total - s.unselected;
    return denom > 0 && s.filtered / denom > plan.maxFilterRatio;
  }

  /** Apply staged rows and make the txn VISIBLE. Returns an error message if the table is gone. */
  commitRows(record: TxnRecord, plan: LoadPlan, rows: readonly RowOp[]): string | null {
    const table = this.catalog.getTable(plan.db, plan.table);
    if (!table) {
      this.abortTxn(record, `unknown table "${plan.db}.${plan.table}"`);
      return `unknown table "${plan.db}.${plan.table}"`;
    }
    const stats = applyRows(table, plan.targets, rows, { partialUpdate: plan.partialUpdate, mergeCondition: plan.mergeCondition, now: new Date(this.now()) });
    if (stats.conditionTies > 0) this.#conditionTies.set(record.txnId, stats.conditionTieValues);
    this.setTxnState(record, 'COMMITTED');
    this.setTxnState(record, 'VISIBLE');
    return null;
  }

  // ------------------------------------------------------------------------------------------
  // Plain Stream Load

  startStreamLoad(req: StreamLoadRequest): StreamLoadStart {
    const started = this.now();
    const label = req.headers.get('label') ?? randomUUID();
    const fail = (message: string, txnId = -1): StreamLoadStart => {
      const result = { ...emptyResult(label), txnId, message, loadTimeMs: this.now() - started };
      this.#logResult(req, result, null);
      return { kind: 'reply', result };
    };
    const authErr = this.checkAuth(req.auth);
    if (authErr) return fail(authErr);
    const be = parseBeHeaders(req.headers);
    if (!be.ok) return fail(be.message);
    const limit = this.catalog.settings.jsonMaxBytes;
    if (be.value.format === 'json' && req.contentLength !== null && req.contentLength > limit && !be.value.ignoreJsonSize) {
      return fail(
        `The size of this batch exceed the max size [${limit}]  of json type data  data [ ${req.contentLength} ]. Set ignore_json_size to skip the check, although it may lead huge memory consuming.`,
      );
    }
    const begin = this.beginTxn({ db: req.db, table: req.table, label, kind: 'stream_load' });
    if (!begin.ok) {
      if (begin.existing) {
        const st = jobStatusOf(begin.existing.state);
        const result: StreamLoadResult = {
          ...emptyResult(label),
          status: 'Label Already Exists',
          existingJobStatus: st === 'FINISHED' ? 'FINISHED' : 'RUNNING',
          message: begin.message,
          loadTimeMs: this.now() - started,
        };
        this.#logResult(req, result, null);
        return { kind: 'reply', result };
      }
      return fail(begin.message);
    }
    const beginMs = this.now() - started;
    const table = begin.table;
    if (!table) return fail(`unknown table "${req.db}.${req.table}"`);
    const plan = planLoad(table, req.headers, be.value.format, new Date(this.now()));
    if (!plan.ok) {
      this.abortTxn(begin.record, plan.message);
      return fail(plan.message, begin.record.txnId);
    }
    const ctx: StreamLoadCtx = {
      req,
      label,
      record: begin.record,
      plan: plan.value,
      beHeaders: be.value,
      started,
      beginMs,
      planMs: this.now() - started - beginMs,
      done: false,
    };
    return { kind: 'proceed', ctx };
  }

  /** The body did not arrive (connection lost, size mismatch, …): abort. */
  abortStreamLoad(ctx: StreamLoadCtx, reason: string, fault: string | null = null): StreamLoadResult {
    ctx.done = true;
    this.abortTxn(ctx.record, reason);
    const result = { ...emptyResult(ctx.label), txnId: ctx.record.txnId, message: reason, loadTimeMs: this.now() - ctx.started };
    this.#logResult(ctx.req, result, fault);
    return result;
  }

  finishStreamLoad(ctx: StreamLoadCtx, body: Buffer, effect: CommitEffect = { kind: 'none' }, fault: string | null = null): StreamLoadResult {
    ctx.done = true;
    const readStart = this.now();
    const out = this.readBody(ctx.plan, ctx.beHeaders, body);
    const readMs = this.now() - readStart;
    const s = out.stats;
    const base: StreamLoadResult = {
      ...emptyResult(ctx.label),
      txnId: ctx.record.txnId,
      numberTotalRows: s.total,
      numberLoadedRows: out.ok ? out.rows.length : 0,
      numberFilteredRows: s.filtered,
      numberUnselectedRows: s.unselected,
      loadBytes: body.length,
      beginTxnTimeMs: ctx.beginMs,
      streamLoadPlanTimeMs: ctx.planMs,
      readDataTimeMs: readMs,
    };
    const finish = (r: StreamLoadResult): StreamLoadResult => {
      const result = { ...r, loadTimeMs: this.now() - ctx.started };
      this.#logResult(ctx.req, result, fault);
      return result;
    };
    const failWith = (message: string, errorLines: readonly string[] = s.errorLines): StreamLoadResult => {
      this.abortTxn(ctx.record, message);
      return finish({ ...base, status: 'Fail', message, errorUrl: this.errorUrl(ctx.req.be, errorLines) });
    };
    if (!out.ok) return failWith(out.message);
    if (this.tooManyFiltered(ctx.plan, s)) return failWith('too many filtered rows');
    const target = this.catalog.getTable(ctx.plan.db, ctx.plan.table);
    if (target && primaryKeyTooLong(target, ctx.plan.targets, out.rows)) return failWith(PRIMARY_KEY_LIMIT_MESSAGE, []);
    if (effect.kind === 'fail') return failWith(effect.message, []);
    const writeStart = this.now();
    const err = this.commitRows(ctx.record, ctx.plan, out.rows);
    if (err) return finish({ ...base, status: 'Fail', message: err, numberLoadedRows: 0 });
    const writeMs = this.now() - writeStart;
    const errorUrl = this.errorUrl(ctx.req.be, s.errorLines);
    if (effect.kind === 'publishTimeout') {
      return finish({
        ...base,
        status: 'Publish Timeout',
        message: `Publish timeout. The data will be visible after a while, txn_id: ${ctx.record.txnId}, label: ${ctx.label} (emulator fault)`,
        writeDataTimeMs: writeMs,
        errorUrl,
      });
    }
    return finish({ ...base, status: 'Success', message: 'OK', writeDataTimeMs: writeMs, errorUrl });
  }

  #takeTies(txnId: number): { conditionTies: number; conditionTieValues?: readonly string[] } {
    const values = this.#conditionTies.get(txnId);
    this.#conditionTies.delete(txnId);
    return values === undefined ? { conditionTies: 0 } : { conditionTies: values.length, conditionTieValues: values };
  }

  #logResult(req: StreamLoadRequest, r: StreamLoadResult, fault: string | null): void {
    this.record({
      kind: 'stream_load',
      label: r.label,
      db: req.db,
      table: req.table,
      headers: req.headers,
      status: r.status,
      message: r.message,
      numberTotalRows: r.numberTotalRows,
      numberLoadedRows: r.numberLoadedRows,
      numberFilteredRows: r.numberFilteredRows,
      ...this.#takeTies(r.txnId),
      txnId: r.txnId,
      be: req.be,
      fault,
    });
  }

  /** §4.3 state of a label; null when the db does not exist. */
  loadState(db: string, label: string): { state: string; reason: string } | null {
    const d = this.catalog.getDatabase(db);
    if (!d) return null;
    const r = d.labels.find(label, this.now());
    return r ? { state: r.state, reason: r.reason } : { state: 'UNKNOWN', reason: '' };
  }
}
