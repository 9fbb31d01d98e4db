/** A bounds-checked big-endian reader over one protocol message (pg-protocol's buffer-reader shape). */

export class TruncatedMessageError extends Error {
  constructor(
    readonly needed: number,
    readonly offset: number,
    readonly length: number,
  ) {
    super(`message truncated: needed ${needed} byte(s) at offset ${offset} of ${length}`);
    this.name = 'TruncatedMessageError';
  }
}

export class BufferReader {
  private pos = 0;

  constructor(private readonly buf: Buffer) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): number {
    if (this.pos + n > this.buf.length) throw new TruncatedMessageError(n, this.pos, this.buf.length);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  uint8(): number {
    return this.buf.readUInt8(this.need(1));
  }

  int16(): number {
    return this.buf.readInt16BE(this.need(2));
  }

  int32(): number {
    return this.buf.readInt32BE(this.need(4));
  }

  uint32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }

  uint64(): bigint {
    return this.buf.readBigUInt64BE(this.need(8));
  }

  int64(): bigint {
    return this.buf.readBigInt64BE(this.need(8));
  }

  /** One ASCII character (a message tag or kind byte). */
  char(): string {
    return String.fromCharCode(this.uint8());
  }

  /** A NUL-terminated UTF-8 string. */
  cstring(): string {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new TruncatedMessageError(this.buf.length - this.pos + 1, this.pos, this.buf.length);
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end + 1;
    return s;
  }

  /** `n` bytes, as a view (no copy). */
  bytes(n: number): Buffer {
    if (n < 0) throw new TruncatedMessageError(n, this.pos, this.buf.length);
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  /** Everything left. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}
