/**
 * timestamptz text (DateStyle ISO) → UTC wall clock, keeping every fractional digit. Works on the
 * proleptic Gregorian calendar with astronomical years (1 BC = year 0), as PostgreSQL does, and never
 * goes through JS Date (which keeps only milliseconds and a smaller year range).
 */
import { codeAt, type CodeSource } from '../../../core/index.js';

const TIMESTAMPTZ = /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?( BC)?$/;

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Inverse of daysFromCivil. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp + (mp < 10 ? 3 : -9);
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/**
 * Converts `2024-03-01 00:15:00.123456+05:30` to `2024-02-29 18:45:00.123456`. `infinity`/`-infinity`
 * pass through. Returns undefined when the text is not in the ISO form.
 */
export function timestamptzToUtc(text: string): string | undefined {
  return utcTimestampText(text) ?? timestamptzToUtcGeneral(text);
}

const DIGIT_0 = 0x30;
/** The digit at `i` (0-9), or -1. */
function digit(src: CodeSource, i: number): number {
  const d = codeAt(src, i) - DIGIT_0;
  return d >= 0 && d <= 9 ? d : -1;
}
function twoDigits(src: CodeSource, i: number): number {
  const a = digit(src, i);
  const b = digit(src, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}
function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The fast path for what every replication and snapshot session prints (TimeZone=UTC, DateStyle=ISO):
 * `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00` with a 4-digit year of the common era and a valid date and time
 * (00:00:00-23:59:59). The UTC text is then the input without `+00`, which is exactly what the general
 * conversion prints for it; anything else (other offsets, BC, 5-digit years, fields out of range)
 * returns undefined and takes the general path.
 */
export function utcTimestampText(text: string): string | undefined {
  return isUtcTimestamp(text, 0, text.length) ? text.slice(0, text.length - 3) : undefined;
}

/** Whether the bytes `b[s, e)` are a text `utcTimestampText` takes (its UTC text: `b[s, e - 3)`). */
export function isUtcTimestampBytes(b: Uint8Array, s: number, e: number): boolean {
  return isUtcTimestamp(b, s, e - s);
}

/** The text of `n` codes at `s` of `src`, as utcTimestampText checks it. */
function isUtcTimestamp(src: CodeSource, s: number, n: number): boolean {
  if (n < 22 || n > 29 || n === 23) return false;
  if (codeAt(src, s + n - 3) !== 0x2b || codeAt(src, s + n - 2) !== DIGIT_0 || codeAt(src, s + n - 1) !== DIGIT_0) return false; // +00
  if (codeAt(src, s + 4) !== 0x2d || codeAt(src, s + 7) !== 0x2d || codeAt(src, s + 10) !== 0x20) return false; // - - ' '
  if (codeAt(src, s + 13) !== 0x3a || codeAt(src, s + 16) !== 0x3a) return false; // : :
  const century = twoDigits(src, s);
  const yy = twoDigits(src, s + 2);
  const month = twoDigits(src, s + 5);
  const day = twoDigits(src, s + 8);
  if (century < 0 || yy < 0 || month < 1 || month > 12 || day < 1) return false;
  const year = century * 100 + yy;
  if (year === 0) return false; // 0000 is 1 BC: the general path prints it as such
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (MONTH_DAYS[month - 1] as number);
  if (day > monthDays) return false;
  const hour = twoDigits(src, s + 11);
  const minute = twoDigits(src, s + 14);
  const second = twoDigits(src, s + 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return false;
  if (n > 22) {
    if (codeAt(src, s + 19) !== 0x2e) return false; // .
    for (let i = 20; i < n - 3; i++) if (digit(src, s + i) < 0) return false;
  }
  return true;
}

/** timestamptzToUtc for any offset and year (RegExp and calendar arithmetic). */
export function timestamptzToUtcGeneral(text: string): string | undefined {
  if (text === 'infinity' || text === '-infinity') return text;
  const m = TIMESTAMPTZ.exec(text);
  if (!m) return undefined;
  const [, ys, mos, ds, hs, mis, ss, frac, sign, ohs, oms, oss, bc] = m;
  const yearText = Number(ys);
  const year = bc ? 1 - yearText : yearText; // astronomical year
  const offset = (Number(ohs) * 3600 + Number(oms ?? 0) * 60 + Number(oss ?? 0)) * (sign === '-' ? -1 : 1);
  const local = Number(hs) * 3600 + Number(mis) * 60 + Number(ss);
  let days = daysFromCivil(year, Number(mos), Number(ds));
  let secs = local - offset;
  days += Math.floor(secs / 86400);
  secs = ((secs % 86400) + 86400) % 86400;
  const d = civilFromDays(days);
  const outYear = d.year <= 0 ? `${pad(1 - d.year, 4)}` : pad(d.year, 4);
  const time = `${pad(Math.floor(secs / 3600), 2)}:${pad(Math.floor((secs % 3600) / 60), 2)}:${pad(secs % 60, 2)}`;
  return `${outYear}-${pad(d.month, 2)}-${pad(d.day, 2)} ${time}${frac ?? ''}${d.year <= 0 ? ' BC' : ''}`;
}
