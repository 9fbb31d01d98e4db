/**
 * MySQL protocol 4.1 payload encoders of the emulator (pure; framing is done by mysql2's connection).
 * OK / ERR (with SQLSTATE) / EOF, column definitions, text and binary result rows, the
 * COM_STMT_PREPARE response, and the mysql_native_password check.
 */
import { createHash } from 'node:crypto';
import type { MysqlType, SqlColumn } from './result.js';

export const SERVER_STATUS_AUTOCOMMIT = 0x0002;

export const TYPE_CODES: Readonly<Record<MysqlType, number>> = {
  TINY: 0x01,
  SHORT: 0x02,
  LONG: 0x03,
  FLOAT: 0x04,
  DOUBLE: 0x05,
  LONGLONG: 0x08,
  DATE: 0x0a,
  DATETIME: 0x0c,
  NEWDECIMAL: 0xf6,
  BLOB: 0xfc,
  VAR_STRING: 0xfd,
  STRING: 0xfe,
};

const CHARSET_UTF8 = 33; // utf8_general_ci
const CHARSET_BINARY = 63;
const NUM_FLAG = 0x8000;
const BINARY_FLAG = 0x80;

const DISPLAY_LENGTH: Readonly<Record<MysqlType, number>> = {
  TINY: 4,
  SHORT: 6,
  LONG: 11,
  LONGLONG: 20,
  FLOAT: 12,
  DOUBLE: 22,
  DATE: 10,
  DATETIME: 26,
  NEWDECIMAL: 40,
  BLOB: 1048576,
  VAR_STRING: 196599,
  STRING: 196599,
};

