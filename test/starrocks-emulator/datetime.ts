/** DATE / DATETIME text parsing and formatting (PROTOCOL.md §8.3). Pure. */


export interface ParsedDateTime {
  readonly date: string;
  readonly datetime: string;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

function twoDigitYear(y: number): number {
  return y < 70 ? 2000 + y : 1900 + y;
}

/**
 * MySQL-style lenient parser: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SS`, optional
 * fraction (1–6 digits scaled to µs; more digits truncated), any punctuation as separator, compact
 * `YYYYMMDD` / `YYYYMMDDHHMMSS`, two-digit years (<70 → 20xx). Trailing text after the seconds (e.g.
 * `Z`, `+08:00`) is ignored — no time-zone conversion. Range 0000-01-01 .. 9999-12-31.
 */
export function parseDateTimeText(input: string): ParsedDateTime | null {
  const s = input.trim();
  let y: number, mo: number, d: number;
  let h = 0,
    mi = 0,
    se = 0,
    us = 0;
  const compact = /^(\d{8}|\d{14}|\d{6}|\d{12})(?:\.(\d+))?$/.exec(s);
  if (compact) {
    const dg = compact[1] ?? '';
    const long = dg.length === 8 || dg.length === 14;
    const yl = long ? 4 : 2;
    y = Number(dg.slice(0, yl));
    if (!long) y = twoDigitYear(y);
    mo = Number(dg.slice(yl, yl + 2));
    d = Number(dg.slice(yl + 2, yl + 4));
    if (dg.length > 8 || (!long && dg.length === 12)) {
      const off = yl + 4;
      h = Number(dg.slice(off, off + 2));
      mi = Number(dg.slice(off + 2, off + 4));
      se = Number(dg.slice(off + 4, off + 6));
      if (compact[2]) us = Number(compact[2].slice(0, 6).padEnd(6, '0'));
    } else if (compact[2]) return null;
  } else {
    const sep = '[^0-9A-Za-z\\s]';
    const re = new RegExp(
      `^(\\d{2}|\\d{4})${sep}(\\d{1,2})${sep}(\\d{1,2})(?:(?:T|\\s+)(\\d{1,2})(?:${sep}(\\d{1,2})(?:${sep}(\\d{1,2})(?:\\.(\\d+))?)?)?(.*))?$`,
    );
    const m = re.exec(s);
    if (!m) return null;
    const ys = m[1] ?? '';
    y = Number(ys);
    if (ys.length === 2) y = twoDigitYear(y);
    mo = Number(m[2]);
    d = Number(m[3]);
    if (m[4] !== undefined) {
      h = Number(m[4]);
      if (m[5] === undefined) return null; // an hour alone is not a time
      mi = Number(m[5]);
      se = m[6] !== undefined ? Number(m[6]) : 0;
      if (m[7] !== undefined) us = Number(m[7].slice(0, 6).padEnd(6, '0'));
      const rest = m[8] ?? '';
      // Trailing text is only tolerated after the seconds field (Z, +08:00, " UTC", …).
      if (rest !== '' && m[6] === undefined) return null;
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  if (y < 0 || y > 9999 || h > 23 || mi > 59 || se > 59) return null;
  const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
  const time = `${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}`;
  return { date, datetime: `${date} ${time}${us !== 0 ? `.${pad(us, 6)}` : ''}` };
}

/** A JS Date as a local-wall-clock DATETIME text (used for CURRENT_TIMESTAMP defaults). */
export function formatDatetime(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}`;
}
