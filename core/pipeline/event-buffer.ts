/**
 * The bounded FIFO between the source and the flusher. It only stores and counts: the pipeline decides
 * when to take a flush out of it and when the source must wait (backpressure).
 */
import type { ChangeRecord } from '../model/change-record.js';
import type { Lsn } from '../model/lsn.js';
import type { TableId, TableSchema } from '../model/table.js';

interface ItemBase {
  /** Position in the stream of data items (1, 2, 3…), used by the checkpointer. */
  readonly seq: number;
  /** Estimated memory held. */
  readonly bytes: number;
  /** Clock time it was buffered (flush interval). */
  readonly at: number;
}

export interface ChangeItem extends ItemBase {
  readonly kind: 'change';
  readonly record: ChangeRecord;
}

export interface SchemaItem extends ItemBase {
  readonly kind: 'schema';
  readonly schema: TableSchema;
}

export interface TruncateItem extends ItemBase {
  readonly kind: 'truncate';
  readonly tables: readonly TableId[];
  readonly lsn: Lsn;
}

/** A completed snapshot: remove the target's rows older than `before` (SourceEvent `sweep`). */
export interface SweepItem extends ItemBase {
  readonly kind: 'sweep';
  readonly table: TableId;
  readonly before: Lsn;
}

export type BufferItem = ChangeItem | SchemaItem | TruncateItem | SweepItem;

/** An array queue with a moving head, compacted now and then, so `take` is O(taken). */
export class EventBuffer {
  private items: BufferItem[] = [];
  private head = 0;
  private byteCount = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /** Clock time the oldest buffered item arrived, or undefined when empty. */
  get firstAt(): number | undefined {
    return this.items[this.head]?.at;
  }

  push(item: BufferItem): void {
    this.items.push(item);
    this.byteCount += item.bytes;
  }

  /** Removes and returns up to `max` items from the front, in order. */
  take(max: number): BufferItem[] {
    const end = Math.min(this.items.length, this.head + Math.max(1, max));
    const taken = this.items.slice(this.head, end);
    this.head = end;
    for (const item of taken) this.byteCount -= item.bytes;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return taken;
  }

  /** Drops everything (stop now: nothing buffered is written or confirmed). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.byteCount = 0;
  }
}
