/**
 * One small HTTP GET on `node:http`/`node:https`, for the FE calls of fe-api.ts (label state, the
 * startup check, BE error logs). Redirects are not followed here (the caller decides, to keep Basic
 * auth on the FE's chain only). Timeouts: connect (`connectTimeoutMs`), then the whole reply
 * (`requestTimeoutMs`, from the moment the request is written); at most `maxBytes` of the body are
 * kept (the rest is discarded and the socket closed).
 *
 * Not undici: it was the only user of undici in the daemon, and loading it cost ~16 MiB of resident
 * memory for a few GETs (its fetch/WebSocket/cache code, its llhttp WebAssembly parser), measured in
 * docs/performance.md ("The resident footprint").
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpTimeoutError } from '../errors.js';

export interface GetOptions {
  readonly headers: Readonly<Record<string, string>>;
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxBytes: number;
  readonly signal?: AbortSignal | undefined;
  readonly agents: { readonly http: http.Agent; readonly https: https.Agent };
}

export interface GetReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export function httpGet(url: URL, opts: GetOptions): Promise<GetReply> {
  const secure = url.protocol === 'https:';
  const target = `GET ${url.protocol}//${url.host}${url.pathname}`;
  return new Promise((resolve, reject) => {
    const { signal } = opts;
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error(`${target} aborted`));
      return;
    }
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const setTimer = (ms: number, fn: () => void): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
    const finish = (err: Error | undefined, reply?: GetReply): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (err !== undefined) {
        req.destroy();
        reject(err);
      } else if (reply) {
        resolve(reply);
      }
    };
    const onAbort = (): void => finish(signal?.reason instanceof Error ? signal.reason : new Error(`${target} aborted`));
    const req = (secure ? https : http).request({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      agent: secure ? opts.agents.https : opts.agents.http,
      headers: opts.headers,
    });
    req.on('error', (err) => finish(err));
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('socket', (socket) => {
      const waitReply = (): void => setTimer(opts.requestTimeoutMs, () => finish(new HttpTimeoutError('response', opts.requestTimeoutMs, target)));
      if (socket.connecting) {
        setTimer(opts.connectTimeoutMs, () => finish(new HttpTimeoutError('connect', opts.connectTimeoutMs, target)));
        socket.once(secure ? 'secureConnect' : 'connect', waitReply);
      } else {
        waitReply();
      }
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void =>
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).subarray(0, opts.maxBytes).toString('utf8') });
      res.on('data', (chunk: Buffer) => {
        if (size < opts.maxBytes) chunks.push(chunk);
        size += chunk.length;
        if (size >= opts.maxBytes) {
          // Enough: the rest is not read, and the socket cannot be reused.
          done();
          res.destroy();
        }
      });
      res.on('error', (err) => finish(err));
      res.on('end', done);
    });
    req.end();
  });
}
