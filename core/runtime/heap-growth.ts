/**
 * How far V8 lets the heap grow past the live data before its next full collection. By default V8 may
 * grow the old generation to up to 4× what survived the last full GC; for a daemon whose buffered
 * changes survive a few young collections (they wait for their flush) and then all die, that is
 * hundreds of MiB of dead records kept resident: the 300k-change drain peaked at 514-570 MiB RSS
 * with ~130 MiB live (docs/performance.md). Growing by 50 % keeps the peak near 1.5× the live heap at
 * a few more full collections (tens of ms each). A `--heap-growing-percent` given to node wins.
 */
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Sets V8's heap growing factor for this process unless node was started with one. Returns whether it did. */
export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg))) return false;
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
