/**
 * The demo's terminal output. On a terminal a live block redrawn in place about once a second (stage,
 * events/s, totals, lag, batches, RSS, per-table source vs target counts, progress bars while
 * seeding and per table during the snapshot); otherwise, or with --plain, one log line every few seconds. The rendering is pure
 * (`liveLines`, `plainLine`); `Screen` only writes.
 */
import type { DashboardStatus } from 'dbmazz/tools';
import type { SnapshotState } from './snapshot-progress.js';

export type Phase = 'seeding' | 'starting' | 'snapshot' | 'traffic' | 'catching up' | 'draining' | 'validating';

/** One table's snapshot: the rows in StarRocks against the seeded rows, and the daemon's state. */
export interface SnapshotLine {
  readonly name: string;
  readonly state: SnapshotState;
  /** Rows of the table in StarRocks now. */
  readonly copied: number;
  /** Rows seeded into PostgreSQL (the daemon's own estimate is pg_class.reltuples). */
  readonly total: number;
  /** The daemon's copy rate, from its last progress line. */
  readonly rowsPerSecond: number | undefined;
  readonly etaSeconds: number | undefined;
}

export interface TableLine {
  readonly name: string;
  readonly sourceRows: number;
  readonly deleted: number;
  /** Rows in StarRocks, soft-deleted ones included (= source + deleted once caught up). */
  readonly targetRows: number;
}

export interface ViewModel {
  readonly phase: Phase;
  readonly elapsedMs: number;
  readonly daemon: DashboardStatus | undefined;
  readonly seed: { readonly total: number; readonly written: number } | undefined;
  readonly snapshot: readonly SnapshotLine[] | undefined;
  readonly traffic: { readonly rate: number; readonly recentRate: number; readonly changes: number; readonly remainingS: number | undefined } | undefined;
  readonly tables: readonly TableLine[];
}

const n = (v: number): string => Math.round(v).toLocaleString('en-US');

