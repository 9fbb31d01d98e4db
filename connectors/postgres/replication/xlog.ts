/**
 * The streaming replication sub-protocol carried in CopyData (PostgreSQL docs, "Streaming Replication
 * Protocol"): XLogData 'w' and primary keepalive 'k' from the server, standby status update 'r' from us.
 * Pure: no socket, no clock (the caller passes the time).
 *
 * The status frame carries EXACTLY the positions given. pg-logical-replication's `acknowledge()` adds 1,
 * which makes a fast PostgreSQL shutdown wait forever for a flush position it never sees (docs/stack-traps.md §4.11).
 */
import { CdcError, type Lsn } from '../../../core/index.js';
import { BufferReader, TruncatedMessageError } from './buffer-reader.js';
import { pgMicrosToUnixMicros, unixMicrosToPgMicros } from './pg-epoch.js';

export interface XLogData {
  readonly tag: 'xlogdata';
  /** Start of the WAL data in this message (pgoutput: the change's own LSN). */
  readonly walStart: Lsn;
  /** Current end of WAL on the server. */
  readonly walEnd: Lsn;
  /** Server clock at transmission, µs since the Unix epoch. */
  readonly sendTimeMicros: bigint;
  /** The output plugin's message (a view into the frame). */
  readonly data: Buffer;
}

export interface PrimaryKeepalive {
  readonly tag: 'keepalive';
  /** Current end of WAL on the server (everything before it has been sent). */
  readonly walEnd: Lsn;
  readonly sendTimeMicros: bigint;
  /** The server asks for a status update at once (else it may time us out). */
  readonly replyRequested: boolean;
}

export type ServerFrame = XLogData | PrimaryKeepalive;

export interface StandbyStatus {
  /** Last WAL position received and written; for a logical client we report the durable position. */
  readonly write: Lsn;
  /** Last position flushed: becomes the slot's confirmed_flush_lsn. */
  readonly flush: Lsn;
  readonly apply: Lsn;
  /** Client clock, µs since the Unix epoch. */
  readonly clientTimeMicros: bigint;
  readonly replyRequested: boolean;
}

export const STANDBY_STATUS_LENGTH = 34;

function protocolError(message: string, cause?: unknown): CdcError {
  return new CdcError({
    code: 'SOURCE_PROTOCOL',
    message: `Invalid replication frame: ${message}`,
    hint: 'This is a bug or an unsupported server; report it with the PostgreSQL version.',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Bytes of an XLogData frame before the output plugin's message: tag, walStart, walEnd, send time. */
export const XLOG_DATA_HEADER = 25;

/**
 * The walStart of an XLogData frame, undefined for any other frame: the per-change path reads only
 * this and decodes the message in place (`decodePgoutput(buf, XLOG_DATA_HEADER)`), without the frame
 * object, the view of its payload and two more BigInts per change.
 */
export function xlogDataStart(buf: Buffer): Lsn | undefined {
  return buf[0] === 0x77 && buf.length >= XLOG_DATA_HEADER ? buf.readBigUInt64BE(1) : undefined;
}

/** Decodes the payload of one CopyData message sent by the walsender. */
export function decodeServerFrame(buf: Buffer): ServerFrame {
  const r = new BufferReader(buf);
  try {
    const tag = r.char();
    if (tag === 'w') {
      const walStart = r.uint64();
      const walEnd = r.uint64();
      const sendTimeMicros = pgMicrosToUnixMicros(r.int64());
      return { tag: 'xlogdata', walStart, walEnd, sendTimeMicros, data: r.rest() };
    }
    if (tag === 'k') {
      const walEnd = r.uint64();
      const sendTimeMicros = pgMicrosToUnixMicros(r.int64());
      const replyRequested = r.uint8() === 1;
      return { tag: 'keepalive', walEnd, sendTimeMicros, replyRequested };
    }
    throw protocolError(`unknown CopyData tag 0x${buf[0]?.toString(16).padStart(2, '0') ?? '??'}`);
  } catch (e) {
    if (e instanceof TruncatedMessageError) throw protocolError(e.message, e);
    throw e;
  }
}

/** Encodes a standby status update ('r') with exactly the positions given. */
export function encodeStandbyStatus(s: StandbyStatus): Buffer {
  const buf = Buffer.alloc(STANDBY_STATUS_LENGTH);
  buf.write('r', 0, 'latin1');
  buf.writeBigUInt64BE(s.write, 1);
  buf.writeBigUInt64BE(s.flush, 9);
  buf.writeBigUInt64BE(s.apply, 17);
  buf.writeBigInt64BE(unixMicrosToPgMicros(s.clientTimeMicros), 25);
  buf.writeUInt8(s.replyRequested ? 1 : 0, 33);
  return buf;
}

/** Decodes a standby status update (for tests and diagnostics). */
export function decodeStandbyStatus(buf: Buffer): StandbyStatus {
  if (buf.length !== STANDBY_STATUS_LENGTH || buf[0] !== 0x72) throw protocolError('not a standby status update');
  return {
    write: buf.readBigUInt64BE(1),
    flush: buf.readBigUInt64BE(9),
    apply: buf.readBigUInt64BE(17),
    clientTimeMicros: pgMicrosToUnixMicros(buf.readBigInt64BE(25)),
    replyRequested: buf[33] === 1,
  };
}
