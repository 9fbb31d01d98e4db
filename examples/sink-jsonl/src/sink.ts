/**
 * The JSON-lines sink: one file per table, one line per change (encode.ts). `write` appends a batch
 * and fsyncs before it resolves, so what the runtime confirms is on disk. Idempotent: each file's last
 * line is its horizon; a retried or replayed batch appends only the changes after it (stream changes
 * arrive in order of version, lsn, ordinal). A crash in the middle of an append leaves a torn last
 * line, which `setup` cuts off: that batch was never acknowledged and comes again.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  CdcError,
  tableKey,
  type ConnectorContext,
  type Lsn,
  type Sink,
  type SinkCapabilities,
  type TableBatch,
  type TableId,
  type TableSchema,
  type WriteResult,
} from 'dbmazz';
import { after, linePosition, positionOf, toLine, type ChangeLine, type LinePosition } from './encode.js';
import { appendDurably, lastLine, replaceDurably } from './files.js';

export const CAPABILITIES: SinkCapabilities = {
  // Unchanged columns are listed in the line, and readers keep the previous value.
  partialUpdate: true,
  softDelete: false,
  idempotentBatches: true,
};

export interface JsonlSinkConfig {
  readonly dir: string;
  readonly before: boolean;
}

/** `<dir>/<schema>.<table>.jsonl`, each part URI-encoded. */
export function tableFile(dir: string, id: TableId): string {
  return join(resolve(dir), `${encodeURIComponent(id.schema)}.${encodeURIComponent(id.name)}.jsonl`);
}

// #region write
export class JsonlSink implements Sink {
  readonly type = 'jsonl';
  readonly capabilities = CAPABILITIES;
  /** Per table: the position of its file's last line (undefined: empty). */
  readonly #horizons = new Map<string, LinePosition | undefined>();

  constructor(
    private readonly config: JsonlSinkConfig,
    private readonly ctx: ConnectorContext,
  ) {}

  async write(batch: TableBatch, signal: AbortSignal): Promise<WriteResult> {
    const horizon = await this.#horizon(batch.schema.id);
    // A retried or replayed batch: skip what the file already holds (snapshot rows carry no stream
    // position; readers take the highest version, so writing one again is harmless).
    const fresh = batch.records.filter((r) => r.snapshotRead !== undefined || horizon === undefined || after(positionOf(r), horizon));
    if (fresh.length === 0) return { rowsWritten: 0, bytesWritten: 0, loads: 0 };
    signal.throwIfAborted();
    const text = fresh.map((r) => `${JSON.stringify(toLine(r, this.config.before))}\n`).join('');
    const file = tableFile(this.config.dir, batch.schema.id);
    try {
      await appendDurably(file, text);
    } catch (err) {
      throw ioError(err, `Appending to ${file} (table ${tableKey(batch.schema.id)})`);
    }
    const stream = fresh.filter((r) => r.snapshotRead === undefined).map(positionOf);
    const last = stream.reduce<LinePosition | undefined>((a, b) => (a === undefined || after(b, a) ? b : a), horizon);
    this.#horizons.set(tableKey(batch.schema.id), last);
    return { rowsWritten: fresh.length, bytesWritten: Buffer.byteLength(text), loads: 1 };
  }
  // #endregion write

  async validateConnection(): Promise<void> {
    const dir = resolve(this.config.dir);
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
    } catch (err) {
      throw new CdcError({
        code: 'SINK_CONNECTION',
        message: `SINK_JSONL_DIR '${dir}' is not a writable directory: ${(err as Error).message}`,
        hint: 'Set SINK_JSONL_DIR to a directory the daemon can create files in.',
        cause: err,
      });
    }
  }

  /** Reads each table's horizon (and repairs a torn last line): idempotent. */
  async setup(tables: readonly TableSchema[]): Promise<void> {
    for (const t of tables) {
      this.#horizons.delete(tableKey(t.id));
      await this.#horizon(t.id);
    }
  }

  async truncate(tables: readonly TableId[], signal: AbortSignal, _lsn: Lsn): Promise<void> {
    for (const id of tables) {
      signal.throwIfAborted();
      const file = tableFile(this.config.dir, id);
      try {
        await replaceDurably(file, '');
      } catch (err) {
        throw ioError(err, `Truncating ${file} (table ${tableKey(id)})`);
      }
      this.#horizons.set(tableKey(id), undefined);
    }
  }

  async close(): Promise<void> {
    this.#horizons.clear();
  }

  async #horizon(id: TableId): Promise<LinePosition | undefined> {
    const key = tableKey(id);
    if (this.#horizons.has(key)) return this.#horizons.get(key);
    const file = tableFile(this.config.dir, id);
    const { line, repairedBytes } = await lastLine(file).catch((err: unknown) => {
      throw ioError(err, `Reading ${file} (table ${key})`);
    });
    if (repairedBytes > 0) this.ctx.logger.warn({ file, repairedBytes }, 'Cut off a torn last line (a write the crash interrupted; it is written again)');
    const horizon = line === undefined ? undefined : linePosition(JSON.parse(line) as ChangeLine);
    this.#horizons.set(key, horizon);
    return horizon;
  }
}

// #region errors
/** Disk errors: a full or failing disk may recover (retry); permissions need an operator. */
function ioError(err: unknown, what: string): CdcError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const operator = ['EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR'].includes(code);
  return new CdcError({
    code: 'SINK_LOAD',
    retry: operator ? 'never' : 'retry',
    message: `${what} failed: ${(err as Error).message}`,
    hint: operator ? 'Check the permissions of SINK_JSONL_DIR.' : 'Check the disk (space, health); the batch is retried.',
    cause: err,
  });
}
// #endregion errors
