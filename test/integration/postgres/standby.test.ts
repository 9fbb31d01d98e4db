/**
 * The PostgreSQL source's hot standby against a real server: setup by two instances at once, waiting
 * while another connection holds the slot, a stop ending the wait, and a silent holder terminated.
 * The whole daemon under kills and a workload: test/e2e/standby.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectorContext, type StandbyInfo } from '../../../core/index.js';
import { postgresSource, type PostgresSource } from '../../../connectors/postgres/index.js';
import { clientConfig, parseConfig } from '../../../connectors/postgres/config.js';
import { ReplicationConnection } from '../../../connectors/postgres/replication/connection.js';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { Collector, settingsFor, silentLogger, tableIds } from './helpers.js';

describe('PostgreSQL source: hot standby', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
    await pg.query('CREATE TABLE t (id int PRIMARY KEY, v text)');
  });
  after(async () => {
    await pg?.close();
  });

  const source = (slot: string, extra: Record<string, number> = {}): PostgresSource => {
    const settings = { ...settingsFor(pg, { slot, tables: ['t'] }), SOURCE_STANDBY_RETRY_MS: 200, ...extra };
    return postgresSource.create(settings, connectorContext({ logger: silentLogger, tables: tableIds(['t']), pipelineId: slot, settings })) as PostgresSource;
  };

  const slotCount = async (slot: string): Promise<number> =>
    Number((await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows[0]?.n);

  it('two instances setting up at once: both succeed, one slot and one publication (the second finds what the first created)', async () => {
    const [a, b] = [source('both'), source('both')];
    try {
      await Promise.all([a.setup(), b.setup()]);
      assert.equal(await slotCount('both'), 1);
      const pubs = await pg.query("SELECT 1 FROM pg_publication WHERE pubname = 'both_pub'");
      assert.equal(pubs.rowCount, 1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a standby waits while another connection streams, says who holds the slot, and takes its turn once it is free; a stop ends the wait', async () => {
    const a = source('turns');
    const b = source('turns');
    const c = source('turns');
    try {
      await a.setup();
      assert.equal(await a.awaitTurn({ signal: new AbortController().signal, standby: () => assert.fail('the slot is free') }), 'turn');
      await a.start(new Collector().handler);
      const seen: StandbyInfo[] = [];
      const waiting = b.awaitTurn({ signal: new AbortController().signal, standby: (i) => seen.push(i) });
      const stop = new AbortController();
      const stopped = c.awaitTurn({ signal: stop.signal, standby: () => undefined });
      await new Promise((r) => setTimeout(r, 600));
      const pid = (await pg.query<{ pid: number }>("SELECT active_pid AS pid FROM pg_replication_slots WHERE slot_name = 'turns'")).rows[0]?.pid;
      assert.equal(seen.length, 1, 'reported once while the holder stays the same');
      assert.match(seen[0]?.detail ?? '', new RegExp(`^replication slot 'turns' is held by PID ${pid} \\(`));
      stop.abort();
      assert.equal(await stopped, 'stopped');
      await a.stop();
      assert.equal(await waiting, 'turn');
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('a holder that sends no status update for SOURCE_STANDBY_STALE_MS is terminated and the standby takes over', async () => {
    const b = source('stale', { SOURCE_STANDBY_STALE_MS: 1500, SOURCE_STATUS_INTERVAL_MS: 500 });
    await b.setup();
    // A consumer that never answers (as one cut from its network): START_REPLICATION, then silence.
    const settings = settingsFor(pg, { slot: 'stale', tables: ['t'] });
    const cfg = parseConfig(settings, connectorContext({ logger: silentLogger, tables: tableIds(['t']), pipelineId: 'stale', settings }));
    const silent = await ReplicationConnection.open(clientConfig(cfg, 'replication'), cfg.target);
    const lost: unknown[] = [];
    await silent.start(`START_REPLICATION SLOT "stale" LOGICAL 0/0 (proto_version '1', publication_names 'stale_pub')`, {
      onCopyData: () => undefined,
      onLost: (e) => lost.push(e),
    });
    try {
      const t0 = Date.now();
      assert.equal(await b.awaitTurn({ signal: new AbortController().signal, standby: () => undefined }), 'turn');
      const waited = Date.now() - t0;
      assert.ok(waited >= 1500, `waited ${waited} ms: not before the holder was stale`);
      await b.start(new Collector().handler);
      const r = await pg.query("SELECT active FROM pg_replication_slots WHERE slot_name = 'stale'");
      assert.equal(r.rowCount, 1);
      assert.ok(lost.length > 0, 'the silent holder lost its connection');
    } finally {
      await silent.close();
      await b.close();
    }
  });
});
