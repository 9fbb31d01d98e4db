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

/** A transaction id as PostgreSQL prints it (a 64-bit FullTransactionId), on the 32-bit circle. */
export function xidFromText(text: string): number {
  return xid32(text);
}

/**
 * Transactions whose commit is in the WAL but that new snapshots still show in progress: they wait
 * for a synchronous standby (`SyncRep`, after the commit record and the commit log are written, still
 * in the process array; `pg_xact_status` says 'in progress' and the id may not even be below a
 * snapshot's `xmax`). Logical decoding streams such a transaction as soon as its commit is in the WAL,
 * so a previous run may have streamed (and had confirmed) it; this run's tracker cannot know its keys
 * (tracker.ts, `streamedBeforeStart`). Other roles' waits are visible with `pg_read_all_stats` (or as
 * superuser): `sees_all` says whether the list is complete; `sync` whether synchronous replication is
 * configured at all (no standby named: no commit waits).
 */
export const FINISHING_XIDS_SQL =
  "SELECT current_setting('synchronous_standby_names') <> '' AS sync, " +
  "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) OR pg_catalog.pg_has_role('pg_read_all_stats', 'USAGE') AS sees_all, " +
  "ARRAY(SELECT backend_xid::text FROM pg_catalog.pg_stat_activity WHERE wait_event = 'SyncRep' AND backend_xid IS NOT NULL) AS xids";

export interface FinishingTransactions {
  readonly sync: boolean;
  readonly seesAll: boolean;
  readonly xids: readonly number[];
}

export function finishingFromRow(row: { sync: boolean; sees_all: boolean; xids: readonly string[] } | undefined): FinishingTransactions {
  return { sync: row?.sync === true, seesAll: row?.sees_all === true, xids: (row?.xids ?? []).map(xid32) };
}
