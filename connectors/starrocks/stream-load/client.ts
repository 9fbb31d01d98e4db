/**
 * Stream Load HTTP transport on `node:http` (undici refuses a user `Expect` header and drops
 * `Authorization` on cross-origin redirects, docs/stack-traps.md §4.9).
 *
 * One `put()`:
 * 1. Sends the headers with `Expect: 100-continue` and waits. `100 Continue` → the (buffered) body
 *    is written. A final reply first (the FE's 307, an early BE failure such as a label conflict,
 *    an unknown table or bad auth, docs/starrocks-protocol.md §1.4) → the body is never sent and the socket is
 *    discarded. No 100 within `continueTimeoutMs` → the body is sent anyway (curl, Apache HttpClient).
 * 2. Follows 301/302/303/307/308 itself: same method, same headers, same body, Basic auth re-sent to
 *    the host the FE named (§1.3). Only hosts reached through the configured FE's own redirect chain
 *    get credentials, and the chain is capped at `maxRedirects`: a reply that is still a redirect
 *    after that is an error (a 307 loop, or an FE that answers slowly, as the Flink connector reads it).
 * 3. Timeouts: connect (`connectTimeoutMs`), and the reply (`responseTimeoutMs`, from the moment the
 *    body is sent, or the headers for an early reply).
 * 4. Keep-alive: an agent reuses BE connections. A socket whose reply carried `Connection: close` is
 *    never reused. A request that fails with ECONNRESET/EPIPE on a REUSED socket before any response
 *    byte arrived hit a connection the server was closing (its idle timeout, a restart): it is sent
 *    again once, at once, on a fresh connection. That is safe even if the first copy had reached the
 *    BE, because the load is labelled (docs/starrocks-protocol.md §4.4: the resend finds the label). A failure on a
 *    fresh connection, or after any reply byte (e.g. `100 Continue`), is returned as it is.
 */
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { CdcError } from '../../../core/index.js';
import { HttpTimeoutError, networkError } from '../errors.js';

