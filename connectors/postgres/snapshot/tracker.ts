/**
 * Which keys streamed transactions touched, for tables with a snapshot running (pure). A chunk read
 * reflects the transactions visible in its MVCC snapshot; it is placed into the stream between two
 * transactions, after every transaction streamed so far. A row of the chunk is stale exactly when a
 * transaction streamed before that point touched its key and is NOT visible in the chunk's snapshot
 * (it committed after the read began, or was still finishing its commit): that transaction's change
 * is already written and newer than the chunk's row. Those keys are left out of the chunk and read
 * again (a later read sees the transaction). A transaction visible in a chunk's snapshot is reflected
 * by every later read of that table too (a table's chunks are read one after another and placed in
 * that order), so its keys of that table are forgotten once one of the table's reads saw it. Not its
 * keys of other tables: their chunks may have been read earlier, in snapshots that do not show it, and
 * be placed after this one.
 *
 * Memory: one entry per streamed transaction that touched a tracked table and is not yet known to be
 * visible, holding its keys per table up to `maxKeysPerTable`; beyond that the entry only says "many
 * keys" and a conflicting chunk is read again whole. Ids of other streamed transactions are kept in a
 * bounded ring, to detect a transaction streamed before tracking began that a read still sees in
 * progress (then the chunk is read again).
 */
import { committedVisible, type PgSnapshot } from './pg-snapshot.js';

interface TxnKeys {
  readonly xid: number;
  /** table key → touched key texts, or 'many'. */
  readonly tables: Map<string, Set<string> | 'many'>;
  /** Its commit position (the version its changes were written with), set at commit. */
  commitLsn: bigint;
}

/** The key texts of a chunk's rows: only asked about keys a streamed transaction touched. */
export interface KeySet {
  has(key: string): boolean;
}

export interface Conflicts {
  /** Keys of the chunk to leave out and read again. */
  readonly keys: ReadonlySet<string>;
  /** The whole chunk must be read again (a transaction with too many keys, or one streamed untracked). */
  readonly whole: boolean;
  /**
   * The lowest commit position among the streamed transactions that touched the table and that the
   * chunk's snapshot does not show (undefined: none). Their rows were written with versions below the
   * chunk's placement, and the chunk may not hold them (a row inserted by such a transaction is not in
   * it): the table's sweep must spare versions from here on, or it would remove rows the source has.
   */
  readonly oldestInvisibleCommit: bigint | undefined;
}

const RING = 16_384;

export class TouchTracker {
  /** table key → the tracking epoch at which its snapshot began. */
  private readonly tracked = new Map<string, number>();
  private epoch = 0;
  private readonly open = new Map<number, TxnKeys>();
  private current: TxnKeys | undefined;
  /** The last RING streamed transactions: xid → the epoch when it was streamed. */
  private readonly recent = new Map<number, number>();
  private readonly ring: number[] = [];
  private ringNext = 0;
  /** Transactions a previous run may have streamed that were still finishing their commits at start. */
  private readonly beforeStart = new Set<number>();

  constructor(private readonly maxKeysPerTable = 100_000) {}

  /** Starts recording changes of `table` (a snapshot of it starts). */
  track(table: string): void {
    if (this.tracked.has(table)) return;
    this.epoch += 1;
    this.tracked.set(table, this.epoch);
  }

  /**
   * Transactions whose commit was in the WAL but not yet visible when this run started (a previous
   * run may have streamed them: their keys are unknown). A chunk read that still sees one of them in
   * progress is read again whole, as for a transaction streamed before its table was tracked. Kept
   * for the whole run (a handful of ids, usually none): a re-snapshot requested later could still
   * read while one of them is finishing; a reused 32-bit id at worst costs a read.
   */
  streamedBeforeStart(xids: readonly number[]): void {
    for (const x of xids) this.beforeStart.add(x >>> 0);
  }

  /** Stops recording `table` and forgets its keys (its snapshot ended). */
  untrack(table: string): void {
    this.tracked.delete(table);
    for (const [xid, t] of this.open) {
      t.tables.delete(table);
      if (t.tables.size === 0) this.open.delete(xid);
    }
  }

  isTracked(table: string): boolean {
    return this.tracked.has(table);
  }

  get anyTracked(): boolean {
    return this.tracked.size > 0;
  }

  /** A streamed transaction begins (`xid`: its 32-bit id). */
  begin(xid: number): void {
    const id = xid >>> 0;
    this.current = { xid: id, tables: new Map(), commitLsn: 0n };
    if (this.ring.length === RING) {
      const old = this.ring[this.ringNext];
      if (old !== undefined) this.recent.delete(old);
      this.ring[this.ringNext] = id;
    } else this.ring.push(id);
    this.ringNext = (this.ringNext + 1) % RING;
    this.recent.set(id, this.epoch);
  }

  /** The current transaction touched `key` of `table`. */
  touch(table: string, key: string): void {
    const t = this.current;
    if (t === undefined || !this.tracked.has(table)) return;
    const keys = t.tables.get(table);
    if (keys === 'many') return;
    if (keys === undefined) {
      t.tables.set(table, new Set([key]));
      return;
    }
    keys.add(key);
    if (keys.size > this.maxKeysPerTable) t.tables.set(table, 'many');
  }

  /** The current transaction ended (committed at `commitLsn` and streamed). */
  commit(commitLsn: bigint): void {
    const t = this.current;
    this.current = undefined;
    if (t === undefined || t.tables.size === 0) return;
    t.commitLsn = commitLsn;
    this.open.set(t.xid, t);
  }

  /** Transactions remembered with keys (tests, metrics). */
  get openTransactions(): number {
    return this.open.size;
  }

  /**
   * The conflicts of a chunk of `table` read in `snap` whose rows have `keys`, placed after every
   * transaction streamed so far. Forgets, for `table` only, the transactions `snap` shows visible.
   */
  conflicts(table: string, snap: PgSnapshot, keys: KeySet): Conflicts {
    const out = new Set<string>();
    let whole = false;
    let oldestInvisibleCommit: bigint | undefined;
    for (const [xid, t] of this.open) {
      const touched = t.tables.get(table);
      if (touched === undefined) continue;
      if (committedVisible(snap, xid)) {
        t.tables.delete(table);
        if (t.tables.size === 0) this.open.delete(xid);
        continue;
      }
      if (oldestInvisibleCommit === undefined || t.commitLsn < oldestInvisibleCommit) oldestInvisibleCommit = t.commitLsn;
      if (touched === 'many') {
        whole = true;
        continue;
      }
      for (const k of touched) if (keys.has(k)) out.add(k);
    }
    // A streamed (so committed) transaction the read did not see, streamed before this table was
    // tracked (or by a previous run): its keys are unknown, so the chunk may hold rows older than its
    // changes. Not only the snapshot's in-progress list: a commit waiting for a synchronous standby can
    // be at or above the snapshot's xmax.
    if (!whole) whole = this.unknownInvisible(snap, this.tracked.get(table) ?? Infinity);
    return { keys: out, whole, oldestInvisibleCommit };
  }

  /** Whether `snap` misses a transaction streamed before tracking epoch `since`, or by a previous run. */
  private unknownInvisible(snap: PgSnapshot, since: number): boolean {
    for (const [xid, at] of this.recent) if (at < since && !committedVisible(snap, xid)) return true;
    for (const xid of this.beforeStart) if (!committedVisible(snap, xid)) return true;
    return false;
  }
}
