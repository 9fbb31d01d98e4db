/**
 * The normal (non-replication) connection: setup, catalog lookups during streaming, lag. Opened on
 * first use and reopened after a loss; every failure comes out as a classified CdcError.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { clientConfig, type PostgresConfig } from './config.js';
import { toSourceError } from './errors.js';

export class QueryConnection {
  private client: pg.Client | undefined;

  /** `config` adjusts the client configuration (e.g. session options of snapshot readers). */
  constructor(
    private readonly cfg: PostgresConfig,
    private readonly logger: Logger,
    private readonly config: (base: pg.ClientConfig) => pg.ClientConfig = (base) => base,
  ) {}

  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const c = new pg.Client(this.config(clientConfig(this.cfg, 'query')));
    const forget = (): void => {
      if (this.client === c) this.client = undefined;
    };
    c.on('error', (e) => {
      this.logger.warn({ err: toSourceError(e, `query ${this.cfg.target}`).message }, 'query connection lost');
      forget();
    });
    c.on('end', forget);
    try {
      await c.connect();
    } catch (e) {
      await c.end().catch(() => undefined);
      throw toSourceError(e, `connect to ${this.cfg.target}`);
    }
    this.client = c;
    return c;
  }

  /** Runs `fn` on the connection; `doing` names the attempt in the error message. */
  async run<T>(doing: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
    const c = await this.connect();
    try {
      return await fn(c);
    } catch (e) {
      throw toSourceError(e, doing);
    }
  }

  async close(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}
