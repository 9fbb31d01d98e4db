/**
 * The daemon as the user would run it: the `dbmazz` CLI in a child process, configured only by
 * environment variables (a clean environment, the working directory a temp dir so no `.env` of the
 * caller is read), its JSON log written to a file (and its snapshot lines read into `snapshot`). It runs in its own process group, so a Ctrl-C on
 * the terminal reaches only the demo, which then drains the daemon itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { DAEMON_CLI_PATH, type DashboardStatus } from 'dbmazz/tools';
import { SnapshotBoard } from './snapshot-progress.js';

export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class DaemonProcess {
  readonly exited: Promise<DaemonExit>;
  /** Per-table snapshot progress from the daemon's log. */
  readonly snapshot = new SnapshotBoard();
  #exit: DaemonExit | undefined;

  private constructor(
    private readonly child: ChildProcess,
    readonly logFile: string,
    private readonly metricsPort: number,
  ) {
    let partial = '';
    const onData = (b: Buffer): void => {
      const lines = (partial + b.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const l of lines) this.snapshot.line(l);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
  }

  static start(env: Readonly<Record<string, string>>, dir: string, metricsPort: number): DaemonProcess {
    const logFile = join(dir, 'dbmazz.log');
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, [DAEMON_CLI_PATH], {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', ...(process.env['HOME'] ? { HOME: process.env['HOME'] } : {}), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    child.once('exit', () => setImmediate(() => log.end()));
    return new DaemonProcess(child, logFile, metricsPort);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** SIGTERM drains: the daemon writes what it buffered, confirms the last LSN and exits 0. */
  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** The last `n` lines of the daemon's log. */
  logTail(n: number): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
    } catch {
      return '';
    }
  }

  /** The dashboard's status (no samples), or undefined when the daemon does not answer. */
  status(timeoutMs = 2000): Promise<DashboardStatus | undefined> {
    const since = Date.now() + 86_400_000;
    return new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port: this.metricsPort, path: `/api/status?since=${since}`, timeout: timeoutMs }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? (JSON.parse(body) as DashboardStatus) : undefined);
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(undefined));
      req.end();
    });
  }
}
