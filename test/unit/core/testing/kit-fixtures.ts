/**
 * Small connectors for testing the conformance kit itself: a source reading an in-memory log (a
 * correct one that resumes from the saved position, and a broken one that numbers positions from 1 in
 * every run), and a sink writing into an in-memory table (a correct one, and a broken one that
 * acknowledges before the rows are stored).
 */
import {
  PLUGIN_API_VERSION,
  defineSink,
  defineSource,
  settingString,
  tableKey,
  type ChangeRecord,
  type Lsn,
  type Sink,
  type SinkManifest,
  type Source,
  type SourceEvent,
  type SourceEventHandler,
  type SourceManifest,
  type TableBatch,
  type TableId,
  type TableSchema,
} from '../../../../core/index.js';
import { conformanceSchema, type ConformanceChange, type SinkTarget, type SourceTarget, type StoredRow } from '../../../../core/testing/index.js';

// -- Source -----------------------------------------------------------------------------------------

/** The "server": committed transactions in order; listeners hear about new ones. */
class LogServer {
  readonly log: ConformanceChange[][] = [];
  readonly listeners = new Set<() => void>();
  append(changes: readonly ConformanceChange[]): void {
    this.log.push([...changes]);
    for (const l of this.listeners) l();
  }
}

const servers = new Map<string, LogServer>();
const TABLE: TableId = { schema: 'public', name: 'items' };
const STEP = 0x100n;

class LogSource implements Source {
  readonly type: string;
  readonly capabilities = { unchangedColumns: false, keyChanges: false, transactions: true };
  #from: Lsn = 0n;
  #confirmed: Lsn = 0n;
  #received: Lsn = 0n;
  #next = 0;
  #paused = false;
  #busy = false;
  #stopped = false;
  #handler: SourceEventHandler | undefined;
  #done!: () => void;
  readonly #ended = new Promise<void>((resolve) => (this.#done = resolve));
  readonly #server: LogServer;
  readonly #wake = (): void => void this.#pump();

  /**
   * `reusesPositions`: the bug: tails the log from the start of the process, numbering from 1.
   * `ignoresBackpressure`: the bug: calls the handler again without waiting for its promise.
   */
  constructor(
    server: LogServer,
    private readonly reusesPositions: boolean,
    private readonly ignoresBackpressure = false,
  ) {
    this.#server = server;
    this.type = reusesPositions ? 'log-reusing' : ignoresBackpressure ? 'log-flooding' : 'log';
  }

  /** The handler's call, waited for unless this source ignores backpressure. */
  async #deliver(event: SourceEvent): Promise<void> {
    const r = this.#handler?.(event);
    if (!this.ignoresBackpressure) await r;
  }

  async validateConnection(): Promise<void> {}
  async setup() {
    return { tables: [conformanceSchema(TABLE)] };
  }
  resumeFrom(saved: Lsn | undefined): void {
    this.#from = saved ?? 0n;
    this.#confirmed = this.#from;
  }
  async start(handler: SourceEventHandler): Promise<void> {
    this.#handler = handler;
    if (this.reusesPositions) this.#next = this.#server.log.length;
    this.#server.listeners.add(this.#wake);
    queueMicrotask(this.#wake);
  }

  #position(index: number): Lsn {
    return this.reusesPositions ? BigInt(index - this.#skipBase + 1) * STEP : BigInt(index + 1) * STEP;
  }

  #skipBase = 0;

  async #pump(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      if (this.reusesPositions && this.#skipBase === 0) this.#skipBase = this.#next;
      while (!this.#paused && !this.#stopped && this.#next < this.#server.log.length) {
        const index = this.#next++;
        const position = this.#position(index);
        if (position <= this.#from) continue;
        const changes = this.#server.log[index] ?? [];
        const schema = conformanceSchema(TABLE);
        const commitLsn = position - 8n;
        for (const [i, c] of changes.entries()) {
          const record = toRecord(schema, c, position - STEP + BigInt(i + 1) * 0x10n, commitLsn);
          await this.#deliver({ kind: 'change', record });
        }
        this.#received = position;
        await this.#deliver({ kind: 'commit', position, commitLsn, commitTimeMicros: 0n });
      }
    } finally {
      this.#busy = false;
    }
  }

  done(): Promise<void> {
    return this.#ended;
  }
  acknowledge(position: Lsn): void {
    if (position > this.#confirmed) this.#confirmed = position;
  }
  pause(): void {
    this.#paused = true;
  }
  resume(): void {
    this.#paused = false;
    void this.#pump();
  }
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#server.listeners.delete(this.#wake);
    this.#done();
  }
  async close(): Promise<void> {}
  status() {
    return { receivedPosition: this.#received, confirmedPosition: this.#confirmed };
  }
}

