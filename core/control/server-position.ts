/**
 * The server's current position (PostgreSQL: its WAL position) for lag (StreamMetrics and Prometheus), asked from the live source with
 * `Source.serverPosition()`. Concurrent callers share one query, a result is reused for `maxAgeMs`,
 * and a query never blocks a caller longer than `timeoutMs` (the caller then gets undefined).
 */
import type { Logger } from '../log/logger.js';
import type { Lsn } from '../model/lsn.js';
import type { Source } from '../plugin/source.js';

export interface ServerPositionOptions {
  readonly maxAgeMs: number;
  readonly timeoutMs: number;
}

export class ServerPositionProbe {
  #inFlight: Promise<Lsn | undefined> | undefined;
  #last: { at: number; lsn: Lsn } | undefined;
  #warned = false;

  constructor(
    private readonly source: () => Source | undefined,
    private readonly logger: Logger,
    private readonly opts: ServerPositionOptions = { maxAgeMs: 100, timeoutMs: 2000 },
  ) {}

  /** Resolves with the position, or undefined when the source cannot tell now. Never rejects. */
  get(): Promise<Lsn | undefined> {
    const source = this.source();
    if (source?.serverPosition === undefined) return Promise.resolve(undefined);
    const last = this.#last;
    if (last !== undefined && Date.now() - last.at <= this.opts.maxAgeMs) return Promise.resolve(last.lsn);
    this.#inFlight ??= this.#query(source).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  async #query(source: Source): Promise<Lsn | undefined> {
    const ask = source.serverPosition?.bind(source);
    if (ask === undefined) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.opts.timeoutMs);
      timer.unref();
    });
    try {
      const lsn = await Promise.race([ask(), timeout]);
      if (lsn !== undefined) {
        this.#last = { at: Date.now(), lsn };
        this.#warned = false;
      }
      return lsn;
    } catch (err) {
      if (!this.#warned) {
        this.#warned = true;
        this.logger.warn({ error: err instanceof Error ? err.message : String(err) }, 'Could not read the server WAL position for lag');
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
