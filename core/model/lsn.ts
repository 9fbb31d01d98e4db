/**
 * A source position: an ordered value over the primitive `bigint` (Debezium's Lsn model). For the
 * PostgreSQL source it is the WAL location (printed as two hex halves `XXXXXXXX/XXXXXXXX`; we never
 * compare LSN strings); another source chooses its own (a byte offset, a sequence number), as long as
 * later changes get greater positions, also across restarts (docs/writing-a-connector.md, "Positions").
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
