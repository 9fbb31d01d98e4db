/**
 * Open server streams (StreamMetrics, Health.Watch). On shutdown every stream is ended cleanly (status
 * OK) before the server's graceful shutdown, so that never waits for a client to cancel.
 */
export interface TrackedStream {
  /** Stops producing and ends the call with status OK. Idempotent. */
  end(): void;
}

export class StreamTracker {
  readonly #open = new Set<TrackedStream>();
  #closed = false;

  /** Registers a stream; returns the function that unregisters it. A stream added after close ends at once. */
  add(stream: TrackedStream): () => void {
    if (this.#closed) {
      stream.end();
      return () => undefined;
    }
    this.#open.add(stream);
    return () => {
      this.#open.delete(stream);
    };
  }

  get size(): number {
    return this.#open.size;
  }

  endAll(): void {
    this.#closed = true;
    for (const s of [...this.#open]) s.end();
    this.#open.clear();
  }
}
