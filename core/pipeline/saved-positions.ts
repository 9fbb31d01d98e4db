/**
 * Saved positions, for sources that keep no position on their server (no replication slot): the
 * runtime stores the confirmed position for them (Source.resumeFrom) and hands it back at the next
 * start. A position is saved only once the checkpointer confirmed it, i.e. once the sink durably wrote
 * everything up to it: the same rule as confirming an LSN to PostgreSQL. Saves are coalesced (one write
 * at a time, the latest position wins) and flushed before the pipeline closes.
 *
 * It also checks the rule that makes saved positions usable: every position the source hands over to
 * be confirmed (a `commit` event's `position`, or each change's `commitLsn` for a source without
 * transactions) is strictly greater than the one before it and than the position it resumed from.
 */
import { CdcError } from '../errors/errors.js';
import type { Lsn } from '../model/lsn.js';

/** Where a source's confirmed position survives the process. */
export interface PositionStore {
  /** Human-readable location, for messages (e.g. the file path). */
  readonly location: string;
  /** The position saved by an earlier run, undefined when there is none. Checks the store is usable. */
  load(): Promise<Lsn | undefined>;
  /** Saves durably (the position is there after a crash once this resolves). */
  save(position: Lsn): Promise<void>;
}

export class SavedPositions {
  readonly #store: PositionStore;
  readonly #connector: string;
  readonly #resumedFrom: Lsn | undefined;
  readonly #onError: (err: unknown) => void;
  #last: Lsn | undefined;
  #latest: Lsn | undefined;
  #written: Lsn | undefined;
  #writing: Promise<void> | undefined;

  /** `connector`: the source type, named in errors. `resumedFrom`: what `store.load()` returned. */
  constructor(store: PositionStore, connector: string, resumedFrom: Lsn | undefined, onError: (err: unknown) => void) {
    this.#store = store;
    this.#connector = connector;
    this.#resumedFrom = resumedFrom;
    this.#last = resumedFrom;
    // Never saved backwards (e.g. an idle position below the saved one from a source that does not
    // report the saved position as confirmed).
    this.#latest = resumedFrom;
    this.#written = resumedFrom;
    this.#onError = onError;
  }

  /** Undefined when `position` may follow the previous one, else the error to stop with. */
  check(position: Lsn): CdcError | undefined {
    const last = this.#last;
    if (last !== undefined && position <= last) {
      const restart = last === this.#resumedFrom;
      return new CdcError({
        code: 'SOURCE_PROTOCOL',
        message: restart
          ? `The source '${this.#connector}' sent position ${position} after restarting from the saved position ${last} (${this.#store.location}): positions must be greater than the saved one.`
          : `The source '${this.#connector}' sent position ${position} after position ${last}: positions must increase.`,
        hint:
          `The connector '${this.#connector}' must continue strictly after the position Source.resumeFrom gave it and never repeat a position (docs/writing-a-connector.md, "Positions"). ` +
          'Report this to the connector author; nothing after the saved position was confirmed.',
      });
    }
    this.#last = position;
    return undefined;
  }

  /** `position` is confirmed (everything up to it is durable): save it, coalescing with later ones. */
  save(position: Lsn): void {
    if (this.#latest !== undefined && position <= this.#latest) return;
    this.#latest = position;
    this.#writing ??= this.#drain();
  }

  /** Resolves once every confirmed position is saved (or the save failed and was reported). */
  async flush(): Promise<void> {
    await this.#writing;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#latest !== undefined && this.#latest !== this.#written) {
        const position = this.#latest;
        await this.#store.save(position);
        this.#written = position;
      }
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#writing = undefined;
    }
  }
}
