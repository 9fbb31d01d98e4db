import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import mysql from 'mysql2/promise';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { load, ndjson } from './helpers.js';

describe('HTTP loads + MySQL protocol on one emulator', () => {
  let emu: StarRocksEmulator;
  let conn: mysql.Connection;
  before(async () => {
    emu = await startStarRocksEmulator({ schemaChangeMs: 300 });
    conn = await mysql.createConnection({ host: '127.0.0.1', port: emu.mysqlPort, user: 'root', password: '' });
  });
  after(async () => {
    await conn.end();
    await emu.close();
  });

  it('DDL over MySQL, Stream Load over HTTP, SELECT sees the loaded rows', async () => {
    await conn.query('CREATE DATABASE shop');
    await conn.query(
      'CREATE TABLE shop.orders (id BIGINT NOT NULL, amount DECIMAL(12,2) NULL, note VARCHAR(20) NULL, ts DATETIME NULL) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")',
    );
    const r = await load(
      emu,
      'orders',
      ndjson([
        { id: 1, amount: 12.5, note: 'a', ts: '2024-01-02T03:04:05.25Z' },
        { id: 2, amount: '3', note: null },
      ]),
      {},
      'shop',
    );
    assert.equal(r.json['Status'], 'Success');
    const [rows] = await conn.query('SELECT id, amount, note FROM shop.orders ORDER BY id');
    assert.equal((rows as unknown[]).length, 2);
    assert.deepEqual(emu.rows('shop', 'orders')[0], { id: 1n, amount: '12.50', note: 'a', ts: '2024-01-02 03:04:05.250000' });
    const res = await emu.sql('SELECT id FROM orders', 'shop');
    assert.ok(res);
  });

  it('ADD COLUMN runs asynchronously; a load during the job ignores the new column silently', async () => {
    await conn.query('ALTER TABLE shop.orders ADD COLUMN extra INT NULL DEFAULT "9"');
    const during = await load(emu, 'orders', '{"id":3,"amount":1,"extra":5}', {}, 'shop');
    assert.equal(during.json['Status'], 'Success');
    const deadline = Date.now() + 5000;
    for (;;) {
      const [st] = await conn.query('SHOW ALTER TABLE COLUMN FROM shop');
      const list = st as Record<string, unknown>[];
      if (list.at(-1)?.['State'] === 'FINISHED') break;
      assert.ok(Date.now() < deadline, 'schema change did not finish');
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.equal(emu.rows('shop', 'orders').find((x) => x['id'] === 3n)?.['extra'], 9n, 'existing rows got the DEFAULT');
    const afterJob = await load(emu, 'orders', '{"id":4,"amount":1,"extra":5}', {}, 'shop');
    assert.equal(afterJob.json['Status'], 'Success');
    assert.equal(emu.rows('shop', 'orders').find((x) => x['id'] === 4n)?.['extra'], 5n);
  });
});
