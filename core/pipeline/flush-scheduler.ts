/**
 * Owns the buffer and the flush in flight, and decides when a flush starts: at `flushSize` buffered
 * events, `flushIntervalMs` after the oldest buffered event, at once when the buffer is full or a full
 * flush is requested. One flush at a time (flush N+1 starts only once flush N is durable), taking at
 * most `flushSize` events, so memory stays within buffered + in-flight <= the bounds.
 *
 * Backpressure: once buffered + in-flight reaches `maxBufferedEvents` or `maxBufferedBytes`,
 * `waitForSpace` hands the source a promise that resolves when the total drops below the low watermark.
 */
import type { Clock, TimerHandle } from './clock.js';
import { deferred, rejected, type Deferred } from './deferred.js';
import { EventBuffer, type BufferItem } from './event-buffer.js';
import { LOW_WATERMARK_RATIO } from './options.js';

export interface FlushSchedulerDeps {
  readonly clock: Clock;
  readonly maxBufferedEvents: number;
  readonly maxBufferedBytes: number;
  flushSize: number;
  flushIntervalMs: number;
  /** Writes one flush; resolves when all of it is durable. */
  readonly write: (items: readonly BufferItem[]) => Promise<void>;
  /** Every item up to `lastSeq` is durable (called before the next flush starts). */
  readonly durable: (lastSeq: number) => void;
  readonly failed: (err: unknown) => void;
  /** The counters changed (buffered, in flight). */
  readonly changed: () => void;
}

export class FlushScheduler {
  private readonly buffer = new EventBuffer();
  private active = true;
  private stopReason: unknown;
  private flushing = false;
  private inFlightCount = 0;
  private inFlightByteCount = 0;
  private timer: TimerHandle | undefined;
  private timerAt = 0;
  private forced = 0;
  private space: Deferred | undefined;
  private quietWaiters: Deferred[] = [];

  constructor(private readonly deps: FlushSchedulerDeps) {}

  get bufferedEvents(): number {
    return this.buffer.length;
  }

  get bufferedBytes(): number {
    return this.buffer.bytes;
  }

  get inFlightEvents(): number {
    return this.inFlightCount;
  }

  get inFlightBytes(): number {
    return this.inFlightByteCount;
  }

  /** Nothing buffered and no flush in flight. */
  get quiet(): boolean {
    return this.buffer.length === 0 && !this.flushing;
  }

  /** True while the source is held back. */
  get sourceWaiting(): boolean {
    return this.space !== undefined;
  }

  get flushSize(): number {
    return this.deps.flushSize;
  }

  get flushIntervalMs(): number {
    return this.deps.flushIntervalMs;
  }

  /** New flush settings; they apply from the next flush (the interval timer is re-armed). */
  configure(flushSize: number, flushIntervalMs: number): void {
    this.deps.flushSize = flushSize;
    this.deps.flushIntervalMs = flushIntervalMs;
    this.clearTimer();
    this.kick();
  }

  push(item: BufferItem): void {
    this.buffer.push(item);
  }

  /** After a push: undefined when there is room, else the promise the source must wait for. */
  admit(): Promise<void> | undefined {
    if (!this.overBound()) return undefined;
    if (this.space === undefined) {
      this.space = deferred();
      this.kick();
    }
    return this.space.promise;
  }

  /** Starts a flush when one is due, arms the interval timer otherwise. */
  kick(): void {
    if (this.flushing || !this.active) return;
    const firstAt = this.buffer.firstAt;
    if (firstAt === undefined) {
      this.clearTimer();
      for (const waiter of this.quietWaiters.splice(0)) waiter.resolve();
      return;
    }
    const dueAt = firstAt + this.deps.flushIntervalMs;
    const due =
      this.forced > 0 ||
      this.space !== undefined ||
      this.buffer.length >= this.deps.flushSize ||
      this.overBound() ||
      this.deps.clock.now() >= dueAt;
    if (!due) {
      this.armTimer(dueAt);
      return;
    }
    this.clearTimer();
    this.start(this.buffer.take(this.deps.flushSize));
  }

  /** Writes everything buffered now; resolves when nothing is buffered or in flight. */
  async flushAll(): Promise<void> {
    this.forced += 1;
    try {
      this.kick();
      await this.whenQuiet();
    } finally {
      this.forced -= 1;
    }
  }

  /**
   * Stops scheduling and drops the buffer. A waiting source is released (`release`) or gets the
   * rejection (which ends its stream); `flushAll` callers get the rejection.
   */
  halt(reason: unknown, release: boolean): void {
    this.active = false;
    this.stopReason = reason;
    this.clearTimer();
    this.buffer.clear();
    const space = this.space;
    this.space = undefined;
    if (release) space?.resolve();
    else space?.reject(reason);
    for (const waiter of this.quietWaiters.splice(0)) waiter.reject(reason);
    this.deps.changed();
  }

  private start(items: BufferItem[]): void {
    const lastSeq = items[items.length - 1]?.seq ?? 0;
    this.flushing = true;
    this.inFlightCount = items.length;
    this.inFlightByteCount = items.reduce((sum, item) => sum + item.bytes, 0);
    this.deps.changed();
    this.deps.write(items).then(
      () => {
        this.landed();
        if (!this.active) return;
        this.deps.durable(lastSeq);
        this.releaseSpace();
        this.kick();
        this.deps.changed();
      },
      (err: unknown) => {
        this.landed();
        if (this.active) this.deps.failed(err);
      },
    );
  }

  private landed(): void {
    this.flushing = false;
    this.inFlightCount = 0;
    this.inFlightByteCount = 0;
  }

  private overBound(): boolean {
    return (
      this.buffer.length + this.inFlightCount >= this.deps.maxBufferedEvents ||
      this.buffer.bytes + this.inFlightByteCount >= this.deps.maxBufferedBytes
    );
  }

  private releaseSpace(): void {
    if (this.space === undefined) return;
    const events = this.buffer.length + this.inFlightCount;
    const bytes = this.buffer.bytes + this.inFlightByteCount;
    if (events >= this.deps.maxBufferedEvents * LOW_WATERMARK_RATIO) return;
    if (bytes >= this.deps.maxBufferedBytes * LOW_WATERMARK_RATIO) return;
    const space = this.space;
    this.space = undefined;
    space.resolve();
  }

  private whenQuiet(): Promise<void> {
    if (!this.active) return rejected(this.stopReason);
    if (this.quiet) return Promise.resolve();
    const waiter = deferred();
    this.quietWaiters.push(waiter);
    return waiter.promise;
  }

  private armTimer(at: number): void {
    if (this.timer !== undefined && this.timerAt === at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = this.deps.clock.setTimer(() => {
      this.timer = undefined;
      this.kick();
    }, at - this.deps.clock.now());
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.deps.clock.clearTimer(this.timer);
    this.timer = undefined;
  }
}