export function bytes(v: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = v;
  let i = 0;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? String(Math.round(x)) : x.toFixed(x >= 100 ? 0 : 1)} ${units[i]}`;
}

export function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (x: number): string => String(x).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/** Pure: a progress bar of `width` cells. */
export function bar(done: number, total: number, width = 30): string {
  const f = total <= 0 ? 1 : Math.max(0, Math.min(1, done / total));
  const full = Math.round(f * width);
  return `[${'█'.repeat(full)}${'░'.repeat(width - full)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

function snapshotState(t: SnapshotLine): string {
  const r = t.rowsPerSecond === undefined ? '' : ` · ${n(t.rowsPerSecond)} rows/s`;
  if (t.state === 'done') return `done${r}`;
  if (t.state === 'waiting') return 'waiting';
  return `copying${r}${t.etaSeconds === undefined ? '' : ` · ETA ${Math.ceil(t.etaSeconds)} s`}`;
}

/** Pure: the live block. */
export function liveLines(vm: ViewModel): string[] {
  const d = vm.daemon;
  const lines: string[] = [];
  lines.push(`── dbmazz demo · ${vm.phase} · ${clock(vm.elapsedMs)} ${'─'.repeat(30)}`);
  if (d === undefined) lines.push('dbmazz      (not answering yet)');
  else {
    lines.push(`dbmazz      stage ${d.stage} (${d.stageDetail}) · ${d.runState}${d.errorDetail === '' ? '' : ` · ERROR: ${d.errorDetail}`}`);
    lines.push(
      `            ${n(d.eventsPerSecond)} events/s · ${n(d.totals.events)} events · ${n(d.totals.batches)} batches · ${n(d.totals.rowsLoaded)} rows loaded`,
    );
    lines.push(
      `            lag ${bytes(d.lagBytes)} · ${n(d.lagEvents)} events pending · RSS ${bytes(d.rssBytes)} · CPU ${Math.round(d.cpuMillicores / 10)} %`,
    );
  }
  if (vm.seed !== undefined)
    lines.push(`seeding     ${bar(vm.seed.written, vm.seed.total)} ${n(vm.seed.written)} / ${n(vm.seed.total)} rows written to PostgreSQL`);
  if (vm.snapshot !== undefined) {
    vm.snapshot.forEach((t, i) =>
      lines.push(
        `${pad(i === 0 ? 'snapshot' : '', 12)}${pad(t.name, 12)} ${bar(t.copied, t.total, 20)} ${n(t.copied)} / ${n(t.total)} rows in StarRocks · ${snapshotState(t)}`,
      ),
    );
  }
  if (vm.traffic !== undefined) {
    const left = vm.traffic.remainingS === undefined ? 'until Ctrl-C' : `${Math.ceil(vm.traffic.remainingS)} s left`;
    lines.push(`traffic     ${n(vm.traffic.recentRate)} changes/s (target ${n(vm.traffic.rate)}) · ${n(vm.traffic.changes)} changes · ${left}`);
  }
  lines.push(`${pad('table', 12)}${pad('source rows', 13, true)}${pad('deleted', 10, true)}${pad('target rows', 13, true)}${pad('behind', 9, true)}`);
  for (const t of vm.tables) {
    const behind = t.sourceRows + t.deleted - t.targetRows;
    lines.push(`${pad(t.name, 12)}${pad(n(t.sourceRows), 13, true)}${pad(n(t.deleted), 10, true)}${pad(n(t.targetRows), 13, true)}${pad(n(behind), 9, true)}`);
  }
  lines.push('(target rows count soft-deleted rows; behind = source + deleted − target)');
  lines.push('Ctrl-C: stop the traffic, drain, validate and clean up (twice: abort)');
  return lines;
}

/** Pure: one log line. */
export function plainLine(vm: ViewModel): string {
  const d = vm.daemon;
  const parts = [`[demo ${clock(vm.elapsedMs)}] ${vm.phase}`];
  if (d !== undefined) {
    parts.push(
      `stage=${d.stage} state=${d.runState} events/s=${Math.round(d.eventsPerSecond)} events=${d.totals.events} batches=${d.totals.batches} lag=${bytes(d.lagBytes)}/${d.lagEvents}ev rss=${bytes(d.rssBytes)} cpu=${Math.round(d.cpuMillicores / 10)}%`,
    );
  }
  if (vm.seed !== undefined) parts.push(`seed=${vm.seed.written}/${vm.seed.total}`);
  if (vm.snapshot !== undefined) parts.push(`snapshot ${vm.snapshot.map((t) => `${t.name}=${t.state}:${t.copied}/${t.total}`).join(' ')}`);
  if (vm.traffic !== undefined) parts.push(`traffic=${Math.round(vm.traffic.recentRate)}/s changes=${vm.traffic.changes}`);
  parts.push(vm.tables.map((t) => `${t.name}=${t.sourceRows}+${t.deleted}del→${t.targetRows}`).join(' '));
  return parts.join(' | ');
}

export interface ScreenOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Writes permanent lines and, on a terminal, keeps the live block below them. */
export class Screen {
  #shown = 0;
  #lastPlain = 0;
  #last: string[] = [];
  #closed = false;

  readonly #showCursor = (): void => void this.out.write('\x1b[?25h');

  constructor(
    private readonly out: ScreenOutput,
    readonly live: boolean,
    private readonly plainEveryMs = 5000,
  ) {
    if (!live) return;
    out.write('\x1b[?25l');
    // Whatever happens, the terminal gets its cursor back.
    process.once('exit', this.#showCursor);
  }

  #clear(): void {
    if (this.#shown > 0) this.out.write(`\x1b[${this.#shown}A\r\x1b[J`);
    this.#shown = 0;
  }

  #draw(lines: string[]): void {
    const width = Math.max(40, (this.out.columns ?? 120) - 1);
    const cut = lines.map((l) => (l.length > width ? l.slice(0, width) : l));
    this.out.write(`${cut.join('\n')}\n`);
    this.#shown = cut.length;
  }

  /** A permanent line (printed above the live block). */
  log(line: string): void {
    if (!this.live) {
      this.out.write(`${line}\n`);
      return;
    }
    this.#clear();
    this.out.write(`${line}\n`);
    if (this.#last.length > 0) this.#draw(this.#last);
  }

  update(vm: ViewModel, force = false): void {
    if (this.#closed) return;
    if (this.live) {
      this.#last = liveLines(vm);
      this.#clear();
      this.#draw(this.#last);
      return;
    }
    const now = Date.now();
    if (!force && now - this.#lastPlain < this.plainEveryMs) return;
    this.#lastPlain = now;
    this.out.write(`${plainLine(vm)}\n`);
  }

  /** Leaves the live block on screen as it is now; later lines print below it. */
  freeze(): void {
    this.#last = [];
    this.#shown = 0;
  }

  /** Leaves the last live block on screen and shows the cursor again. */
  close(): void {
    this.#closed = true;
    if (this.live) {
      process.off('exit', this.#showCursor);
      this.#showCursor();
    }
    this.#last = [];
    this.#shown = 0;
  }
}
