import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';

describe('PostgreSQL harness', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
  });
  after(async () => {
    await pg.close();
  });

  it('starts a cluster with logical replication on 127.0.0.1', async () => {
    const r = await pg.query<{ wal_level: string }>('SHOW wal_level');
    assert.equal(r.rows[0]?.wal_level, 'logical');
    assert.equal(pg.host, '127.0.0.1');
    assert.ok(pg.port > 0);
    const slots = await pg.query<{ max_replication_slots: string }>('SHOW max_replication_slots');
    assert.ok(Number(slots.rows[0]?.max_replication_slots) >= 10);
  });

  it('streams a pgoutput change over the replication protocol from a slot it set up', async () => {
    await pg.query('CREATE TABLE harness_t (id bigint PRIMARY KEY, v text)');
    await pg.query('CREATE PUBLICATION harness_pub FOR TABLE harness_t');
    await pg.query("SELECT pg_create_logical_replication_slot('harness_slot', 'pgoutput')");
    const service = new LogicalReplicationService({ connectionString: pg.url }, { acknowledge: { auto: true, timeoutSeconds: 10 } });
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: ['harness_pub'] });
    const got = new Promise<{ tag: string; v: unknown }>((resolve) => {
      service.on('data', (_lsn: string, msg: { tag: string; new?: Record<string, unknown> }) => {
        if (msg.tag === 'insert') resolve({ tag: msg.tag, v: msg.new?.['v'] });
      });
    });
    service.on('error', () => undefined);
    void service.subscribe(plugin, 'harness_slot').catch(() => undefined);
    await pg.query("INSERT INTO harness_t VALUES (1, 'hello from the WAL')");
    const change = await got;
    await service.stop();
    assert.deepEqual(change, { tag: 'insert', v: 'hello from the WAL' });
  });

  it('restarts (simulated outage) and keeps its data', async () => {
    await pg.query('CREATE TABLE harness_r (id int PRIMARY KEY)');
    await pg.query('INSERT INTO harness_r VALUES (7)');
    await pg.stop();
    await assert.rejects(pg.query('SELECT 1'));
    await pg.start();
    const r = await pg.query<{ id: number }>('SELECT id FROM harness_r');
    assert.deepEqual(r.rows, [{ id: 7 }]);
  });

  it('removes its data directory on close, idempotently', async () => {
    const other = await startPostgres({ settings: { wal_level: 'replica' } });
    const dir = other.dataDir;
    assert.ok(dir && existsSync(dir));
    const r = await other.query<{ wal_level: string }>('SHOW wal_level');
    assert.equal(r.rows[0]?.wal_level, 'replica');
    await other.close();
    await other.close();
    assert.equal(existsSync(dir), false);
  });
});
