/** Runs the real `dbmazz` CLI as a child process, the way a user runs it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
/** dist/core/runtime/cli.js, from dist/test/helpers. */
export const CLI_PATH = join(here, '..', '..', 'core', 'runtime', 'cli.js');

export interface DaemonProcess {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the first line matching `pattern`. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnDaemon(env: Record<string, string>, args: string[] = [], cwd?: string): DaemonProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    env: { PATH: process.env['PATH'] ?? '', LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(cwd ? { cwd } : {}),
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  const onData = (buf: Buffer): void => {
    for (const line of buf.toString('utf8').split('\n')) {
      if (line === '') continue;
      lines.push(line);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w && w.pattern.test(line)) {
          waiters.splice(i, 1);
          w.resolve(line);
        }
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    lines,
    output: () => lines.join('\n'),
    waitForLine(pattern, timeoutMs = 30_000) {
      const found = lines.find((l) => pattern.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error(`no output line matched ${pattern} within ${timeoutMs} ms; output:\n${lines.slice(-40).join('\n')}`));
        }, timeoutMs);
        const w = {
          pattern,
          resolve: (l: string) => {
            clearTimeout(timer);
            resolve(l);
          },
        };
        waiters.push(w);
        void exited.then(() => {
          const idx = waiters.indexOf(w);
          if (idx >= 0) {
            waiters.splice(idx, 1);
            clearTimeout(timer);
            reject(new Error(`daemon exited before a line matched ${pattern}; output:\n${lines.slice(-40).join('\n')}`));
          }
        });
      });
    },
    exited,
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Resolves with the exit code of a daemon that must stop by itself (killed after `timeoutMs`). */
export async function exitOf(d: DaemonProcess, timeoutMs = 60_000): Promise<number | null> {
  const timer = setTimeout(() => d.kill('SIGKILL'), timeoutMs);
  const exit = await d.exited;
  clearTimeout(timer);
  return exit.code;
}

/** Kills the daemons (SIGKILL; those not started are skipped) and waits until every one has exited. */
export async function killDaemons(...daemons: readonly (DaemonProcess | undefined)[]): Promise<void> {
  for (const d of daemons) d?.kill('SIGKILL');
  await Promise.all(daemons.map((d) => d?.exited ?? Promise.resolve()));
}