function toRecord(schema: TableSchema, c: ConformanceChange, lsn: Lsn, commitLsn: Lsn): ChangeRecord {
  const base = { schema, lsn, ordinal: 0, commitLsn, commitTimeMicros: 0n };
  if (c.op === 'delete') return { ...base, op: 'delete', before: [c.id, null], fullBefore: false };
  return { ...base, op: c.op, after: [c.id, c.note] };
}

function logSourceManifest(reusesPositions: boolean, ignoresBackpressure = false): SourceManifest {
  return defineSource({
    apiVersion: PLUGIN_API_VERSION,
    kind: 'source',
    type: reusesPositions ? 'log-reusing' : ignoresBackpressure ? 'log-flooding' : 'log',
    description: 'An in-memory log (kit test)',
    capabilities: { unchangedColumns: false, keyChanges: false, transactions: true },
    settings: [{ env: 'SOURCE_LOG_NAME', type: 'string', required: true, description: 'Which in-memory log' }],
    create: (settings) => new LogSource(servers.get(settingString(settings, 'SOURCE_LOG_NAME')) ?? new LogServer(), reusesPositions, ignoresBackpressure),
  });
}

export const logSource = logSourceManifest(false);
export const reusingSource = logSourceManifest(true);
export const floodingSource = logSourceManifest(false, true);

let logs = 0;
export function logTarget(): SourceTarget {
  const name = `log${++logs}`;
  const server = new LogServer();
  servers.set(name, server);
  return {
    env: { SOURCE_LOG_NAME: name },
    table: TABLE,
    apply: async (changes) => server.append(changes),
    dispose: async () => void servers.delete(name),
  };
}

// -- Sink -------------------------------------------------------------------------------------------

type Rows = Map<string, Map<string, StoredRow>>;
const stores = new Map<string, Rows>();

class TableSink implements Sink {
  readonly type: string;
  readonly capabilities = { partialUpdate: false, softDelete: false, idempotentBatches: true };
  #pending: TableBatch[] = [];

  /** `acksEarly`: the bug: write resolves at once, the rows are stored only at close(). */
  constructor(
    private readonly rows: Rows,
    private readonly acksEarly: boolean,
  ) {
    this.type = acksEarly ? 'table-early-ack' : 'table';
  }
  async validateConnection(): Promise<void> {}
  async setup(): Promise<void> {}
  async write(batch: TableBatch) {
    if (this.acksEarly) this.#pending.push(batch);
    else this.#apply(batch);
    return { rowsWritten: batch.records.length, bytesWritten: 0, loads: 1 };
  }
  #apply(batch: TableBatch): void {
    const key = tableKey(batch.schema.id);
    const table = this.rows.get(key) ?? new Map<string, StoredRow>();
    this.rows.set(key, table);
    for (const r of batch.records) {
      const values = r.op === 'delete' ? r.before : r.after;
      const row = Object.fromEntries(r.schema.columns.map((c, i) => [c.name, values[i] === null || values[i] === undefined ? null : String(values[i])]));
      if (r.op === 'delete') table.delete(String(row['id']));
      else table.set(String(row['id']), row);
    }
  }
  async truncate(tables: readonly TableId[]): Promise<void> {
    for (const t of tables) this.rows.delete(tableKey(t));
  }
  async close(): Promise<void> {
    for (const b of this.#pending.splice(0)) this.#apply(b);
  }
}

function tableSinkManifest(acksEarly: boolean): SinkManifest {
  return defineSink({
    apiVersion: PLUGIN_API_VERSION,
    kind: 'sink',
    type: acksEarly ? 'table-early-ack' : 'table',
    description: 'An in-memory table (kit test)',
    capabilities: { partialUpdate: false, softDelete: false, idempotentBatches: true },
    settings: [{ env: 'SINK_TABLE_STORE', type: 'string', required: true, description: 'Which in-memory store' }],
    create: (settings) => new TableSink(stores.get(settingString(settings, 'SINK_TABLE_STORE')) ?? (new Map() as Rows), acksEarly),
  });
}

export const tableSink = tableSinkManifest(false);
export const earlyAckSink = tableSinkManifest(true);

let tables = 0;
export function tableTarget(): SinkTarget {
  const name = `store${++tables}`;
  const rows: Rows = new Map();
  stores.set(name, rows);
  return {
    env: { SINK_TABLE_STORE: name },
    read: async (schema) => [...(rows.get(tableKey(schema.id))?.values() ?? [])],
    dispose: async () => void stores.delete(name),
  };
}
