/**
 * The bounded FIFO between the source and the flusher. It only stores and counts: the pipeline decides
 * when to take a flush out of it and when the source must wait (backpressure).
 */
import type { ChangeRecord } from '../model/change-record.js';
import type { RowBlock } from '../model/row-block.js';
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

/** Snapshot rows as one block (SourceEvent `rows`), for a sink that takes blocks. */
export interface RowsItem extends ItemBase {
  readonly kind: 'rows';
  readonly rows: RowBlock;
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

export type BufferItem = ChangeItem | RowsItem | SchemaItem | TruncateItem | SweepItem;

/** The events an item stands for: a block counts its rows (FLUSH_SIZE and MAX_BUFFERED_EVENTS count rows). */
export function itemEvents(item: BufferItem): number {
  return item.kind === 'rows' ? item.rows.length : 1;
}

/** An array queue with a moving head, compacted now and then, so `take` is O(taken). */
export class EventBuffer {
  private items: BufferItem[] = [];
  private head = 0;
  private byteCount = 0;
  private eventCount = 0;

  /** Events buffered (itemEvents: a block counts its rows). */
  get length(): number {
    return this.eventCount;
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
    this.eventCount += itemEvents(item);
  }

  /**
   * Removes and returns items from the front, in order, up to `max` events (itemEvents); at least one
   * item, and a block is never split (it may exceed `max`).
   */
  take(max: number): BufferItem[] {
    let end = this.head;
    let events = 0;
    while (end < this.items.length) {
      const n = itemEvents(this.items[end] as BufferItem);
      if (end > this.head && events + n > max) break;
      events += n;
      end++;
    }
    const taken = this.items.slice(this.head, end);
    this.head = end;
    this.eventCount -= events;
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
    this.eventCount = 0;
  }
}
