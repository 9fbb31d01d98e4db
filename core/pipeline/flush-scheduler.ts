/**
 * Owns the buffer and the flushes in flight, and decides when a flush starts: at `flushSize` buffered
 * events, `flushIntervalMs` after the oldest buffered event, at once when the buffer is full or a full
 * flush is requested, and as soon as no flush is in flight when a source waits to hear that what it
 * emitted is durable (`urge`: a snapshot chunk's mark; nothing else is coming soon to fill the flush). Each flush takes at most `flushSize` events. Up to `maxFlushesInFlight` flushes
 * are in flight (default 2): flush N+1 starts when it is due even while N is still loading, so the
 * daemon plans and encodes it while the sink applies N (the writer keeps the order per table and the
 * barriers: flush-writer.ts). Confirmation stays in order: `durable` is called for a flush only once it
 * and every earlier flush are durable, whatever order they finish in. A flush counts as in flight until
 * then, so memory stays within buffered + in flight (all flushes) <= the bounds.
 *
 * Backpressure: once buffered + in-flight reaches `maxBufferedEvents` or `maxBufferedBytes`,
 * `waitForSpace` hands the source a promise that resolves when the total drops below the low watermark.
 */
import type { Clock, TimerHandle } from './clock.js';
import { deferred, rejected, type Deferred } from './deferred.js';
import { EventBuffer, itemEvents, type BufferItem } from './event-buffer.js';
import { LOW_WATERMARK_RATIO } from './options.js';

export interface FlushSchedulerDeps {
  readonly clock: Clock;
  readonly maxBufferedEvents: number;
  readonly maxBufferedBytes: number;
  flushSize: number;
  flushIntervalMs: number;
  /**
   * Flushes in flight at most (started, not yet confirmed in order); default
   * `DEFAULT_MAX_FLUSHES_IN_FLIGHT`. 1: one flush at a time.
   */
  readonly maxFlushesInFlight?: number;
  /**
   * Writes one flush; resolves when all of it is durable. Called in flush order; a call may come while
   * earlier flushes are in flight (the writer orders them).
   */
  readonly write: (items: readonly BufferItem[]) => Promise<void>;
  /** Every item up to `lastSeq` is durable (every earlier flush too). */
  readonly durable: (lastSeq: number) => void;
  readonly failed: (err: unknown) => void;
  /** The counters changed (buffered, in flight). */
  readonly changed: () => void;
}

/** Flushes in flight at once, unless told otherwise: one loading while the next one is prepared. */
export const DEFAULT_MAX_FLUSHES_IN_FLIGHT = 2;

interface Flight {
  readonly lastSeq: number;
  readonly events: number;
  readonly bytes: number;
  durable: boolean;
}

export class FlushScheduler {
  private readonly buffer = new EventBuffer();
  private active = true;
  private stopReason: unknown;
  /** Started and not yet confirmed, in flush order. */
  private flights: Flight[] = [];
  private readonly maxFlights: number;
  /** A flush failed: nothing after it is confirmed. */
  private broken = false;
  private inFlightCount = 0;
  private inFlightByteCount = 0;
  private timer: TimerHandle | undefined;
  private timerAt = 0;
  private forced = 0;
  /** A source waits on what is buffered (`urge`): flushed once nothing is in flight. */
  private urged = false;
  private space: Deferred | undefined;
  private quietWaiters: Deferred[] = [];

  constructor(private readonly deps: FlushSchedulerDeps) {
    this.maxFlights = Math.max(1, deps.maxFlushesInFlight ?? DEFAULT_MAX_FLUSHES_IN_FLIGHT);
  }

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
    return this.buffer.length === 0 && this.flights.length === 0;
  }

  /** Flushes started and not yet confirmed. */
  get flushesInFlight(): number {
    return this.flights.length;
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

  /**
   * A source waits to hear that everything buffered so far is durable (a durability mark): what is
   * buffered is flushed as soon as no flush is in flight, without waiting for `flushIntervalMs` (the
   * last chunk of a snapshot, its sweep). While flushes are in flight it waits for them as before, so
   * the buffer still fills up to `flushSize` when the sink is busy.
   */
  urge(): void {
    if (this.buffer.length === 0) return;
    this.urged = true;
    this.kick();
  }

  /** Starts flushes while one is due and fewer than the maximum are in flight; arms the timer otherwise. */
  kick(): void {
    // After one starts, another may be due at once (a buffer of more than `flushSize`).
    let started = true;
    while (started && this.active && this.flights.length < this.maxFlights) started = this.startDue();
  }

  /** Starts one flush when it is due; false when none started. */
  private startDue(): boolean {
    const firstAt = this.buffer.firstAt;
    if (firstAt === undefined) {
      this.clearTimer();
      if (this.flights.length === 0) for (const waiter of this.quietWaiters.splice(0)) waiter.resolve();
      return false;
    }
    const dueAt = firstAt + this.deps.flushIntervalMs;
    const due =
      this.forced > 0 ||
      this.space !== undefined ||
      this.buffer.length >= this.deps.flushSize ||
      this.overBound() ||
      (this.urged && this.flights.length === 0) ||
      this.deps.clock.now() >= dueAt;
    if (!due) {
      this.armTimer(dueAt);
      return false;
    }
    this.clearTimer();
    this.start(this.buffer.take(this.deps.flushSize));
    if (this.buffer.length === 0) this.urged = false;
    return true;
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
    this.urged = false;
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
    const flight: Flight = {
      lastSeq: items[items.length - 1]?.seq ?? 0,
      events: items.reduce((sum, item) => sum + itemEvents(item), 0),
      bytes: items.reduce((sum, item) => sum + item.bytes, 0),
      durable: false,
    };
    this.flights.push(flight);
    this.inFlightCount += flight.events;
    this.inFlightByteCount += flight.bytes;
    this.deps.changed();
    this.deps.write(items).then(
      () => {
        flight.durable = true;
        const lastSeq = this.land();
        if (!this.active || this.broken || lastSeq === undefined) return;
        this.deps.durable(lastSeq);
        this.releaseSpace();
        this.kick();
        this.deps.changed();
      },
      (err: unknown) => {
        this.broken = true;
        this.flights = this.flights.filter((f) => f !== flight);
        this.inFlightCount -= flight.events;
        this.inFlightByteCount -= flight.bytes;
        if (this.active) this.deps.failed(err);
      },
    );
  }

  /** Drops the durable flushes at the head (in order); returns the last one's `lastSeq`, if any. */
  private land(): number | undefined {
    let lastSeq: number | undefined;
    while (this.flights[0]?.durable === true) {
      const flight = this.flights.shift() as Flight;
      this.inFlightCount -= flight.events;
      this.inFlightByteCount -= flight.bytes;
      lastSeq = flight.lastSeq;
    }
    return lastSeq;
  }

  private overBound(): boolean {
    return this.buffer.length + this.inFlightCount >= this.deps.maxBufferedEvents || this.buffer.bytes + this.inFlightByteCount >= this.deps.maxBufferedBytes;
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
