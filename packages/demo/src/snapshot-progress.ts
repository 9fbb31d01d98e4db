/**
 * Per-table snapshot progress read from the daemon's JSON log lines (pure): "snapshot started"
 * (rowsEstimated), "snapshot progress" and "snapshot done" (rowsCopied, rowsPerSecond, etaSeconds).
 * The daemon logs progress every few seconds; the demo's bar itself counts the rows that arrived in
 * StarRocks, so it moves every second.
 */

export type SnapshotState = 'waiting' | 'copying' | 'done';

export interface TableSnapshot {
  readonly state: SnapshotState;
  readonly rowsCopied: number;
  /** pg_class.reltuples (-1: never analysed). */
  readonly rowsEstimated: number;
  readonly rowsPerSecond: number | undefined;
  readonly etaSeconds: number | undefined;
}

export interface SnapshotLogEvent {
  readonly msg: 'snapshot started' | 'snapshot progress' | 'snapshot done';
  /** The table as the daemon names it: `schema.name`. */
  readonly table: string;
  readonly rowsCopied: number | undefined;
  readonly rowsEstimated: number | undefined;
  readonly rowsPerSecond: number | undefined;
  readonly etaSeconds: number | undefined;
}

const MESSAGES: ReadonlySet<string> = new Set(['snapshot started', 'snapshot progress', 'snapshot done']);

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** A snapshot event from one log line, or undefined for any other line. */
export function parseSnapshotLine(line: string): SnapshotLogEvent | undefined {
  if (!line.includes('"snapshot ')) return undefined;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Record<string, unknown>;
  const msg = r['msg'];
  const table = r['table'];
  if (typeof msg !== 'string' || !MESSAGES.has(msg) || typeof table !== 'string') return undefined;
  return {
    msg: msg as SnapshotLogEvent['msg'],
    table,
    rowsCopied: num(r['rowsCopied']),
    rowsEstimated: num(r['rowsEstimated']),
    rowsPerSecond: num(r['rowsPerSecond']),
    etaSeconds: num(r['etaSeconds']),
  };
}

/** The latest snapshot state of each table, by table name without its schema. */
export class SnapshotBoard {
  readonly #tables = new Map<string, TableSnapshot>();

  /** Takes one log line (other lines are ignored). */
  line(text: string): void {
    const e = parseSnapshotLine(text);
    if (e === undefined) return;
    const name = e.table.slice(e.table.indexOf('.') + 1);
    const prev = this.#tables.get(name);
    this.#tables.set(name, {
      state: e.msg === 'snapshot done' ? 'done' : 'copying',
      rowsCopied: e.rowsCopied ?? (e.msg === 'snapshot started' ? 0 : (prev?.rowsCopied ?? 0)),
      rowsEstimated: e.rowsEstimated ?? prev?.rowsEstimated ?? -1,
      rowsPerSecond: e.rowsPerSecond ?? prev?.rowsPerSecond,
      etaSeconds: e.msg === 'snapshot done' ? 0 : e.etaSeconds,
    });
  }

  get(table: string): TableSnapshot {
    return this.#tables.get(table) ?? { state: 'waiting', rowsCopied: 0, rowsEstimated: -1, rowsPerSecond: undefined, etaSeconds: undefined };
  }

  /** Some of `tables` logged "snapshot started" (or more). */
  anyStarted(tables: readonly string[]): boolean {
    return tables.some((t) => this.get(t).state !== 'waiting');
  }

  /** Every one of `tables` logged "snapshot done". */
  allDone(tables: readonly string[]): boolean {
    return tables.every((t) => this.get(t).state === 'done');
  }
}
