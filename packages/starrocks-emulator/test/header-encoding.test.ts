/**
 * Header values are read as UTF-8 bytes, as a real FE/BE does (libevent/netty hand the handler raw
 * bytes): a non-ASCII column name in `columns` matches its column. The requests are written byte by
 * byte on a socket, so nothing depends on how node's HTTP client encodes header text.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { headerText } from '../src/http-util.js';
import { col, createTable, plainRows } from './helpers.js';
import { basicAuth } from '../src/stream-load-client.js';

interface RawResponse {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
}

/** One `PUT` on a fresh socket, headers given as (name, UTF-8 text) pairs, `Connection: close`. */
function rawPut(port: number, path: string, headers: readonly [string, string][], body: string): Promise<RawResponse> {
  const bodyBytes = Buffer.from(body, 'utf8');
  const lines = [
    `PUT ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: ${basicAuth('root', '')}`,
    ...headers.map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${bodyBytes.length}`,
    'Connection: close',
  ];
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'); // header text as UTF-8 bytes
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.end(Buffer.concat([head, bodyBytes])));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? '0');
      resolve({ status, headers: text.slice(0, end), body: text.slice(end + 4) });
    });
  });
}

describe('header values are UTF-8 (docs/starrocks-protocol.md §2 columns)', () => {
  let emu: StarRocksEmulator;
  let bePort: number;
  before(async () => {
    emu = await startStarRocksEmulator();
    createTable(emu, 'd', 'people', [col('id', 'BIGINT', { key: true }), col('prénom', 'VARCHAR(20)'), col('名前', 'VARCHAR(20)')]);
    bePort = emu.beHttpPorts[0] ?? 0;
  });
  after(() => emu.close());

  it('headerText decodes latin1-per-byte strings as UTF-8 and leaves ASCII alone', () => {
    assert.equal(headerText(Buffer.from('`prénom`,名前', 'utf8').toString('latin1')), '`prénom`,名前');
    assert.equal(headerText('id,v'), 'id,v');
    assert.equal(headerText('pr\u00e9nom'), 'pr\ufffdnom', 'a lone latin1 byte is not UTF-8');
  });

  it('a non-ASCII name in `columns` matches its column (BE)', async () => {
    const r = await rawPut(
      bePort,
      '/api/d/people/_stream_load',
      [
        ['label', 'utf8-columns-1'],
        ['format', 'json'],
        ['columns', '`id`,`prénom`,`名前`'],
      ],
      '{"id":1,"prénom":"Zoé","名前":"花子"}',
    );
    assert.equal(r.status, 200);
    const reply = JSON.parse(r.body) as Record<string, unknown>;
    assert.equal(reply['Status'], 'Success', r.body);
    assert.equal(reply['NumberLoadedRows'], 1);
    assert.deepEqual(plainRows(emu, 'people'), [{ id: 1, prénom: 'Zoé', 名前: '花子' }]);
    assert.equal(emu.loads().at(-1)?.headers['columns'], '`id`,`prénom`,`名前`');
  });

  it('column names are matched case-insensitively after decoding (`PRÉNOM` → prénom)', async () => {
    const r = await rawPut(
      bePort,
      '/api/d/people/_stream_load',
      [
        ['label', 'utf8-columns-2'],
        ['format', 'json'],
        ['columns', '`id`,`PRÉNOM`'],
      ],
      '{"id":2,"PRÉNOM":"Élodie"}',
    );
    assert.equal((JSON.parse(r.body) as Record<string, unknown>)['Status'], 'Success', r.body);
    assert.equal(plainRows(emu, 'people').find((x) => x['id'] === 2)?.['prénom'], 'Élodie');
  });
});
