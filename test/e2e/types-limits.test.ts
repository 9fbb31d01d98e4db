/**
 * Values that do not fit the target column, end to end. StarRocks would store NULL without an error
 * (non-strict loads, docs/starrocks-protocol.md §8.1), so the sink checks first (docs/starrocks.md, "Values that do
 * not fit the target column"): extra DECIMAL fraction digits are rounded and counted; an integer part
 * too wide for the DECIMAL stops the pipeline with a SINK_DATA error naming the column, and nothing of
 * that batch is loaded.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';

const DB = 'limitsdb';

describe('end to end: values that do not fit the StarRocks column', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess | undefined;

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD });
    await pg.query('CREATE TABLE public.lim (id integer PRIMARY KEY, n numeric, v varchar(10))');
    await em.sql(`CREATE DATABASE ${DB}`);
    await em.sql(
      'CREATE TABLE lim (id INT NOT NULL, n DECIMAL(38,9), v VARCHAR(40)) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")',
      DB,
    );
    daemon = await startStreaming(pg, daemonEnv(pg, em, DB, 'lim'));
  });

  after(async () => {
    await killDaemons(daemon);
    await em?.close();
    await pg?.close();
  });

  it('rounds extra fraction digits to the DECIMAL scale, with a warning', async () => {
    await pg.query(`INSERT INTO lim VALUES (1, 1/3::numeric(40,30), '😀😀😀😀😀😀😀😀😀😀'), (2, 2.0000000005, 'x')`);
    await waitFor(() => em.rows(DB, 'lim').length === 2, { timeoutMs: 30_000, message: () => `rows did not arrive:\n${daemon?.output().slice(-2000)}` });
    const rows = new Map(em.rows(DB, 'lim').map((r) => [String(r['id']), r]));
    assert.equal(rows.get('1')?.['n'], '0.333333333');
    assert.equal(rows.get('2')?.['n'], '2.000000001');
    assert.equal(rows.get('1')?.['v'], '😀😀😀😀😀😀😀😀😀😀');
    // The warning is logged once the load's reply is in, which may come after the rows are visible.
    await daemon?.waitForLine(/decimals with more fraction digits than the target column were rounded/, 10_000);
  });

  it('stops with a SINK_DATA error naming the column when the integer part does not fit', async () => {
    await pg.query(`INSERT INTO lim VALUES (3, 1e30, 'y')`);
    const exit = await daemon?.exited;
    assert.equal(exit?.code, 1, daemon?.output().slice(-2000));
    assert.match(daemon?.output() ?? '', /SINK_DATA/);
    assert.match(daemon?.output() ?? '', /lim\.n: 1000000000000000000000000000000 does not fit DECIMAL\(38,9\)/);
    assert.equal(em.rows(DB, 'lim').length, 2, 'nothing of the failing batch was loaded');
  });
});
