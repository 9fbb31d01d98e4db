/**
 * The Stream Load HTTP client against small node:http servers on 127.0.0.1 that play FE and BE, so
 * the wire behaviour can be observed byte by byte: 100-continue, early replies, redirects + auth,
 * timeouts and dropped connections.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import type { StreamLoadClientOptions } from '../../../connectors/starrocks/stream-load/client.js';
import { StreamLoadClient } from '../../../connectors/starrocks/stream-load/client.js';
import { scriptedServers, type Handler, type ScriptedServer } from '../../helpers/scripted-http.js';

const servers = scriptedServers();
const clients: StreamLoadClient[] = [];

after(async () => {
  for (const c of clients) c.close();
  await servers.closeAll();
});

const serve = (handler: Handler): Promise<ScriptedServer> => servers.serve(handler);

function client(baseUrl: string, o: Partial<StreamLoadClientOptions> = {}): StreamLoadClient {
  const c = new StreamLoadClient({
    baseUrl: new URL(baseUrl),
    user: 'root',
    password: 'p:w',
    connectTimeoutMs: 2000,
    continueTimeoutMs: 2000,
    responseTimeoutMs: 5000,
    ...o,
  });
  clients.push(c);
  return c;
}

const AUTH = `Basic ${Buffer.from('root:p:w').toString('base64')}`;
const SUCCESS = JSON.stringify({ TxnId: 1, Label: 'l', Status: 'Success', Message: 'OK' });

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

/** Counts body bytes that reach a request until its socket closes. */
function countUntilClose(req: IncomingMessage): Promise<number> {
  return new Promise((resolve) => {
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.socket.once('close', () => resolve(n));
  });
}

/** A BE that sends 100 Continue, reads the body and answers Success. */
function successBe(seen: { headers?: IncomingMessage['headers']; body?: Buffer; continued?: boolean }[]): Handler {
  return (req, res) => {
    const entry: { headers?: IncomingMessage['headers']; body?: Buffer; continued?: boolean } = { headers: req.headers };
    seen.push(entry);
    if (req.headers.expect === '100-continue') {
      entry.continued = true;
      res.writeContinue();
    }
    void readAll(req).then((body) => {
      entry.body = body;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(SUCCESS);
    });
  };
}

/** An FE that authenticates nothing and 307s to `target` at header time, never reading the body. */
function redirectingFe(target: () => string, feBodyBytes: Promise<number>[], hits: { n: number }): Handler {
  return (req, res) => {
    hits.n++;
    feBodyBytes.push(countUntilClose(req));
    res.writeHead(307, { Location: `${target()}${req.url ?? ''}`, 'Content-Length': '0', Connection: 'close' });
    res.end();
  };
}

/**
 * A raw TCP "BE": keep-alive HTTP/1.1 parsed by hand, so a test controls exactly when a socket
 * closes. Every request gets `100 Continue`, then `reply(n)` once its body is read (n = requests so
 * far on that socket); the socket stays open whatever the reply says.
 */
