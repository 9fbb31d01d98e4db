/**
 * timestamptz text (DateStyle ISO) → UTC wall clock, keeping every fractional digit. Works on the
 * proleptic Gregorian calendar with astronomical years (1 BC = year 0), as PostgreSQL does, and never
 * goes through JS Date (which keeps only milliseconds and a smaller year range).
 */

const TIMESTAMPTZ =
  /^(\d{4,})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?( BC)?$/;

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
