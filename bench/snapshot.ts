/**
 * (f) of `npm run bench`: how fast dbmazz copies an existing table, against what PostgreSQL can hand
 * out. Three measures of the same table in one run: `COPY (SELECT * FROM t) TO STDOUT` by psql into
 * /dev/null (the reference of issue 10), the same keyset-chunked SELECTs the snapshot reader runs, by
 * the pg client in this process (what reading alone costs in Node), and dbmazz itself from its start
 * until it logs "snapshot done" (every chunk durable in the emulator), per SNAPSHOT_MODE.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { findPgBin, type PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { spawnDaemon } from '../test/helpers/daemon.js';
import type { SnapshotMode } from './args.js';
import { sampleProcess, type ProcSample } from './proc.js';
import { COPY_SQL, SNAPSHOT_TABLE } from './snapshot-workload.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The environment that makes a daemon write a V8 CPU profile of its whole life into `dir` (profile-hook.ts),
 * and the file it writes; nothing without a directory.
 */
export function profileEnvironment(
  dir: string | undefined,
  name: string,
  nodeOptions?: string,
): { readonly env: Record<string, string>; readonly file: string | undefined } {
  const given = nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions };
  if (dir === undefined) return { env: given, file: undefined };
  mkdirSync(dir, { recursive: true });
  const file = join(resolve(dir), `dbmazz-${name}-${Date.now()}.cpuprofile`);
  const hook = `--import ${pathToFileURL(join(here, 'profile-hook.js')).href}`;
  return { env: { NODE_OPTIONS: nodeOptions === undefined ? hook : `${nodeOptions} ${hook}`, DBMAZZ_BENCH_CPU_PROFILE: file }, file };
}

export interface ReadResult {
  readonly seconds: number;
  /** CPU of the reading process (psql, or this process for the pg client). */
  readonly cpuSeconds: number | undefined;
}

export interface SnapshotRun {
  readonly mode: SnapshotMode;
  /** Daemon start → "snapshot done" (everything durable in the emulator). */
  readonly seconds: number;
  /** Daemon start → "snapshot started" (setup: connections, checks, slot, target table). */
  readonly startSeconds: number | undefined;
  readonly rowsVisible: number;
  readonly rowsExpected: number;
  /** Chunks the sink skipped as "already loaded" (two chunks given the same Stream Load label). */
  readonly labelSkips: number;
  /** Daemon CPU and peak RSS at "snapshot done" (from its start). */
  readonly cpuSeconds: number | undefined;
  readonly peakRssBytes: number | undefined;
  /** CPU of this process (the emulator's load path, mostly) over the same time. */
  readonly emulatorCpuSeconds: number;
  readonly exitCode: number | null;
  readonly profile: string | undefined;
}

