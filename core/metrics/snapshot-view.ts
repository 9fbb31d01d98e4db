/**
 * Pure: the source's snapshot progress (Source.snapshotProgress) as the operator-facing views read it
 * (GetStatus, Prometheus, the dashboard, the summary log): the list read defensively, which entries
 * are still running, and the completion percentage with the estimate treated as what it is (an
 * estimate: pg_class.reltuples may be low, stale or -1).
 */
import { formatTableId } from '../model/table.js';
import type { SnapshotPhase, TableSnapshotProgress } from '../plugin/source.js';

export const SNAPSHOT_PHASES: readonly SnapshotPhase[] = ['pending', 'copying', 'done', 'failed'];

/** Highest percentage shown before the copy is done: an estimate below the real count must not show 100 %. */
export const MAX_RUNNING_PERCENT = 99;

/** The progress list; a source whose progress cannot be read counts as having none (never throws). */
export function readSnapshots(read: () => readonly TableSnapshotProgress[]): readonly TableSnapshotProgress[] {
  try {
    return read();
  } catch {
    return [];
  }
}

/** Pending or copying. */
export function isRunning(p: Pick<TableSnapshotProgress, 'phase'>): boolean {
  return p.phase === 'pending' || p.phase === 'copying';
}

/**
 * Completion in percent (integer): 100 once done; while running, rows copied / estimated rounded
 * down, at most 99 (the estimate may be below the real count); undefined when the estimate is
 * unknown (-1) or 0 while rows are still coming.
 */
export function snapshotPercent(p: Pick<TableSnapshotProgress, 'phase' | 'rowsCopied' | 'rowsEstimated'>): number | undefined {
  if (p.phase === 'done') return 100;
  if (p.rowsEstimated <= 0) return p.phase === 'pending' ? 0 : undefined;
  return Math.min(MAX_RUNNING_PERCENT, Math.floor((Math.max(0, p.rowsCopied) / p.rowsEstimated) * 100));
}

/** One table's snapshot as the dashboard draws it (a JSON-safe object). */
export interface SnapshotBar {
  readonly table: string;
  readonly phase: SnapshotPhase;
  readonly reason: TableSnapshotProgress['reason'];
  readonly rowsCopied: number;
  /** -1 when unknown. */
  readonly rowsEstimated: number;
  readonly chunks: number;
  /** See `snapshotPercent`; null when unknown (the bar is drawn indeterminate). */
  readonly percent: number | null;
  readonly rowsPerSecond: number;
  /** null when unknown. */
  readonly etaSeconds: number | null;
  readonly error: string;
}

export function snapshotBars(progress: readonly TableSnapshotProgress[]): SnapshotBar[] {
  return progress.map((p) => ({
    table: formatTableId(p.table),
    phase: p.phase,
    reason: p.reason,
    rowsCopied: p.rowsCopied,
    rowsEstimated: p.rowsEstimated,
    chunks: p.chunks,
    percent: snapshotPercent(p) ?? null,
    rowsPerSecond: p.rowsPerSecond,
    etaSeconds: isRunning(p) && p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds) ? Math.max(0, Math.round(p.etaSeconds)) : null,
    error: p.error ?? '',
  }));
}
