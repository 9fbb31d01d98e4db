/** The sink's MySQL-protocol side (mysql2 client) against the emulator's FE query port. */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { column, ins, tableSchema } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { batch, DB, signal, startHarness } from './harness.js';

describe('StarRocks sink over the MySQL protocol (emulator)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ password: 'rootpw', schemaChangeMs: 300 });
    assert.ok(h.emu.mysqlPort > 0, 'the emulator must expose its MySQL port');
  });
  after(async () => {
    await h.close();
  });

  it('validateConnection succeeds with the right credentials', async () => {
    await h.sink({ SINK_PASSWORD: 'rootpw' }, { mysql: true }).validateConnection();
  });

  it('a wrong password is SINK_AUTH, never retried, pointing at SINK_USER/SINK_PASSWORD without showing it', async () => {
    await assert.rejects(h.sink({ SINK_PASSWORD: 'hunter2-wrong' }, { mysql: true }).validateConnection(), (e: unknown) => {
      assert.ok(e instanceof CdcError);
      assert.equal(e.code, 'SINK_AUTH');
      assert.equal(e.retry, 'never');
      assert.match(e.operatorMessage, /SINK_USER and SINK_PASSWORD/);
      assert.doesNotMatch(e.operatorMessage, /hunter2/);
      return true;
    });
  });

  it('an unreachable MySQL port is SINK_CONNECTION, retriable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await assert.rejects(
      h.sink({ SINK_PASSWORD: 'rootpw', SINK_PORT: port, SINK_CONNECT_TIMEOUT_MS: 1000 }, { mysql: true }).validateConnection(),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_CONNECTION' && e.retry === 'retry',
    );
  });

  it('setup over MySQL adds the audit columns (waiting for FINISHED) on a reserved-word table; loads follow', async () => {
    await h.create(`${DB}.\`group\` (\`key\` BIGINT NOT NULL, \`order\` STRING) PRIMARY KEY(\`key\`) DISTRIBUTED BY HASH(\`key\`)`);
    const schema = tableSchema('group', [column('key', 'int8', true), column('order', 'text')]);
    const sink = h.sink({ SINK_PASSWORD: 'rootpw' }, { mysql: true });
    await sink.validateConnection();
    await sink.setup([schema]);
    const jobs = await h.query(`SHOW ALTER TABLE COLUMN FROM ${DB} WHERE TableName = 'group' ORDER BY CreateTime DESC LIMIT 1`);
    assert.equal(jobs[0]?.['State'], 'FINISHED');
    await sink.write(batch(schema, [ins(schema, 77n, [1n, 'first'])]), signal());
    const row = h.emu.rows(DB, 'group')[0];
    assert.equal(row?.['order'], 'first');
    assert.equal(row?.['dbmazz_cdc_version'], 77n);
  });

  it('setup over MySQL reports a missing table with a CREATE TABLE suggestion', async () => {
    await assert.rejects(
      h.sink({ SINK_PASSWORD: 'rootpw' }, { mysql: true }).setup([tableSchema('nothere', [column('id', 'int8', true)])]),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_SCHEMA' && /cdc\.nothere does not exist/.test(e.message) && /CREATE TABLE/.test(e.hint ?? ''),
    );
  });
});
