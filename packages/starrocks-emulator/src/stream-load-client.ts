/**
 * Test helper (not product code): a node:http Stream Load client that speaks the real protocol —
 * `Expect: 100-continue`, body sent only after `100 Continue`, FE 307 followed manually with the
 * Basic credentials re-added (docs/starrocks-protocol.md §1.3/§1.4).
 */
import http, { type IncomingHttpHeaders } from 'node:http';

export interface RawReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** Whether the client sent the body (i.e. got `100 Continue`, or did not use Expect). */
  readonly bodySent: boolean;
  /** Whether a `100 Continue` interim response arrived. */
  readonly gotContinue: boolean;
  /** Local port of the connection that carried the response (keep-alive checks). */
  readonly localPort: number | undefined;
}

export interface RawRequestOptions {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string | readonly (Buffer | string)[] | undefined;
  /** Send `Expect: 100-continue` and wait for it before the body (default true when a body is given). */
  readonly expectContinue?: boolean;
  /** Send `Content-Length` (default true); false → chunked transfer encoding. */
  readonly contentLength?: boolean;
  readonly user?: string;
  readonly password?: string;
  /** No Authorization header at all. */
  readonly noAuth?: boolean;
  readonly agent?: http.Agent;
  readonly timeoutMs?: number;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** One HTTP request (no redirect following). */
export function rawRequest(url: string, opts: RawRequestOptions = {}): Promise<RawReply> {
  const parts = opts.body === undefined ? [] : Array.isArray(opts.body) ? (opts.body as (Buffer | string)[]) : [opts.body as Buffer | string];
  const buffers = parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p));
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const hasBody = opts.body !== undefined;
  const expect = opts.expectContinue ?? hasBody;
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (!opts.noAuth && headers['Authorization'] === undefined) headers['Authorization'] = basicAuth(opts.user ?? 'root', opts.password ?? '');
  if (expect) headers['Expect'] = '100-continue';
  if (hasBody && (opts.contentLength ?? true)) headers['Content-Length'] = String(total);
  return new Promise<RawReply>((resolve, reject) => {
    let bodySent = false;
    let gotContinue = false;
    let settled = false;
    const req = http.request(url, { method: opts.method ?? 'PUT', headers, agent: opts.agent ?? new http.Agent({ keepAlive: false }) });
    const sendBody = (): void => {
      if (bodySent) return;
      bodySent = true;
      for (const b of buffers) req.write(b);
      req.end();
    };
    if (opts.timeoutMs !== undefined) {
      req.setTimeout(opts.timeoutMs, () => {
        settled = true;
        req.destroy();
        reject(new Error('client timeout'));
      });
    }
    req.on('continue', () => {
      gotContinue = true;
      sendBody();
    });
    req.on('response', (res) => {
      const localPort = res.socket?.localPort;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        settled = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), bodySent, gotContinue, localPort });
        if (!bodySent) req.destroy();
      });
      res.on('error', (e) => {
        if (!settled) reject(e);
      });
    });
    req.on('error', (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      }
    });
    if (!hasBody) req.end();
    else if (!expect) sendBody();
    else req.flushHeaders();
  });
}

export interface StreamLoadCall extends RawRequestOptions {
  readonly feUrl: string;
  readonly db: string;
  readonly table: string;
  readonly body: Buffer | string | readonly (Buffer | string)[];
}

export interface StreamLoadOutcome {
  readonly fe: RawReply;
  readonly be: RawReply | null;
  /** The parsed BE JSON (or the FE JSON when the FE did not redirect). */
  readonly json: Record<string, unknown>;
}

/** Full Stream Load: FE (headers only) → 307 → BE with 100-continue; returns both replies. */
export async function streamLoad(call: StreamLoadCall): Promise<StreamLoadOutcome> {
  const url = `${call.feUrl}/api/${encodeURIComponent(call.db)}/${encodeURIComponent(call.table)}/_stream_load`;
  const fe = await rawRequest(url, { ...call, expectContinue: call.expectContinue ?? true });
  if (fe.status !== 307) return { fe, be: null, json: parseJsonObject(fe.body) };
  const location = fe.headers.location;
  if (!location) throw new Error('307 without Location');
  const be = await rawRequest(location, { ...call, expectContinue: call.expectContinue ?? true });
  return { fe, be, json: parseJsonObject(be.body) };
}

export function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Follow a 307 for the transaction API (FE → BE), re-adding auth; returns the final reply. */
export async function txnRequest(
  feUrl: string,
  op: string,
  headers: Record<string, string>,
  body?: string,
  opts: RawRequestOptions = {},
): Promise<{ reply: RawReply; json: Record<string, unknown>; redirected: boolean }> {
  const method = op === 'load' ? 'PUT' : 'POST';
  const base = { ...opts, method, headers, body, expectContinue: body !== undefined };
  const first = await rawRequest(`${feUrl}/api/transaction/${op}`, base);
  if (first.status !== 307) return { reply: first, json: parseJsonObject(first.body), redirected: false };
  const loc = first.headers.location ?? '';
  const second = await rawRequest(loc, base);
  return { reply: second, json: parseJsonObject(second.body), redirected: true };
}
