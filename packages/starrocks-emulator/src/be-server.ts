/**
 * One emulated BE HTTP server (docs/starrocks-protocol.md §1.4, §1.5, §3, §5): executes Stream Loads and the
 * transaction interface, serves error logs and `/api/health`.
 *
 * `100 Continue` is sent only after every header-time check passed (node's 'checkContinue' event, so
 * node never sends it on its own). An early failure is answered at once with `Connection: close` and
 * the body is never read (the emulator closes rather than draining a body the client may never send).
 */
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { type FaultInjector, type FaultSpec, TOO_MANY_VERSIONS_MESSAGE } from './faults.js';
import { closeServer, drain, expectsContinue, headerMap, listen, notFound, parseBasicAuth, parseUrl, sendBody, sendJson } from './http-util.js';
import type { CommitEffect, LoadEngine, StreamLoadCtx } from './load-engine.js';
import { streamLoadBody } from './responses.js';
import type { TxnApi, TxnLoadCtx } from './txn-api.js';

export interface BeServerDeps {
  readonly index: number;
  readonly engine: LoadEngine;
  readonly txn: TxnApi;
  readonly faults: FaultInjector;
  readonly log: (line: string) => void;
}

export interface BeServer {
  readonly port: number;
  close(): Promise<void>;
}

const MISMATCH = "receive body don't equal with body bytes";

/** A load whose body is being read, per socket (for Content-Length mismatch, see 'clientError'). */
type Pending = { kind: 'stream'; ctx: StreamLoadCtx } | { kind: 'txn'; ctx: TxnLoadCtx; label: string };

