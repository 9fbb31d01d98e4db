/**
 * Server-side prepared statements (COM_STMT_PREPARE / COM_STMT_EXECUTE, e.g. mysql2 `execute`):
 * count the `?` placeholders, decode the binary parameters of COM_STMT_EXECUTE and bind them into the
 * SQL text as literals (placeholders inside quotes or comments are not parameters: the tokenizer knows).
 */
import { tokenize } from './tokenizer.js';

export type ParamValue = null | string | number | bigint;

export function countParameters(sql: string): number {
  return tokenize(sql).filter((t) => t.kind === 'param').length;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function literal(v: ParamValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number' && !Number.isFinite(v)) return 'NULL';
  return String(v);
}

/** Replace each `?` of `sql` by the matching value as a SQL literal. */
export function bindParameters(sql: string, values: readonly ParamValue[]): string {
  const params = tokenize(sql).filter((t) => t.kind === 'param');
  if (params.length !== values.length) throw new Error(`expected ${params.length} parameters, got ${values.length}`);
  let out = '';
  let pos = 0;
  params.forEach((p, i) => {
    out += sql.slice(pos, p.start) + literal(values[i] ?? null);
    pos = p.end;
  });
  return out + sql.slice(pos);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** Reader over a COM_STMT_EXECUTE payload. */
class Reader {
  pos = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('malformed COM_STMT_EXECUTE packet');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] ?? 0;
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }
  lenenc(): number {
    const first = this.u8();
    if (first < 0xfb) return first;
    if (first === 0xfc) return this.bytes(2).readUInt16LE();
    if (first === 0xfd) return this.bytes(3).readUIntLE(0, 3);
    if (first === 0xfe) return Number(this.bytes(8).readBigUInt64LE());
    throw new Error('malformed length-encoded integer');
  }
}

function readDateTime(r: Reader, date: boolean): string {
  const len = r.u8();
  if (len === 0) return date ? '0000-00-00' : '0000-00-00 00:00:00';
  const b = r.bytes(len);
  const y = b.readUInt16LE(0);
  const d = `${pad(y, 4)}-${pad(b[2] ?? 0)}-${pad(b[3] ?? 0)}`;
  if (date && len <= 4) return d;
  const t = `${pad(b[4] ?? 0)}:${pad(b[5] ?? 0)}:${pad(b[6] ?? 0)}`;
  const us = len >= 11 ? b.readUInt32LE(7) : 0;
  return `${d} ${t}${us ? `.${pad(us, 6)}` : ''}`;
}

function readTime(r: Reader): string {
  const len = r.u8();
  if (len === 0) return '00:00:00';
  const b = r.bytes(len);
  const neg = b[0] === 1;
  const days = b.readUInt32LE(1);
  const h = (b[5] ?? 0) + days * 24;
  return `${neg ? '-' : ''}${pad(h)}:${pad(b[6] ?? 0)}:${pad(b[7] ?? 0)}`;
}

function readValue(r: Reader, type: number, unsigned: boolean): ParamValue {
  switch (type) {
    case 0x01:
      return BigInt(unsigned ? r.bytes(1).readUInt8() : r.bytes(1).readInt8());
    case 0x02:
    case 0x0d:
      return BigInt(unsigned ? r.bytes(2).readUInt16LE() : r.bytes(2).readInt16LE());
    case 0x03:
    case 0x09:
      return BigInt(unsigned ? r.bytes(4).readUInt32LE() : r.bytes(4).readInt32LE());
    case 0x08:
      return unsigned ? r.bytes(8).readBigUInt64LE() : r.bytes(8).readBigInt64LE();
    case 0x04:
      return r.bytes(4).readFloatLE();
    case 0x05:
      return r.bytes(8).readDoubleLE();
    case 0x06:
      return null;
    case 0x0a:
      return readDateTime(r, true);
    case 0x07:
    case 0x0c:
      return readDateTime(r, false);
    case 0x0b:
      return readTime(r);
    default:
      return r.bytes(r.lenenc()).toString('utf8');
  }
}

export interface ExecuteRequest {
  readonly statementId: number;
  readonly values: ParamValue[];
  /** Parameter types (as sent with new-params-bound-flag = 1) to remember for the next execution. */
  readonly types: readonly (readonly [number, boolean])[];
}

/**
 * Decode a COM_STMT_EXECUTE payload (without the leading command byte). `paramCount` comes from the
 * prepare; `previousTypes` are reused when the client does not re-send them.
 */
export function decodeExecute(
  payload: Buffer,
  paramCount: (id: number) => number,
  previousTypes: (id: number) => readonly (readonly [number, boolean])[],
): ExecuteRequest {
  const r = new Reader(payload);
  const statementId = r.bytes(4).readUInt32LE();
  r.u8(); // cursor flags
  r.bytes(4); // iteration count
  const n = paramCount(statementId);
  if (n === 0) return { statementId, values: [], types: [] };
  const bitmap = r.bytes((n + 7) >> 3);
  const bound = r.u8();
  let types: (readonly [number, boolean])[] = [];
  if (bound === 1) {
    for (let i = 0; i < n; i++) {
      const t = r.u8();
      const flags = r.u8();
      types.push([t, (flags & 0x80) !== 0]);
    }
  } else types = [...previousTypes(statementId)];
  const values: ParamValue[] = [];
  for (let i = 0; i < n; i++) {
    const isNull = (((bitmap[i >> 3] ?? 0) >> (i & 7)) & 1) === 1;
    const [t, unsigned] = types[i] ?? [0xfd, false];
    values.push(isNull ? null : readValue(r, t, unsigned));
  }
  return { statementId, values, types };
}
