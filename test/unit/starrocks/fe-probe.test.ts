/** The startup check of SINK_URL: how the FE's get_load_state reply is judged (StarRocks' answers, docs/starrocks-protocol.md §4.3). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { feProbeError, feUnreachableError, networkError } from '../../../connectors/starrocks/errors.js';

const URL_WITH_SECRET = new URL('http://admin:url-s3cret@fe.example:8030/some/path');
const reply = (status: number, body: unknown): { status: number; body: string } => ({ status, body: typeof body === 'string' ? body : JSON.stringify(body) });
const ok = { status: 'OK', code: '0', msg: 'Success', message: 'OK', state: 'UNKNOWN', reason: '' };
const failed = (msg: string): Record<string, string> => ({ status: 'FAILED', code: '1', msg, message: msg });

function judged(status: number, body: unknown): CdcError {
  const e = feProbeError(URL_WITH_SECRET, 'loader', reply(status, body));
  assert.ok(e instanceof CdcError, `HTTP ${status} ${JSON.stringify(body)} was accepted`);
  assert.match(e.message, /SINK_URL=http:\/\/fe\.example:8030/);
  assert.doesNotMatch(e.operatorMessage, /url-s3cret|admin/, 'user info of the URL is never shown');
  return e;
}

describe('feProbeError', () => {
  it('a StarRocks FE that accepts the user: state UNKNOWN (or any state) passes; an unknown database is left to setup', () => {
    assert.equal(feProbeError(URL_WITH_SECRET, 'loader', reply(200, ok)), undefined);
    assert.equal(feProbeError(URL_WITH_SECRET, 'loader', reply(200, { ...ok, state: 'VISIBLE' })), undefined);
    assert.equal(feProbeError(URL_WITH_SECRET, 'loader', reply(200, failed('unknown database, database=shop'))), undefined);
  });

  it('401 (bad password, missing credentials): SINK_AUTH naming SINK_URL, SINK_USER and what to check', () => {
    for (const msg of ['Access denied for loader@10.0.0.5', 'Need auth information.']) {
      const e = judged(401, failed(msg));
      assert.equal(e.code, 'SINK_AUTH');
      assert.equal(e.retry, 'never');
      assert.equal(e.message, `StarRocks at SINK_URL=http://fe.example:8030 refused the credentials of SINK_USER 'loader' (HTTP 401: ${msg}).`);
      assert.match(e.hint ?? '', /SINK_USER and SINK_PASSWORD/);
    }
    assert.equal(judged(403, '').code, 'SINK_AUTH');
  });

  it('not a StarRocks FE (404 page, HTML, other JSON, a BE): SINK_CONNECTION, never retried, with what it answered', () => {
    const notFound = judged(404, '<html><head><title>404 Not Found</title></head>\n<body><center><h1>404 Not Found</h1></center></body></html>');
    assert.equal(notFound.code, 'SINK_CONNECTION');
    assert.equal(notFound.retry, 'never');
    assert.match(
      notFound.message,
      /does not answer like a StarRocks FE: GET \/api\/\{db\}\/get_load_state returned HTTP 404 with "<html><head><title>404 Not Found/,
    );
    assert.match(notFound.hint ?? '', /FE HTTP address \(http_port, 8030 by default\)/);
    const page = judged(200, `<!doctype html><html>${'x'.repeat(500)}</html>`);
    assert.equal(page.retry, 'never');
    assert.ok(page.message.length < 400, 'a long body is cut');
    assert.equal(judged(200, { hello: 'world' }).retry, 'never');
    assert.equal(judged(200, { status: 'OK' }).retry, 'never', 'no state: not get_load_state');
    assert.match(judged(204, '').message, /HTTP 204 with an empty body/);
    const other = judged(200, failed('No label selected.'));
    assert.match(other.message, /refused the connection check \(get_load_state\): No label selected\./);
    assert.equal(other.retry, 'never');
  });

  it('a 5xx may be an FE that is starting: retried', () => {
    const e = judged(500, failed('NullPointerException'));
    assert.equal(e.code, 'SINK_CONNECTION');
    assert.equal(e.retry, 'retry');
  });
});

describe('feUnreachableError', () => {
  it('names SINK_URL without user info, keeps the socket error, retried', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const e = feUnreachableError(URL_WITH_SECRET, err);
    assert.equal(e.code, 'SINK_CONNECTION');
    assert.equal(e.retry, 'retry');
    assert.equal(e.message, 'Cannot reach the StarRocks FE HTTP endpoint SINK_URL=http://fe.example:8030 (connect ECONNREFUSED 127.0.0.1:1).');
    assert.doesNotMatch(e.operatorMessage, /url-s3cret/);
    assert.match(e.hint ?? '', /SINK_URL must be the StarRocks FE HTTP address/);
  });
});

describe('feUnreachableError on what the HTTP client throws', () => {
  it('a socket error the client already wrapped is described by the socket error', () => {
    const socket = Object.assign(new Error('getaddrinfo ENOTFOUND fe.example'), { code: 'ENOTFOUND' });
    const wrapped = networkError('connection check (get_load_state)', socket, false);
    const e = feUnreachableError(URL_WITH_SECRET, wrapped);
    assert.equal(e.message, 'Cannot reach the StarRocks FE HTTP endpoint SINK_URL=http://fe.example:8030 (getaddrinfo ENOTFOUND fe.example).');
    assert.equal(e.retry, 'retry');
    const tls = feUnreachableError(
      URL_WITH_SECRET,
      networkError('x', Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), false),
    );
    assert.equal(tls.retry, 'never');
    assert.match(tls.hint ?? '', /certificate of SINK_URL/);
  });
});
