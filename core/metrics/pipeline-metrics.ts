/**
 * The Prometheus metrics (prom-client, one registry per daemon). Flow counters are fed by the
 * observed source and sink (observed-connectors.ts); gauges are read from the RuntimeState, the
 * server's WAL position and pg_replication_slots when Prometheus scrapes. docs/operations.md lists
 * every metric with its meaning and alert suggestions.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CdcError } from '../errors/errors.js';
import type { ChangeRecord } from '../model/change-record.js';
import type { RowBlock } from '../model/row-block.js';
import type { Lsn } from '../model/lsn.js';
import { formatTableId, type TableId, type TableSchema } from '../model/table.js';
import type { TableBatch, WriteResult } from '../plugin/sink.js';
import type { SourceServerStatus, TableSnapshotProgress } from '../plugin/source.js';
import type { RunState, RuntimeState, Stage } from '../runtime/state.js';
import { isRunning, readSnapshots, SNAPSHOT_PHASES } from './snapshot-view.js';

/** What the observed connectors report (hot path: cheap, never throws). */
export interface ConnectorObserver {
  change(record: ChangeRecord): void;
  /** Snapshot rows that arrived as a block (counted as its rows' changes would be). */
  rows(block: RowBlock): void;
  truncate(tables: readonly TableId[]): void;
  /** A sink write resolved (durable) after `seconds`; `nowMicros` is Unix time in µs. */
  written(batch: TableBatch, result: WriteResult, seconds: number, nowMicros: bigint): void;
  /** A sink write attempt failed (it may be retried). */
  writeFailed(batch: TableBatch, error: CdcError): void;
}

export interface MetricsSources {
  readonly state: RuntimeState;
  /** Server WAL position, undefined when unknown now. */
  readonly serverPosition: () => Promise<Lsn | undefined>;
  /** What the source's server keeps for the pipeline (PostgreSQL: the slot), undefined when unknown now. */
  readonly serverStatus: () => Promise<SourceServerStatus | undefined>;
}

export const WAL_STATUSES = ['reserved', 'extended', 'unreserved', 'lost'] as const;
const STAGES: readonly Stage[] = ['INIT', 'SETUP', 'CDC'];
const RUN_STATES: readonly RunState[] = ['RUNNING', 'PAUSED', 'DRAINING', 'STOPPED'];
const LOAD_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const E2E_BUCKETS = [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800];

type Ops = 'insert' | 'update' | 'delete' | 'truncate';
const OPERATIONS: readonly Ops[] = ['insert', 'update', 'delete', 'truncate'];

/** A table's changes counted since the counters were last read. */
class TableTally {
  insert = 0;
  update = 0;
  delete = 0;
  truncate = 0;
  snapshot = 0;
  constructor(readonly table: string) {}
}

/** float64 gauge value of a bigint (exact below 2^53, i.e. 8 PiB of WAL). */
const num = (v: bigint): number => Number(v);

export class PipelineMetrics implements ConnectorObserver {
  readonly registry = new Registry();
  readonly #events: Counter<'table' | 'operation'>;
  readonly #snapshotRows: Counter<'table'>;
  readonly #batches: Counter<'table'>;
  readonly #rows: Counter<'table'>;
  readonly #adjusted: Counter<'table' | 'reason'>;
  readonly #loadSeconds: Histogram<'table'>;
  readonly #failures: Counter<'table' | 'reason' | 'retriable'>;
  readonly #retries: Counter<'table' | 'reason'>;
  readonly #e2e: Histogram<'table'>;
  /** Per table: the reason of its last failed write, until the next attempt (which is the retry). */
  readonly #lastFailure = new Map<string, string>();
  /** Per table: changes counted since the counters were last read (see `change`). */
  readonly #tallies = new Map<string, TableTally>();
  /** The tally of a schema object (the records of a table share it), and the last one used. */
  readonly #tallyOfSchema = new WeakMap<TableSchema, TableTally>();
  #lastSchema: TableSchema | undefined;
  #lastTally: TableTally | undefined;

