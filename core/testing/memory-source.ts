/**
 * An in-memory Source for tests. Events queued with `emit` are delivered in order and synchronously
 * while the handler accepts them; when the handler returns a promise the source stops delivering until
 * it settles, exactly as a real source pauses its socket (a rejection ends the stream with that error).
 * It records lifecycle calls and acknowledgements so tests can assert on them.
 */
import { CdcError } from '../errors/errors.js';
import { LSN_ZERO, type Lsn } from '../model/lsn.js';
import type { TableId, TableSchema } from '../model/table.js';
import type { SourceCapabilities } from '../plugin/capabilities.js';
import type { Source, SourceEvent, SourceEventHandler, SourceIdentity, SourceSetupResult, SourceStatus, TableSnapshotProgress } from '../plugin/source.js';

export interface MemorySourceOptions {
  readonly tables: readonly TableSchema[];
  readonly type?: string;
  readonly capabilities?: Partial<SourceCapabilities>;
  /** Errors the lifecycle methods throw (e.g. a CdcError with an operator hint). */
  readonly failures?: {
    readonly validateConnection?: unknown;
    readonly setup?: unknown;
    readonly start?: unknown;
  };
  /** Position confirmed in an earlier run (resume point). */
  readonly confirmedPosition?: Lsn;
  /** What `identity()` answers; without it the source has no `identity` method. */
  readonly identity?: SourceIdentity;
  /** Called after each event was handed to the handler (e.g. to sample the pipeline's buffer). */
  readonly onDelivered?: (event: SourceEvent) => void;
  /** Snapshot support (`snapshotProgress`, `resnapshot`); without it the source has neither method. */
  readonly snapshots?: MemorySnapshotOptions;
  /** true: a source without a server-side slot, with `resumeFrom` (the runtime keeps its position). */
  readonly resumable?: boolean;
}

export interface MemorySnapshotOptions {
  /** What `snapshotProgress()` answers, read at each call (tests change it between calls). */
  readonly progress: () => readonly TableSnapshotProgress[];
  /** What `resnapshot` throws; without it the request is recorded in `resnapshots`. */
  readonly resnapshotFailure?: unknown;
}

export type MemorySourceCall = 'validateConnection' | 'inspect' | 'setup' | 'start' | 'pause' | 'resume' | 'stop' | 'close';

export class MemorySource implements Source {
  readonly type: string;
  readonly capabilities: SourceCapabilities;
  /** Lifecycle calls in order. */
  readonly calls: MemorySourceCall[] = [];
  /** Every acknowledged position, in call order. */
  readonly acknowledged: Lsn[] = [];
  /** Events handed to the handler. */
  delivered = 0;
  /** How often the handler returned a promise (the source had to wait). */
  waits = 0;
  /** True while waiting for the handler's promise. */
  waiting = false;
  /** The position the source reported on stop (its last acknowledged one). */
  positionSentOnStop: Lsn | undefined;
  paused = false;
  closed = false;
  identity?: () => Promise<SourceIdentity>;
  snapshotProgress?: () => readonly TableSnapshotProgress[];
  resnapshot?: (tables: readonly TableId[]) => Promise<void>;
  /** The tables of each `resnapshot` call that succeeded, in call order. */
  readonly resnapshots: (readonly TableId[])[] = [];
  resumeFrom?: (saved: Lsn | undefined) => void;
  /** Each position `resumeFrom` was called with, in call order. */
  readonly resumedFrom: (Lsn | undefined)[] = [];

  private readonly options: MemorySourceOptions;
  private readonly queue: SourceEvent[] = [];
  private head = 0;
  private handler: SourceEventHandler | undefined;
  private pumping = false;
  private stopped = false;
  private ended = false;
  private received: Lsn = LSN_ZERO;
  private confirmed: Lsn;
  private stopPromise: Promise<void> | undefined;
  private waitSettled: Promise<void> = Promise.resolve();
  private resolveDone!: () => void;
  private rejectDone!: (err: unknown) => void;
  private readonly donePromise: Promise<void>;

