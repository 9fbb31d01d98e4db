/**
 * A source position ("LSN" for short): an opaque, ordered point of a source's stream, as a value over
 * the primitive `bigint` (Debezium's Lsn model). Core and sinks only compare positions (later changes
 * have higher or equal positions, 0 is "nothing yet"), take the larger of two, and subtract two as a
 * distance for lag; they never take one apart. A source maps its own position onto an unsigned 64-bit
 * integer that keeps its order: PostgreSQL's LSN is one already (a byte offset into the WAL); a binlog
 * source could use (file number << 32) | offset. Users see positions in PostgreSQL's text form
 * `X/Y` (two hex halves, `formatLsn`); we never compare position strings.
 * Positions must increase across restarts too (docs/writing-a-connector.md, "Positions").
 */
export type Lsn = bigint;

export const LSN_ZERO: Lsn = 0n;
const MAX_LSN: Lsn = 0xffff_ffff_ffff_ffffn;
const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses `16/B374D848` into a bigint; throws a TypeError on anything else. */
export function parseLsn(text: string): Lsn {
  const m = LSN_TEXT.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new TypeError(`Invalid LSN '${text}': expected the form XXXXXXXX/XXXXXXXX (hex)`);
  }
  return (BigInt(`0x${m[1]}`) << 32n) | BigInt(`0x${m[2]}`);
}

/** Formats as PostgreSQL does: upper-case hex, no padding (`0/16B3748`). */
export function formatLsn(lsn: Lsn): string {
  if (lsn < 0n || lsn > MAX_LSN) throw new RangeError(`LSN out of range: ${lsn}`);
  const hi = (lsn >> 32n).toString(16).toUpperCase();
  const lo = (lsn & 0xffff_ffffn).toString(16).toUpperCase();
  return `${hi}/${lo}`;
}

export function maxLsn(a: Lsn, b: Lsn): Lsn {
  return a > b ? a : b;
}

export function minLsn(a: Lsn, b: Lsn): Lsn {
  return a < b ? a : b;
}
