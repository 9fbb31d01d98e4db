import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { createPk, fetchText } from './helpers.js';
import { basicAuth, rawRequest, streamLoad } from '../src/stream-load-client.js';

describe('FE HTTP (docs/starrocks-protocol.md §1.3, §1.4, §3.5, §4.3)', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator({ bes: 2, password: 'secret' });
    createPk(emu);
  });
  after(() => emu.close());

  const url = (): string => `${emu.feHttpUrl}/api/d/t/_stream_load`;

  it('401 with WWW-Authenticate and the RestBaseResult body when auth is missing', async () => {
    const r = await rawRequest(url(), { noAuth: true, body: '{}', headers: { format: 'json' } });
    assert.equal(r.status, 401);
    assert.equal(r.headers['www-authenticate'], 'Basic realm=""');
    assert.deepEqual(JSON.parse(r.body), { status: 'FAILED', code: '1', msg: 'Need auth information.', message: 'Need auth information.' });
    assert.equal(r.bodySent, false, 'the client must not have sent the body');
  });

  it('401 Access denied for a wrong password', async () => {
    const r = await rawRequest(url(), { password: 'nope', body: '{}' });
    assert.equal(r.status, 401);
    const j = JSON.parse(r.body) as Record<string, unknown>;
    assert.equal(j['msg'], 'Access denied for root@127.0.0.1');
    assert.equal(j['message'], 'Access denied for root@127.0.0.1');
  });

  it('a malformed Authorization header is "Need auth information."', async () => {
    const r = await rawRequest(url(), { headers: { Authorization: 'Bearer x' }, body: '{}' });
    assert.equal(r.status, 401);
    assert.equal((JSON.parse(r.body) as Record<string, unknown>)['msg'], 'Need auth information.');
  });

  it('HTTP/1.1 without Expect: 100-continue → 200 FAILED DdlException + connection: close', async () => {
    const r = await rawRequest(url(), { password: 'secret', body: '{"id":1}', expectContinue: false });
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"Status": "FAILED", "Message": "class com.starrocks.common.DdlException: There is no 100-continue header"}');
    assert.equal(r.headers.connection, 'close');
  });

  it('307 to a BE with the original path and query, empty body, content-length 0, connection close, body never read', async () => {
    const r = await rawRequest(`${url()}?x=1&y=%20`, { password: 'secret', body: '{"id":1}', headers: { label: 'fe307' } });
    assert.equal(r.status, 307);
    assert.match(r.headers.location ?? '', /^http:\/\/127\.0\.0\.1:\d+\/api\/d\/t\/_stream_load\?x=1&y=%20$/);
    const port = Number(/:(\d+)\//.exec(r.headers.location ?? '')?.[1]);
    assert.ok(emu.beHttpPorts.includes(port));
    assert.equal(r.headers['content-length'], '0');
    assert.equal(r.headers.connection, 'close');
    assert.equal(r.body, '');
    assert.equal(r.gotContinue, false, 'FE must not send 100 Continue');
    assert.equal(r.bodySent, false);
    assert.equal(emu.loads().length, 0, 'nothing reached a BE');
  });

  it('round-robins over the BEs', async () => {
    const ports: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await rawRequest(url(), { password: 'secret', body: '{}' });
      ports.push(Number(/:(\d+)\//.exec(r.headers.location ?? '')?.[1]));
    }
    assert.equal(new Set(ports).size, 2);
    assert.notEqual(ports[0], ports[1]);
    assert.equal(ports[0], ports[2]);
    assert.equal(ports[1], ports[3]);
  });

  it('a full load through FE → 307 → BE succeeds when credentials are re-sent', async () => {
    const out = await streamLoad({
      feUrl: emu.feHttpUrl,
      db: 'd',
      table: 't',
      password: 'secret',
      body: '{"id":1,"n":1}',
      headers: { format: 'json', label: 'fe-ok' },
    });
    assert.equal(out.fe.status, 307);
    assert.equal(out.be?.gotContinue, true);
    assert.equal(out.json['Status'], 'Success');
  });

  it('the BE rejects a redirected request whose Authorization was dropped', async () => {
    const r = await rawRequest(url(), { password: 'secret', body: '{}' });
    const be = await rawRequest(r.headers.location ?? '', { noAuth: true, body: '{}', headers: { format: 'json' } });
    const j = JSON.parse(be.body) as Record<string, unknown>;
    assert.equal(j['Status'], 'Fail');
    assert.equal(j['Message'], 'no valid Basic authorization');
    assert.equal(j['TxnId'], -1);
  });

  it('only PUT is registered for _stream_load; unknown paths are 404', async () => {
    const g = await fetchText(url());
    assert.equal(g.status, 404);
    const u = await fetchText(`${emu.feHttpUrl}/api/nothing/here/at/all`);
    assert.equal(u.status, 404);
    assert.equal(u.text, 'Not Found');
  });

  it('get_load_state: UNKNOWN, VISIBLE, and the errors of §4.3', async () => {
    const auth = { Authorization: basicAuth('root', 'secret') };
    const get = async (path: string): Promise<Record<string, unknown>> => {
      const res = await fetch(`${emu.feHttpUrl}${path}`, { headers: auth });
      return (await res.json()) as Record<string, unknown>;
    };
    assert.deepEqual(await get('/api/d/get_load_state?label=nope'), { status: 'OK', code: '0', msg: 'Success', message: 'OK', state: 'UNKNOWN', reason: '' });
    const vis = await get('/api/d/get_load_state?label=fe-ok');
    assert.equal(vis['state'], 'VISIBLE');
    assert.deepEqual(await get('/api/d/get_load_state'), { status: 'FAILED', code: '1', msg: 'No label selected.', message: 'No label selected.' });
    assert.equal((await get('/api/zz/get_load_state?label=x'))['msg'], 'unknown database, database=zz');
    const noAuth = await fetch(`${emu.feHttpUrl}/api/d/get_load_state?label=x`);
    assert.equal(noAuth.status, 401);
    await noAuth.arrayBuffer();
  });
});
