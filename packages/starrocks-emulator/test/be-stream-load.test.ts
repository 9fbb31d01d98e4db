import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { createPk, createTable, col, plainRows } from './helpers.js';
import { type RawReply, basicAuth, rawRequest } from '../src/stream-load-client.js';

const KEY_ORDER = [
  'TxnId',
  'Label',
  'Status',
  'Message',
  'NumberTotalRows',
  'NumberLoadedRows',
  'NumberFilteredRows',
  'NumberUnselectedRows',
  'LoadBytes',
  'LoadTimeMs',
  'BeginTxnTimeMs',
  'StreamLoadPlanTimeMs',
  'ReadDataTimeMs',
  'WriteDataTimeMs',
  'CommitAndPublishTimeMs',
];

describe('BE Stream Load (docs/starrocks-protocol.md §1.4, §1.5, §2, §3.1)', () => {
  let emu: StarRocksEmulator;
  let be: string;
  before(async () => {
    emu = await startStarRocksEmulator({ jsonMaxBytes: 64 });
    createPk(emu);
    be = `http://127.0.0.1:${emu.beHttpPorts[0] ?? 0}`;
  });
  after(() => emu.close());

  const put = (
    table: string,
    body: string | Buffer | (string | Buffer)[],
    headers: Record<string, string>,
    extra: Parameters<typeof rawRequest>[1] = {},
  ): Promise<RawReply> => rawRequest(`${be}/api/d/${table}/_stream_load`, { body, headers: { format: 'json', ...headers }, ...extra });
  const json = (r: RawReply): Record<string, unknown> => JSON.parse(r.body) as Record<string, unknown>;

  it('success: exact key order, 4-space pretty JSON, Message OK, TxnId set', async () => {
    const r = await put('t', '{"id":1,"v":"a","n":1}', { label: 'ok1' });
    assert.equal(r.status, 200);
    assert.equal(r.gotContinue, true);
    assert.deepEqual(Object.keys(json(r)), KEY_ORDER);
    assert.match(r.body, /^\{\n {4}"TxnId": \d+,\n {4}"Label": "ok1",\n {4}"Status": "Success",\n {4}"Message": "OK",/);
    const j = json(r);
    assert.equal(j['NumberTotalRows'], 1);
    assert.equal(j['NumberLoadedRows'], 1);
    assert.equal(j['LoadBytes'], Buffer.byteLength('{"id":1,"v":"a","n":1}'));
    assert.ok(typeof j['TxnId'] === 'number' && j['TxnId'] > 0);
  });

  it('a label is generated (UUID) when absent', async () => {
    const j = json(await put('t', '{"id":2,"n":1}', {}));
    assert.match(String(j['Label']), /^[0-9a-f-]{36}$/);
    assert.equal(j['Status'], 'Success');
  });

  const early: [string, () => Promise<RawReply>, string, boolean][] = [
    ['no Authorization', () => put('t', '{}', { label: 'e1' }, { noAuth: true }), 'no valid Basic authorization', false],
    ['wrong password', () => put('t', '{}', { label: 'e2' }, { password: 'x' }), "Access denied for user 'root' (using password: YES)", false],
    ['unknown db', () => rawRequest(`${be}/api/nodb/t/_stream_load`, { body: '{}', headers: { format: 'json' } }), 'unknown database, database=nodb', false],
    ['unknown table', () => put('nope', '{}', {}), 'unknown table "d.nope"', false],
    ['bad label', () => put('t', '{}', { label: 'a b' }), 'Label format error. regex: ^[-\\w]{1,128}$, label: a b', false],
    ['bad format', () => put('t', '{}', { format: 'xml' }), 'unknown data format, format=xml', false],
    [
      'both encodings',
      () => put('t', '{}', { 'Content-Encoding': 'gzip', compression: 'gzip' }),
      'Only one of http header content-encoding and compression can be set',
      false,
    ],
    ['bad timeout', () => put('t', '{}', { timeout: 'abc' }), 'Invalid timeout format', false],
    ['bad strict_mode (after begin)', () => put('t', '{}', { strict_mode: 'yes' }), 'Invalid strict mode format. Must be bool type', true],
    ['bad partial_update (after begin)', () => put('t', '{}', { partial_update: '1' }), 'Invalid partial update flag format. Must be bool type', true],
    ['key column omitted from columns (plan)', () => put('t', '{}', { columns: 'v' }), 'Column has no default value. column: id', true],
    [
      'partial update without the key (plan)',
      () => put('t', '{}', { columns: 'v', partial_update: 'true' }),
      'key column id not in partial update columns',
      true,
    ],
  ];
  for (const [name, run, message, begun] of early) {
    it(`early failure before 100 Continue: ${name}`, async () => {
      const r = await run();
      assert.equal(r.status, 200);
      assert.equal(r.gotContinue, false);
      assert.equal(r.bodySent, false, 'client never sent the body');
      const j = json(r);
      assert.equal(j['Status'], 'Fail');
      assert.equal(j['Message'], message);
      assert.equal(j['TxnId'] === -1, !begun, `TxnId ${String(j['TxnId'])}`);
      assert.ok(!('ErrorURL' in j));
    });
  }

  it('full-row load omitting a NOT NULL column without default fails at plan time', async () => {
    createTable(emu, 'd', 'nn', [col('id', 'INT', { key: true }), col('req', 'INT', { nullable: false }), col('o', 'INT')]);
    const r = await put('nn', '{"id":1}', { columns: 'id, o' });
    assert.equal(r.bodySent, false);
    assert.equal(json(r)['Message'], 'Column has no default value. column: req');
  });

  it('JSON size rule: exact double-spaced message; ignore_json_size bypasses; chunked is not checked', async () => {
    const big = JSON.stringify({ id: 10, v: 'x', n: 1, ver: 1, pad: 'y'.repeat(80) });
    const r = await put('t', big, {});
    assert.equal(r.bodySent, false);
    assert.equal(
      json(r)['Message'],
      `The size of this batch exceed the max size [64]  of json type data  data [ ${Buffer.byteLength(big)} ]. Set ignore_json_size to skip the check, although it may lead huge memory consuming.`,
    );
    assert.equal(json(await put('t', big, { ignore_json_size: 'true' }))['Status'], 'Success');
    assert.equal(json(await put('t', big, {}, { contentLength: false }))['Status'], 'Success');
  });

  it('chunked transfer encoding in several pieces', async () => {
    const r = await put('t', ['{"id":20,"n":1}', '\n{"id":2', '1,"n":2}'], { label: 'chunked' }, { contentLength: false });
    assert.equal(json(r)['Status'], 'Success');
    assert.equal(json(r)['NumberLoadedRows'], 2);
  });

  it('gzip via Content-Encoding and via the compression header', async () => {
    const body = gzipSync(Buffer.from('{"id":30,"n":3}\n{"id":31,"n":3}'));
    const a = json(await put('t', body, { 'Content-Encoding': 'gzip', label: 'gz1' }));
    assert.equal(a['Status'], 'Success');
    assert.equal(a['NumberLoadedRows'], 2);
    assert.equal(a['LoadBytes'], body.length);
    const b = json(await put('t', gzipSync('{"id":32,"n":3}'), { compression: 'gzip' }));
    assert.equal(b['Status'], 'Success');
    const bad = json(await put('t', 'not gzip', { compression: 'gzip', label: 'gzbad' }));
    assert.equal(bad['Status'], 'Fail');
    assert.match(String(bad['Message']), /decompress/);
  });

  it("Content-Length larger than the bytes sent → receive body don't equal with body bytes", async () => {
    const port = emu.beHttpPorts[0] ?? 0;
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      let data = '';
      s.on('data', (d: Buffer) => {
        data += d.toString();
        if (data.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && !s.writableEnded) {
          data = '';
          s.write('{"id":40,');
          s.end();
        }
      });
      s.on('end', () => resolve(data));
      s.on('error', reject);
      s.write(
        `PUT /api/d/t/_stream_load HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicAuth('root', '')}\r\nformat: json\r\nignore_json_size: true\r\nlabel: short1\r\nExpect: 100-continue\r\nContent-Length: 100\r\n\r\n`,
      );
    });
    const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
    assert.match(reply, /^HTTP\/1\.1 200 OK/);
    const j = JSON.parse(body) as Record<string, unknown>;
    assert.equal(j['Status'], 'Fail');
    assert.equal(j['Message'], "receive body don't equal with body bytes");
    assert.ok(Number(j['TxnId']) > 0);
    // The label was aborted, hence reusable.
    assert.equal(json(await put('t', '{"id":41,"n":1}', { label: 'short1' }))['Status'], 'Success');
  });

  it('body shape errors: first byte, strip_outer_array mismatch, syntax error', async () => {
    const a = json(await put('t', '  x{}', {}));
    assert.equal(a['Message'], 'illegal json started with x');
    const b = json(await put('t', '{"id":1}', { strip_outer_array: 'true' }));
    assert.equal(b['Status'], 'Fail');
    const c = json(await put('t', '[{"id":1}]', {}));
    assert.equal(c['Status'], 'Fail');
    const d = json(await put('t', '{"id":50,"n":1}\n{"id":51,', {}));
    assert.equal(d['Message'], 'Unrecognized json format, stop json loader.');
    assert.equal(
      plainRows(emu, 't').some((r) => r['id'] === 50),
      false,
      'atomic: the valid first row was not applied',
    );
  });

  it('strip_outer_array and NDJSON/concatenated objects', async () => {
    assert.equal(json(await put('t', '[{"id":60,"n":1},{"id":61,"n":1}]', { strip_outer_array: 'TRUE' }))['NumberLoadedRows'], 2);
    assert.equal(json(await put('t', '{"id":62,"n":1}{"id":63,"n":1} {"id":64,"n":1}', {}))['NumberLoadedRows'], 3);
  });

  it('keep-alive: many loads on one reused connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const ports = new Set<number | undefined>();
      for (let i = 0; i < 25; i++) {
        const r = await put('t', `{"id":${100 + i},"n":1}`, { label: `ka-${i}` }, { agent });
        assert.equal(json(r)['Status'], 'Success');
        ports.add(r.localPort);
      }
      assert.equal(ports.size, 1, 'one TCP connection carried all loads');
    } finally {
      agent.destroy();
    }
  });

  it('a request without Expect is validated then read (BE accepts it)', async () => {
    const r = await put('t', '{"id":70,"n":1}', {}, { expectContinue: false });
    assert.equal(json(r)['Status'], 'Success');
  });

  it('error log, health and unknown paths', async () => {
    const h = await fetch(`${be}/api/health`);
    assert.equal(h.status, 200);
    assert.deepEqual(await h.json(), { status: 'OK', msg: 'To Be Added' });
    const nf = await fetch(`${be}/api/what`);
    assert.equal(nf.status, 404);
    assert.equal(await nf.text(), 'Not Found');
  });
});
