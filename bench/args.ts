/** Command-line flags of `npm run bench` (pure: parse argv into options or an error text). */
import { readAllFlags, stringFlag } from '../core/config/cli-flags.js';

export interface BenchOptions {
  /** Backlog size in changes (a multiple of 100: 100-row transactions). */
  readonly changes: number;
  /** Steady-state rates in changes per second. */
  readonly rates: readonly number[];
  /** Seconds measured at each steady rate. */
  readonly duration: number;
  /** Where the JSON results are written. */
  readonly out: string;
  /** FLUSH_INTERVAL_MS / FLUSH_SIZE given to the daemon (unset: the daemon's defaults). */
  readonly flushIntervalMs: number | undefined;
  readonly flushSize: number | undefined;
  /** (f): rows of the snapshot table (0: skip (f)). */
  readonly snapshotRows: number;
  /** (f): the SNAPSHOT_MODEs measured, each from a fresh start. */
  readonly snapshotModes: readonly SnapshotMode[];
  /** Only (f): skip (a)-(e). */
  readonly snapshotOnly: boolean;
  /** SNAPSHOT_CHUNK_ROWS / SNAPSHOT_PARALLELISM given to the daemon (unset: the daemon's defaults). */
  readonly snapshotChunkRows: number | undefined;
  readonly snapshotParallelism: number | undefined;
  /** A directory for `--cpu-prof` profiles of the daemons of (c), (d) and (f) (unset: no profile). */
  readonly cpuProfDir: string | undefined;
  /** NODE_OPTIONS given to every daemon (e.g. a V8 setting to compare); unset: none. */
  readonly daemonNodeOptions: string | undefined;
  /** (f): how many times each SNAPSHOT_MODE is measured (fresh daemon each time). */
  readonly snapshotRuns: number;
  readonly help: boolean;
}

export type SnapshotMode = 'initial' | 'initial_only';
const SNAPSHOT_MODES: readonly SnapshotMode[] = ['initial', 'initial_only'];

export const DEFAULT_OPTIONS: BenchOptions = {
  changes: 50_000,
  rates: [1000, 5000],
  duration: 10,
  out: 'bench/results/latest.json',
  flushIntervalMs: undefined,
  flushSize: undefined,
  snapshotRows: 200_000,
  snapshotModes: SNAPSHOT_MODES,
  snapshotOnly: false,
  snapshotChunkRows: undefined,
  snapshotParallelism: undefined,
  cpuProfDir: undefined,
  daemonNodeOptions: undefined,
  snapshotRuns: 1,
  help: false,
};

export const HELP = `usage: npm run bench -- [flags]

Measures, in one run on this machine, against a throwaway PostgreSQL and the in-process StarRocks emulator:
  (a) server-side decode floor (pg_logical_slot_peek_binary_changes on a copy slot, count only)
  (b) a decode-only consumer (pg-logical-replication's PgoutputPlugin, in a child process)
  (c) dbmazz end to end into the StarRocks emulator (daemon as a child process)
  (d) dbmazz into a sink that discards (bench/null-sink, loaded by path with SINK_TYPE)
  (e) steady state at fixed rates: daemon CPU %, RSS, commit→visible latency p50/p99
  (f) the snapshot of one table (mixed types, 1 row in 20 TOASTed) against COPY (SELECT * FROM t) TO STDOUT
      of the same table (psql to /dev/null) and a keyset-chunked SELECT by the pg client (the reader floor)

flags:
  --changes N          backlog size in changes, a multiple of 100 (default ${DEFAULT_OPTIONS.changes}; the issue's size: 300000)
  --rates R1,R2,...    steady-state rates in changes/s (default ${DEFAULT_OPTIONS.rates.join(',')}; e.g. 1000,5000,20000)
  --duration S         seconds measured at each rate (default ${DEFAULT_OPTIONS.duration})
  --flush-interval MS  FLUSH_INTERVAL_MS for the daemon (default: the daemon's default)
  --flush-size N       FLUSH_SIZE for the daemon (default: the daemon's default)
  --snapshot-rows N    (f): rows of the snapshot table (default ${DEFAULT_OPTIONS.snapshotRows}; the issue's size: 1000000; 0 skips (f))
  --snapshot-modes M   (f): SNAPSHOT_MODEs measured, comma-separated (default ${DEFAULT_OPTIONS.snapshotModes.join(',')})
  --snapshot-only      only (f), skip (a)-(e)
  --snapshot-chunk-rows N   SNAPSHOT_CHUNK_ROWS for the daemon in (f) (default: the daemon's default)
  --snapshot-parallelism N  SNAPSHOT_PARALLELISM for the daemon in (f) (default: the daemon's default)
  --snapshot-runs N    (f): measure each SNAPSHOT_MODE N times, each a fresh daemon (default 1; for best-of figures)
  --daemon-node-options S   NODE_OPTIONS for every daemon, e.g. '--max-semi-space-size=16' (default: none)
  --cpu-prof DIR       write a V8 CPU profile of each daemon of (c), (d) and (f) into DIR (read it with node dist/bench/profile-top.js FILE)
  --out FILE           JSON results (default ${DEFAULT_OPTIONS.out})
  --help               this text
`;

