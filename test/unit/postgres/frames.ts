/** Builders for hand-made pgoutput and replication frames (test only). */
import { PG_EPOCH_OFFSET_MICROS } from '../../../connectors/postgres/replication/pg-epoch.js';

export class FrameWriter {
  private parts: Buffer[] = [];

  char(c: string): this {
    this.parts.push(Buffer.from(c, 'latin1'));
    return this;
  }
  uint8(n: number): this {
    const b = Buffer.alloc(1);
    b.writeUInt8(n);
    this.parts.push(b);
    return this;
  }
  int16(n: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    this.parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  uint32(n: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    this.parts.push(b);
    return this;
  }
  uint64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    this.parts.push(b);
    return this;
  }
  int64(n: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    this.parts.push(b);
    return this;
  }
  /** A timestamp given in µs since the Unix epoch, written as µs since the PostgreSQL epoch. */
  time(unixMicros: bigint): this {
    return this.int64(unixMicros - PG_EPOCH_OFFSET_MICROS);
  }
  cstring(s: string): this {
    this.parts.push(Buffer.from(s, 'utf8'), Buffer.from([0]));
    return this;
  }
  raw(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** null, 'u' (an unchanged TOAST marker), a text value, or a binary value. */
export type CellSpec = null | string | { binary: Buffer };

export function tuple(w: FrameWriter, cells: readonly CellSpec[]): FrameWriter {
  w.int16(cells.length);
  for (const c of cells) {
    if (c === null) w.char('n');
    else if (c === 'u') w.char('u');
    else if (typeof c === 'string') {
      const b = Buffer.from(c, 'utf8');
      w.char('t').int32(b.length).raw(b);
    } else w.char('b').int32(c.binary.length).raw(c.binary);
  }
  return w;
}

export const begin = (finalLsn: bigint, unixMicros: bigint, xid: number): Buffer =>
  new FrameWriter().char('B').uint64(finalLsn).time(unixMicros).uint32(xid).build();

export const commit = (commitLsn: bigint, endLsn: bigint, unixMicros: bigint): Buffer =>
  new FrameWriter().char('C').uint8(0).uint64(commitLsn).uint64(endLsn).time(unixMicros).build();

export interface ColSpec {
  readonly name: string;
  readonly oid: number;
  readonly key?: boolean;
  readonly typmod?: number;
}

export const relation = (oid: number, ns: string, name: string, ident: string, cols: readonly ColSpec[]): Buffer => {
  const w = new FrameWriter().char('R').uint32(oid).cstring(ns).cstring(name).char(ident).int16(cols.length);
  for (const c of cols)
    w.uint8(c.key ? 1 : 0)
      .cstring(c.name)
      .uint32(c.oid)
      .int32(c.typmod ?? -1);
  return w.build();
};

export const insert = (rel: number, cells: readonly CellSpec[]): Buffer => tuple(new FrameWriter().char('I').uint32(rel).char('N'), cells).build();

export const update = (rel: number, cells: readonly CellSpec[], old?: { kind: 'K' | 'O'; cells: readonly CellSpec[] }): Buffer => {
  const w = new FrameWriter().char('U').uint32(rel);
  if (old) tuple(w.char(old.kind), old.cells);
  return tuple(w.char('N'), cells).build();
};

export const del = (rel: number, kind: 'K' | 'O', cells: readonly CellSpec[]): Buffer =>
  tuple(new FrameWriter().char('D').uint32(rel).char(kind), cells).build();

export const truncate = (rels: readonly number[], options = 0): Buffer => {
  const w = new FrameWriter().char('T').int32(rels.length).uint8(options);
  for (const r of rels) w.uint32(r);
  return w.build();
};

/** XLogData frame around a pgoutput message. */
export const xlogData = (walStart: bigint, walEnd: bigint, data: Buffer, unixMicros = 0n): Buffer =>
  new FrameWriter().char('w').uint64(walStart).uint64(walEnd).time(unixMicros).raw(data).build();

export const keepalive = (walEnd: bigint, replyRequested: boolean, unixMicros = 0n): Buffer =>
  new FrameWriter()
    .char('k')
    .uint64(walEnd)
    .time(unixMicros)
    .uint8(replyRequested ? 1 : 0)
    .build();
