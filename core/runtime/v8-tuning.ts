/**
 * V8 settings the `dbmazz` CLI applies to its own process before it loads the rest of the daemon
 * (docs/performance.md, "Memory"). Each one is skipped when node was started with a flag of its
 * family (on its command line or in NODE_OPTIONS): an operator's choice wins.
 *
 * - `--heap-growing-percent=50`: V8 lets the old generation grow to up to 4× what survived the last
 *   full GC before collecting again. Buffered changes survive a few young collections (they wait for
 *   their flush), are promoted, then all die: with the default the 300k-change drain kept hundreds of
 *   MiB of dead records resident. Growing by 50 % keeps the peak near 1.5× the live heap.
 * - `--semi-space-growth-factor=1`: the young generation stays at V8's initial 1 MiB semi-space
 *   instead of growing to 16 MiB (32 MiB of new space, all of it resident once the daemon is busy,
 *   and already during start-up, which allocates a lot). Whatever a daemon keeps (buffered changes)
 *   is promoted either way; measured: ~30 MiB less RSS, at 10–20 % more daemon CPU in a snapshot
 *   (more scavenges; docs/performance.md, A/B). `--max-semi-space-size=16` in NODE_OPTIONS turns it off. `--max-semi-space-size`
 *   cannot be changed once the heap exists, but the growth factor is read each time V8 grows it, which
 *   is why this module must run before the daemon's modules are imported (cli.ts imports them later).
 *
 * (Until undici left the daemon, `--no-wasm-dynamic-tiering --no-wasm-tier-up` kept its WebAssembly
 * HTTP parser out of TurboFan; the daemon now loads no WebAssembly, docs/performance.md.)
 *
 * Not applied: `--max-old-space-size` derived from MAX_BUFFERED_BYTES. It can only be set when the
 * process starts (a re-exec: a second process), and a heap limit does not bound memory gracefully: V8
 * aborts the process when it is reached. The byte bound already holds the buffered data.
 */
import v8 from 'node:v8';

export interface V8Tuning {
  /** Flags of this family given by the operator disable the setting. */
  readonly family: RegExp;
  readonly flags: readonly string[];
}

export const V8_TUNING: readonly V8Tuning[] = [
  { family: /^--heap[-_]growing[-_]percent\b/, flags: ['--heap-growing-percent=50'] },
  {
    family: /^--(max|min)[-_]semi[-_]space[-_]size\b|^--semi[-_]space[-_]growth[-_]factor\b|^--max[-_]heap[-_]size\b/,
    flags: ['--semi-space-growth-factor=1'],
  },
];

/** The flags node was started with: its command line and NODE_OPTIONS (which execArgv does not show). */
export function givenNodeFlags(execArgv: readonly string[] = process.execArgv, nodeOptions: string | undefined = process.env['NODE_OPTIONS']): string[] {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/).filter((f) => f.startsWith('--'))];
}

/** The V8 flags to set for a process started with `given`. */
export function v8TuningFlags(given: readonly string[]): string[] {
  return V8_TUNING.filter((t) => !given.some((arg) => t.family.test(arg))).flatMap((t) => t.flags);
}

/** Sets the tuning flags in this process; returns the ones it set. */
export function tuneV8(given: readonly string[] = givenNodeFlags()): string[] {
  const flags = v8TuningFlags(given);
  for (const flag of flags) v8.setFlagsFromString(flag);
  return flags;
}
