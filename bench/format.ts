/** Pure formatting of the benchmark's results as a Markdown table (printed and pasted into docs). */

export type Cell = string | number | undefined;

/** A Markdown table; undefined cells print as empty, numbers as given by `fmt` callers. */
export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (c: Cell): string => (c === undefined ? '' : String(c));
  const all = [header.map(text), ...rows.map((r) => header.map((_, i) => text(r[i])))];
  const widths = header.map((_, i) => Math.max(3, ...all.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head, ...body] = all;
  return [line(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/** A number with `digits` decimals, or undefined. */
export function fixed(n: number | undefined, digits: number): string | undefined {
  return n === undefined || !Number.isFinite(n) ? undefined : n.toFixed(digits);
}

/** Events per second in thousands (`27.1k`), or the plain number below 1000. */
export function rate(n: number | undefined): string | undefined {
  if (n === undefined || !Number.isFinite(n)) return undefined;
  return n >= 1000 ? `${(n / 1000).toFixed(1)}k` : n.toFixed(0);
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number | undefined): string | undefined {
  return bytes === undefined ? undefined : `${(bytes / 1048576).toFixed(1)} MiB`;
}

/** A wall-time ratio (`7.3×`). */
export function times(r: number | undefined): string | undefined {
  return r === undefined ? undefined : `${r.toFixed(2)}×`;
}
