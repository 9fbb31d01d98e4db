/**
 * The replication connection: a pg Client started with `replication: 'database'`, running
 * START_REPLICATION and then moving CopyData bytes both ways. It only moves bytes: frames are decoded
 * by xlog.ts / pgoutput-decoder.ts. Backpressure pauses the socket itself, so the server stops sending
 * once the TCP buffers are full.
 */
import pg from 'pg';
import type { Duplex } from 'node:stream';
import { toSourceError } from '../errors.js';
import type { CdcError } from '../../../core/index.js';

export interface ReplicationHandlers {
  /** One CopyData payload. The buffer is a view that is reused after the call: copy to keep it. */
  onCopyData(chunk: Buffer): void;
  /** The connection failed or closed while streaming (not after `endCopy`/`close`). */
  onLost(err: CdcError): void;
}

interface CopyDataMessage {
  readonly chunk: Buffer;
}

function isCopyData(msg: unknown): msg is CopyDataMessage {
  return typeof msg === 'object' && msg !== null && Buffer.isBuffer((msg as { chunk?: unknown }).chunk);
}

/** CopyData ('d') and CopyDone ('c') frontend messages, written to the socket directly. */
function copyDataFrame(payload: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write('d', 0, 'latin1');
  head.writeInt32BE(payload.length + 4, 1);
  return Buffer.concat([head, payload]);
}

const COPY_DONE = Buffer.from([0x63, 0, 0, 0, 4]);

export class ReplicationConnection {
  private streaming = false;
  private ending = false;
  private socketPaused = false;
  private copyResult: Promise<void> | undefined;

  private constructor(
    private readonly client: pg.Client,
    private readonly target: string,
  ) {}

  static async open(config: pg.ClientConfig, target: string): Promise<ReplicationConnection> {
    const client = new pg.Client(config);
    // An 'error' event without a listener would crash the process; failures surface via onLost.
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      throw toSourceError(e, `open a replication connection to ${target}`);
    }
    return new ReplicationConnection(client, target);
  }

  private get stream(): Duplex {
    return this.client.connection.stream;
  }

  /**
   * Sends START_REPLICATION and resolves once the server switched to COPY BOTH mode. Rejects with a
   * classified CdcError when the server refuses (slot missing or in use, bad publication, ...).
   */
  start(sql: string, handlers: ReplicationHandlers): Promise<void> {
    const conn = this.client.connection;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      conn.on('copyData', (msg: unknown) => {
        if (isCopyData(msg) && !this.ending) handlers.onCopyData(msg.chunk);
      });
      conn.once('replicationStart', () => {
        started = true;
        this.streaming = true;
        resolve();
      });
      const lost = (e: unknown): void => {
        const err = toSourceError(e, `stream from ${this.target}`);
        if (!started) reject(err);
        else if (!this.ending) handlers.onLost(err);
        this.streaming = false;
      };
      this.client.on('error', lost);
      this.client.on('end', () => lost(new Error('Connection terminated unexpectedly')));
      this.copyResult = this.client.query(sql).then(
        () => {
          // The server ended the COPY (e.g. shutdown): unexpected unless we asked for it.
          this.streaming = false;
          if (!started) reject(toSourceError(new Error('START_REPLICATION ended at once'), `stream from ${this.target}`));
          else if (!this.ending) handlers.onLost(toSourceError(new Error('the server ended replication'), `stream from ${this.target}`));
        },
        (e: unknown) => lost(e),
      );
    });
  }

  get isStreaming(): boolean {
    return this.streaming;
  }

  /** Sends one CopyData payload (a standby status update). False when the socket is gone. */
  send(payload: Buffer): boolean {
    const s = this.stream;
    if (!this.streaming || !s.writable) return false;
    s.write(copyDataFrame(payload));
    return true;
  }

  /** Stops reading from the socket (idempotent). Writes still go out. */
  pause(): void {
    if (this.socketPaused) return;
    this.socketPaused = true;
    this.stream.pause();
  }

  resume(): void {
    if (!this.socketPaused) return;
    this.socketPaused = false;
    this.stream.resume();
  }

  get paused(): boolean {
    return this.socketPaused;
  }

  /**
   * Ends the COPY cleanly (CopyDone) and waits, at most `timeoutMs`, for the server to finish it.
   * Data still arriving is discarded. The socket is resumed so the server's answer can be read.
   */
  async endCopy(timeoutMs: number): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    const s = this.stream;
    this.resume();
    if (this.streaming && s.writable) s.write(COPY_DONE);
    this.streaming = false;
    const done = this.copyResult ?? Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done.catch(() => undefined),
      new Promise<void>((r) => {
        timer = setTimeout(r, timeoutMs);
        timer.unref();
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  /** Closes the connection (idempotent). */
  async close(): Promise<void> {
    this.ending = true;
    this.streaming = false;
    this.resume();
    await this.client.end().catch(() => undefined);
  }
}
