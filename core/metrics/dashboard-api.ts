/**
 * The dashboard's HTTP routes, served next to /metrics (METRICS_PORT):
 *
 *   GET  /                 → 302 to /dashboard
 *   GET  /dashboard        the self-contained page (dashboard-page.ts)
 *   GET  /api/status       JSON: stage, run state, counters, lag, per-table counters, snapshot
 *                          progress per table, last errors and the samples newer than
 *                          `?since=<unix ms>` (all kept ones without it)
 *   POST /api/pause        the controller's pause(), exactly what gRPC CdcControlService/Pause does
 *   POST /api/resume       the controller's resume()
 *
 * The control routes answer `{ success, message }` like the gRPC calls. With GRPC_AUTH_TOKEN set they
 * need `Authorization: Bearer <token>` (401 otherwise). Reading stays open, as /metrics is. A browser
 * page of another site cannot trigger them: they need `Content-Type: application/json` (which a
 * cross-site page can only send after a CORS preflight, never answered here) and refuse an `Origin`
 * or `Sec-Fetch-Site` that says the request comes from another site.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerMatches } from '../control/auth.js';
import type { Logger } from '../log/logger.js';
import type { Lsn } from '../model/lsn.js';
import type { RuntimeState, RuntimeTotals } from '../runtime/state.js';
import { lagBytesOf, type DashboardHistory, type DashboardSample } from './dashboard-history.js';
import { tableCounters, type MetricsRegistryView, type TableCounters } from './table-counters.js';
import type { RecentError, RecentErrors } from './recent-errors.js';
import { readSnapshots, snapshotBars, type SnapshotBar } from './snapshot-view.js';

export interface ControlOutcome {
  readonly success: boolean;
  readonly message: string;
}

/** The control logic the gRPC API uses (DaemonController). */
export interface DashboardControl {
  pause(): Promise<ControlOutcome>;
  resume(): Promise<ControlOutcome>;
}

export interface DashboardDeps {
  readonly state: RuntimeState;
  readonly control: DashboardControl;
  readonly history: DashboardHistory;
  readonly errors: RecentErrors;
  readonly registry: MetricsRegistryView;
  readonly serverPosition: () => Promise<Lsn | undefined>;
  /** GRPC_AUTH_TOKEN; undefined = control routes open. */
  readonly authToken: string | undefined;
  readonly logger: Logger;
  readonly now?: () => number;
}

export interface DashboardStatus {
  readonly now: number;
  readonly startedAt: number;
  readonly stage: string;
  readonly stageDetail: string;
  readonly errorDetail: string;
  readonly healthy: boolean;
  readonly runState: string;
  readonly slotName: string;
  readonly tables: readonly string[];
  readonly receivedLsn: string;
  readonly confirmedLsn: string;
  readonly lagBytes: number;
  readonly lagEvents: number;
  readonly pendingBytes: number;
  readonly eventsPerSecond: number;
  readonly rowsPerSecond: number;
  readonly rssBytes: number;
  readonly cpuMillicores: number;
  readonly totals: Readonly<RuntimeTotals>;
  /** True when the control routes need a bearer token. */
  readonly auth: boolean;
  readonly perTable: readonly TableCounters[];
  /** One progress bar per table snapshot the source reports (empty: the section is hidden). */
  readonly snapshots: readonly SnapshotBar[];
  readonly errors: readonly RecentError[];
  readonly samples: readonly DashboardSample[];
}

const JSON_TYPE = 'application/json; charset=utf-8';

export class DashboardApi {
  /** Listed in the metrics server's 404 answer. */
  readonly paths: readonly string[] = ['/dashboard', '/api/status'];
  readonly #startedAt: number;
  readonly #now: () => number;

  constructor(private readonly deps: DashboardDeps) {
    this.#now = deps.now ?? Date.now;
    this.#startedAt = this.#now();
  }