const cpuOfThisProcess = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** `COPY (SELECT * FROM t) TO STDOUT` by psql, its output into /dev/null. */
export async function timeCopy(pgh: PgHarness): Promise<ReadResult> {
  const devNull = openSync('/dev/null', 'w');
  try {
    const t0 = performance.now();
    const child = spawn(join(findPgBin(), 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', pgh.url, '-c', COPY_SQL], {
      stdio: ['ignore', devNull, 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    let last: ProcSample | undefined;
    const timer = setInterval(() => {
      try {
        last = sampleProcess(child.pid ?? -1);
      } catch {
        /* exited */
      }
    }, 50);
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    clearInterval(timer);
    if (code !== 0) throw new Error(`bench: psql COPY failed (exit ${code}): ${err}`);
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: last?.cpuSeconds };
  } finally {
    closeSync(devNull);
  }
}

/** The snapshot reader's queries (keyset chunks, every value as text) by the pg client, rows dropped. */
export async function timeKeysetRead(pgh: PgHarness, chunkRows: number): Promise<ReadResult & { rows: number }> {
  const c = new pg.Client({ connectionString: pgh.url });
  await c.connect();
  try {
    const raw = {
      getTypeParser:
        () =>
        (v: string): string =>
          v,
    };
    const c0 = cpuOfThisProcess();
    const t0 = performance.now();
    let after = '0';
    let rows = 0;
    for (;;) {
      const r = await c.query<(string | null)[]>({
        text: `SELECT * FROM public.${SNAPSHOT_TABLE} WHERE id > $1 ORDER BY id LIMIT ${chunkRows}`,
        values: [after],
        rowMode: 'array',
        types: raw,
      });
      rows += r.rows.length;
      const lastId = r.rows[r.rows.length - 1]?.[0];
      if (r.rows.length < chunkRows || lastId === undefined || lastId === null) break;
      after = lastId;
    }
    return { seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuOfThisProcess() - c0, rows };
  } finally {
    await c.end();
  }
}

/**
 * The newer sample, keeping the largest peak RSS seen: a daemon that is exiting (initial_only) has no
 * memory figures in /proc any more, only its CPU times.
 */
function laterSample(previous: ProcSample | undefined, next: ProcSample): ProcSample {
  return previous === undefined || next.peakRssBytes >= previous.peakRssBytes ? next : { ...next, peakRssBytes: previous.peakRssBytes };
}

const DONE = /"msg":"snapshot done"/;
const STARTED = /"msg":"snapshot started"/;
const LABEL_SKIP = /already loaded/;

/**
 * dbmazz copies the table in `mode` into emulator database `db` (created here, dropped after). Timed
 * from the spawn to "snapshot done"; `initial` is then stopped with SIGTERM, `initial_only` exits itself.
 */
export async function snapshotDaemon(
  em: StarRocksEmulator,
  env: Record<string, string>,
  mode: SnapshotMode,
  db: string,
  rows: number,
  cpuProfDir: string | undefined,
  nodeOptions?: string,
): Promise<SnapshotRun> {
  await em.sql(`CREATE DATABASE ${db}`);
  const { env: profileEnv, file: profile } = profileEnvironment(cpuProfDir, `snapshot-${mode}`, nodeOptions);
  const e0 = cpuOfThisProcess();
  const t0 = performance.now();
  const d = spawnDaemon({ ...env, ...profileEnv, SINK_DATABASE: db, SNAPSHOT_MODE: mode, LOG_LEVEL: 'info' });
  const pid = d.child.pid ?? -1;
  let last: ProcSample | undefined;
  const timer = setInterval(() => {
    try {
      last = laterSample(last, sampleProcess(pid));
    } catch {
      /* exited */
    }
  }, 100);
  let startSeconds: number | undefined;
  void d
    .waitForLine(STARTED, 3_600_000)
    .then(() => (startSeconds = (performance.now() - t0) / 1000))
    .catch(() => undefined);
  try {
    await d.waitForLine(DONE, 3_600_000);
    const seconds = (performance.now() - t0) / 1000;
    try {
      last = laterSample(last, sampleProcess(pid));
    } catch {
      /* initial_only may already be gone: the last sample stands */
    }
    const emulatorCpuSeconds = cpuOfThisProcess() - e0;
    const rowsVisible = em.catalog.getTable(db, SNAPSHOT_TABLE)?.rowCount ?? 0;
    if (mode === 'initial') d.kill('SIGTERM');
    let stopTimer: NodeJS.Timeout | undefined;
    const exit = await Promise.race([d.exited, new Promise<undefined>((r) => (stopTimer = setTimeout(() => r(undefined), 120_000)))]);
    clearTimeout(stopTimer);
    if (exit === undefined) d.kill('SIGKILL');
    return {
      mode,
      seconds,
      startSeconds,
      rowsVisible,
      rowsExpected: rows,
      labelSkips: d.lines.filter((l) => LABEL_SKIP.test(l)).length,
      cpuSeconds: last?.cpuSeconds,
      peakRssBytes: last?.peakRssBytes,
      emulatorCpuSeconds,
      exitCode: exit?.code ?? null,
      profile,
    };
  } catch (err) {
    d.kill('SIGKILL');
    throw new Error(`bench: dbmazz snapshot (${mode}) failed: ${err instanceof Error ? err.message : String(err)}\n${d.output().slice(-3000)}`, { cause: err });
  } finally {
    clearInterval(timer);
    em.catalog.dropDatabase(db, { ifExists: true });
  }
}