export interface StreamLoadClientOptions {
  readonly baseUrl: URL;
  readonly user: string;
  readonly password: string;
  readonly connectTimeoutMs: number;
  readonly continueTimeoutMs: number;
  readonly responseTimeoutMs: number;
  readonly maxRedirects?: number;
  /** Largest reply body read (Stream Load replies are small JSON documents). */
  readonly maxReplyBytes?: number;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The URL that produced this reply (the BE after a redirect). */
  readonly url: URL;
  /** Whether the request body was uploaded to the final host. */
  readonly bodySent: boolean;
  /** Hosts visited, in order (FE, then BE …). */
  readonly hops: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 3;

/** A request lost on a reused keep-alive socket before any reply byte: safe to send again at once. */
class StaleConnectionError extends Error {
  constructor(readonly original: unknown) {
    super('stale keep-alive connection');
  }
}

function isResetOrPipe(err: unknown): boolean {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return code === 'ECONNRESET' || code === 'EPIPE';
}

/** `Connection: close` in a reply (the token may come with others, e.g. `close, TE`). */
function repliesClose(headers: IncomingHttpHeaders): boolean {
  const v = headers.connection;
  return typeof v === 'string' && v.split(',').some((t) => t.trim().toLowerCase() === 'close');
}

export class StreamLoadClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 32 });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, keepAliveMsecs: 30_000, maxSockets: 32 });
  private readonly authorization: string;

  constructor(private readonly opts: StreamLoadClientOptions) {
    this.authorization = `Basic ${Buffer.from(`${opts.user}:${opts.password}`, 'utf8').toString('base64')}`;
  }

  /** PUT `path` (absolute path + query) on the FE, following its redirect to a BE. */
  async put(path: string, headers: Readonly<Record<string, string>>, body: Buffer, signal?: AbortSignal): Promise<HttpReply> {
    const maxRedirects = this.opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    let url = new URL(path, this.opts.baseUrl);
    const hops: string[] = [];
    for (let hop = 0; ; hop++) {
      hops.push(url.host);
      const reply = await this.send(url, headers, body, signal);
      if (!REDIRECTS.has(reply.status)) return { ...reply, hops };
      const location = reply.headers.location;
      if (hop >= maxRedirects) {
        throw new CdcError({
          code: 'SINK_LOAD',
          retry: 'retry',
          message: `Stream Load still redirected after ${maxRedirects} redirects (${hops.join(' -> ')} -> ${location ?? '?'})`,
          hint: 'A redirect loop, or the FE answered slowly; check the FE and BE addresses.',
        });
      }
      if (!location) {
        throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: `HTTP ${reply.status} from ${url.host} without a Location header` });
      }
      const next = new URL(location, url);
      if (next.protocol !== 'http:' && next.protocol !== 'https:') {
        throw new CdcError({ code: 'SINK_LOAD', retry: 'never', message: `Stream Load redirected to an unsupported URL scheme: ${next.protocol}` });
      }
      // Credentials go only to hosts named by this chain, which starts at the configured FE.
      url = next;
    }
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** One hop; resent once on a fresh connection when a reused socket turned out to be closing. */
  private async send(url: URL, headers: Readonly<Record<string, string>>, body: Buffer, signal: AbortSignal | undefined): Promise<Omit<HttpReply, 'hops'>> {
    try {
      return await this.sendOnce(url, headers, body, signal, false);
    } catch (err) {
      if (!(err instanceof StaleConnectionError)) throw err;
      return this.sendOnce(url, headers, body, signal, true);
    }
  }

  private sendOnce(
    url: URL,
    headers: Readonly<Record<string, string>>,
    body: Buffer,
    signal: AbortSignal | undefined,
    fresh: boolean,
  ): Promise<Omit<HttpReply, 'hops'>> {
    const { connectTimeoutMs, continueTimeoutMs, responseTimeoutMs } = this.opts;
    const maxReplyBytes = this.opts.maxReplyBytes ?? 4 << 20;
    const secure = url.protocol === 'https:';
    const target = `PUT ${url.protocol}//${url.host}${url.pathname}`;
    return new Promise((resolve, reject) => {
      // Aborted already: no request at all (a destroyed request emits 'error' later; see below).
      if (signal?.aborted) {
        reject(new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: `Stream Load ${target} aborted`, cause: signal.reason }));
        return;
      }
      let settled = false;
      let bodySent = false;
      /** Any byte of a reply (interim or final) arrived on this request's socket. */
      let replyBytes = false;
      let untrack = (): void => undefined;
      let timer: NodeJS.Timeout | undefined;
      const setTimer = (ms: number, fn: () => void): void => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(fn, ms);
      };
      const finish = (err: unknown, reply?: Omit<HttpReply, 'hops'>): void => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        untrack();
        if (err !== undefined) {
          req.destroy();
          if (!fresh && req.reusedSocket && !replyBytes && isResetOrPipe(err)) reject(new StaleConnectionError(err));
          else reject(networkError(`Stream Load ${target}`, err, bodySent));
        } else if (reply) {
          resolve(reply);
        }
      };
      const onAbort = (): void => {
        finish(new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: `Stream Load ${target} aborted`, cause: signal?.reason }));
      };
      const sendBody = (): void => {
        if (bodySent || settled) return;
        bodySent = true;
        req.end(body);
        setTimer(responseTimeoutMs, () => finish(new HttpTimeoutError('response', responseTimeoutMs, target)));
      };

      const req = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'PUT',
        // The resend after a stale keep-alive socket gets a connection of its own.
        agent: fresh ? false : secure ? this.httpsAgent : this.httpAgent,
        headers: {
          ...headers,
          Authorization: this.authorization,
          Expect: '100-continue',
          'Content-Length': String(body.length),
        },
      });
      // First of all: a request destroyed for any reason emits 'error' ("socket hang up") later, and an
      // 'error' without a listener would crash the process.
      req.on('error', (err) => finish(err));
      signal?.addEventListener('abort', onAbort, { once: true });

      req.on('socket', (socket) => {
        const onData = (): void => {
          replyBytes = true;
        };
        socket.on('data', onData);
        untrack = () => socket.off('data', onData);
        const waitContinue = (): void =>
          setTimer(continueTimeoutMs, () => {
            // No 100 Continue and no reply yet: send the body anyway, then wait for the reply.
            sendBody();
          });
        if (socket.connecting) {
          setTimer(connectTimeoutMs, () => finish(new HttpTimeoutError('connect', connectTimeoutMs, target)));
          socket.once(secure ? 'secureConnect' : 'connect', waitContinue);
        } else {
          waitContinue();
        }
      });
      req.on('continue', sendBody);
      req.on('response', (res) => {
        if (!bodySent) setTimer(responseTimeoutMs, () => finish(new HttpTimeoutError('response', responseTimeoutMs, target)));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= maxReplyBytes) chunks.push(chunk);
        });
        res.on('error', (err) => finish(err));
        res.on('end', () => {
          const reply = {
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            url,
            bodySent,
          };
          // An early reply leaves the request body unsent: the connection cannot be reused. Nor can
          // one the server announced it closes (it may not have closed it yet).
          if (!bodySent || repliesClose(res.headers)) req.destroy();
          finish(undefined, reply);
        });
      });
    });
  }
}
