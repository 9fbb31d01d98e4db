/**
 * JSON numbers a StarRocks JSON column cannot hold (pure). StarRocks parses a JSON column's value with
 * simdjson and stores it as VelocyPack (`SimdJsonConverter`, be/src/util/json_converter.cpp): an integer
 * token must fit int64 or uint64 (a bigger one is "unsupported json number"), a token with a fraction or
 * an exponent becomes a double (one beyond the double range fails). A failed value is loaded as NULL
 * in a non-strict load, so the sink refuses it instead (a row is never silently changed).
 *
 * PostgreSQL's jsonb prints numbers in plain notation (`1e400` as a 401-digit integer), so what fails
 * here is a long token: anything shorter than 19 characters fits.
 */

import { codeAt, type CodeSource } from '../../core/index.js';

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;
/** The shortest token that can fall outside int64/uint64 ("-9223372036854775809" has 20, "18446744073709551616" 20; 19 to be safe). */
const SHORTEST_SUSPECT = 19;

/** The first number token of `text` (a JSON document) that StarRocks' JSON type rejects, if any. */
export function unsupportedJsonNumber(text: string): string | undefined {
  let found: string | undefined;
  scanLongNumbers(text, 0, text.length, (start, end) => {
    const token = text.slice(start, end);
    const real = /[.eE+]|.-/.test(token);
    if (real ? Number.isFinite(Number(token)) : !outside64Bits(token)) return false;
    found = token;
    return true;
  });
  return found;
}

/**
 * Whether the JSON text `src[s, e)` (a string, or the bytes of ASCII text) holds a number token long
 * enough that StarRocks might reject it: when false, `unsupportedJsonNumber` of that text is undefined
 * (the body writer's check per JSON cell, with no string made).
 */
export function mayHoldUnsupportedNumber(src: CodeSource, s: number, e: number): boolean {
  return scanLongNumbers(src, s, e, undefined);
}

/**
 * Finds the number tokens (a `-` or digit, then digits and `.eE+-`) of at least SHORTEST_SUSPECT
 * characters outside strings; `onLong(start, end)` true stops the scan (no callback: the first one
 * does). Returns whether it stopped.
 */
function scanLongNumbers(src: CodeSource, s: number, e: number, onLong: ((start: number, end: number) => boolean) | undefined): boolean {
  if (e - s < SHORTEST_SUSPECT) return false;
  let i = s;
  while (i < e) {
    const c = codeAt(src, i);
    if (c === 0x22) {
      i = afterString(src, i + 1, e);
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) {
      i++;
      continue;
    }
    const start = i;
    i++;
    while (i < e) {
      const d = codeAt(src, i);
      if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) i++;
      else break;
    }
    if (i - start >= SHORTEST_SUSPECT && (onLong === undefined || onLong(start, i))) return true;
  }
  return false;
}

function outside64Bits(token: string): boolean {
  const v = BigInt(token);
  return v < INT64_MIN || v > UINT64_MAX;
}

/** The index after the closing quote of a JSON string whose content starts at `i`. */
function afterString(src: CodeSource, i: number, e: number): number {
  while (i < e) {
    const c = codeAt(src, i);
    if (c === 0x5c) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return e;
}
