/**
 * Decides which source position may be confirmed. Every data item (change, schema, truncate) gets a
 * sequence number when buffered; a commit is remembered with the sequence number of the last item before
 * it. Flushes are confirmed in order (flush-scheduler.ts; they may finish out of order), so "every item
 * up to `durableSeq` is durable" is one number, and a commit is confirmable once `durableSeq` reaches
 * its items: the end LSN of the last transaction whose every change is durable (docs/design-principles.md §2.11). A transaction cut by a flush waits for the flush holding its last
 * change. Pending commits that share a sequence number (empty transactions) are merged, so the queue
 * never holds more entries than there are unwritten items, plus one.
 */
import { LSN_ZERO, type Lsn } from '../model/lsn.js';

interface PendingCommit {
  readonly afterSeq: number;
  position: Lsn;
}

export class Checkpointer {
  private lastSeq = 0;
  private durableSeq = 0;
  private lastCommitSeq = 0;
  private pending: PendingCommit[] = [];
  private pendingHead = 0;
  private confirmedPosition: Lsn;
  /** Durability markers (SourceEvent `mark`) not yet released, in order. */
  private marks: { readonly afterSeq: number; readonly token: string }[] = [];

  constructor(initial: Lsn = LSN_ZERO) {
    this.confirmedPosition = initial;
  }

  get confirmed(): Lsn {
    return this.confirmedPosition;
  }

  /** Number of data items received and not yet durable. */
  get unwritten(): number {
    return this.lastSeq - this.durableSeq;
  }

  /** Commits received and not yet confirmable. */
  get pendingCommits(): number {
    return this.pending.length - this.pendingHead;
  }

  /** Assigns the next sequence number to a data item being buffered. */
  nextSeq(): number {
    this.lastSeq += 1;
    return this.lastSeq;
  }

  /** A transaction ended at `position`. Returns a newly confirmable position, if any. */
  commit(position: Lsn): Lsn | undefined {
    this.lastCommitSeq = this.lastSeq;
    const last = this.pending[this.pending.length - 1];
    if (last !== undefined && this.pending.length > this.pendingHead && last.afterSeq === this.lastSeq) {
      if (position > last.position) last.position = position;
    } else {
      this.pending.push({ afterSeq: this.lastSeq, position });
    }
    return this.release();
  }

  /** A durability marker after the items received so far; returns the markers now released (maybe this one). */
  mark(token: string): readonly string[] {
    this.marks.push({ afterSeq: this.lastSeq, token });
    return this.releasedMarks();
  }

  /** Markers whose items are all durable, in order (each returned once). */
  releasedMarks(): readonly string[] {
    let n = 0;
    while (n < this.marks.length && (this.marks[n]?.afterSeq ?? Infinity) <= this.durableSeq) n += 1;
    return n === 0 ? [] : this.marks.splice(0, n).map((m) => m.token);
  }

  /** Every item up to and including `seq` is durable in the sink. Returns a newly confirmable position. */
  durable(seq: number): Lsn | undefined {
    if (seq > this.durableSeq) this.durableSeq = Math.min(seq, this.lastSeq);
    return this.release();
  }

  /**
   * The source is idle at `position`. Confirmable only when nothing is unwritten, no transaction is
   * open (no change after the last commit) and every earlier commit is confirmed.
   */
  idle(position: Lsn): Lsn | undefined {
    if (this.durableSeq !== this.lastSeq || this.lastCommitSeq !== this.lastSeq) return undefined;
    if (this.pendingCommits > 0) return undefined;
    if (position <= this.confirmedPosition) return undefined;
    this.confirmedPosition = position;
    return position;
  }

  private release(): Lsn | undefined {
    let best: Lsn | undefined;
    while (this.pendingHead < this.pending.length) {
      const next = this.pending[this.pendingHead];
      if (next === undefined || next.afterSeq > this.durableSeq) break;
      if (best === undefined || next.position > best) best = next.position;
      this.pendingHead += 1;
    }
    if (this.pendingHead === this.pending.length) {
      this.pending = [];
      this.pendingHead = 0;
    } else if (this.pendingHead > 1024 && this.pendingHead * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.pendingHead);
      this.pendingHead = 0;
    }
    if (best === undefined || best <= this.confirmedPosition) return undefined;
    this.confirmedPosition = best;
    return best;
  }
}
