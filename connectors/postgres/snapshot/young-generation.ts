/**
 * A one-off copy (SNAPSHOT_MODE=initial_only) lets V8's young generation grow (I/O-free, but process-wide).
 *
 * The CLI keeps the young generation at V8's initial 1 MiB semi-space (`--semi-space-growth-factor=1`,
 * core/runtime/v8-tuning.ts) for the steady-state RSS of a streaming daemon. A snapshot keeps every row
 * alive until the sink has it durably, so with 1 MiB semi-spaces the copy runs hundreds of scavenges that
 * each copy mostly live rows (~25-45 % of the daemon's time during the copy, docs/performance.md,
 * "Snapshot (f)"). V8 reads the growth factor each time it may grow the new space, so setting it back
 * to V8's default (2) lets the semi-spaces grow to 16 MiB during the copy: fewer, cheaper scavenges,
 * for about 35 MiB more peak RSS.
 *
 * Only for `initial_only`: the process exits after the copy. A daemon that streams afterwards
 * (`initial`, backfills, re-snapshots) keeps the small young generation, because V8 does not shrink
 * the new space back while the daemon keeps allocating (measured: it stays at 2 × 16 MiB), which
 * would raise the streaming RSS for good. An operator's own flag of the family (on node's command
 * line or in NODE_OPTIONS) wins, as for the CLI's settings.
 */
import v8 from 'node:v8';

/** The flags that size the young generation (the family core/runtime/v8-tuning.ts leaves to the operator). */
const FAMILY = /^--(max|min)[-_]semi[-_]space[-_]size\b|^--semi[-_]space[-_]growth[-_]factor\b|^--max[-_]heap[-_]size\b/;

/** The flags node was started with: its command line and NODE_OPTIONS. */
function givenFlags(): string[] {
  return [...process.execArgv, ...(process.env['NODE_OPTIONS'] ?? '').split(/\s+/)].filter((f) => f.startsWith('--'));
}

/** Whether a one-off copy may let the young generation grow: no flag of the family was given. */
export function youngGenerationMayGrow(given: readonly string[] = givenFlags()): boolean {
  return !given.some((f) => FAMILY.test(f));
}

/** Lets the young generation grow to V8's default size; returns false when the operator sized it. */
export function letYoungGenerationGrow(given: readonly string[] = givenFlags()): boolean {
  if (!youngGenerationMayGrow(given)) return false;
  v8.setFlagsFromString('--semi-space-growth-factor=2');
  return true;
}
