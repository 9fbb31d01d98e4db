/**
 * The sink's startup check of SINK_URL (the FE HTTP endpoint every Stream Load goes to) and the
 * credentials, before anything is set up: against the emulator's FE, a closed port and HTTP servers
 * that are not StarRocks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { scriptedServers } from '../../helpers/scripted-http.js';
import type { Harness } from './harness.js';
import { startHarness } from './harness.js';

describe('StarRocks sink: validateConnection checks the FE HTTP endpoint (SINK_URL) and its credentials', () => {
  let h: Harness;
  const servers = scriptedServers();
  before(async () => {
    h = await startHarness({ password: 'rootpw' });
  });
  after(async () => {
    await servers.closeAll();
    await h.close();
  });

  const rejectsNaming = async (settings: Record<string, string | number>, check: (e: CdcError) => void): Promise<void> => {
    await assert.rejects(h.sink({ SINK_PASSWORD: 'rootpw', SINK_CONNECT_TIMEOUT_MS: 2000, ...settings }).validateConnection(), (e: unknown) => {
      assert.ok(e instanceof CdcError, String(e));
      assert.match(e.message, /SINK_URL=http:\/\/127\.0\.0\.1:\d+/);
      assert.doesNotMatch(e.operatorMessage, /rootpw|hunter2/);
      check(e);
      return true;
    });
  };

  it('the emulator FE with the right credentials passes (a label that does not exist is UNKNOWN)', async () => {
    await h.sink({ SINK_PASSWORD: 'rootpw' }).validateConnection();
  });

  it('a wrong password is refused on the HTTP endpoint: SINK_AUTH naming SINK_URL and SINK_USER, never retried', async () => {
    await rejectsNaming({ SINK_PASSWORD: 'hunter2-wrong' }, (e) => {
      assert.equal(e.code, 'SINK_AUTH');
      assert.equal(e.retry, 'never');
      assert.match(e.message, /refused the credentials of SINK_USER 'root' \(HTTP 401: Access denied for root@127\.0\.0\.1\)/);
      assert.match(e.hint ?? '', /SINK_USER and SINK_PASSWORD/);
    });
  });

  it('a closed port: SINK_CONNECTION naming SINK_URL, retriable', async () => {
    const closed = await servers.serve((_req, res) => res.end());
    await closed.close();
    await rejectsNaming({ SINK_URL: closed.url }, (e) => {
      assert.equal(e.code, 'SINK_CONNECTION');
      assert.equal(e.retry, 'retry');
      assert.match(e.message, /^Cannot reach the StarRocks FE HTTP endpoint SINK_URL=/);
      assert.match(e.message, /ECONNREFUSED/);
    });
  });

  it('an HTTP server that is not StarRocks (404 page, 200 HTML page): SINK_CONNECTION, never retried', async () => {
    const requests: string[] = [];
    const nginx = await servers.serve((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization ? 'with' : 'without'} auth`);
      res.writeHead(404, { 'content-type': 'text/html' }).end('<html><body><h1>404 Not Found</h1></body></html>');
    });
    await rejectsNaming({ SINK_URL: nginx.url }, (e) => {
      assert.equal(e.code, 'SINK_CONNECTION');
      assert.equal(e.retry, 'never');
      assert.match(e.message, /does not answer like a StarRocks FE: .*HTTP 404 with "<html><body><h1>404 Not Found/);
    });
    assert.deepEqual(requests, [`GET /api/cdc/get_load_state?label=dbmazz_connection_check with auth`]);
    const page = await servers.serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Welcome</title>'));
    await rejectsNaming({ SINK_URL: page.url }, (e) => {
      assert.equal(e.retry, 'never');
      assert.match(e.message, /HTTP 200 with "<!doctype html><title>Welcome<\/title>"/);
    });
  });

  it('a follower FE redirects to the leader: followed with the credentials', async () => {
    const follower = await servers.serve((req, res) => res.writeHead(307, { location: `${h.emu.feHttpUrl}${req.url ?? ''}` }).end());
    await h.sink({ SINK_PASSWORD: 'rootpw', SINK_URL: follower.url }).validateConnection();
  });
});
