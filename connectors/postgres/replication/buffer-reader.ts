/** A bounds-checked big-endian reader over one protocol message (pg-protocol's buffer-reader shape). */

/** Messages up to this size decode their short text cells from one Latin-1 string of the message (`text`). */
export const WHOLE_MESSAGE_TEXT_MAX = 4096;
/** V8's SlicedString::kMinLength: shorter substrings are copies, longer ones views of their parent. */
const SHORT_TEXT = 13;

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
  private pos: number;
  /** The whole buffer as Latin-1 (one character per byte), made on the first `text` call. */
  private latin1: string | undefined;

  constructor(
    private readonly buf: Buffer,
    start = 0,
  ) {
    this.pos = start;
  }

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
    return this.buf[this.need(1)] as number;
  }

  // Byte arithmetic rather than Buffer's read*BE: no argument checks (need() checked the bounds).
  int16(): number {
    const b = this.buf;
    const at = this.need(2);
    return (((b[at] as number) << 24) | ((b[at + 1] as number) << 16)) >> 16;
  }

  int32(): number {
    const b = this.buf;
    const at = this.need(4);
    return ((b[at] as number) << 24) | ((b[at + 1] as number) << 16) | ((b[at + 2] as number) << 8) | (b[at + 3] as number);
  }

  uint32(): number {
    return this.int32() >>> 0;
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

  /**
   * `n` bytes of UTF-8 text. Crossing into C++ once per cell (`toString`) costs more than decoding a
   * short value, so short ASCII cells of a small message are substrings of one Latin-1 string of the
   * whole message, made once (an ASCII byte is the same character in both encodings). Only cells
   * shorter than V8's sliced-string minimum (13 characters) are taken that way: V8 copies those, while
   * a longer substring would keep the whole message's string alive as long as the value lives.
   */
  text(n: number): string {
    if (n < 0) throw new TruncatedMessageError(n, this.pos, this.buf.length);
    const buf = this.buf;
    const at = this.need(n);
    const end = at + n;
    if (n >= SHORT_TEXT || buf.length > WHOLE_MESSAGE_TEXT_MAX) return buf.toString('utf8', at, end);
    let bits = 0;
    for (let i = at; i < end; i++) bits |= buf[i] as number;
    if (bits >= 0x80) return buf.toString('utf8', at, end);
    this.latin1 ??= buf.toString('latin1');
    return this.latin1.substring(at, end);
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