export async function startBeServer(deps: BeServerDeps, host: string, port: number): Promise<BeServer> {
  const pending = new WeakMap<Socket, Pending>();
  // One receive buffer for the bodies of this server: a body is assembled into it when its last byte
  // arrived and read synchronously before anything else runs (the readers copy what they keep), so a
  // body costs a copy into warm memory instead of a fresh multi-megabyte allocation per load.
  let recv = Buffer.alloc(0);
  const hangs = new Set<NodeJS.Timeout>();
  const { engine, txn, faults, index } = deps;

  const server: Server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => handle(req, res));
  server.on('checkContinue', (req, res) => handle(req, res));
  server.on('clientError', (err, socket: Socket) => {
    const p = pending.get(socket);
    pending.delete(socket);
    if (p && socket.writable) {
      // The client sent fewer bytes than Content-Length and half-closed (§1.5).
      let body: string;
      if (p.kind === 'stream') body = streamLoadBody(engine.abortStreamLoad(p.ctx, MISMATCH));
      else {
        txn.beLoadAbort(p.ctx, MISMATCH);
        body = JSON.stringify({ Status: 'INTERNAL_ERROR', Message: MISMATCH }, null, 4);
      }
      socket.end(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy(err);
  });

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const { segments, query } = parseUrl(req);
    const method = req.method ?? 'GET';
    const [s0, s1, s2, s3, ...rest] = segments;
    if (s0 !== 'api' || rest.length > 0) return notFound(res, !req.complete);
    if (s3 === '_stream_load' && s1 !== undefined && s2 !== undefined) {
      if (method !== 'PUT') return notFound(res, true);
      return streamLoad(req, res, s1, s2);
    }
    if (s1 === 'transaction' && s2 !== undefined && s3 === undefined) {
      if (s2 === 'load') return method === 'PUT' ? txnLoad(req, res) : notFound(res, true);
      if (method !== 'POST' && method !== 'PUT') return notFound(res, true);
      if (s2 === 'begin' || s2 === 'prepare' || s2 === 'commit' || s2 === 'rollback') return txnSimple(req, res, s2);
      return notFound(res, true);
    }
    if (s1 === '_load_error_log' && s2 === undefined && (method === 'GET' || method === 'HEAD')) {
      const text = engine.errorLogs.get(index, query.get('file') ?? '');
      if (text === undefined) return notFound(res);
      return drain(req, () => sendBody(res, 200, text, 'text/plain; charset=utf-8'));
    }
    if (s1 === 'health' && s2 === undefined && method === 'GET') {
      return drain(req, () => sendJson(res, '{"status": "OK","msg": "To Be Added"}'));
    }
    notFound(res, !req.complete);
  }

  function auth(req: IncomingMessage): { user: string; password: string } | null {
    return parseBasicAuth(req.headers.authorization);
  }

  function contentLength(req: IncomingMessage): number | null {
    const v = req.headers['content-length'];
    return v !== undefined && /^\d+$/.test(v) ? Number(v) : null;
  }

  /** Read the body; `dropAfter` destroys the socket after that many bytes. */
  function readBody(req: IncomingMessage, onDone: (body: Buffer) => void, onLost: () => void, dropAfter: number | null): void {
    const chunks: Buffer[] = [];
    let n = 0;
    let finished = false;
    req.on('data', (c: Buffer) => {
      if (finished) return;
      if (dropAfter !== null && n + c.length >= dropAfter) {
        finished = true;
        pending.delete(req.socket);
        onLost();
        req.socket.destroy();
        return;
      }
      chunks.push(c);
      n += c.length;
    });
    req.on('end', () => {
      if (finished) return;
      finished = true;
      pending.delete(req.socket);
      if (dropAfter !== null) {
        // dropMidBody on a body shorter than afterBytes: drop before answering anyway.
        onLost();
        req.socket.destroy();
        return;
      }
      if (recv.length < n) recv = Buffer.allocUnsafe(Math.max(n, recv.length * 2));
      let at = 0;
      for (const c of chunks) at += c.copy(recv, at);
      onDone(recv.subarray(0, n));
    });
    req.on('close', () => {
      if (finished) return;
      finished = true;
      if (pending.get(req.socket)) {
        pending.delete(req.socket);
        onLost();
      }
    });
  }

  function streamLoad(req: IncomingMessage, res: ServerResponse, db: string, table: string): void {
    const headers = headerMap(req);
    const fault = faults.take(db, table);
    const faultName = fault?.kind ?? null;
    if (fault && (fault.kind === 'http500' || fault.kind === 'http503')) {
      const status = fault.kind === 'http500' ? 500 : 503;
      deps.log(`be${index}: fault ${fault.kind} for ${db}.${table}`);
      return sendBody(res, status, status === 500 ? 'Internal Server Error' : 'Service Unavailable', 'text/plain', { close: true });
    }
    const start = engine.startStreamLoad({ db, table, headers, auth: auth(req), contentLength: contentLength(req), be: index });
    if (start.kind === 'reply') return sendJson(res, streamLoadBody(start.result), { close: true });
    const ctx = start.ctx;
    pending.set(req.socket, { kind: 'stream', ctx });
    if (expectsContinue(req)) res.writeContinue();
    const cl = contentLength(req);
    const dropAfter = fault?.kind === 'dropMidBody' ? Math.max(1, fault.afterBytes ?? (cl !== null ? Math.floor(cl / 2) : 1)) : null;
    readBody(
      req,
      (body) => finishStream(req, res, ctx, body, fault),
      () => {
        if (!ctx.done) engine.abortStreamLoad(ctx, 'connection closed by the client before the whole body was received', faultName);
      },
      dropAfter,
    );
  }

  function finishStream(req: IncomingMessage, res: ServerResponse, ctx: StreamLoadCtx, body: Buffer, fault: FaultSpec | null): void {
    const name = fault?.kind ?? null;
    let effect: CommitEffect = { kind: 'none' };
    if (fault?.kind === 'fail') effect = { kind: 'fail', message: fault.message ?? 'injected failure (emulator fault)' };
    else if (fault?.kind === 'tooManyVersions') effect = { kind: 'fail', message: TOO_MANY_VERSIONS_MESSAGE(10000 + index) };
    else if (fault?.kind === 'publishTimeout') effect = { kind: 'publishTimeout' };
    if (fault?.kind === 'hang') {
      if (fault.commit) engine.finishStreamLoad(ctx, body, effect, name);
      deps.log(`be${index}: fault hang for label ${ctx.label}`);
      const t = setTimeout(() => {
        hangs.delete(t);
        req.socket.destroy();
      }, fault.hangMs ?? 3_600_000);
      hangs.add(t);
      req.socket.once('close', () => {
        clearTimeout(t);
        hangs.delete(t);
        if (!ctx.done) engine.abortStreamLoad(ctx, 'the client gave up (emulator hang fault)', name);
      });
      return;
    }
    if (fault?.kind === 'slow') {
      // `body` is a view of the shared receive buffer (readBody), which the next request overwrites.
      const held = Buffer.from(body);
      const socket = req.socket;
      const release = faults.hold();
      const gaveUp = (): void => {
        clearTimeout(t);
        hangs.delete(t);
        release();
        if (!ctx.done) engine.abortStreamLoad(ctx, 'the client gave up (emulator slow fault)', name);
      };
      const t = setTimeout(() => {
        hangs.delete(t);
        release();
        socket.off('close', gaveUp);
        if (!ctx.done) sendJson(res, streamLoadBody(engine.finishStreamLoad(ctx, held, effect, name)));
      }, fault.delayMs ?? 200);
      hangs.add(t);
      socket.once('close', gaveUp);
      return;
    }
    const result = engine.finishStreamLoad(ctx, body, effect, name);
    if (fault?.kind === 'commitThenDrop') {
      deps.log(`be${index}: fault commitThenDrop for label ${ctx.label}`);
      req.socket.destroy();
      return;
    }
    sendJson(res, streamLoadBody(result));
  }

  function txnLoad(req: IncomingMessage, res: ServerResponse): void {
    const headers = headerMap(req);
    const start = txn.beLoadStart({ headers, auth: auth(req), be: index });
    if (start.kind === 'reply') return sendJson(res, start.body, { close: true });
    const ctx = start.ctx;
    pending.set(req.socket, { kind: 'txn', ctx, label: headers.get('label') ?? '' });
    if (expectsContinue(req)) res.writeContinue();
    readBody(
      req,
      (body) => sendJson(res, txn.beLoadFinish(ctx, body)),
      () => txn.beLoadAbort(ctx, 'connection closed by the client before the whole body was received'),
      null,
    );
  }

  function txnSimple(req: IncomingMessage, res: ServerResponse, op: 'begin' | 'prepare' | 'commit' | 'rollback'): void {
    if (expectsContinue(req)) res.writeContinue();
    drain(req, () => {
      const r = { headers: headerMap(req), auth: auth(req), be: index };
      const body = op === 'begin' ? txn.beBegin(r) : op === 'prepare' ? txn.bePrepare(r) : op === 'commit' ? txn.beCommit(r) : txn.beRollback(r);
      sendJson(res, body);
    });
  }

  const actual = await listen(server, host, port);
  return {
    port: actual,
    async close(): Promise<void> {
      for (const t of hangs) clearTimeout(t);
      hangs.clear();
      await closeServer(server);
    },
  };
}
