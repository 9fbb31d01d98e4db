import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { createPk, plainRows } from './helpers.js';
import { basicAuth, rawRequest, txnRequest } from '../src/stream-load-client.js';

describe('transaction interface (docs/starrocks-protocol.md §5)', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator({ bes: 2 });
    createPk(emu);
  });
  after(() => emu.close());

  const op = (o: string, label: string, extra: Record<string, string> = {}, body?: string) =>
    txnRequest(emu.feHttpUrl, o, { label, db: 'd', table: 't', ...extra }, body);
  const loadHeaders = { format: 'json', columns: 'id,v,n' };
  const state = async (label: string): Promise<string> => {
    const res = await fetch(`${emu.feHttpUrl}/api/d/get_load_state?label=${label}`, { headers: { Authorization: basicAuth('root', '') } });
    return String(((await res.json()) as Record<string, unknown>)['state']);
  };

  it('begin → load × 2 → prepare → commit; data visible only after commit; FE answers the PREPARED commit', async () => {
    const b = await op('begin', 'x1');
    assert.equal(b.redirected, true);
    assert.deepEqual(Object.keys(b.json), ['Status', 'Message', 'Label', 'TxnId', 'BeginTxnTimeMs']);
    assert.equal(b.json['Status'], 'OK');
    assert.equal(b.json['Message'], '');
    const l1 = await op('load', 'x1', loadHeaders, '{"id":1,"v":"a","n":1}');
    assert.deepEqual(Object.keys(l1.json), ['Status', 'Message', 'Label', 'TxnId', 'LoadBytes', 'StreamLoadPlanTimeMs', 'ReceivedDataTimeMs']);
    assert.equal(l1.reply.gotContinue, true);
    const l2 = await op('load', 'x1', loadHeaders, '{"id":2,"v":"b","n":2}');
    assert.equal(l2.json['Status'], 'OK');
    assert.equal(emu.rows('d', 't').length, 0, 'nothing visible before commit');
    const p = await op('prepare', 'x1');
    assert.equal(p.json['Status'], 'OK');
    assert.equal(p.json['NumberLoadedRows'], 2);
    assert.deepEqual(Object.keys(p.json).slice(0, 6), ['Status', 'Message', 'Label', 'TxnId', 'NumberTotalRows', 'NumberLoadedRows']);
    assert.equal(await state('x1'), 'PREPARED');
    assert.equal(emu.rows('d', 't').length, 0);
    const c = await op('commit', 'x1');
    assert.equal(c.redirected, false, 'commit of a PREPARED txn is answered by the FE');
    assert.equal(c.json['Status'], 'OK');
    assert.equal(await state('x1'), 'VISIBLE');
    assert.deepEqual(
      plainRows(emu, 't').map((r) => r['id']),
      [1, 2],
    );
    const again = await op('commit', 'x1');
    assert.equal(again.json['Status'], 'OK');
    assert.match(String(again.json['Message']), /^Transaction \d+ has already committed, label is x1$/);
    const rb = await op('rollback', 'x1');
    assert.equal(rb.json['Status'], 'FAILED');
    assert.match(String(rb.json['Message']), /Can not abort VISIBLE transaction \d+, label is x1$/);
  });

  it('all ops of a label go to the BE chosen at begin', async () => {
    const b = await rawRequest(`${emu.feHttpUrl}/api/transaction/begin`, { method: 'POST', headers: { label: 'x2', db: 'd', table: 't' } });
    const l = await rawRequest(`${emu.feHttpUrl}/api/transaction/load`, { method: 'PUT', headers: { label: 'x2', db: 'd', table: 't' }, body: '{}' });
    assert.equal(b.status, 307);
    assert.equal(l.status, 307);
    const port = (u: string | undefined): string => /:(\d+)\//.exec(u ?? '')?.[1] ?? '';
    assert.equal(port(b.headers.location), port(l.headers.location));
    assert.equal(l.bodySent, false, 'the FE does not read the load body');
  });

  it('commit of a PREPARE txn goes to the BE (prepare+commit); rollback of PREPARED is idempotent', async () => {
    await op('begin', 'x3');
    await op('load', 'x3', loadHeaders, '{"id":3,"v":"c","n":3}');
    const c = await op('commit', 'x3');
    assert.equal(c.redirected, true);
    assert.equal(c.json['Status'], 'OK');
    assert.equal(emu.rows('d', 't').length, 3);

    await op('begin', 'x4');
    await op('load', 'x4', loadHeaders, '{"id":4,"v":"d","n":4}');
    await op('prepare', 'x4');
    const r1 = await op('rollback', 'x4');
    assert.equal(r1.redirected, false);
    assert.equal(r1.json['Status'], 'OK');
    const r2 = await op('rollback', 'x4');
    assert.equal(r2.json['Status'], 'OK');
    assert.match(String(r2.json['Message']), /^Transaction \d+ has already aborted, label is x4$/);
    const c2 = await op('commit', 'x4');
    assert.equal(c2.json['Status'], 'FAILED');
    assert.match(String(c2.json['Message']), /Can not commit ABORTED transaction \d+, label is x4$/);
    assert.equal(emu.rows('d', 't').length, 3);
  });

  it('BE status-code dialect: LABEL_ALREADY_EXISTS, TXN_NOT_EXISTS, no data, load request not equal last', async () => {
    await op('begin', 'x5');
    const dup = await op('begin', 'x5');
    assert.equal(dup.json['Status'], 'LABEL_ALREADY_EXISTS');
    assert.deepEqual(Object.keys(dup.json), ['Status', 'ExistingJobStatus', 'Message']);
    const used = await op('begin', 'x1');
    assert.equal(used.json['Status'], 'LABEL_ALREADY_EXISTS');
    assert.equal(used.json['ExistingJobStatus'], 'FINISHED');
    assert.equal(used.json['Message'], 'Label [x1] has already been used.');
    const noData = await op('prepare', 'x5');
    assert.match(String(noData.json['Message']), /^transaction id=.*txn_id=\d+, label=x5, db=d hasn't send any data yet$/);
    assert.equal(await state('x5'), 'ABORTED');

    await op('begin', 'x6');
    assert.equal((await op('load', 'x6', loadHeaders, '{"id":6,"v":"a","n":1}')).json['Status'], 'OK');
    const diff = await op('load', 'x6', { ...loadHeaders, columns: 'id,v' }, '{"id":6}');
    assert.equal(diff.json['Message'], 'load request not equal last.');
    const gone = await op('load', 'x6', loadHeaders, '{"id":6,"v":"a","n":1}');
    assert.deepEqual(gone.json, { Status: 'TXN_NOT_EXISTS', Message: 'Transaction with label x6 not exists' });

    const be = `http://127.0.0.1:${emu.beHttpPorts[0] ?? 0}`;
    const nx = await rawRequest(`${be}/api/transaction/load`, { headers: { label: 'never', db: 'd', table: 't', format: 'json' }, body: '{}' });
    assert.deepEqual(JSON.parse(nx.body), { Status: 'TXN_NOT_EXISTS', Message: 'Transaction with label never not exists' });
    assert.equal(nx.bodySent, false);
    const nc = await rawRequest(`${be}/api/transaction/commit`, { method: 'POST', headers: { label: 'never', db: 'd' } });
    assert.equal(JSON.parse(nc.body).Message, 'transaction with label never not exists');
    const fe = await op('commit', 'never-at-all');
    assert.equal(fe.json['Message'], 'class com.starrocks.common.StarRocksException: No transaction found with db[d] and label[never-at-all]');
  });

  it('a /load that fails analysis rolls the txn back: its BE context is gone (TXN_NOT_EXISTS)', async () => {
    // StarRocks: on_header error → TransactionMgr::_rollback_transaction → stream_context_mgr()->remove
    // (be/src/http/action/transaction_stream_load.cpp, be/src/runtime/stream_load/transaction_mgr.cpp).
    assert.equal((await op('begin', 'an1')).json['Status'], 'OK');
    const bad = await op('load', 'an1', { format: 'json', columns: 'v' }, '{"v":"a"}');
    assert.equal(bad.json['Status'], 'ANALYSIS_ERROR');
    assert.equal(bad.json['Message'], 'Column has no default value. column: id');
    assert.equal(await state('an1'), 'ABORTED');
    const load = await op('load', 'an1', loadHeaders, '{"id":90,"v":"a","n":1}');
    assert.deepEqual(load.json, { Status: 'TXN_NOT_EXISTS', Message: 'Transaction with label an1 not exists' });
    const prepare = await op('prepare', 'an1');
    assert.deepEqual(prepare.json, { Status: 'TXN_NOT_EXISTS', Message: 'transaction with label an1 not exists' });
    const be = `http://127.0.0.1:${emu.beHttpPorts[0] ?? 0}`;
    for (const o of ['commit', 'rollback']) {
      const r = await rawRequest(`${be}/api/transaction/${o}`, { method: 'POST', headers: { label: 'an1', db: 'd' } });
      assert.equal(JSON.parse(r.body).Status, 'TXN_NOT_EXISTS', o);
    }
    // The ABORTED label is reusable.
    assert.equal((await op('begin', 'an1')).json['Status'], 'OK');
    assert.equal((await op('rollback', 'an1')).json['Status'], 'OK');
  });

  it('too many filtered rows at prepare aborts; filtered rows counted over all loads', async () => {
    await op('begin', 'x7');
    await op('load', 'x7', loadHeaders, '{"id":7,"v":"a","n":1}');
    await op('load', 'x7', loadHeaders, '{"id":8,"v":"a","n":"bad"}');
    const p = await op('prepare', 'x7');
    assert.equal(p.json['Message'], 'too many filtered rows');
    assert.ok(typeof p.json['ErrorURL'] === 'string');
    assert.equal(await state('x7'), 'ABORTED');
  });

  it('FE validation: Empty label, No database selected, table required at begin', async () => {
    const a = await txnRequest(emu.feHttpUrl, 'begin', { db: 'd', table: 't' });
    assert.match(String(a.json['Message']), /Empty label\.$/);
    const b = await txnRequest(emu.feHttpUrl, 'begin', { label: 'q' });
    assert.match(String(b.json['Message']), /No database selected\.$/);
    const c = await txnRequest(emu.feHttpUrl, 'begin', { label: 'q', db: 'd' });
    assert.match(String(c.json['Message']), /Table name must be specified when calling \/begin\/transaction\/ first time$/);
    const bad = await rawRequest(`${emu.feHttpUrl}/api/transaction/begin`, { method: 'POST', headers: { label: 'q', db: 'd', table: 't' }, password: 'wrong' });
    assert.equal(bad.status, 401);
  });

  it('timeouts: begin `timeout` and idle_transaction_timeout abort the txn', async () => {
    await op('begin', 'x8', { timeout: '1' });
    await op('begin', 'x9', { idle_transaction_timeout: '1', timeout: '100' });
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(await state('x8'), 'ABORTED');
    assert.equal(await state('x9'), 'ABORTED');
    const l = await op('load', 'x8', loadHeaders, '{"id":1}');
    assert.equal(l.json['Status'], 'TXN_NOT_EXISTS');
    const p = await op('prepare', 'x10', { prepared_timeout: 'abc' });
    assert.notEqual(p.json['Status'], 'OK');
  });

  it('prepared_timeout validation and expiry', async () => {
    await op('begin', 'x11');
    await op('load', 'x11', loadHeaders, '{"id":11,"v":"a","n":1}');
    const bad = await op('prepare', 'x11', { prepared_timeout: '0' });
    assert.equal(bad.json['Message'], 'Invalid prepared_timeout: 0');
    await op('begin', 'x12');
    await op('load', 'x12', loadHeaders, '{"id":12,"v":"a","n":1}');
    assert.equal((await op('prepare', 'x12', { prepared_timeout: '1' })).json['Status'], 'OK');
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(await state('x12'), 'ABORTED');
  });

  it('TXN_IN_PROCESSING while a /load body is still being received', async () => {
    await op('begin', 'x13');
    const port = (await rawRequest(`${emu.feHttpUrl}/api/transaction/load`, { headers: { label: 'x13', db: 'd' }, body: '{}' })).headers.location;
    const bePort = Number(/:(\d+)\//.exec(port ?? '')?.[1]);
    const body = '{"id":13,"v":"a","n":1}';
    const s = net.connect(bePort, '127.0.0.1');
    let data = '';
    const continued = new Promise<void>((resolve) => {
      s.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.includes('100 Continue')) resolve();
      });
    });
    const finished = new Promise<void>((resolve) => s.on('end', () => resolve()));
    s.write(
      `PUT /api/transaction/load HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth('root', '')}\r\nlabel: x13\r\ndb: d\r\ntable: t\r\nformat: json\r\ncolumns: id,v,n\r\nExpect: 100-continue\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    await continued;
    const busy = await op('prepare', 'x13');
    assert.deepEqual(Object.keys(busy.json), ['Status', 'Label', 'Message']);
    assert.equal(busy.json['Status'], 'TXN_IN_PROCESSING');
    s.end(body);
    await finished;
    assert.match(data, /"Status": "OK"/);
    assert.equal((await op('commit', 'x13')).json['Status'], 'OK');
    assert.equal(
      emu.rows('d', 't').some((r) => r['id'] === 13n),
      true,
    );
  });
});
