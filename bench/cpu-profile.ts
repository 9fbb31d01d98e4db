/**
 * Pure summary of a V8 CPU profile (`node --cpu-prof`, a .cpuprofile JSON): self time per function and
 * per file, as shares of all samples. Unit-tested in test/unit/bench/.
 */

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
}

export interface ProfileEntry {
  readonly name: string;
  /** Share of all samples, 0..1. */
  readonly share: number;
  /** Self time in milliseconds (share × profile duration). */
  readonly ms: number;
}

export interface ProfileSummary {
  readonly durationMs: number;
  readonly samples: number;
  readonly functions: readonly ProfileEntry[];
  readonly files: readonly ProfileEntry[];
}

/** A script URL without its scheme and the part before the project's dist/ or node_modules/. */
export function shortUrl(url: string): string {
  if (url === '') return '';
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) return path.slice(nm + 1);
  const dist = path.lastIndexOf('/dist/');
  return dist >= 0 ? path.slice(dist + 6) : path;
}

function top(hits: ReadonlyMap<string, number>, total: number, durationMs: number, n: number): ProfileEntry[] {
  return [...hits.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([name, h]) => ({ name, share: h / total, ms: (h / total) * durationMs }));
}

/** The `n` functions and files with the most self samples. */
export function summarizeProfile(p: CpuProfile, n = 25): ProfileSummary {
  const hitsById = new Map<number, number>();
  if (p.samples && p.samples.length > 0) for (const id of p.samples) hitsById.set(id, (hitsById.get(id) ?? 0) + 1);
  else for (const node of p.nodes) hitsById.set(node.id, node.hitCount ?? 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const node of p.nodes) {
    const h = hitsById.get(node.id) ?? 0;
    if (h === 0) continue;
    total += h;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = shortUrl(url);
    const fn = file === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + h);
    const f = file === '' ? functionName || '(native)' : file;
    byFile.set(f, (byFile.get(f) ?? 0) + h);
  }
  const durationMs = (p.endTime - p.startTime) / 1000;
  if (total === 0) return { durationMs, samples: 0, functions: [], files: [] };
  return { durationMs, samples: total, functions: top(byFunction, total, durationMs, n), files: top(byFile, total, durationMs, n) };
}
