import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { spawnDaemon } from '../../helpers/daemon.js';
import { streamLoad } from 'dbmazz-starrocks-emulator/client';

describe('dbmazz starrocks-emulator (the CLI a user runs)', () => {
  it('prints one ready line with its ports, serves MySQL and Stream Load, and exits 0 on SIGTERM', async () => {
    const em = spawnDaemon({}, [
      'starrocks-emulator',
      '--fe-http-port',
      '0',
      '--be-http-port',
      '0',
      '--mysql-port',
      '0',
      '--bes',
      '2',
      '--user',
      'admin',
      '--password',
      'pw1',
    ]);
    try {
      const ready = await em.waitForLine(/\bready\b/, 20_000);
      const fe = /fe_http=(\d+)/.exec(ready)?.[1];
      const my = /mysql=(\d+)/.exec(ready)?.[1];
      const bes = /be_http=([\d,]+)/.exec(ready)?.[1]?.split(',') ?? [];
      assert.ok(fe && my, ready);
      assert.equal(bes.length, 2, ready);

      const conn = await mysql.createConnection({ host: '127.0.0.1', port: Number(my), user: 'admin', password: 'pw1' });
      try {
        await conn.query('CREATE DATABASE demo');
        await conn.query('CREATE TABLE demo.t (id BIGINT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")');
        const load = await streamLoad({
          feUrl: `http://127.0.0.1:${fe}`,
          db: 'demo',
          table: 't',
          user: 'admin',
          password: 'pw1',
          headers: { format: 'json', strip_outer_array: 'true', label: 'cli_test_1' },
          body: JSON.stringify([
            { id: 1, v: 'one' },
            { id: 2, v: 'two' },
          ]),
        });
        assert.equal(load.fe.status, 307);
        assert.equal(load.json['Status'], 'Success', JSON.stringify(load.json));
        const [rows] = await conn.query('SELECT id, v FROM demo.t ORDER BY id');
        assert.deepEqual(JSON.parse(JSON.stringify(rows)), [
          { id: 1, v: 'one' },
          { id: 2, v: 'two' },
        ]);
      } finally {
        await conn.end();
      }
      await assert.rejects(mysql.createConnection({ host: '127.0.0.1', port: Number(my), user: 'admin', password: 'nope' }), /Access denied/);
    } finally {
      em.kill('SIGTERM');
    }
    const exit = await em.exited;
    assert.equal(exit.code, 0, em.output());
  });
});
