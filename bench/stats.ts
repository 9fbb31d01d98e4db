/**
 * Pure helpers of the benchmark (no I/O): percentiles, /proc parsing, rates and ratios.
 * Unit-tested in test/unit/bench/.
 */

/** Nearest-rank percentile (p in 0..100) of `values`; undefined for an empty list. */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1];
}

/** CPU ticks (user + system) from the text of /proc/<pid>/stat. */
export function parseProcStatTicks(stat: string): number {
  // The command name (field 2) is in parentheses and may contain spaces or ')': split after the LAST ')'.
  const end = stat.lastIndexOf(')');
  if (end < 0) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  const fields = stat
    .slice(end + 1)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isInteger(utime) || !Number.isInteger(stime)) throw new Error(`no utime/stime in /proc/<pid>/stat: ${stat.slice(0, 80)}`);
  return utime + stime;
}

/** A `kB` field of /proc/<pid>/status (e.g. VmHWM, VmRSS) in bytes; undefined when absent. */
export function parseProcStatusBytes(status: string, field: string): number | undefined {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
  return m?.[1] === undefined ? undefined : Number(m[1]) * 1024;
}

/** Events per second; undefined for a zero or negative duration. */
export function eventsPerSecond(events: number, seconds: number): number | undefined {
  return seconds > 0 ? events / seconds : undefined;
}

/** `a / b`, undefined when either is missing or b is not positive. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || !(b > 0) ? undefined : a / b;
}
