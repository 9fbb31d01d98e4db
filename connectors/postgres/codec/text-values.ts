/**
 * PostgreSQL text output → core Value, by type, with full fidelity (docs/stack-traps.md §4.8: pg's own type parsers
 * are never used on replication tuples). The replication session runs with DateStyle=ISO,
 * IntervalStyle=postgres, TimeZone=UTC, extra_float_digits=3, bytea_output=hex and lc_monetary=C
 * (see replication/connection.ts), which is the text these functions expect; other forms are still
 * accepted where cheap (escape-format bytea, any timestamptz offset).
 */
import { DecimalValue, JsonText, SpecialNumber, TemporalValue, type Value } from '../../../core/index.js';
import { parseArrayLiteral, type ArrayTree } from './array-literal.js';
import type { PgTypeInfo } from './pg-types.js';
import { timestamptzToUtc } from './temporal.js';

export class TextValueError extends Error {
  constructor(
    readonly typeName: string,
    readonly text: string,
    reason: string,
  ) {
    super(`cannot decode ${typeName} value '${text.length > 60 ? `${text.slice(0, 60)}…` : text}': ${reason}`);
    this.name = 'TextValueError';
  }
}

const INT = /^[+-]?\d+$/;

/** The largest finite float32 (FLT_MAX), exactly. */
const FLOAT4_MAX = 3.4028234663852886e38;

function special(text: string): SpecialNumber | undefined {
  if (text === 'NaN') return new SpecialNumber('NaN');
  if (text === 'Infinity') return new SpecialNumber('Infinity');
  if (text === '-Infinity') return new SpecialNumber('-Infinity');
  return undefined;
}

function int(text: string, type: PgTypeInfo): number {
  if (!INT.test(text)) throw new TextValueError(type.name, text, 'not an integer');
  return Number(text);
}

/** money under lc_monetary=C prints as `$1,234.56` / `-$1,234.56`; keep sign, digits and the point. */
export function moneyToDecimal(text: string): DecimalValue {
  const negative = text.includes('-') || text.includes('(');
  const digits = text.replace(/[^0-9.]/g, '');
  if (!/^\d+(\.\d+)?$/.test(digits)) throw new TextValueError('money', text, 'not a money amount');
  return new DecimalValue(negative && /[1-9]/.test(digits) ? `-${digits}` : digits);
}

/** `\x0a0b` (hex) or escape format (`\\`, `\123`, printable bytes). */
export function byteaFromText(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2);
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new TextValueError('bytea', text, 'bad hex');
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }
  const out: number[] = [];
  for (let i = 0; i < text.length;) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c & 0xff);
      i++;
    } else if (text[i + 1] === '\\') {
      out.push(0x5c);
      i += 2;
    } else if (/^[0-3][0-7]{2}$/.test(text.slice(i + 1, i + 4))) {
      out.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 4;
    } else {
      throw new TextValueError('bytea', text, 'bad escape');
    }
  }
  return Uint8Array.from(out);
}

function decodeArray(tree: ArrayTree, element: PgTypeInfo | undefined): Value[] {
  return tree.map((item): Value => {
    if (item === null) return null;
    if (typeof item === 'string') return element ? decodeTextValue(item, element) : item;
    return decodeArray(item, element);
  });
}

/** Decodes one non-null text value of `type`. Throws TextValueError on malformed input. */
export function decodeTextValue(text: string, type: PgTypeInfo): Value {
  switch (type.family) {
    case 'boolean':
      if (text === 't' || text === 'true') return true;
      if (text === 'f' || text === 'false') return false;
      throw new TextValueError(type.name, text, 'not a boolean');
    case 'int2':
    case 'int4':
      return int(text, type);
    case 'int8':
      if (!INT.test(text)) throw new TextValueError(type.name, text, 'not an integer');
      return BigInt(text);
    case 'float4':
    case 'float8': {
      const s = special(text);
      if (s) return s;
      const n = Number(text);
      if (text.trim() === '' || Number.isNaN(n)) throw new TextValueError(type.name, text, 'not a number');
      // float4's shortest text of ±FLT_MAX (`3.4028235e+38`) reads as a double just above FLT_MAX,
      // which a FLOAT column refuses as an overflow (docs/starrocks-protocol.md §8.1): keep the exact float32 value.
      if (type.family === 'float4' && Math.abs(n) > FLOAT4_MAX) return Math.fround(n);
      return n;
    }
    case 'numeric':
      return special(text) ?? new DecimalValue(text);
    case 'money':
      return moneyToDecimal(text);
    case 'json':
      return new JsonText(text);
    case 'bytea':
      return byteaFromText(text);
    case 'date':
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'interval':
      return new TemporalValue(type.family, text);
    case 'timestamptz': {
      const utc = timestamptzToUtc(text);
      if (utc === undefined) throw new TextValueError(type.name, text, 'not an ISO timestamptz');
      return new TemporalValue('timestamptz', utc);
    }
    case 'array':
      try {
        return decodeArray(parseArrayLiteral(text, type.delimiter), type.element);
      } catch (e) {
        if (e instanceof TextValueError) throw e;
        throw new TextValueError(type.name, text, e instanceof Error ? e.message : String(e));
      }
    case 'text':
    case 'uuid':
    case 'other':
      return text;
  }
}