  constructor(options: MemorySourceOptions) {
    this.options = options;
    this.type = options.type ?? 'memory';
    this.capabilities = { unchangedColumns: true, keyChanges: true, transactions: true, ...options.capabilities };
    this.confirmed = options.confirmedPosition ?? LSN_ZERO;
    const identity = options.identity;
    if (identity !== undefined) this.identity = async () => identity;
    const snapshots = options.snapshots;
    if (snapshots !== undefined) {
      this.snapshotProgress = () => snapshots.progress();
      this.resnapshot = async (tables) => {
        if (snapshots.resnapshotFailure !== undefined) throw snapshots.resnapshotFailure;
        this.resnapshots.push([...tables]);
      };
    }
    if (options.resumable === true) {
      this.resumeFrom = (saved) => {
        this.resumedFrom.push(saved);
        if (saved !== undefined) this.confirmed = saved;
      };
    }
    this.donePromise = new Promise<void>((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.donePromise.catch(() => undefined);
  }

  /** Queues events for delivery; delivers at once when nothing holds the source back. */
  emit(...events: SourceEvent[]): void {
    if (this.stopped) throw new Error('MemorySource.emit after stop');
    this.queue.push(...events);
    this.pump();
  }

  /** Events queued and not yet delivered. */
  get pending(): number {
    return this.queue.length - this.head;
  }

  /** Ends the stream with an error (the server dropped the connection...). */
  failStream(error: unknown): void {
    this.end(error);
  }

  /** Ends the stream without an error, as if the server closed it. */
  endStream(): void {
    this.end(undefined);
  }

  // -- Source -------------------------------------------------------------------------------------

  async validateConnection(): Promise<void> {
    this.calls.push('validateConnection');
    if (this.options.failures?.validateConnection !== undefined) throw this.options.failures.validateConnection;
  }

  async setup(): Promise<SourceSetupResult> {
    this.calls.push('setup');
    if (this.options.failures?.setup !== undefined) throw this.options.failures.setup;
    return { tables: this.options.tables };
  }

  async start(handler: SourceEventHandler): Promise<void> {
    this.calls.push('start');
    if (this.options.failures?.start !== undefined) throw this.options.failures.start;
    this.handler = handler;
    queueMicrotask(() => this.pump());
  }

  done(): Promise<void> {
    return this.donePromise;
  }

  acknowledge(position: Lsn): void {
    this.acknowledged.push(position);
    if (position > this.confirmed) this.confirmed = position;
  }

  pause(): void {
    this.calls.push('pause');
    this.paused = true;
  }

  resume(): void {
    this.calls.push('resume');
    this.paused = false;
    this.pump();
  }

  stop(): Promise<void> {
    this.stopPromise ??= (async () => {
      this.calls.push('stop');
      this.stopped = true;
      await this.waitSettled;
      this.positionSentOnStop = this.confirmed;
      this.end(undefined);
    })();
    return this.stopPromise;
  }

  async close(): Promise<void> {
    this.calls.push('close');
    this.closed = true;
  }

  status(): SourceStatus {
    return { receivedPosition: this.received, confirmedPosition: this.confirmed };
  }

  /** The last acknowledged position (LSN_ZERO when none). */
  get confirmedPosition(): Lsn {
    return this.confirmed;
  }

  // -- Delivery -----------------------------------------------------------------------------------

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.handler !== undefined && !this.paused && !this.stopped && !this.ended && !this.waiting) {
        const event = this.queue[this.head];
        if (event === undefined) break;
        this.head += 1;
        this.delivered += 1;
        this.received = positionOf(event) ?? this.received;
        const result = this.handler(event);
        this.options.onDelivered?.(event);
        if (result !== undefined) this.wait(result);
      }
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
    } finally {
      this.pumping = false;
    }
  }

  private wait(result: Promise<void>): void {
    this.waits += 1;
    this.waiting = true;
    this.waitSettled = result.then(
      () => {
        this.waiting = false;
        this.pump();
      },
      (err: unknown) => {
        this.waiting = false;
        this.end(err instanceof Error ? err : new CdcError({ code: 'SOURCE_PROTOCOL', message: String(err) }));
      },
    );
  }

  private end(error: unknown): void {
    if (this.ended) return;
    this.ended = true;
    if (error === undefined) this.resolveDone();
    else this.rejectDone(error);
  }
}

function positionOf(event: SourceEvent): Lsn | undefined {
  switch (event.kind) {
    case 'change':
      return event.record.lsn;
    case 'rows':
      return event.rows.version;
    case 'commit':
    case 'idle':
      return event.position;
    case 'truncate':
      return event.lsn;
    case 'schema':
    case 'mark':
    case 'finished':
    case 'sweep':
      return undefined;
  }
}
