/**
 * A primary-key change of a row with an unchanged TOASTed value, flushed together with a long
 * transaction that began earlier (issue 9 item 3). The long transaction's change has an LSN older
 * than the stored row of the old key; the sink must still see that stored row as the state from
 * before the batch (judged by the versions of the batch's own changes to that key) and carry its
 * TOASTed value to the new key — not leave it NULL with a false "old row not in StarRocks" warning.
 *
 * FLUSH_SIZE=3 and a flush timer that never fires make the cuts exact: every step below writes three
 * changes, so each is one flush.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PgHarness } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import type { DaemonProcess } from '../helpers/daemon.js';
import { e2eWorld } from './world.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, startStreaming } from './daemon-env.js';

const DB = 'longtx';
const BIG = 'x'.repeat(2500) + 'é'.repeat(2500);

describe('end to end: key change with unchanged TOAST in the same flush as an older long transaction', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess | undefined;
  const world = e2eWorld(async (p, e) => {
    pg = p;
    em = e;
    await pg.query('CREATE TABLE t (id bigint PRIMARY KEY, big text, n int)');
    await pg.query('ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL');
    await em.sql(`CREATE DATABASE ${DB}`);
  });

  const row = (id: number): Record<string, unknown> | undefined => em.rows(DB, 't').find((r) => String(r['id']) === String(id));

  it('carries the TOASTed value of the old key to the new key', async () => {
    daemon = await startStreaming(
      pg,
      // SNAPSHOT_MODE=never: the flushes must be cut exactly at the streamed changes below.
      daemonEnv(pg, em, DB, 't', {
        FLUSH_SIZE: '3',
        FLUSH_INTERVAL_MS: '3600000',
        SINK_CREATE_TABLES: 'true',
        SINK_REPLICATION_NUM: '1',
        SNAPSHOT_MODE: 'never',
      }),
    );
    world.daemons.push(daemon);
    const d = daemon;
    await pg.query(`INSERT INTO t VALUES (1, $1, 0), (50, 'a', 0), (51, 'b', 0)`, [BIG]);
    await waitFor(() => row(51) !== undefined, { timeoutMs: 30_000, message: () => `first flush missing\n${d.output().slice(-3000)}` });

    const long = await pg.connect();
    try {
      await long.query('BEGIN');
      await long.query(`INSERT INTO t VALUES (100, 'long', 0)`); // its change LSN is older than everything below

      await pg.query('BEGIN; UPDATE t SET n = 1 WHERE id = 1; UPDATE t SET n = 1 WHERE id = 50; UPDATE t SET n = 1 WHERE id = 51; COMMIT');
      await waitFor(() => String(row(1)?.['n']) === '1', { timeoutMs: 30_000, message: () => `second flush missing\n${d.output().slice(-3000)}` });

      await pg.query(`BEGIN; UPDATE t SET id = 2 WHERE id = 1; INSERT INTO t VALUES (1, 'B', 5); COMMIT`);
      await long.query('COMMIT');
    } finally {
      await long.end();
    }
    await waitFor(() => row(100) !== undefined && row(2) !== undefined, {
      timeoutMs: 30_000,
      message: () => `third flush missing\n${d.output().slice(-3000)}`,
    });

    assert.equal(row(2)?.['big'], BIG, 'the moved row lost its TOASTed value');
    assert.equal(String(row(2)?.['n']), '1');
    assert.equal(row(2)?.['dbmazz_is_deleted'], false);
    assert.equal(row(1)?.['big'], 'B');
    assert.equal(String(row(1)?.['n']), '5');
    assert.equal(row(1)?.['dbmazz_is_deleted'], false);
    assert.doesNotMatch(d.output(), /unchanged TOAST values unknown/);
  });
});
