/**
 * Flow control between the replication socket and the frame processor. Frames are processed in
 * order; when processing one yields a promise (the event handler is busy) the socket is paused until it
 * settles. Frames the protocol parser had already cut out of the last socket read are copied into a
 * small queue (bounded by one read). A user pause holds the stream the same way. No socket here: the
 * owner maps `setPaused` onto the real one.
 */

export interface PumpTarget {
  /** Processes one frame; returns a promise when the stream must wait for it. */
  process(frame: Buffer): Promise<void> | undefined;
  /** Pause (true) or resume (false) reading from the socket. Called on changes only. */
  setPaused(paused: boolean): void;
  /** Processing failed: the pump stops. */
  onError(err: unknown): void;
}

/** Work to run in stream order between frames (e.g. placing snapshot rows); may return a wait. */
export type PumpTask = () => Promise<void> | undefined;

export class FramePump {
  private readonly queue: (Buffer | PumpTask)[] = [];
  private busy = false;
  private userPaused = false;
  private stopped = false;
  private socketPaused = false;

  constructor(private readonly target: PumpTarget) {}

  /** A frame from the socket. The buffer may be reused by the parser after this call. */
  push(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.busy || this.userPaused || this.queue.length > 0) {
      this.queue.push(Buffer.from(chunk)); // copy: the parser reuses its buffer
      this.flow();
      return;
    }
    this.run(chunk);
  }

  /** Runs `task` after every frame received so far, in order with them (now when idle). */
  pushTask(task: PumpTask): void {
    if (this.stopped) return;
    if (this.busy || this.userPaused || this.queue.length > 0) {
      this.queue.push(task);
      this.flow();
      return;
    }
    this.run(task);
  }

  pause(): void {
    this.userPaused = true;
    this.flow();
  }

  resume(): void {
    if (!this.userPaused) return;
    this.userPaused = false;
    this.drain();
  }

  /** Drops queued frames and ignores everything after. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
  }

  get buffered(): number {
    return this.queue.length;
  }

  get paused(): boolean {
    return this.socketPaused;
  }

  /** Processes one frame or task; false when the stream must now wait. */
  private run(item: Buffer | PumpTask): boolean {
    let pending: Promise<void> | undefined;
    try {
      pending = typeof item === 'function' ? item() : this.target.process(item);
    } catch (e) {
      this.fail(e);
      return false;
    }
    if (!pending) return true;
    this.busy = true;
    this.flow();
    pending.then(
      () => {
        this.busy = false;
        this.drain();
      },
      (e: unknown) => this.fail(e),
    );
    return false;
  }

  private drain(): void {
    while (!this.busy && !this.userPaused && !this.stopped) {
      const next = this.queue.shift();
      if (!next) break;
      if (!this.run(next)) return;
    }
    this.flow();
  }

  private fail(e: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.target.onError(e);
  }

  private flow(): void {
    if (this.stopped) return;
    const pause = this.busy || this.userPaused || this.queue.length > 0;
    if (pause === this.socketPaused) return;
    this.socketPaused = pause;
    this.target.setPaused(pause);
  }
}