  /** Handles the dashboard's routes; false when `path` is not one of them. */
  async handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<boolean> {
    switch (path) {
      case '/':
        if (!isRead(req)) return methodNotAllowed(res, 'GET');
        res.writeHead(302, { location: '/dashboard', 'cache-control': 'no-store' });
        res.end();
        return true;
      case '/dashboard': {
        if (!isRead(req)) return methodNotAllowed(res, 'GET');
        // The page (~100 kB of HTML, CSS and script) is loaded when it is first asked for.
        const { DASHBOARD_HTML } = await import('./dashboard-page.js');
        send(res, 200, 'text/html; charset=utf-8', DASHBOARD_HTML, { 'content-security-policy': CSP, 'x-frame-options': 'DENY' });
        return true;
      }
      case '/api/status': {
        if (!isRead(req)) return methodNotAllowed(res, 'GET');
        const since = Number(query.get('since') ?? '0');
        send(res, 200, JSON_TYPE, JSON.stringify(await this.status(Number.isFinite(since) ? since : 0)));
        return true;
      }
      case '/api/pause':
        await this.#control(req, res, 'Pause', () => this.deps.control.pause());
        return true;
      case '/api/resume':
        await this.#control(req, res, 'Resume', () => this.deps.control.resume());
        return true;
      default:
        return false;
    }
  }

  async status(sinceMs: number): Promise<DashboardStatus> {
    const { state, history } = this.deps;
    const snap = state.snapshot();
    const server = await this.deps.serverPosition().catch(() => undefined);
    const latest = history.latest();
    return {
      now: this.#now(),
      startedAt: this.#startedAt,
      stage: snap.stage,
      stageDetail: snap.stageDetail,
      errorDetail: snap.errorDetail,
      healthy: snap.errorDetail === '' && snap.runState !== 'STOPPED',
      runState: snap.runState,
      slotName: snap.slotName,
      tables: snap.tables,
      receivedLsn: snap.receivedLsn,
      confirmedLsn: snap.confirmedLsn,
      lagBytes: lagBytesOf(server, state.receivedLsn, state.confirmedLsn),
      lagEvents: snap.bufferedEvents + snap.inFlightEvents,
      pendingBytes: snap.bufferedBytes + snap.inFlightBytes,
      eventsPerSecond: latest?.eventsPerSecond ?? 0,
      rowsPerSecond: latest?.rowsPerSecond ?? 0,
      rssBytes: process.memoryUsage.rss(),
      cpuMillicores: latest?.cpuMillicores ?? 0,
      totals: snap.totals,
      auth: this.deps.authToken !== undefined,
      perTable: await tableCounters(this.deps.registry, snap.tables),
      snapshots: snapshotBars(readSnapshots(state.snapshotProgress)),
      errors: this.deps.errors.list(),
      samples: history.since(sinceMs),
    };
  }

  async #control(req: IncomingMessage, res: ServerResponse, method: string, op: () => Promise<ControlOutcome>): Promise<void> {
    req.resume(); // the body (`{}`) carries nothing: read and drop it
    if (req.method !== 'POST') {
      methodNotAllowed(res, 'POST');
      return;
    }
    const refused = refusal(req, this.deps.authToken);
    if (refused !== undefined) {
      send(res, refused.status, JSON_TYPE, JSON.stringify({ success: false, message: refused.message }), refused.headers);
      return;
    }
    const result = await op();
    this.deps.logger.info({ method, via: 'dashboard', success: result.success }, result.message);
    send(res, 200, JSON_TYPE, JSON.stringify({ success: result.success, message: result.message }));
  }
}

/** Scripts and styles are inline; nothing is loaded from elsewhere. */
const CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'";

interface Refusal {
  readonly status: number;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

/** Pure: why a control request is refused (undefined = allowed). */
export function refusal(req: Pick<IncomingMessage, 'headers'>, token: string | undefined): Refusal | undefined {
  const h = req.headers;
  const site = h['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, message: 'Cross-site control requests are refused' };
  const origin = h.origin;
  if (origin !== undefined && origin !== 'null' && h.host !== undefined && originHost(origin) !== h.host.toLowerCase()) {
    return { status: 403, message: `Origin ${origin} may not control this daemon` };
  }
  if (origin === 'null') return { status: 403, message: 'Opaque origins may not control this daemon' };
  const type = (h['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') return { status: 415, message: 'Send Content-Type: application/json' };
  if (token !== undefined) {
    const auth = h.authorization;
    if (auth === undefined || auth === '') {
      return { status: 401, message: 'GRPC_AUTH_TOKEN is set: send Authorization: Bearer <token>', headers: { 'www-authenticate': 'Bearer' } };
    }
    if (!bearerMatches(auth, token)) return { status: 401, message: 'Invalid bearer token', headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  }
  return undefined;
}

function originHost(origin: string): string {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return '';
  }
}

function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function methodNotAllowed(res: ServerResponse, allow: string): true {
  send(res, 405, 'text/plain', 'method not allowed\n', { allow });
  return true;
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
