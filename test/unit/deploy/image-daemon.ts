/**
 * The daemon started the way the container image starts it: the Dockerfile's CMD, from the
 * repository root (the image's WORKDIR holds the same package.json, dist/ and proto/), with the image's
 * ENV. Only the ports (0: free ones) and the listen addresses (this machine only) are changed. The
 * source and the sink are unreachable on purpose: the control API and the metrics server start before
 * setup, and SETUP_MAX_ATTEMPTS=0 keeps the daemon retrying (health reporting the error) until it is
 * stopped, so /metrics, /healthz and /readyz of the real process can be read without any database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { envOf, execForm, parseDockerfile } from './dockerfile.js';
import { repoFile, REPO_ROOT } from './repo.js';

export interface ImageDaemon {
  readonly child: ChildProcess;
  readonly metricsPort: number;
  readonly lines: readonly string[];
  /** SIGTERM, then the exit code (or the signal that ended it). */
  stop(): Promise<number | NodeJS.Signals | null>;
}

export function imageCommand(): { readonly cmd: readonly string[]; readonly env: Readonly<Record<string, string>> } {
  const runtime = parseDockerfile(repoFile('Dockerfile')).at(-1);
  const cmd = execForm(runtime?.instructions.filter((i) => i.keyword === 'CMD').at(-1)?.args ?? '');
  if (cmd === undefined) throw new Error('the Dockerfile has no exec-form CMD');
  const env = Object.fromEntries((runtime?.instructions ?? []).filter((i) => i.keyword === 'ENV').flatMap((i) => envOf(i.args)));
  return { cmd, env };
}

/** A port nothing listens on (it was free a moment ago): connections are refused at once. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startImageDaemon(): Promise<ImageDaemon> {
  const { cmd, env } = imageCommand();
  const nowhere = await closedPort();
  const [program, ...args] = cmd;
  if (program !== 'node') throw new Error(`the image runs ${String(program)}, not node`);
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env['PATH'] ?? '',
      ...env,
      GRPC_HOST: '127.0.0.1',
      GRPC_PORT: '0',
      METRICS_HOST: '127.0.0.1',
      METRICS_PORT: '0',
      SOURCE_URL: `postgres://dbmazz:unused@127.0.0.1:${nowhere}/nowhere`,
      SINK_URL: `http://127.0.0.1:${nowhere}`,
      SINK_DATABASE: 'analytics',
      TABLES: 'public.orders',
      SETUP_MAX_ATTEMPTS: '0',
      SETUP_RETRY_DELAY_MS: '600000',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const port = new Promise<number>((resolve, reject) => {
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      createInterface({ input: stream }).on('line', (line) => {
        lines.push(line);
        const m = /Prometheus metrics on http:\/\/[^\s/]+:(\d+)\/metrics/.exec(line);
        if (m?.[1] !== undefined) resolve(Number(m[1]));
      });
    }
    void exited.then((code) => reject(new Error(`the daemon exited (${String(code)}) before serving metrics:\n${lines.join('\n')}`)));
  });
  const metricsPort = await port.catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  return {
    child,
    metricsPort,
    lines,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
