/**
 * Runs the demo's phases with the live view refreshed about once a second: it polls the daemon's
 * status (the dashboard's /api/status) once it runs, and counts the target rows in the emulator (O(1)
 * per table); during the snapshot each table's bar is its rows in StarRocks against the seeded rows.
 */
import type { DashboardStatus } from 'dbmazz/tools';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from './daemon-process.js';
import type { StopSignal } from './lifecycle.js';
import { DEMO_DB, DEMO_TABLES, type DemoTable } from './schema.js';
import type { TrafficGenerator } from './traffic.js';
import type { Phase, Screen, SnapshotLine, TableLine, ViewModel } from './view.js';

export interface StageContext {
  readonly screen: Screen;
  readonly started: number;
  readonly stop: StopSignal;
}

type Counts = Readonly<Record<DemoTable, { readonly rows: number; readonly deleted: number }>>;

const REFRESH_MS = 1000;

export class Stage {
  seed: { readonly total: number; written(): number } | undefined;
  /** While set, the snapshot's per-table lines: the seeded rows of each table. */
  snapshot: Counts | undefined;
  /** The daemon, once started. */
  daemon: DaemonProcess | undefined;
  traffic: { readonly gen: TrafficGenerator; readonly rate: number; readonly endsAt: number | undefined } | undefined;
  counts: () => Counts = () => ({
    orders: { rows: 0, deleted: 0 },
    order_items: { rows: 0, deleted: 0 },
    customers: { rows: 0, deleted: 0 },
  });
  #status: DashboardStatus | undefined;
  #phase: Phase = 'seeding';
  /** The status poll in flight, if any. */
  #polling: Promise<void> | undefined;

  constructor(
    private readonly ctx: StageContext,
    private readonly em: StarRocksEmulator,
  ) {}

  targetRows(table: DemoTable): number {
    return this.em.catalog.getTable(DEMO_DB, table)?.rowCount ?? 0;
  }

  targetTotal(): number {
    return DEMO_TABLES.reduce((s, t) => s + this.targetRows(t), 0);
  }

  /** Rows the target still misses: Σ (source + deleted − target). */
  behind(): number {
    const c = this.counts();
    return DEMO_TABLES.reduce((s, t) => s + c[t].rows + c[t].deleted - this.targetRows(t), 0);
  }

  /**
   * Runs one phase, refreshing the view at its start and about once a second meanwhile. The first view
   * is shown before the phase's work: a phase over at once (a small snapshot done while dbmazz was
   * starting) still shows its line.
   */
  async run<T>(phase: Phase, fn: () => Promise<T>): Promise<T> {
    this.#phase = phase;
    const timer = setInterval(() => void this.refresh(), REFRESH_MS);
    await this.refresh(true);
    try {
      return await fn();
    } finally {
      clearInterval(timer);
    }
  }

  /** Polls the daemon's status and updates the view; a forced refresh waits for a poll in flight, then shows the view. */
  async refresh(force = false): Promise<void> {
    if (this.#polling !== undefined) {
      if (!force) return;
      await this.#polling;
      this.ctx.screen.update(this.view(), true);
      return;
    }
    this.#polling = this.poll(force);
    try {
      await this.#polling;
    } finally {
      this.#polling = undefined;
    }
  }

  private async poll(force: boolean): Promise<void> {
    if (this.daemon?.running === true) this.#status = (await this.daemon.status(900)) ?? this.#status;
    this.ctx.screen.update(this.view(), force);
  }

  snapshotLines(): SnapshotLine[] | undefined {
    const seeded = this.snapshot;
    if (seeded === undefined) return undefined;
    return DEMO_TABLES.map((t) => {
      const p = this.daemon?.snapshot.get(t);
      return {
        name: t,
        state: p?.state ?? 'waiting',
        copied: this.targetRows(t),
        total: seeded[t].rows,
        rowsPerSecond: p?.rowsPerSecond,
        etaSeconds: p?.etaSeconds,
      };
    });
  }

  view(): ViewModel {
    const c = this.counts();
    const tables: TableLine[] = DEMO_TABLES.map((t) => ({ name: t, sourceRows: c[t].rows, deleted: c[t].deleted, targetRows: this.targetRows(t) }));
    const t = this.traffic;
    const seed = this.seed;
    return {
      phase: this.#phase,
      elapsedMs: Date.now() - this.ctx.started,
      daemon: this.#status,
      seed: seed === undefined ? undefined : { total: seed.total, written: seed.written() },
      snapshot: this.snapshotLines(),
      traffic:
        t === undefined
          ? undefined
          : {
              rate: t.rate,
              recentRate: t.gen.stats.recentRate,
              changes: t.gen.stats.changes,
              remainingS: t.endsAt === undefined ? undefined : Math.max(0, (t.endsAt - Date.now()) / 1000),
            },
      tables,
    };
  }
}
