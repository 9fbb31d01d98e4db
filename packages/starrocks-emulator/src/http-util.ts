/** Small node:http helpers shared by the FE and BE servers of the emulator. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Credentials } from './load-engine.js';

/**
 * A header value as the text a StarRocks FE/BE reads: the raw bytes decoded as UTF-8. node's HTTP
 * server hands header values over as latin1 strings (one char per byte), so `prénom` sent as UTF-8
 * arrives as `prÃ©nom`; re-encoding the chars as bytes recovers what was on the wire. Bytes that are
 * not valid UTF-8 become U+FFFD (they could not match a column name anyway).
 */
export function headerText(latin1: string): string {
  return /[^\x00-\x7f]/.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

/** Lower-cased header map, values decoded as UTF-8 (`headerText`); repeated headers joined with `, `. */
export function headerMap(req: IncomingMessage): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    m.set(k.toLowerCase(), headerText(Array.isArray(v) ? v.join(', ') : v));
  }
  return m;
}

/** `Authorization: Basic base64(user:password)`; the password may contain `:` (§1.2). */
export function parseBasicAuth(header: string | undefined): Credentials | null {
  if (!header) return null;
  const m = /^\s*basic\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return null;
  return { user: decoded.slice(0, i), password: decoded.slice(i + 1) };
}

export function expectsContinue(req: IncomingMessage): boolean {
  return /100-continue/i.test(req.headers.expect ?? '');
}

export function sendBody(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  opts: { close?: boolean; headers?: Record<string, string> } = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string> = {
    'Content-Type': contentType,
    'Content-Length': String(Buffer.byteLength(body)),
    ...(opts.headers ?? {}),
  };
  if (opts.close) headers['Connection'] = 'close';
  res.writeHead(status, headers);
  res.end(body);
}

export function sendJson(res: ServerResponse, body: string, opts: { close?: boolean; status?: number; contentType?: string } = {}): void {
  sendBody(res, opts.status ?? 200, body, opts.contentType ?? 'application/json', { close: opts.close ?? false });
}

export function notFound(res: ServerResponse, close = false): void {
  sendBody(res, 404, 'Not Found', 'text/plain', { close });
}

/** Drain and discard a request body, then run `done`. */
export function drain(req: IncomingMessage, done: () => void): void {
  if (req.complete) {
    done();
    return;
  }
  req.on('data', () => undefined);
  req.once('end', done);
}

export function remoteIp(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '127.0.0.1';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => reject(e);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('server has no TCP address');
  return addr.port;
}

export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Parse `/a/b?x=1` into decoded path segments and query. */
export function parseUrl(req: IncomingMessage): { path: string; segments: string[]; query: URLSearchParams; rawQuery: string } {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const rawQuery = q >= 0 ? raw.slice(q + 1) : '';
  const segments = path
    .split('/')
    .slice(1)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
  return { path, segments, query: new URLSearchParams(rawQuery), rawQuery };
}
