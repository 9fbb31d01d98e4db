/**
 * A source that tails an inbox file of JSON lines (inbox.ts). It keeps no position anywhere: it
 * declares `resumeFrom`, so dbmazz saves the confirmed byte offset under STATE_DIR and hands it back
 * at the next start.
 */
import { open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import {
  CdcError,
  tableKey,
  type ConnectorContext,
  type Lsn,
  type Source,
  type SourceEventHandler,
  type SourceSetupResult,
  type SourceStatus,
  type TableSchema,
} from 'dbmazz';
import { lineEvents, parseColumns } from './inbox.js';

export interface JsonlSourceConfig {
  readonly file: string;
  readonly columns: readonly string[];
  readonly pollMs: number;
}

// #region source
export class JsonlSource implements Source {
  readonly type = 'jsonl-inbox';
  readonly capabilities = { unchangedColumns: false, keyChanges: false, transactions: true };
  readonly #tables: ReadonlyMap<string, TableSchema>;
  #offset: Lsn = 0n;
  #confirmed: Lsn = 0n;
  #handler: SourceEventHandler | undefined;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> = Promise.resolve();
  #paused = false;
  #stopped = false;
  readonly #ended: Promise<void>;
  #end!: (err?: unknown) => void;

  constructor(
    private readonly config: JsonlSourceConfig,
    ctx: ConnectorContext,
  ) {
    const columns = parseColumns(config.columns);
    const keyColumns = columns.filter((c) => c.isKey).map((c) => c.name);
    this.#tables = new Map(ctx.tables.map((id) => [tableKey(id), { id, columns, keyColumns, version: 1 }]));
    // The end reason is whatever stopped the reader (usually an Error), passed on as it is.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    this.#ended = new Promise<void>((resolve, reject) => (this.#end = (err) => (err === undefined ? resolve() : reject(err))));
    this.#ended.catch(() => undefined);
  }

  /** The inbox's directory must exist (the file itself may appear later). */
  async validateConnection(): Promise<void> {
    const dir = dirname(resolve(this.config.file));
    const isDir = await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!isDir) {
      throw new CdcError({
        code: 'SOURCE_CONNECTION',
        message: `SOURCE_JSONL_FILE: the directory ${dir} of the inbox does not exist.`,
        hint: 'Create it, or set SOURCE_JSONL_FILE to a file in an existing directory.',
      });
    }
  }

  async setup(): Promise<SourceSetupResult> {
    return { tables: [...this.#tables.values()] };
  }

  /** The runtime hands back the last confirmed offset (undefined: read the inbox from its start). */
  resumeFrom(saved: Lsn | undefined): void {
    this.#offset = saved ?? 0n;
    this.#confirmed = this.#offset;
  }

  async start(handler: SourceEventHandler): Promise<void> {
    this.#handler = handler;
    this.#poll();
  }

  #poll(): void {
    if (this.#stopped) return;
    this.#reading = this.#readNew().then(
      () => {
        if (!this.#stopped) this.#timer = setTimeout(() => this.#poll(), this.config.pollMs);
      },
      (err: unknown) => this.#end(err),
    );
  }

  /** Emits every complete line after the offset; awaiting the handler is the backpressure. */
  async #readNew(): Promise<void> {
    if (this.#paused) return;
    const text = await readFrom(this.config.file, this.#offset);
    let start = this.#offset;
    for (const line of text.split('\n').slice(0, -1)) {
      if (this.#paused || this.#stopped) return;
      const end = start + BigInt(Buffer.byteLength(line)) + 1n;
      for (const event of lineEvents(line, start, end, this.#tables)) await this.#handler?.(event);
      this.#offset = start = end;
    }
  }
  // #endregion source

  done(): Promise<void> {
    return this.#ended;
  }

  acknowledge(position: Lsn): void {
    if (position > this.#confirmed) this.#confirmed = position;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#reading.catch(() => undefined);
    this.#end();
  }

  async close(): Promise<void> {
    await this.stop();
  }

  status(): SourceStatus {
    return { receivedPosition: this.#offset, confirmedPosition: this.#confirmed };
  }
}

/** The inbox's bytes from `offset` on, up to its last complete line ('' when there is nothing new). */
async function readFrom(path: string, offset: Lsn): Promise<string> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw new CdcError({ code: 'SOURCE_CONNECTION', retry: 'retry', message: `Cannot open the inbox ${path}: ${(err as Error).message}`, cause: err });
  }
  try {
    const size = (await file.stat()).size;
    const from = Number(offset);
    if (size < from) {
      throw new CdcError({
        code: 'SOURCE_PROTOCOL',
        message: `The inbox ${path} is shorter (${size} bytes) than the confirmed position ${from}: it was replaced or truncated.`,
        hint: 'Restore the file, or delete the saved position under STATE_DIR to read it from the start.',
      });
    }
    const buf = Buffer.alloc(size - from);
    await file.read(buf, 0, buf.length, from);
    return buf.subarray(0, buf.lastIndexOf(0x0a) + 1).toString('utf8');
  } finally {
    await file.close();
  }
}
