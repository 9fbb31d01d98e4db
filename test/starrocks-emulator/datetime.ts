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
  const fast = parseCanonical(s);
  if (fast !== undefined) return fast;
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
  return build(y, mo, d, h, mi, se, us);
}

function valid(y: number, mo: number, d: number, h: number, mi: number, se: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo) && y >= 0 && y <= 9999 && h <= 23 && mi <= 59 && se <= 59;
}

function build(y: number, mo: number, d: number, h: number, mi: number, se: number, us: number): ParsedDateTime | null {
  if (!valid(y, mo, d, h, mi, se)) return null;
  const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`;
  const time = `${pad(h, 2)}:${pad(mi, 2)}:${pad(se, 2)}`;
  return { date, datetime: `${date} ${time}${us !== 0 ? `.${pad(us, 6)}` : ''}` };
}

/** Two ASCII digits at `p` as a number, or -1. */
function digits2(s: string, p: number): number {
  const a = s.charCodeAt(p) - 48;
  const b = s.charCodeAt(p + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * The canonical shapes `YYYY-MM-DD` and `YYYY-MM-DD HH:MM:SS[.f…][rest]` (`T` allowed for the space)
 * without the RegExp — what every load of a DATETIME column written by a client sends. Gives exactly
 * what the general parser gives; `undefined` for any other shape (the general parser decides).
 */
function parseCanonical(s: string): ParsedDateTime | null | undefined {
  const n = s.length;
  if (n !== 10 && n < 19) return undefined;
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d) return undefined;
  const y1 = digits2(s, 0);
  const y2 = digits2(s, 2);
  const mo = digits2(s, 5);
  const d = digits2(s, 8);
  if (y1 < 0 || y2 < 0 || mo < 0 || d < 0) return undefined;
  const y = y1 * 100 + y2;
  if (n === 10) return valid(y, mo, d, 0, 0, 0) ? { date: s, datetime: `${s} 00:00:00` } : null;
  const sep = s.charCodeAt(10);
  if ((sep !== 0x20 && sep !== 0x54) || s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return undefined;
  const h = digits2(s, 11);
  const mi = digits2(s, 14);
  const se = digits2(s, 17);
  if (h < 0 || mi < 0 || se < 0) return undefined;
  let p = 19;
  let us = 0;
  if (p < n && s.charCodeAt(p) === 0x2e) {
    const f0 = p + 1;
    let q = f0;
    while (q < n && s.charCodeAt(q) >= 0x30 && s.charCodeAt(q) <= 0x39) q++;
    if (q === f0) return undefined;
    for (let i = 0; i < 6; i++) us = us * 10 + (f0 + i < q ? s.charCodeAt(f0 + i) - 48 : 0);
    p = q;
  } else if (p < n && s.charCodeAt(p) >= 0x30 && s.charCodeAt(p) <= 0x39) return undefined; // a 3-digit seconds field
  // The rest (`Z`, `+08:00`, …) is ignored, as by the general parser's `(.*)$` — which stops at a line terminator.
  for (let i = p; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x2028 || c === 0x2029) return undefined;
  }
  // Already canonical (`YYYY-MM-DD HH:MM:SS`, or with exactly 6 fraction digits not all zero): as is.
  if (sep === 0x20 && (n === 19 || (n === 26 && p === 26 && us !== 0))) return valid(y, mo, d, h, mi, se) ? { date: s.slice(0, 10), datetime: s } : null;
  return build(y, mo, d, h, mi, se, us);
}

/** A JS Date as a local-wall-clock DATETIME text (used for CURRENT_TIMESTAMP defaults). */
export function formatDatetime(d: Date): string {
  return `${pad(d.getFullYear(), 4)}-${pad(d.getMonth() + 1, 2)}-${pad(d.getDate(), 2)} ${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}`;
}
