/**
 * Pure decoder: one pgoutput (protocol v1) message Buffer → PgoutputMessage. Each XLogData carries
 * exactly one message. Streaming (v2: S/E/c/A), two-phase (v3) and unknown tags are refused with a
 * typed PgoutputError: we start replication with proto_version '1' and streaming off (docs/stack-traps.md §4.10).
 */
import { CdcError, UNCHANGED } from '../../../core/index.js';
import { BufferReader, TruncatedMessageError } from './buffer-reader.js';
import { pgMicrosToUnixMicros } from './pg-epoch.js';
import type { PgoutputMessage, RelationColumn, ReplicaIdentity, TupleCell, TupleData } from './pgoutput-types.js';

export type PgoutputErrorReason = 'unknown-tag' | 'streaming' | 'truncated' | 'malformed';

const STREAMING_TAGS = new Set(['S', 'E', 'c', 'A']);
const TWO_PHASE_TAGS = new Set(['b', 'P', 'K', 'r', 'p']);

export class PgoutputError extends CdcError {
  constructor(
    readonly reason: PgoutputErrorReason,
    message: string,
    readonly tag?: string,
    cause?: unknown,
  ) {
    super({
      code: 'SOURCE_PROTOCOL',
      message: `pgoutput: ${message}`,
      hint:
        reason === 'streaming'
          ? 'dbmazz uses pgoutput protocol version 1 without streaming; the slot was started with other options.'
          : 'This is a bug or an unsupported PostgreSQL version; report it with the server version.',
      ...(cause === undefined ? {} : { cause }),
    });
    this.name = 'PgoutputError';
  }
}

const IDENTITY: Readonly<Record<string, ReplicaIdentity>> = { d: 'default', n: 'nothing', f: 'full', i: 'index' };

const KIND_TEXT = 0x74; // 't'
const KIND_NULL = 0x6e; // 'n'
const KIND_UNCHANGED = 0x75; // 'u'
const KIND_BINARY = 0x62; // 'b'

function readTuple(r: BufferReader): TupleData {
  const count = r.int16();
  if (count < 0) throw new PgoutputError('malformed', `negative column count ${count}`);
  const cells: TupleCell[] = new Array<TupleCell>(count);
  for (let i = 0; i < count; i++) {
    const kind = r.uint8();
    switch (kind) {
      case KIND_TEXT:
        cells[i] = r.text(r.int32());
        break;
      case KIND_NULL:
        cells[i] = null;
        break;
      case KIND_UNCHANGED:
        cells[i] = UNCHANGED;
        break;
      case KIND_BINARY:
        cells[i] = new Uint8Array(r.bytes(r.int32()));
        break;
      default:
        throw new PgoutputError('malformed', `unknown tuple data kind '${String.fromCharCode(kind)}'`);
    }
  }
  return cells;
}

function oldKind(c: string): 'K' | 'O' {
  if (c === 'K' || c === 'O') return c;
  throw new PgoutputError('malformed', `unexpected tuple marker '${c}'`);
}

function decodeMessage(r: BufferReader, tag: string): PgoutputMessage {
  switch (tag) {
    case 'B': {
      const finalLsn = r.uint64();
      const commitTimeMicros = pgMicrosToUnixMicros(r.int64());
      return { tag: 'begin', finalLsn, commitTimeMicros, xid: r.uint32() };
    }
    case 'C': {
      const flags = r.uint8();
      const commitLsn = r.uint64();
      const endLsn = r.uint64();
      return { tag: 'commit', flags, commitLsn, endLsn, commitTimeMicros: pgMicrosToUnixMicros(r.int64()) };
    }
    case 'O': {
      const originLsn = r.uint64();
      return { tag: 'origin', originLsn, name: r.cstring() };
    }
    case 'R': {
      const relationOid = r.uint32();
      const namespace = r.cstring() || 'pg_catalog';
      const name = r.cstring();
      const ident = r.char();
      const replicaIdentity = IDENTITY[ident];
      if (!replicaIdentity) throw new PgoutputError('malformed', `unknown replica identity '${ident}'`);
      const n = r.int16();
      const columns: RelationColumn[] = [];
      for (let i = 0; i < n; i++) {
        const flags = r.uint8();
        columns.push({ isKey: (flags & 1) === 1, name: r.cstring(), typeOid: r.uint32(), typeModifier: r.int32() });
      }
      return { tag: 'relation', relationOid, namespace, name, replicaIdentity, columns };
    }
    case 'Y': {
      const typeOid = r.uint32();
      return { tag: 'type', typeOid, namespace: r.cstring() || 'pg_catalog', name: r.cstring() };
    }
    case 'I': {
      const relationOid = r.uint32();
      const marker = r.char();
      if (marker !== 'N') throw new PgoutputError('malformed', `insert without new tuple (got '${marker}')`);
      return { tag: 'insert', relationOid, newTuple: readTuple(r) };
    }
    case 'U': {
      const relationOid = r.uint32();
      let marker = r.char();
      if (marker === 'K' || marker === 'O') {
        const kind = marker;
        const oldTuple = readTuple(r);
        marker = r.char();
        if (marker !== 'N') throw new PgoutputError('malformed', `update without new tuple (got '${marker}')`);
        return { tag: 'update', relationOid, oldKind: kind, oldTuple, newTuple: readTuple(r) };
      }
      if (marker !== 'N') throw new PgoutputError('malformed', `update without new tuple (got '${marker}')`);
      return { tag: 'update', relationOid, newTuple: readTuple(r) };
    }
    case 'D': {
      const relationOid = r.uint32();
      const kind = oldKind(r.char());
      return { tag: 'delete', relationOid, oldKind: kind, oldTuple: readTuple(r) };
    }
    case 'T': {
      const n = r.int32();
      if (n < 0) throw new PgoutputError('malformed', `negative relation count ${n}`);
      const options = r.uint8();
      const relationOids: number[] = [];
      for (let i = 0; i < n; i++) relationOids.push(r.uint32());
      return { tag: 'truncate', cascade: (options & 1) !== 0, restartIdentity: (options & 2) !== 0, relationOids };
    }
    case 'M': {
      const transactional = (r.uint8() & 1) === 1;
      const lsn = r.uint64();
      const prefix = r.cstring();
      const content = new Uint8Array(r.bytes(r.int32()));
      return { tag: 'message', transactional, lsn, prefix, content };
    }
    default:
      if (STREAMING_TAGS.has(tag)) {
        throw new PgoutputError('streaming', `streamed transaction message '${tag}' is not supported`, tag);
      }
      if (TWO_PHASE_TAGS.has(tag)) {
        throw new PgoutputError('unknown-tag', `two-phase commit message '${tag}' is not supported`, tag);
      }
      throw new PgoutputError('unknown-tag', `unknown message tag 0x${tag.charCodeAt(0).toString(16)}`, tag);
  }
}

/**
 * Decodes one pgoutput message: `buf` from `start` (an XLogData frame's payload starts after its
 * header). Trailing bytes after a complete message are an error.
 */
export function decodePgoutput(buf: Buffer, start = 0): PgoutputMessage {
  const r = new BufferReader(buf, start);
  try {
    const tag = r.char();
    const msg = decodeMessage(r, tag);
    if (r.remaining !== 0) throw new PgoutputError('malformed', `${r.remaining} trailing byte(s) after '${tag}'`, tag);
    return msg;
  } catch (e) {
    if (e instanceof TruncatedMessageError) throw new PgoutputError('truncated', e.message, undefined, e);
    throw e;
  }
}
