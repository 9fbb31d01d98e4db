/**
 * FeApi's HTTP transport (node:http, http-get.ts) against scripted servers on 127.0.0.1: redirects
 * keep Basic auth on the FE's chain, replies are capped, timeouts and aborts become typed errors, and
 * the error log never throws.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { FeApi } from '../../../connectors/starrocks/stream-load/fe-api.js';
import { scriptedServers } from '../../helpers/scripted-http.js';

const servers = scriptedServers();
const apis: FeApi[] = [];
after(async () => {
  for (const a of apis) await a.close();
  await servers.closeAll();
});

const AUTH = `Basic ${Buffer.from('root:pw').toString('base64')}`;
const stateReply = (state: string): string => JSON.stringify({ status: 'OK', code: '0', msg: 'Success', message: 'OK', state, reason: '' });

function api(url: string, o: { connectTimeoutMs?: number; requestTimeoutMs?: number } = {}): FeApi {
  const a = new FeApi({
    baseUrl: new URL(url),
    user: 'root',
    password: 'pw',
    connectTimeoutMs: o.connectTimeoutMs ?? 1000,
    requestTimeoutMs: o.requestTimeoutMs ?? 2000,
  });
  apis.push(a);
  return a;
}

describe('FeApi transport', () => {
  it('follows the FE redirect to the leader with the same credentials and reads the state', async () => {
    const seen: string[] = [];
    const leader = await servers.serve((req, res) => {
      seen.push(`leader ${req.url} ${req.headers.authorization === AUTH ? 'auth' : 'no auth'}`);
      res.end(stateReply('visible'));
    });
    const fe = await servers.serve((req, res) => {
      seen.push(`fe ${req.url} ${req.headers.authorization === AUTH ? 'auth' : 'no auth'}`);
      res.writeHead(307, { location: `${leader.url}${req.url ?? ''}` });
      res.end();
    });
    assert.equal(await api(fe.url).labelState('db 1', 'L/1'), 'VISIBLE');
    assert.deepEqual(seen, ['fe /api/db%201/get_load_state?label=L%2F1 auth', 'leader /api/db%201/get_load_state?label=L%2F1 auth']);
  });

  it('a redirect loop stops after the chain limit with SINK_LOAD', async () => {
    let hits = 0;
    const loop = await servers.serve((req, res) => {
      hits++;
      res.writeHead(302, { location: req.url ?? '/' });
      res.end();
    });
    await assert.rejects(
      api(loop.url).labelState('db', 'L'),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_LOAD' && /too many redirects/.test(e.message),
    );
    assert.equal(hits, 4, 'the first request and 3 redirects');
  });

  it('a server that never answers: SINK_TIMEOUT after requestTimeoutMs, retryable', async () => {
    const silent = await servers.serve(() => undefined);
    const t0 = Date.now();
    await assert.rejects(
      api(silent.url, { requestTimeoutMs: 150 }).labelState('db', 'L'),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_TIMEOUT' && e.retry === 'retry' && /no reply timeout after 150 ms/.test(e.message),
    );
    assert.ok(Date.now() - t0 >= 140);
  });

  it('a refused connection is SINK_CONNECTION, and the startup check names SINK_URL', async () => {
    const gone = await servers.serve(() => undefined);
    await gone.close();
    await assert.rejects(
      api(gone.url).labelState('db', 'L'),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_CONNECTION' && /ECONNREFUSED/.test(e.message),
    );
    await assert.rejects(api(gone.url).checkEndpoint('db'), (e: unknown) => e instanceof CdcError && /SINK_URL/.test(e.message));
  });

  it('an aborted call rejects at once with the abort reason', async () => {
    const silent = await servers.serve(() => undefined);
    const ac = new AbortController();
    const call = api(silent.url, { requestTimeoutMs: 10_000 }).labelState('db', 'L', ac.signal);
    const reason = new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: 'stopping' });
    setTimeout(() => ac.abort(reason), 20);
    await assert.rejects(call, (e: unknown) => e === reason);
  });

  it('the error log: first lines only, a huge log is cut, no credentials sent; failures become a line, never a throw', async () => {
    const auths: (string | undefined)[] = [];
    const be = await servers.serve((req, res) => {
      auths.push(req.headers.authorization);
      if (req.url === '/huge') {
        res.write('first line\n');
        res.end('x'.repeat(1 << 20));
        return;
      }
      res.statusCode = 404;
      res.end('nope');
    });
    const a = api(be.url);
    const huge = await a.errorLog(`${be.url}/huge`, 5);
    assert.equal(huge[0], 'first line');
    assert.ok(huge.length === 2 && huge[1]?.endsWith('…') && huge[1].length === 501, 'a long line is cut to 500 characters');
    assert.deepEqual(await a.errorLog(`${be.url}/missing`), ['(error log not available: HTTP 404)']);
    assert.deepEqual(auths, [undefined, undefined]);
    assert.deepEqual(await a.errorLog('not a url'), []);
    const gone = await servers.serve(() => undefined);
    await gone.close();
    const down = await a.errorLog(`${gone.url}/x`);
    assert.match(down[0] ?? '', /^\(error log not available: .*ECONNREFUSED/);
  });
});