export function lenencInt(n: number): Buffer {
  if (n < 251) return Buffer.from([n]);
  if (n < 0x10000) return Buffer.from([0xfc, n & 0xff, (n >> 8) & 0xff]);
  if (n < 0x1000000) return Buffer.from([0xfd, n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
  const b = Buffer.alloc(9);
  b[0] = 0xfe;
  b.writeBigUInt64LE(BigInt(n), 1);
  return b;
}

export function lenencBytes(b: Buffer): Buffer {
  return Buffer.concat([lenencInt(b.length), b]);
}

function lenencString(s: string, encoding: BufferEncoding = 'utf8'): Buffer {
  return lenencBytes(Buffer.from(s, encoding));
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export function okPayload(affectedRows: number, info = '', status = SERVER_STATUS_AUTOCOMMIT): Buffer {
  return Buffer.concat([Buffer.from([0x00]), lenencInt(affectedRows), lenencInt(0), u16(status), u16(0), Buffer.from(info, 'utf8')]);
}

export function errPayload(code: number, sqlState: string, message: string): Buffer {
  const state = (sqlState + 'HY000').slice(0, 5);
  return Buffer.concat([Buffer.from([0xff]), u16(code), Buffer.from(`#${state}`, 'latin1'), Buffer.from(message || 'Unknown error', 'utf8')]);
}

export function eofPayload(status = SERVER_STATUS_AUTOCOMMIT): Buffer {
  return Buffer.concat([Buffer.from([0xfe]), u16(0), u16(status)]);
}

function isNumeric(t: MysqlType): boolean {
  return ['TINY', 'SHORT', 'LONG', 'LONGLONG', 'FLOAT', 'DOUBLE', 'NEWDECIMAL'].includes(t);
}

export function columnDefinitionPayload(col: SqlColumn, schema = '', table = ''): Buffer {
  const binary = col.type === 'BLOB' || isNumeric(col.type) || col.type === 'DATE' || col.type === 'DATETIME';
  const flags = (isNumeric(col.type) ? NUM_FLAG : 0) | (binary ? BINARY_FLAG : 0);
  const decimals = col.type === 'NEWDECIMAL' ? (col.decimals ?? 0) : col.type === 'DATETIME' ? (col.decimals ?? 0) : isNumeric(col.type) ? 0 : 0x1f;
  return Buffer.concat([
    lenencString('def'),
    lenencString(schema),
    lenencString(table),
    lenencString(table),
    lenencString(col.name),
    lenencString(col.name),
    Buffer.from([0x0c]),
    u16(binary ? CHARSET_BINARY : CHARSET_UTF8),
    u32(DISPLAY_LENGTH[col.type]),
    Buffer.from([TYPE_CODES[col.type]]),
    u16(flags),
    Buffer.from([decimals]),
    u16(0),
  ]);
}

export function textRowPayload(columns: readonly SqlColumn[], row: readonly (string | null)[]): Buffer {
  return Buffer.concat(row.map((cell, i) => (cell === null ? Buffer.from([0xfb]) : lenencString(cell, columns[i]?.type === 'BLOB' ? 'latin1' : 'utf8'))));
}

function binaryDateTime(text: string, withTime: boolean): Buffer {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?/.exec(text);
  if (!m) return Buffer.from([0]);
  const y = Number(m[1]);
  const head = [Number(m[2]), Number(m[3])];
  const time = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const micros = Number((m[7] ?? '').padEnd(6, '0') || 0);
  if (!withTime) return Buffer.concat([Buffer.from([4]), u16(y), Buffer.from(head)]);
  if (micros === 0) return Buffer.concat([Buffer.from([7]), u16(y), Buffer.from([...head, ...time])]);
  return Buffer.concat([Buffer.from([11]), u16(y), Buffer.from([...head, ...time]), u32(micros)]);
}

function binaryValue(type: MysqlType, text: string): Buffer {
  switch (type) {
    case 'TINY': {
      const b = Buffer.alloc(1);
      b.writeInt8(Number(text));
      return b;
    }
    case 'SHORT': {
      const b = Buffer.alloc(2);
      b.writeInt16LE(Number(text));
      return b;
    }
    case 'LONG': {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(text));
      return b;
    }
    case 'LONGLONG': {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(text));
      return b;
    }
    case 'FLOAT': {
      const b = Buffer.alloc(4);
      b.writeFloatLE(Number(text));
      return b;
    }
    case 'DOUBLE': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(text));
      return b;
    }
    case 'DATE':
      return binaryDateTime(text, false);
    case 'DATETIME':
      return binaryDateTime(text, true);
    case 'BLOB':
      return lenencString(text, 'latin1');
    default:
      return lenencString(text);
  }
}

/** Binary-protocol row (COM_STMT_EXECUTE results): header, NULL bitmap (offset 2), values. */
export function binaryRowPayload(columns: readonly SqlColumn[], row: readonly (string | null)[]): Buffer {
  const bitmap = Buffer.alloc((columns.length + 7 + 2) >> 3);
  const values: Buffer[] = [];
  row.forEach((cell, i) => {
    if (cell === null) {
      const bit = i + 2;
      bitmap[bit >> 3] = (bitmap[bit >> 3] ?? 0) | (1 << (bit & 7));
    } else values.push(binaryValue(columns[i]?.type ?? 'VAR_STRING', cell));
  });
  return Buffer.concat([Buffer.from([0x00]), bitmap, ...values]);
}

/** COM_STMT_PREPARE OK header. */
export function prepareOkPayload(statementId: number, columnCount: number, paramCount: number): Buffer {
  return Buffer.concat([Buffer.from([0x00]), u32(statementId), u16(columnCount), u16(paramCount), Buffer.from([0x00]), u16(0)]);
}

function sha1(...parts: Buffer[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * mysql_native_password: token = SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); an empty password sends
 * an empty token.
 */
export function nativePasswordMatches(password: string, scramble: Buffer, token: Buffer): boolean {
  if (password === '') return token.length === 0;
  if (token.length !== 20) return false;
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  const mask = sha1(scramble, sha1(stage1));
  for (let i = 0; i < 20; i++) if (((stage1[i] ?? 0) ^ (mask[i] ?? 0)) !== token[i]) return false;
  return true;
}
