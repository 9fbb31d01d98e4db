/** Pure: the RuntimeState as a dbmazz.StatusResponse (LSNs as decimal numbers, uint64 as strings). */
import { isRunning, readSnapshots } from '../metrics/snapshot-view.js';
import { formatTableId } from '../model/table.js';
import type { TableSnapshotProgress } from '../plugin/source.js';
import type { RuntimeState } from '../runtime/state.js';
import type { StatusResponse } from './gen/dbmazz/StatusResponse.js';
import type { TableSnapshotStatus } from './gen/dbmazz/TableSnapshotStatus.js';

type StatusState = Pick<
  RuntimeState,
  'runState' | 'receivedLsn' | 'confirmedLsn' | 'bufferedEvents' | 'inFlightEvents' | 'slotName' | 'tables' | 'snapshotProgress'
> &
  Partial<Pick<RuntimeState, 'standby' | 'takeovers'>>;

const PHASES = { pending: 'PENDING', copying: 'COPYING', done: 'DONE', failed: 'FAILED' } as const;
const REASONS = { initial: 'INITIAL', added: 'ADDED', requested: 'REQUESTED' } as const;

/** A count as a uint64 decimal string (negative or fractional inputs are clamped / rounded down). */
const uint = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) || n <= 0 ? '0' : String(Math.floor(n)));
/** An int64 that is -1 when unknown. */
const orMinusOne = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) || n < 0 ? '-1' : String(Math.floor(n)));

export function snapshotStatusOf(p: TableSnapshotProgress): Required<TableSnapshotStatus> {
  return {
    table: formatTableId(p.table),
    phase: PHASES[p.phase],
    reason: REASONS[p.reason],
    rowsCopied: uint(p.rowsCopied),
    rowsEstimated: orMinusOne(p.rowsEstimated),
    chunks: uint(p.chunks),
    rowsPerSecond: Number.isFinite(p.rowsPerSecond) && p.rowsPerSecond > 0 ? p.rowsPerSecond : 0,
    etaSeconds: isRunning(p) ? orMinusOne(p.etaSeconds === undefined ? undefined : Math.ceil(p.etaSeconds)) : '-1',
    startedAtMs: uint(p.startedAtMs),
    finishedAtMs: uint(p.finishedAtMs),
    error: p.error ?? '',
  };
}

export function statusOf(state: StatusState): Required<StatusResponse> {
  const snapshots = readSnapshots(state.snapshotProgress);
  return {
    state: state.runState,
    currentLsn: state.receivedLsn.toString(),
    confirmedLsn: state.confirmedLsn.toString(),
    pendingEvents: String(state.bufferedEvents + state.inFlightEvents),
    // The seed's field: the pipeline id, which names what the source keeps on its server (PostgreSQL: the slot).
    slotName: state.slotName,
    tables: [...state.tables],
    snapshots: snapshots.map(snapshotStatusOf),
    snapshotRunning: snapshots.some(isRunning),
    standby: state.standby !== undefined,
    standbyDetail: state.standby?.detail ?? '',
    takeovers: uint(state.takeovers),
  };
}
