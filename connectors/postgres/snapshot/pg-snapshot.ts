/**
 * A PostgreSQL MVCC snapshot as `pg_current_snapshot()` prints it (`xmin:xmax:xip,...`, 64-bit
 * FullTransactionIds) and the visibility test of a committed transaction against it (pure).
 *
 * Logical decoding names a transaction by its 32-bit xid (pgoutput Begin), so ids are compared on
 * the 32-bit circle the way PostgreSQL does (TransactionIdPrecedes): exact for transactions within
 * 2^31 of each other, which holds for every transaction a stream and a concurrent read share.
 *
 * A transaction that committed is visible in a snapshot exactly when it precedes `xmin`, or precedes
 * `xmax` and is not listed as in progress. Visibility is not commit order: a transaction whose commit
 * record is already in the WAL (and so already decoded and streamed) can still be in progress for a
 * snapshot taken meanwhile, e.g. while it waits for a synchronous standby.
 */
export interface PgSnapshot {
  readonly xmin: number;
  readonly xmax: number;
  readonly inProgress: ReadonlySet<number>;
  /** The text it was parsed from (logs). */
  readonly text: string;
}

const XID_SPACE = 2n ** 32n;

function xid32(text: string): number {
  if (!/^\d+$/.test(text)) throw new RangeError(`not a transaction id: '${text}'`);
  return Number(BigInt(text) % XID_SPACE);
}

export function parsePgSnapshot(text: string): PgSnapshot {
  const m = /^(\d+):(\d+):([\d,]*)$/.exec(text.trim());
  if (!m) throw new RangeError(`not a pg_current_snapshot() value: '${text}'`);
  const xip = (m[3] ?? '') === '' ? [] : (m[3] ?? '').split(',');
  return { xmin: xid32(m[1] ?? ''), xmax: xid32(m[2] ?? ''), inProgress: new Set(xip.map(xid32)), text: text.trim() };
}

/** `a` precedes `b` on the 32-bit xid circle (PostgreSQL TransactionIdPrecedes for normal xids). */
export function xidPrecedes(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** Whether the committed transaction `xid` is visible in `snap`. */
export function committedVisible(snap: PgSnapshot, xid: number): boolean {
  if (xidPrecedes(xid, snap.xmin)) return true;
  if (!xidPrecedes(xid, snap.xmax)) return false;
  return !snap.inProgress.has(xid);
}
