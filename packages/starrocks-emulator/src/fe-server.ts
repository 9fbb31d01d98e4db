/**
 * The emulated FE HTTP server (docs/starrocks-protocol.md §1.3, §1.4, §3.2, §3.5, §4.3, §5.1).
 *
 * - `PUT /api/{db}/{table}/_stream_load`: 401 on bad Basic auth; HTTP/1.1 without
 *   `Expect: 100-continue` → 200 FAILED + `connection: close`; otherwise 307 to the next BE
 *   (round-robin), empty body, `content-length: 0`, `connection: close`; the body is never read and
 *   `100 Continue` never sent. Other methods on that path → 404 (no handler registered, UNCONFIRMED).
 * - `POST|PUT /api/transaction/{begin,load,prepare,commit,rollback}`: 307 to the txn's BE, or the FE's
 *   own answer for commit/rollback of non-PREPARE txns.
 * - `GET /api/{db}/get_load_state?label=`.
 * - `/__emulator/...`: the admin API (admin-api.ts), no auth.
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { closeServer, drain, expectsContinue, headerMap, listen, notFound, parseBasicAuth, parseUrl, remoteIp, sendBody, sendJson } from './http-util.js';
import type { Catalog } from './catalog.js';
import type { LoadEngine } from './load-engine.js';
import { feTransactionResult, loadStateBody, restFailure } from './responses.js';
import type { TxnApi, TxnOp } from './txn-api.js';

export interface FeServerDeps {
  readonly catalog: Catalog;
  readonly engine: LoadEngine;
  readonly txn: TxnApi;
  /** Host used in redirect Locations (e.g. 127.0.0.1). */
  readonly advertisedHost: string;
  readonly bePorts: () => readonly number[];
  readonly admin: (req: IncomingMessage, res: ServerResponse, segments: readonly string[]) => void;
  readonly log: (line: string) => void;
}

export interface FeServer {
  readonly port: number;
  close(): Promise<void>;
}

const JSON_UTF8 = 'application/json; charset=UTF-8';
const TXN_OPS: readonly string[] = ['begin', 'load', 'prepare', 'commit', 'rollback'];

export async function startFeServer(deps: FeServerDeps, host: string, port: number): Promise<FeServer> {
  let rr = 0;
  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => handle(req, res));
  server.on('checkContinue', (req, res) => handle(req, res));

  /** RestBaseAction auth (§3.5); true when the request may proceed. */
  function authenticate(req: IncomingMessage, res: ServerResponse): boolean {
    const creds = parseBasicAuth(req.headers.authorization);
    let msg: string | null = null;
    if (!creds) msg = 'Need auth information.';
    else if (!deps.catalog.checkPassword(creds.user, creds.password)) msg = `Access denied for ${creds.user}@${remoteIp(req)}`;
    if (msg === null) return true;
    sendBody(res, 401, restFailure(msg), JSON_UTF8, { close: !req.complete, headers: { 'WWW-Authenticate': 'Basic realm=""' } });
    return false;
  }

  function redirect(req: IncomingMessage, res: ServerResponse, be: number): void {
    const bePort = deps.bePorts()[be];
    const { path, rawQuery } = parseUrl(req);
    const location = `http://${deps.advertisedHost}:${bePort ?? 0}${path}${rawQuery ? `?${rawQuery}` : ''}`;
    res.writeHead(307, { Location: location, 'Content-Length': '0', Connection: 'close' });
    res.end();
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const { segments, query } = parseUrl(req);
    const method = req.method ?? 'GET';
    if (segments[0] === '__emulator') return deps.admin(req, res, segments.slice(1));
    const [s0, s1, s2, s3, ...rest] = segments;
    if (s0 !== 'api' || rest.length > 0) return notFound(res, !req.complete);
    if (s3 === '_stream_load' && s1 !== undefined && s2 !== undefined) {
      if (method !== 'PUT') return notFound(res, true);
      if (!authenticate(req, res)) return;
      const http11 = req.httpVersionMajor > 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1);
      if (http11 && !expectsContinue(req)) {
        return sendBody(res, 200, feTransactionResult('FAILED', 'class com.starrocks.common.DdlException: There is no 100-continue header'), JSON_UTF8, {
          close: true,
        });
      }
      if (s1 === '')
        return sendBody(res, 200, feTransactionResult('FAILED', 'class com.starrocks.common.DdlException: No database selected.'), JSON_UTF8, { close: true });
      if (s2 === '')
        return sendBody(res, 200, feTransactionResult('FAILED', 'class com.starrocks.common.DdlException: No table selected.'), JSON_UTF8, { close: true });
      const n = deps.bePorts().length;
      if (n === 0)
        return sendBody(res, 200, feTransactionResult('FAILED', 'class com.starrocks.common.DdlException: No backend alive.'), JSON_UTF8, { close: true });
      const be = rr++ % n;
      deps.log(`fe: stream load ${s1}.${s2} -> be${be}`);
      return redirect(req, res, be);
    }
    if (s1 === 'transaction' && s2 !== undefined && s3 === undefined) {
      if (!TXN_OPS.includes(s2) || (method !== 'POST' && method !== 'PUT')) return notFound(res, true);
      if (!authenticate(req, res)) return;
      const route = deps.txn.feRoute(s2 as TxnOp, headerMap(req));
      if (route.kind === 'redirect') return redirect(req, res, route.be);
      // FE answers itself; consume a (normally empty) body first.
      if (expectsContinue(req)) res.writeContinue();
      return drain(req, () => sendBody(res, 200, route.body, JSON_UTF8));
    }
    if (s2 === 'get_load_state' && s1 !== undefined && s3 === undefined && method === 'GET') {
      if (!authenticate(req, res)) return;
      const label = query.get('label') ?? '';
      let body: string;
      if (s1 === '') body = restFailure('No database selected.');
      else if (label === '') body = restFailure('No label selected.');
      else {
        const st = deps.engine.loadState(s1, label);
        body = st ? loadStateBody(st.state, st.reason) : restFailure(`unknown database, database=${s1}`);
      }
      return drain(req, () => sendJson(res, body, { contentType: JSON_UTF8 }));
    }
    notFound(res, !req.complete);
  }

  const actual = await listen(server, host, port);
  return { port: actual, close: () => closeServer(server) };
}