async function rawBe(
  reply: (n: number) => string,
): Promise<{ url: string; requests: { conn: number; head: string }[]; closed: (conn: number) => Promise<void> }> {
  const requests: { conn: number; head: string }[] = [];
  const closedConns = new Map<number, Promise<void>>();
  let connections = 0;
  const open = new Set<Socket>();
  const s = createNetServer((socket) => {
    const conn = ++connections;
    open.add(socket);
    closedConns.set(conn, new Promise<void>((resolve) => socket.once('close', () => resolve())));
    socket.once('close', () => open.delete(socket));
    let buf = Buffer.alloc(0);
    let need: number | null = null;
    let served = 0;
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        if (need === null) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          requests.push({ conn, head });
          buf = buf.subarray(end + 4);
          need = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? '0');
          socket.write('HTTP/1.1 100 Continue\r\n\r\n');
        }
        if (buf.length < need) return;
        buf = buf.subarray(need);
        need = null;
        socket.write(reply(++served));
      }
    });
  });
  servers.track({
    closeAllConnections: () => {
      for (const x of open) x.destroy();
    },
    close: (cb: () => void) => s.close(cb),
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`,
    requests,
    closed: (conn) => closedConns.get(conn) ?? Promise.reject(new Error(`no connection ${conn}`)),
  };
}

const rawSuccess = (extra = ''): string =>
  `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(SUCCESS)}\r\n${extra}\r\n${SUCCESS}`;

describe('StreamLoadClient', () => {
  it('follows the FE 307 to the BE, re-sends auth, and uploads the body only after 100 Continue', async () => {
    const beSeen: { headers?: IncomingMessage['headers']; body?: Buffer; continued?: boolean }[] = [];
    const be = await serve(successBe(beSeen));
    const feBytes: Promise<number>[] = [];
    const feHits = { n: 0 };
    const fe = await serve(redirectingFe(() => be.url, feBytes, feHits));
    const body = Buffer.from('[{"id":1,"s":"é😀"}]');
    const reply = await client(fe.url).put('/api/db/t/_stream_load?x=1', { label: 'l1', format: 'json', columns: '`id`,`prénom`' }, body);
    assert.equal(reply.status, 200);
    assert.equal(reply.body, SUCCESS);
    assert.equal(reply.bodySent, true);
    assert.deepEqual(reply.hops, [`127.0.0.1:${fe.port}`, `127.0.0.1:${be.port}`]);
    assert.equal(feHits.n, 1);
    assert.equal(await feBytes[0], 0, 'the FE must not receive the body');
    assert.equal(beSeen.length, 1);
    const h = beSeen[0]?.headers;
    assert.equal(h?.authorization, AUTH);
    assert.equal(h?.expect, '100-continue');
    assert.equal(h?.label, 'l1');
    // Non-ASCII header text arrives as UTF-8 bytes (node's server decodes header bytes as latin1).
    assert.equal(Buffer.from(String(h?.['columns']), 'latin1').toString('utf8'), '`id`,`prénom`');
    assert.equal(h?.['content-length'], String(body.length));
    assert.equal(beSeen[0]?.continued, true);
    assert.deepEqual(beSeen[0]?.body, body);
  });

  it('follows a two-hop chain (FE → leader FE → BE) with auth on every hop', async () => {
    const beSeen: { headers?: IncomingMessage['headers']; body?: Buffer }[] = [];
    const be = await serve(successBe(beSeen));
    const leaderAuth: (string | undefined)[] = [];
    const leader = await serve((req, res) => {
      leaderAuth.push(req.headers.authorization);
      res.writeHead(307, { Location: `${be.url}${req.url ?? ''}`, 'Content-Length': '0', Connection: 'close' });
      res.end();
    });
    const fe = await serve((req, res) => {
      res.writeHead(307, { Location: `${leader.url}${req.url ?? ''}`, 'Content-Length': '0', Connection: 'close' });
      res.end();
    });
    const reply = await client(fe.url).put('/api/db/t/_stream_load', {}, Buffer.from('[]'));
    assert.equal(reply.status, 200);
    assert.deepEqual(leaderAuth, [AUTH]);
    assert.equal(beSeen[0]?.headers?.authorization, AUTH);
  });

  it('an early reply (before 100 Continue) means the body is never uploaded', async () => {
    const bytes: Promise<number>[] = [];
    const be = await serve((req, res) => {
      bytes.push(countUntilClose(req));
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ TxnId: -1, Label: 'l', Status: 'Fail', Message: 'unknown table "db.t"' }));
    });
    const reply = await client(be.url).put('/api/db/t/_stream_load', {}, Buffer.alloc(256 * 1024, 0x61));
    assert.equal(reply.status, 200);
    assert.equal(reply.bodySent, false);
    assert.match(reply.body, /unknown table/);
    assert.equal(await bytes[0], 0);
  });

  it('sends the body anyway when no 100 Continue comes within continueTimeoutMs', async () => {
    const seen: Buffer[] = [];
    const be = await serve((req, res) => {
      // Never sends 100 Continue; answers after reading the whole body.
      void readAll(req).then((b) => {
        seen.push(b);
        res.end(SUCCESS);
      });
    });
    const reply = await client(be.url, { continueTimeoutMs: 50 }).put('/api/db/t/_stream_load', {}, Buffer.from('[1]'));
    assert.equal(reply.status, 200);
    assert.equal(reply.bodySent, true);
    assert.deepEqual(seen, [Buffer.from('[1]')]);
  });

  it('a redirect loop fails (retriable) after maxRedirects', async () => {
    const hits = { n: 0 };
    const feBytes: Promise<number>[] = [];
    let selfUrl = '';
    const fe = await serve(redirectingFe(() => selfUrl, feBytes, hits));
    selfUrl = fe.url;
    await assert.rejects(
      client(fe.url, { maxRedirects: 3 }).put('/api/db/t/_stream_load', {}, Buffer.from('[]')),
      (e: unknown) => e instanceof CdcError && e.retry === 'retry' && /still redirected after 3 redirects/.test(e.message),
    );
    assert.equal(hits.n, 4);
  });

  it('no reply within responseTimeoutMs → SINK_TIMEOUT, retriable', async () => {
    const be = await serve((req, res) => {
      res.writeContinue();
      req.resume(); // read the body, never answer
    });
    await assert.rejects(
      client(be.url, { responseTimeoutMs: 150 }).put('/api/db/t/_stream_load', {}, Buffer.from('[]')),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_TIMEOUT' && e.retry === 'retry' && /may or may not have been applied/.test(e.message),
    );
  });

  it('a connection dropped mid-body → SINK_CONNECTION, retriable', async () => {
    const be = await serve((req, res) => {
      res.writeContinue();
      req.once('data', () => req.socket.destroy());
    });
    await assert.rejects(
      client(be.url).put('/api/db/t/_stream_load', {}, Buffer.alloc(1 << 20, 0x62)),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_CONNECTION' && e.retry === 'retry',
    );
  });

  it('connection refused → SINK_CONNECTION, retriable', async () => {
    const s = await serve(() => undefined);
    await s.close();
    await assert.rejects(
      client(s.url).put('/api/db/t/_stream_load', {}, Buffer.from('[]')),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_CONNECTION' && e.retry === 'retry' && /ECONNREFUSED/.test(e.message),
    );
  });

  it('an aborted signal stops the request (retriable)', async () => {
    const be = await serve(() => undefined); // never answers
    const ac = new AbortController();
    const p = client(be.url).put('/api/db/t/_stream_load', {}, Buffer.from('[]'), ac.signal);
    setTimeout(() => ac.abort(new Error('shutdown')), 50);
    await assert.rejects(p, (e: unknown) => e instanceof CdcError && e.retry === 'retry' && /aborted/.test(e.message));
  });

  it('a signal aborted before the load starts: rejected at once, and no late "socket hang up" error escapes', async () => {
    const be = await serve(() => undefined);
    const ac = new AbortController();
    ac.abort(new Error('pipeline halted'));
    const escaped: unknown[] = [];
    const onUncaught = (e: unknown): void => {
      escaped.push(e);
    };
    process.on('uncaughtException', onUncaught);
    try {
      const p = client(be.url).put('/api/db/t/_stream_load', {}, Buffer.from('[]'), ac.signal);
      await assert.rejects(p, (e: unknown) => e instanceof CdcError && e.retry === 'retry' && /aborted/.test(e.message));
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
    assert.deepEqual(escaped.map(String), []);
  });

  it('reuses the keep-alive connection to a BE across loads', async () => {
    const sockets = new Set<unknown>();
    const be = await serve((req, res) => {
      sockets.add(req.socket);
      res.writeContinue();
      void readAll(req).then(() => res.end(SUCCESS));
    });
    const c = client(be.url);
    for (let i = 0; i < 3; i++) assert.equal((await c.put('/api/db/t/_stream_load', {}, Buffer.from('[]'))).status, 200);
    assert.equal(sockets.size, 1);
  });

  it('a reused socket the server closes before any reply byte: sent again at once on a fresh connection', async () => {
    // The keep-alive race: the server closes an idle connection just as the client picks it.
    const served = new WeakMap<object, number>();
    const seen: { label: string; body: Buffer; socket: object }[] = [];
    const be = await serve((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      if (n > 1) {
        req.socket.destroy(); // the 2nd request on a connection: closed without a byte of reply
        return;
      }
      res.writeContinue();
      void readAll(req).then((body) => {
        seen.push({ label: String(req.headers['label']), body, socket: req.socket });
        res.end(SUCCESS);
      });
    });
    const c = client(be.url);
    assert.equal((await c.put('/api/db/t/_stream_load', { label: 'a' }, Buffer.from('[1]'))).status, 200);
    const reply = await c.put('/api/db/t/_stream_load', { label: 'b' }, Buffer.from('[2]'));
    assert.equal(reply.status, 200);
    assert.equal(reply.bodySent, true);
    assert.deepEqual(
      seen.map((x) => [x.label, x.body.toString()]),
      [
        ['a', '[1]'],
        ['b', '[2]'],
      ],
    );
    assert.notEqual(seen[0]?.socket, seen[1]?.socket, 'the resend used a new connection');
  });

  it('a reset on a fresh connection is not resent', async () => {
    let requests = 0;
    const be = await serve((req) => {
      requests++;
      req.socket.destroy();
    });
    await assert.rejects(
      client(be.url).put('/api/db/t/_stream_load', {}, Buffer.from('[]')),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_CONNECTION' && e.retry === 'retry' && /ECONNRESET/.test(e.message),
    );
    assert.equal(requests, 1);
  });

  it('a reused socket reset after 100 Continue is not resent (a reply byte had arrived)', async () => {
    const served = new WeakMap<object, number>();
    let second = 0;
    const be = await serve((req, res) => {
      const n = (served.get(req.socket) ?? 0) + 1;
      served.set(req.socket, n);
      res.writeContinue();
      if (n > 1) {
        second++;
        req.once('data', () => req.socket.destroy());
        return;
      }
      void readAll(req).then(() => res.end(SUCCESS));
    });
    const c = client(be.url);
    await c.put('/api/db/t/_stream_load', {}, Buffer.from('[1]'));
    await assert.rejects(
      c.put('/api/db/t/_stream_load', {}, Buffer.alloc(1 << 20, 0x62)),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_CONNECTION' && /may or may not have been applied/.test(e.message),
    );
    assert.equal(second, 1);
  });

  it('never reuses a socket whose reply said Connection: close, even while it is still open', async () => {
    // The server announces the close but leaves the socket open: the client must close it itself.
    const be = await rawBe(() => rawSuccess('Connection: close\r\n'));
    const c = client(be.url);
    for (let i = 0; i < 2; i++) assert.equal((await c.put('/api/db/t/_stream_load', {}, Buffer.from('[]'))).status, 200);
    assert.deepEqual(
      be.requests.map((r) => r.conn),
      [1, 2],
    );
    await be.closed(1); // closed by the client (the server never closes it)
  });
});
