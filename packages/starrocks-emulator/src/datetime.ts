/** DATE / DATETIME text parsing and formatting (docs/starrocks-protocol.md §8.3). Pure. */

export interface ParsedDateTime {
  readonly date: string;
  readonly datetime: string;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

/**
 * DATE/DATETIME text as StarRocks reads it for a Stream Load (docs/starrocks-protocol.md §8.3): a JSON or CSV value for
 * a DATE/DATETIME column is read as VARCHAR and CAST (`construct_json_type` treats both as VARCHAR,
 * be/src/exec/json_scanner.cpp; `cast_from_string_to_datetime_fn` → `TimestampValue::from_string`,
 * be/src/exprs/cast_expr.cpp; be/src/types/timestamp_value.cpp), i.e. `date::from_string_to_datetime`
 * then `timestamp::check` (be/src/runtime/time_types.cpp / time_types.h). That code changed between
 * versions (3.x: a fixed-width `%Y-%m-%d %H:%i:%s` check, else the generic `date::from_string`; 4.x: a
 * SIMD date check, `T`/spaces, `HH:MM:SS`, then `.ffffff`/`Z`, else `from_string`). Accepted here: what
 * every version read accepts with the same value; where they differ, the text is rejected (stricter).
 *
 * 1. Text that starts (after ASCII whitespace) with 10 characters shaped `DDDD?DD?DD` goes the fixed
 *    way: the two separators must be ASCII punctuation (3.x/4.x take any non-digit; stricter), the date
 *    must exist; then either the end, or `T` or ASCII whitespace followed by exactly `HH:MM:SS` (valid
 *    ranges), then the end, `.` + digits (the first 6 are the microseconds, the rest is ignored) and
 *    anything, or any other non-digit and anything (`Z`, `+08:00`, ` UTC`: ignored, no time-zone
 *    conversion — both versions do so). Rejected: a time that is not `HH:MM:SS` (`03:04`, `3:4:5`:
 *    3.x reads the fields, 4.x keeps only the date), a third seconds digit (`03:04:567`: StarRocks
 *    reads the seconds as 567 and rejects; `03:04:057` it would read as 57: rejected here), other text
 *    right after the date.
 * 2. Any other text goes through a port of the generic `date::from_string` (on the text as given, not
 *    trimmed), which all versions share: `YYYY-M-D`, `YY-MM-DD` (< 70 → 20YY), `2024/1/2 3:4:5`, runs of
 *    ASCII punctuation as separators, whitespace only after the day and after the fraction, compact
 *    `YYYYMMDD`, `YYMMDD`, `YYYYMMDDHHMMSS[.f]`, `YYMMDDHHMMSS`; then the range checks of
 *    `timestamp::check` (year ≤ 9999, a real day, 23:59:59). A field over 999999 fails.
 */
export function parseDateTimeText(input: string): ParsedDateTime | null {
  let a = 0;
  let z = input.length;
  while (a < z && isSpace(input.charCodeAt(a))) a++;
  while (z > a && isSpace(input.charCodeAt(z - 1))) z--;
  if (z - a >= 10 && dateShaped(input, a)) return parseFixed(input, a, z);
  return parseGeneric(input);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** `is_space` of time_types.cpp: space and \t \n \v \f \r. */
function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** C `ispunct` in the C locale: printable ASCII that is neither a letter, a digit nor a space. */
function isPunct(c: number): boolean {
  return (c >= 0x21 && c <= 0x2f) || (c >= 0x3a && c <= 0x40) || (c >= 0x5b && c <= 0x60) || (c >= 0x7b && c <= 0x7e);
}

/** Digits at 0-3, 5-6, 8-9 and non-digits at 4 and 7 (the shape both versions test first). */
function dateShaped(s: string, a: number): boolean {
  for (let i = 0; i < 10; i++) {
    const digit = isDigit(s.charCodeAt(a + i));
    if (digit !== (i !== 4 && i !== 7)) return false;
  }
  return true;
}

/** Two ASCII digits at `p` as a number, or -1. */
function digits2(s: string, p: number): number {
  const x = s.charCodeAt(p) - 48;
  const y = s.charCodeAt(p + 1) - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

function parseFixed(s: string, a: number, z: number): ParsedDateTime | null {
  if (!isPunct(s.charCodeAt(a + 4)) || !isPunct(s.charCodeAt(a + 7))) return null;
  const y = digits2(s, a) * 100 + digits2(s, a + 2);
  const mo = digits2(s, a + 5);
  const d = digits2(s, a + 8);
  if (!validDate(y, mo, d)) return null;
  if (z - a === 10)
    return a === 0 && z === s.length && s.charCodeAt(4) === 0x2d && s.charCodeAt(7) === 0x2d
      ? { date: s, datetime: `${s} 00:00:00` }
      : build(y, mo, d, 0, 0, 0, 0);
  let t = a + 10;
  const sep = s.charCodeAt(t);
  if (sep === 0x54) t++;
  else if (isSpace(sep)) while (t < z && isSpace(s.charCodeAt(t))) t++;
  else return null;
  if (z - t < 8 || s.charCodeAt(t + 2) !== 0x3a || s.charCodeAt(t + 5) !== 0x3a) return null;
  const h = digits2(s, t);
  const mi = digits2(s, t + 3);
  const se = digits2(s, t + 6);
  if (h < 0 || mi < 0 || se < 0 || h > 23 || mi > 59 || se > 59) return null;
  let p = t + 8;
  let us = 0;
  let n = 0;
  if (p < z) {
    const c = s.charCodeAt(p);
    if (isDigit(c)) return null;
    if (c === 0x2e) {
      p++;
      for (; n < 6 && p < z && isDigit(s.charCodeAt(p)); n++, p++) us = us * 10 + s.charCodeAt(p) - 48;
      us *= 10 ** (6 - n);
    }
  }
  // Already canonical (`YYYY-MM-DD HH:MM:SS`, or with exactly 6 fraction digits not all zero): as is.
  const canonical = a === 0 && z === s.length && s.charCodeAt(4) === 0x2d && s.charCodeAt(7) === 0x2d && sep === 0x20 && t === 11;
  if (canonical && (z === 19 || (z === 26 && p === 26 && n === 6 && us !== 0))) return { date: s.slice(0, 10), datetime: s };
  return build(y, mo, d, h, mi, se, us);
}

const MAX_DATE_PARTS = 8;

/** A port of `date::from_string` (be/src/runtime/time_types.cpp) with the checks of `timestamp::check`. */
function parseGeneric(s: string): ParsedDateTime | null {
  const end = s.length;
  let ptr = 0;
  while (ptr < end && isSpace(s.charCodeAt(ptr))) ptr++;
  if (ptr === end || !isDigit(s.charCodeAt(ptr))) return null;
  // "Fix year length": a leading run of digits (and `T`) ending the text or followed by `.` is the
  // compact ("interval") format.
  let pos = ptr;
  while (pos < end && (isDigit(s.charCodeAt(pos)) || s.charCodeAt(pos) === 0x54)) pos++;
  const digits = pos - ptr;
  const interval = pos === end || s.charCodeAt(pos) === 0x2e;
  let yearLen = interval && !(digits === 4 || digits === 8 || digits >= 14) ? 2 : 4;
  const vals = new Array<number>(MAX_DATE_PARTS).fill(0);
  const lens = new Array<number>(MAX_DATE_PARTS).fill(0);
  let idx = 0;
  let fieldLen = yearLen;
  while (ptr < end && isDigit(s.charCodeAt(ptr)) && idx < MAX_DATE_PARTS - 1) {
    const start = ptr;
    let v = 0;
    const toDelim = !interval && idx !== 6;
    while (ptr < end && isDigit(s.charCodeAt(ptr)) && (toDelim || fieldLen-- !== 0)) {
      v = v * 10 + s.charCodeAt(ptr++) - 48;
      if (v > 999999) return null; // "Imposible" (StarRocks checks after the field; an int would overflow)
    }
    vals[idx] = v;
    lens[idx] = ptr - start;
    fieldLen = 2;
    if (ptr === end) {
      idx++;
      break;
    }
    const c = s.charCodeAt(ptr);
    if (idx === 2 && c === 0x54) {
      ptr++;
      idx++;
      continue;
    }
    if (idx === 5) {
      if (c === 0x2e) {
        ptr++;
        fieldLen = 6;
      } else if (isDigit(c)) {
        idx++;
        break;
      }
      idx++;
      continue;
    }
    // Separators: ASCII punctuation, and whitespace only after the day (2) or the fraction (6).
    while (ptr < end && (isPunct(s.charCodeAt(ptr)) || isSpace(s.charCodeAt(ptr)))) {
      if (isSpace(s.charCodeAt(ptr)) && idx !== 2 && idx !== 6) return null;
      ptr++;
    }
    idx++;
  }
  if (idx < 3) return null;
  if (!interval) yearLen = lens[0] ?? 0;
  for (let i = idx; i < MAX_DATE_PARTS; i++) vals[i] = 0;
  const [, mo = 0, d = 0, h = 0, mi = 0, se = 0] = vals;
  let [y = 0] = vals;
  let us = vals[6] ?? 0;
  const usLen = idx > 6 ? (lens[6] ?? 0) : 0;
  if (us !== 0 && usLen < 6) us *= 10 ** (6 - usLen);
  if (yearLen === 2) y += y < 70 ? 2000 : 1900;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || se > 59) return null;
  return build(y, mo, d, h, mi, se, us);
}

function validDate(y: number, mo: number, d: number): boolean {
  return y >= 0 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

function build(y: number, mo: number, d: number, h: number, mi: number, se: number, us: number): ParsedDateTime {
  const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
  const time = `${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}`;
  return { date, datetime: `${date} ${time}${us !== 0 ? `.${pad(us, 6)}` : ''}` };
}

/** A JS Date as a local-wall-clock DATETIME text (used for CURRENT_TIMESTAMP defaults). */
export function formatDatetime(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}`;
}