function positiveInt(flag: string, v: string | undefined, min = 1): number | string {
  if (v === undefined || !/^\d+$/.test(v) || Number(v) < min) return `${flag} needs an integer of at least ${min} (got ${v ?? 'nothing'})`;
  return Number(v);
}

const BENCH_FLAGS = {
  help: { type: 'boolean', short: 'h' },
  changes: { type: 'string' },
  rates: { type: 'string' },
  duration: { type: 'string' },
  'flush-interval': { type: 'string' },
  'flush-size': { type: 'string' },
  'snapshot-rows': { type: 'string' },
  'snapshot-modes': { type: 'string' },
  'snapshot-only': { type: 'boolean' },
  'snapshot-chunk-rows': { type: 'string' },
  'snapshot-parallelism': { type: 'string' },
  'cpu-prof': { type: 'string' },
  'snapshot-runs': { type: 'string' },
  'daemon-node-options': { type: 'string' },
  out: { type: 'string' },
} as const;

/** Options from argv (without node and script), or every problem found, one per line (node:util parseArgs). */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | string {
  const o: { -readonly [K in keyof BenchOptions]: BenchOptions[K] } = { ...DEFAULT_OPTIONS };
  const problems: string[] = [];
  const num = (flag: string, v: string | undefined, min?: number): number | undefined => {
    const n = positiveInt(flag, v, min);
    if (typeof n === 'string') {
      problems.push(n);
      return undefined;
    }
    return n;
  };
  const { flags, problems: flagProblems } = readAllFlags(argv, BENCH_FLAGS);
  problems.push(...flagProblems.map((p) => (p === '--cpu-prof needs a value' ? '--cpu-prof needs a directory' : `${p} (see --help)`)));
  const given = (name: string): string | undefined => stringFlag(flags, name);
  if (flags.values['help'] === true) o.help = true;
  if (flags.values['snapshot-only'] === true) o.snapshotOnly = true;
  if (given('changes') !== undefined) {
    const n = num('--changes', given('changes'), 100);
    if (n !== undefined && n % 100 !== 0) problems.push(`--changes must be a multiple of 100 (100-row transactions), got ${n}`);
    else if (n !== undefined) o.changes = n;
  }
  if (given('rates') !== undefined) {
    const rates = (given('rates') ?? '').split(',').map((r) => num('--rates', r.trim(), 100));
    if (rates.every((r): r is number => r !== undefined)) o.rates = rates;
  }
  const ints: readonly [
    string,
    'duration' | 'flushIntervalMs' | 'flushSize' | 'snapshotRows' | 'snapshotChunkRows' | 'snapshotParallelism' | 'snapshotRuns',
    number,
  ][] = [
    ['duration', 'duration', 1],
    ['flush-interval', 'flushIntervalMs', 1],
    ['flush-size', 'flushSize', 1],
    ['snapshot-rows', 'snapshotRows', 0],
    ['snapshot-chunk-rows', 'snapshotChunkRows', 1],
    ['snapshot-parallelism', 'snapshotParallelism', 1],
    ['snapshot-runs', 'snapshotRuns', 1],
  ];
  for (const [flag, key, min] of ints) {
    if (given(flag) === undefined) continue;
    const n = num(`--${flag}`, given(flag), min);
    if (n !== undefined) o[key] = n;
  }
  if (given('snapshot-modes') !== undefined) {
    const modes = (given('snapshot-modes') ?? '').split(',').map((m) => m.trim());
    const bad = modes.filter((m) => !(SNAPSHOT_MODES as readonly string[]).includes(m));
    if (bad.length > 0 || modes.length === 0)
      problems.push(`--snapshot-modes takes ${SNAPSHOT_MODES.join(' and/or ')}, comma-separated (got ${bad.join(',') || 'nothing'})`);
    else o.snapshotModes = [...new Set(modes as SnapshotMode[])];
  }
  const cpuProf = given('cpu-prof');
  if (cpuProf !== undefined) {
    if (cpuProf === '') problems.push('--cpu-prof needs a directory');
    else o.cpuProfDir = cpuProf;
  }
  const nodeOptions = given('daemon-node-options');
  if (nodeOptions !== undefined) {
    if (nodeOptions.trim() === '') problems.push('--daemon-node-options needs node flags');
    else o.daemonNodeOptions = nodeOptions.trim();
  }
  const out = given('out');
  if (out !== undefined) {
    if (out === '') problems.push('--out needs a file name');
    else o.out = out;
  }
  if (o.snapshotOnly && o.snapshotRows === 0) problems.push('--snapshot-only with --snapshot-rows 0 measures nothing');
  return problems.length > 0 ? problems.join('\n') : o;
}