  constructor(src: MetricsSources) {
    const registers = [this.registry];
    const { state } = src;
    // Both are counted per change in plain numbers and added to the counters whenever they are read
    // (a scrape, the dashboard): the values read are exact, the hot path does no prom-client work.
    const collect = (): void => this.#collectTallies();
    this.#events = new Counter({
      name: 'dbmazz_events_total',
      help: 'Change events received from the source, by table and operation.',
      labelNames: ['table', 'operation'],
      registers,
      collect,
    });
    this.#snapshotRows = new Counter({
      name: 'dbmazz_snapshot_rows_read_total',
      help: 'Rows read from the source by snapshots (initial copy, backfill, re-snapshot), by table; not counted in dbmazz_events_total.',
      labelNames: ['table'],
      registers,
      collect,
    });
    this.#batches = new Counter({
      name: 'dbmazz_batches_loaded_total',
      help: 'Table batches written (durable) to the sink, by table.',
      labelNames: ['table'],
      registers,
    });
    this.#adjusted = new Counter({
      name: 'dbmazz_values_adjusted_total',
      help: 'Values the sink changed to store them, by table and reason (nullified: NaN, Infinity or infinite/out-of-range dates written as NULL; rounded: decimals rounded to the column scale).',
      labelNames: ['table', 'reason'],
      registers,
    });
    this.#rows = new Counter({ name: 'dbmazz_rows_loaded_total', help: 'Rows the sink reported written, by table.', labelNames: ['table'], registers });
    this.#loadSeconds = new Histogram({
      name: 'dbmazz_load_duration_seconds',
      help: 'Duration of successful sink writes of one table batch (Stream Load: until committed).',
      labelNames: ['table'],
      buckets: LOAD_BUCKETS,
      registers,
    });
    this.#failures = new Counter({
      name: 'dbmazz_load_failures_total',
      help: 'Failed sink write attempts (Stream Load failures), by table, reason (error code) and whether it is retried.',
      labelNames: ['table', 'reason', 'retriable'],
      registers,
    });
    this.#retries = new Counter({
      name: 'dbmazz_load_retries_total',
      help: 'Sink write attempts that retried a failed one, by table and the reason of the failure.',
      labelNames: ['table', 'reason'],
      registers,
    });
    this.#e2e = new Histogram({
      name: 'dbmazz_commit_to_visible_seconds',
      help: 'Source commit time to durable in the sink, per transaction and batch (clocks of both hosts must agree).',
      labelNames: ['table'],
      buckets: E2E_BUCKETS,
      registers,
    });

    new Gauge({
      name: 'dbmazz_replication_lag_bytes',
      help: 'Server WAL position minus the confirmed LSN (received minus confirmed when the server cannot be asked).',
      registers,
      async collect() {
        const server = await src.serverPosition().catch(() => undefined);
        const head = server ?? state.receivedLsn;
        this.set(head > state.confirmedLsn ? num(head - state.confirmedLsn) : 0);
      },
    });
    new Gauge({
      name: 'dbmazz_confirmed_lsn',
      help: 'LSN confirmed to the source (everything up to it is in the sink), as a number.',
      registers,
      collect() {
        this.set(num(state.confirmedLsn));
      },
    });
    new Gauge({
      name: 'dbmazz_received_lsn',
      help: 'LSN of the last event received from the source, as a number.',
      registers,
      collect() {
        this.set(num(state.receivedLsn));
      },
    });
    new Gauge({
      name: 'dbmazz_pending_events',
      help: 'Events received and not yet written (buffered + in flight).',
      registers,
      collect() {
        this.set(state.bufferedEvents + state.inFlightEvents);
      },
    });
    new Gauge({
      name: 'dbmazz_pending_bytes',
      help: 'Estimated bytes of buffered and in-flight events.',
      registers,
      collect() {
        this.set(state.bufferedBytes + state.inFlightBytes);
      },
    });
    new Gauge({
      name: 'dbmazz_stage',
      help: 'Lifecycle stage: 1 for the current one (INIT, SETUP, CDC).',
      labelNames: ['stage'],
      registers,
      collect() {
        for (const s of STAGES) this.set({ stage: s }, state.stage === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'dbmazz_run_state',
      help: 'Run state: 1 for the current one (RUNNING, PAUSED, DRAINING, STOPPED).',
      labelNames: ['state'],
      registers,
      collect() {
        for (const s of RUN_STATES) this.set({ state: s }, state.runState === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'dbmazz_healthy',
      help: '1 while no error is reported (the health API serves), else 0.',
      registers,
      collect() {
        this.set(state.errorDetail === '' ? 1 : 0);
      },
    });
    this.#reconnectMetrics(state);
    this.#slotGauges(src);
    this.#snapshotGauges(state);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Outages: read from the RuntimeState's counters at each scrape (they only grow). */
  #reconnectMetrics(state: RuntimeState): void {
    const registers = [this.registry];
    new Gauge({
      name: 'dbmazz_connected',
      help: '1 while replication streams (source and sink reachable), 0 during startup, while reconnecting and after the stop.',
      registers,
      collect() {
        this.set(state.connected && state.outage === undefined ? 1 : 0);
      },
    });
    new Gauge({
      name: 'dbmazz_reconnecting',
      help: '1 while replication is being restarted after a transient failure (reconnecting), else 0.',
      registers,
      collect() {
        this.set(state.outage === undefined ? 0 : 1);
      },
    });
    const counter = (name: string, help: string, value: () => number): void => {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    };
    counter(
      'dbmazz_reconnect_attempts_total',
      'Attempts to restart replication after a transient failure (successful or not).',
      () => state.totals.reconnectAttempts,
    );
    counter('dbmazz_reconnects_total', 'Outages recovered: replication restarted after a transient failure.', () => state.totals.reconnects);
    new Gauge({
      name: 'dbmazz_standby',
      help: '1 while this instance is a hot standby (another instance holds the replication slot and streams), else 0.',
      registers,
      collect() {
        this.set(state.standby === undefined ? 0 : 1);
      },
    });
    counter('dbmazz_takeovers_total', 'Times this instance took over streaming after waiting as a hot standby.', () => state.takeovers);
  }

  #slotGauges(src: MetricsSources): void {
    const registers = [this.registry];
    let pending: Promise<SourceServerStatus | undefined> | undefined;
    // One server status query per scrape: the first gauge (collected first, in registration order)
    // asks; the others reuse its answer. The names and the `slot` label are PostgreSQL's words (the
    // metrics predate other sources); a source's SourceServerStatus maps onto them here.
    const fresh = (): Promise<SourceServerStatus | undefined> => (pending = src.serverStatus().catch(() => undefined));
    const slot = (): Promise<SourceServerStatus | undefined> => pending ?? fresh();
    new Gauge({
      name: 'dbmazz_slot_wal_status',
      help: 'pg_replication_slots.wal_status of the slot: 1 for the current value (reserved, extended, unreserved, lost); absent when unknown.',
      labelNames: ['slot', 'status'],
      registers,
      async collect() {
        const s = await fresh();
        this.reset();
        if (s?.retention === undefined) return;
        for (const w of WAL_STATUSES) this.set({ slot: s.name, status: w }, s.retention === w ? 1 : 0);
        if (!(WAL_STATUSES as readonly string[]).includes(s.retention)) this.set({ slot: s.name, status: s.retention }, 1);
      },
    });
    const slotGauge = (name: string, help: string, value: (s: SourceServerStatus) => number | undefined): void => {
      new Gauge({
        name,
        help,
        labelNames: ['slot'],
        registers,
        async collect() {
          const s = await slot();
          this.reset();
          const v = s === undefined ? undefined : value(s);
          if (s !== undefined && v !== undefined) this.set({ slot: s.name }, v);
        },
      });
    };
    slotGauge(
      'dbmazz_slot_safe_wal_size_bytes',
      'pg_replication_slots.safe_wal_size: WAL that can still be written before the slot is in danger of being invalidated (absent when unlimited or unknown).',
      (s) => (s.safeBytes === undefined ? undefined : num(s.safeBytes)),
    );
    slotGauge('dbmazz_slot_retained_wal_bytes', 'WAL the slot holds back on the server (current WAL position minus restart_lsn).', (s) =>
      s.retainedBytes === undefined ? undefined : num(s.retainedBytes),
    );
    new Gauge({
      name: 'dbmazz_slot_exists',
      help: '1 when the replication slot exists on the server, 0 when it is missing (e.g. after a primary failover without failover slots); absent when unknown.',
      labelNames: ['slot'],
      registers,
      async collect() {
        const s = await slot();
        this.reset();
        if (s !== undefined) this.set({ slot: s.name }, s.exists ? 1 : 0);
      },
    });
    slotGauge('dbmazz_slot_active', '1 when a connection streams from the slot, 0 when it is idle (absent when the slot does not exist or is unknown).', (s) =>
      s.exists ? (s.active ? 1 : 0) : undefined,
    );
  }

  /** Per-table snapshot progress, read from the source at each scrape (absent without snapshots). */
  #snapshotGauges(state: RuntimeState): void {
    const registers = [this.registry];
    const gauge = (name: string, help: string, value: (p: TableSnapshotProgress) => number | undefined): void => {
      new Gauge({
        name,
        help,
        labelNames: ['table'],
        registers,
        collect() {
          this.reset();
          for (const p of readSnapshots(state.snapshotProgress)) {
            const v = value(p);
            if (v !== undefined && Number.isFinite(v)) this.set({ table: formatTableId(p.table) }, v);
          }
        },
      });
    };
    gauge('dbmazz_snapshot_rows_copied', "Rows of the table's current or last snapshot written durably to the sink.", (p) => p.rowsCopied);
    gauge(
      'dbmazz_snapshot_rows_estimated',
      "The source's estimate of the table's rows when its snapshot started (PostgreSQL: pg_class.reltuples); absent when unknown.",
      (p) => (p.rowsEstimated >= 0 ? p.rowsEstimated : undefined),
    );
    gauge('dbmazz_snapshot_chunks', "Chunks of the table's current or last snapshot written durably.", (p) => p.chunks);
    gauge('dbmazz_snapshot_rows_per_second', "Rows per second of the table's running snapshot (0 when unknown).", (p) => (isRunning(p) ? p.rowsPerSecond : 0));
    gauge('dbmazz_snapshot_eta_seconds', "Seconds until the table's running snapshot is done at the current rate; absent when unknown or not running.", (p) =>
      isRunning(p) ? p.etaSeconds : undefined,
    );
    new Gauge({
      name: 'dbmazz_snapshot_phase',
      help: "Phase of the table's snapshot: 1 for the current one (pending, copying, done, failed).",
      labelNames: ['table', 'phase'],
      registers,
      collect() {
        this.reset();
        for (const p of readSnapshots(state.snapshotProgress)) {
          for (const phase of SNAPSHOT_PHASES) this.set({ table: formatTableId(p.table), phase }, p.phase === phase ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'dbmazz_snapshots_running',
      help: 'Tables whose snapshot is pending or copying.',
      registers,
      collect() {
        this.set(readSnapshots(state.snapshotProgress).filter(isRunning).length);
      },
    });
  }

  // -- ConnectorObserver --------------------------------------------------------------------------

  #tallyOf(table: string): TableTally {
    let tally = this.#tallies.get(table);
    if (tally === undefined) {
      tally = new TableTally(table);
      this.#tallies.set(table, tally);
    }
    return tally;
  }

  change(record: ChangeRecord): void {
    const tally = this.#tallyFor(record.schema);
    if (record.snapshotRead !== undefined) tally.snapshot += 1;
    else tally[record.op] += 1;
  }

  rows(block: RowBlock): void {
    this.#tallyFor(block.schema).snapshot += block.length;
  }

  #tallyFor(schema: TableSchema): TableTally {
    let tally = this.#lastTally;
    if (schema !== this.#lastSchema || tally === undefined) {
      tally = this.#tallyOfSchema.get(schema);
      if (tally === undefined) {
        tally = this.#tallyOf(formatTableId(schema.id));
        this.#tallyOfSchema.set(schema, tally);
      }
      this.#lastSchema = schema;
      this.#lastTally = tally;
    }
    return tally;
  }

  truncate(tables: readonly TableId[]): void {
    for (const t of tables) this.#tallyOf(formatTableId(t)).truncate += 1;
  }

  /**
   * Adds the changes counted since the counters were last read to them. A series appears with its
   * first count, as when every change incremented its counter.
   */
  #collectTallies(): void {
    for (const t of this.#tallies.values()) {
      const { table } = t;
      for (const operation of OPERATIONS) {
        const n = t[operation];
        if (n === 0) continue;
        this.#events.labels({ table, operation }).inc(n);
        t[operation] = 0;
      }
      if (t.snapshot > 0) {
        this.#snapshotRows.labels({ table }).inc(t.snapshot);
        t.snapshot = 0;
      }
    }
  }

  written(batch: TableBatch, result: WriteResult, seconds: number, nowMicros: bigint): void {
    const table = formatTableId(batch.schema.id);
    this.#retried(table);
    this.#batches.labels({ table }).inc();
    this.#rows.labels({ table }).inc(result.rowsWritten);
    for (const [reason, n] of Object.entries(result.adjustedValues ?? {})) if (n > 0) this.#adjusted.labels({ table, reason }).inc(n);
    this.#loadSeconds.labels({ table }).observe(seconds);
    const e2e = this.#e2e.labels({ table });
    let lastCommit: bigint | undefined;
    for (const r of batch.records) {
      // A snapshot row was not committed at a moment the sink can be late against.
      if (r.snapshotRead !== undefined || r.commitTimeMicros === lastCommit) continue;
      lastCommit = r.commitTimeMicros;
      if (r.commitTimeMicros <= 0n) continue;
      const micros = nowMicros - r.commitTimeMicros;
      e2e.observe(micros > 0n ? Number(micros) / 1e6 : 0);
    }
  }

  writeFailed(batch: TableBatch, error: CdcError): void {
    const table = formatTableId(batch.schema.id);
    this.#retried(table);
    const retriable = error.retry === 'retry';
    this.#failures.labels({ table, reason: error.code, retriable: String(retriable) }).inc();
    if (retriable) this.#lastFailure.set(table, error.code);
  }

  /** A write of `table` starts or ends: when it follows a retriable failure, that was a retry. */
  #retried(table: string): void {
    const reason = this.#lastFailure.get(table);
    if (reason === undefined) return;
    this.#lastFailure.delete(table);
    this.#retries.labels({ table, reason }).inc();
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
