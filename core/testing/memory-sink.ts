/**
 * An in-memory Sink for tests. It keeps every call in order (`log`), the durable batches, and lets a test
 * inject failures (`failNext`), hold writes (`hold` / `release`, e.g. a slow or hanging sink) or run
 * its own code (`onWrite`). Held writes honour the abort signal. It flags two writes of the same table
 * running at once (`sameTableOverlaps`), which the Sink contract forbids unless both are batches of
 * snapshot blocks (counted apart, `blockOverlaps`).
 */
import { CdcError } from '../errors/errors.js';
import type { ChangeRecord } from '../model/change-record.js';
import { blockRecords } from '../model/row-block.js';
import { tableKey, type TableId, type TableSchema } from '../model/table.js';
import type { SinkCapabilities } from '../plugin/capabilities.js';
import type { Sink, SinkSetupContext, TableBatch, WriteResult } from '../plugin/sink.js';

export interface MemorySinkOptions {
  readonly type?: string;
  readonly capabilities?: Partial<SinkCapabilities>;
  readonly failures?: { readonly validateConnection?: unknown; readonly setup?: unknown };
  /** false: the sink has no `schemaChanged` hook. */
  readonly schemaHook?: boolean;
  /** false: the sink has no `truncate`. */
  readonly truncate?: boolean;
}

export type MemorySinkEntry =
  | { readonly op: 'write'; readonly table: string; readonly batch: TableBatch; readonly attempt: number }
  | { readonly op: 'durable'; readonly table: string; readonly batch: TableBatch }
  | { readonly op: 'schemaChanged'; readonly table: string; readonly schema: TableSchema; readonly previous: TableSchema | undefined }
  | { readonly op: 'truncate'; readonly tables: readonly string[] };

export type MemorySinkCall = 'validateConnection' | 'setup' | 'close';

export class MemorySink implements Sink {
  readonly type: string;
  readonly capabilities: SinkCapabilities;
  readonly calls: MemorySinkCall[] = [];
  /** Every sink call and every durable batch, in order. */
  readonly log: MemorySinkEntry[] = [];
  /** Batches whose write resolved, in order. */
  readonly durable: TableBatch[] = [];
  setupTables: readonly TableSchema[] | undefined;
  /** The context of the last setup call. */
  setupContext: SinkSetupContext | undefined;
  closed = false;
  /** Writes of one table that overlapped (must stay 0). */
  sameTableOverlaps = 0;
  /** Block batches of one table written at once (allowed, Sink). */
  blockOverlaps = 0;
  /** Most writes running at once. */
  maxConcurrentWrites = 0;
  /** Custom behaviour, run before a write becomes durable; throw to fail the write. */
  onWrite: ((batch: TableBatch, attempt: number, signal: AbortSignal) => Promise<void> | void) | undefined;

  private readonly options: MemorySinkOptions;
  private readonly attempts = new WeakMap<TableBatch, number>();
  private readonly active = new Map<string, number>();
  private readonly activeBlocks = new Map<string, number>();
  private running = 0;
  private failures: unknown[] = [];
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  constructor(options: MemorySinkOptions = {}) {
    this.options = options;
    this.type = options.type ?? 'memory';
    this.capabilities = { partialUpdate: true, softDelete: false, idempotentBatches: true, ...options.capabilities };
    // The optional hooks are absent (not undefined-valued) when switched off, as in a real sink.
    if (options.schemaHook === false) Object.defineProperty(this, 'schemaChanged', { value: undefined });
    if (options.truncate === false) Object.defineProperty(this, 'truncate', { value: undefined });
  }

  /** The next `times` writes fail with `error` (before doing anything). */
  failNext(error: unknown, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push(error);
  }

  /** From now on writes wait until `release` (or until aborted). */
  hold(): void {
    if (this.gate !== undefined) return;
    let open!: () => void;
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    this.gate = { promise, open };
  }

  release(): void {
    const gate = this.gate;
    this.gate = undefined;
    gate?.open();
  }

  /** Writes currently running. */
  get inProgress(): number {
    return this.running;
  }

  /** Every durable record of `table` (`schema.name` or `name` in `public`), in write order. */
  rows(table: string): ChangeRecord[] {
    const key = table.includes('.') ? table : `public.${table}`;
    return this.durable.filter((b) => tableKey(b.schema.id) === key).flatMap((b) => (b.rows !== undefined ? blockRecords(b.rows) : [...b.records]));
  }

  /** Write calls (attempts included) in order. */
  get writes(): Extract<MemorySinkEntry, { op: 'write' }>[] {
    return this.log.filter((e): e is Extract<MemorySinkEntry, { op: 'write' }> => e.op === 'write');
  }

  // -- Sink ---------------------------------------------------------------------------------------

  async validateConnection(): Promise<void> {
    this.calls.push('validateConnection');
    if (this.options.failures?.validateConnection !== undefined) throw this.options.failures.validateConnection;
  }

  async setup(tables: readonly TableSchema[], context?: SinkSetupContext): Promise<void> {
    this.calls.push('setup');
    this.setupContext = context;
    if (this.options.failures?.setup !== undefined) throw this.options.failures.setup;
    this.setupTables = tables;
  }

  async schemaChanged(schema: TableSchema, previous: TableSchema | undefined): Promise<void> {
    this.log.push({ op: 'schemaChanged', table: tableKey(schema.id), schema, previous });
  }

  async truncate(tables: readonly TableId[]): Promise<void> {
    this.log.push({ op: 'truncate', tables: tables.map(tableKey) });
  }

  async write(batch: TableBatch, signal: AbortSignal): Promise<WriteResult> {
    const table = tableKey(batch.schema.id);
    const attempt = (this.attempts.get(batch) ?? 0) + 1;
    this.attempts.set(batch, attempt);
    this.log.push({ op: 'write', table, batch, attempt });
    const active = this.active.get(table) ?? 0;
    const activeBlocks = this.activeBlocks.get(table) ?? 0;
    const isBlock = batch.rows !== undefined;
    // Two block batches of a table may overlap (Sink); anything else with another write may not.
    if (isBlock && active > 0 && active === activeBlocks) this.blockOverlaps += 1;
    else if (active > 0) this.sameTableOverlaps += 1;
    this.active.set(table, active + 1);
    if (isBlock) this.activeBlocks.set(table, activeBlocks + 1);
    this.running += 1;
    this.maxConcurrentWrites = Math.max(this.maxConcurrentWrites, this.running);
    try {
      const failure = this.failures.shift();
      if (failure !== undefined) throw failure;
      if (this.gate !== undefined) await abortable(this.gate.promise, signal);
      await this.onWrite?.(batch, attempt, signal);
      if (signal.aborted) throw signal.reason;
      this.durable.push(batch);
      this.log.push({ op: 'durable', table, batch });
      const rows = batch.rows?.length ?? batch.records.length;
      return { rowsWritten: rows, bytesWritten: rows * 64, loads: 1 };
    } finally {
      this.running -= 1;
      this.active.set(table, (this.active.get(table) ?? 1) - 1);
      if (isBlock) this.activeBlocks.set(table, (this.activeBlocks.get(table) ?? 1) - 1);
    }
  }

  async close(): Promise<void> {
    this.calls.push('close');
    this.closed = true;
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason ?? new CdcError({ code: 'SINK_TIMEOUT', message: 'Write aborted.', retry: 'retry' }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, reject);
  });
}
