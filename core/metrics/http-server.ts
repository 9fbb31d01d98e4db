/**
 * The metrics HTTP server (METRICS_PORT): GET /metrics (Prometheus text format), /livez, /healthz and
 * /readyz (200 or 503 with a one-line JSON reason), and, when given, more routes (the dashboard:
 * dashboard-api.ts). Nothing else is served.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CdcError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import { LoopWatch, type Verdict } from './readiness.js';

export interface MetricsHttpDeps {
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  readonly metrics: () => Promise<string>;
  readonly contentType: string;
  readonly health: () => Verdict;
  readonly ready: () => Verdict;
  /** Liveness (/livez); by default the event loop's delay (readiness.ts LoopWatch). */
  readonly live?: () => Verdict;
  /** Further routes, asked first; `handle` answers and returns true for the paths it serves. */
  readonly routes?: ExtraRoutes;
}

export interface ExtraRoutes {
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<boolean>;
  /** Paths listed in the 404 answer. */
  readonly paths: readonly string[];
}

export class MetricsHttpServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly loop: LoopWatch | undefined,
  ) {}

  static async start(given: MetricsHttpDeps): Promise<MetricsHttpServer> {
    const loop = given.live === undefined ? new LoopWatch() : undefined;
    const deps: MetricsHttpDeps = loop === undefined ? given : { ...given, live: () => loop.verdict() };
    const server = createServer((req, res) => void handle(deps, req, res));
    server.keepAliveTimeout = 5000;
    const port = await new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(deps.port, deps.host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    }).catch((err: unknown) => {
      loop?.dispose();
      throw new CdcError({
        code: 'CONFIG_INVALID',
        message: `The metrics server cannot listen on ${deps.host}:${deps.port}: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'Choose another METRICS_PORT (or METRICS_HOST), or stop what uses the port.',
        cause: err,
      });
    });
    deps.logger.info({ host: deps.host, port }, `Prometheus metrics on http://${deps.host}:${port}/metrics`);
    return new MetricsHttpServer(server, port, loop);
  }

  close(): Promise<void> {
    this.loop?.dispose();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

async function handle(deps: MetricsHttpDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const [path = '/', search = ''] = (req.url ?? '/').split('?', 2);
  try {
    if (deps.routes !== undefined && (await deps.routes.handle(req, res, path, new URLSearchParams(search)))) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    switch (path) {
      case '/metrics':
        return send(res, 200, deps.contentType, await deps.metrics());
      case '/livez':
        return verdict(res, deps.live?.() ?? { ok: true, reason: 'the process answers' });
      case '/healthz':
        return verdict(res, deps.health());
      case '/readyz':
        return verdict(res, deps.ready());
      default:
        return send(res, 404, 'text/plain', `not found: try ${['/metrics', '/livez', '/healthz', '/readyz', ...(deps.routes?.paths ?? [])].join(', ')}\n`);
    }
  } catch (err) {
    deps.logger.warn({ error: err instanceof Error ? err.message : String(err), path }, 'metrics request failed');
    if (res.headersSent) return void res.end();
    return send(res, 500, 'text/plain', 'internal error\n');
  }
}

function verdict(res: ServerResponse, v: Verdict): void {
  send(res, v.ok ? 200 : 503, 'application/json', `${JSON.stringify({ status: v.ok ? 'ok' : 'unavailable', reason: v.reason })}\n`);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
