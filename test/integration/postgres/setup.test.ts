import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError, formatLsn } from '../../../core/index.js';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { confirmedFlush, createSource, Collector, tableIds } from './helpers.js';

async function slotRow(pg: PgHarness, slot: string): Promise<{ plugin: string; confirmed: string } | undefined> {
  const r = await pg.query<{ plugin: string; confirmed: string }>(
    'SELECT plugin::text, confirmed_flush_lsn::text AS confirmed FROM pg_replication_slots WHERE slot_name = $1',
    [slot],
  );
  return r.rows[0];
}

async function publicationTables(pg: PgHarness, pub: string): Promise<string[]> {
  const r = await pg.query<{ t: string }>("SELECT schemaname || '.' || tablename AS t FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1", [pub]);
  return r.rows.map((x) => x.t);
}

async function countSlotsAndPubs(pg: PgHarness): Promise<{ slots: number; pubs: number }> {
  const s = await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_replication_slots');
  const p = await pg.query<{ n: string }>('SELECT count(*)::text AS n FROM pg_publication');
  return { slots: Number(s.rows[0]?.n), pubs: Number(p.rows[0]?.n) };
}

describe('PostgreSQL source setup', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres();
    await pg.query(`CREATE TABLE orders (id bigint PRIMARY KEY, total numeric(12,2), note text)`);
    await pg.query(`CREATE TABLE order_items (order_id bigint, line int, sku text, PRIMARY KEY (line, order_id))`);
    await pg.query(`CREATE TABLE nokey (a int, b text)`);
    await pg.query(`CREATE SCHEMA sales`);
    await pg.query(`CREATE DOMAIN posint AS int CHECK (VALUE > 0)`);
    await pg.query(`CREATE TYPE mood AS ENUM ('sad', 'happy')`);
    await pg.query(`CREATE TABLE sales.typed (id posint PRIMARY KEY, m mood, tags text[], big int8[], g int GENERATED ALWAYS AS (id * 2) STORED)`);
  });
  after(() => pg.close());

  it('validateConnection passes on a logical server', async () => {
    const src = createSource(pg, { slot: 'v_slot', tables: ['orders'] });
    try {
      await src.validateConnection();
      assert.deepEqual(await countSlotsAndPubs(pg), { slots: 0, pubs: 0 }, 'validation creates nothing');
    } finally {
      await src.close();
    }
  });

  it('creates the publication FOR TABLE the list and a pgoutput slot, and returns the table schemas', async () => {
    const src = createSource(pg, { slot: 's1', publication: 'p1', tables: ['orders', 'order_items', 'sales.typed'] });
    try {
      const { tables } = await src.setup();
      assert.deepEqual(await publicationTables(pg, 'p1'), ['public.order_items', 'public.orders', 'sales.typed']);
      assert.equal((await slotRow(pg, 's1'))?.plugin, 'pgoutput');
      const orders = tables.find((t) => t.id.name === 'orders');
      assert.deepEqual(orders?.keyColumns, ['id']);
      assert.deepEqual(
        orders?.columns.map((c) => [c.name, c.typeName, c.family, c.isKey]),
        [
          ['id', 'int8', 'int8', true],
          ['total', 'numeric', 'numeric', false],
          ['note', 'text', 'text', false],
        ],
      );
      assert.equal(orders?.columns[1]?.typeModifier, ((12 << 16) | 2) + 4);
      const items = tables.find((t) => t.id.name === 'order_items');
      assert.deepEqual(items?.keyColumns, ['line', 'order_id'], 'key columns in primary key order');
      const typed = tables.find((t) => t.id.schema === 'sales');
      assert.deepEqual(
        typed?.columns.map((c) => [c.name, c.typeName, c.family, c.elementFamily]),
        [
          ['id', 'posint', 'int4', undefined],
          ['m', 'mood', 'text', undefined],
          ['tags', '_text', 'array', 'text'],
          ['big', '_int8', 'array', 'int8'],
        ],
        'domains resolve to the base type, enums to text; generated columns are not replicated',
      );
    } finally {
      await src.close();
    }
  });

  it('re-running setup is idempotent and keeps the slot and its confirmed position', async () => {
    const src = createSource(pg, { slot: 'idem', tables: ['orders'] });
    const c = new Collector();
    await src.setup();
    await src.start(c.handler);
    c.onEvent = (ev) => {
      if (ev.kind === 'commit') src.acknowledge(ev.position);
    };
    await pg.query(`INSERT INTO orders VALUES (100, 1, 'x')`);
    await c.waitForCommits(1);
    const pos = c.commits()[0]?.position ?? 0n;
    await src.close();
    assert.equal(await confirmedFlush(pg, 'idem'), formatLsn(pos));

    const again = createSource(pg, { slot: 'idem', tables: ['orders'] });
    try {
      await again.setup();
      await again.setup();
      assert.equal(await confirmedFlush(pg, 'idem'), formatLsn(pos), 'the slot was neither dropped nor recreated');
      assert.deepEqual(await publicationTables(pg, 'idem_pub'), ['public.orders']);
    } finally {
      await again.close();
    }
  });

  it('adds missing tables to an existing publication and never removes tables a user added', async () => {
    await pg.query('CREATE TABLE extra_user_table (id int PRIMARY KEY)');
    await pg.query('CREATE PUBLICATION grow_pub FOR TABLE extra_user_table, orders');
    const src = createSource(pg, { slot: 'grow', publication: 'grow_pub', tables: ['orders', 'order_items'] });
    try {
      await src.setup();
      assert.deepEqual(await publicationTables(pg, 'grow_pub'), ['public.extra_user_table', 'public.order_items', 'public.orders']);
    } finally {
      await src.close();
    }
  });

  it("a missing table gives the seed's message and creates nothing", async () => {
    const before = await countSlotsAndPubs(pg);
    const src = createSource(pg, { slot: 'missing', tables: ['orders', 'nosuch'] });
    try {
      await assert.rejects(src.setup(), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.equal(e.message, "Table 'nosuch' not found in PostgreSQL. Verify the table exists and is accessible.");
        assert.equal(e.retry, 'never');
        assert.equal(e.code, 'SOURCE_SETUP');
        return true;
      });
      assert.deepEqual(await countSlotsAndPubs(pg), before);
    } finally {
      await src.close();
    }
  });

  it('a table without a primary key gives a clear error naming it and how to add one, and creates nothing', async () => {
    const before = await countSlotsAndPubs(pg);
    const src = createSource(pg, { slot: 'nokey', tables: ['nokey'] });
    try {
      await assert.rejects(src.setup(), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.match(e.message, /Table 'nokey' has no primary key/);
        assert.match(e.message, /ALTER TABLE "public"\."nokey" ADD PRIMARY KEY/);
        return true;
      });
      assert.deepEqual(await countSlotsAndPubs(pg), before);
    } finally {
      await src.close();
    }
  });

  it('a DEFERRABLE primary key is refused by setup, inspect and the live table check, naming table and constraint; nothing is created', async () => {
    await pg.query('CREATE TABLE deferred_pk (id int PRIMARY KEY DEFERRABLE INITIALLY DEFERRED, v text)');
    await pg.query('CREATE TABLE sales.deferrable_pk (id bigint, line int, v text, CONSTRAINT sales_pk PRIMARY KEY (line, id) DEFERRABLE)');
    await pg.query('ALTER TABLE sales.deferrable_pk REPLICA IDENTITY FULL');
    // A deferrable unique constraint that is not the key does not reorder the key's changes.
    await pg.query('CREATE TABLE deferrable_other (id int PRIMARY KEY, code text UNIQUE DEFERRABLE INITIALLY DEFERRED)');
    const before = await countSlotsAndPubs(pg);
    const refused = (e: unknown): boolean => {
      assert.ok(e instanceof CdcError);
      assert.equal(e.code, 'SOURCE_SETUP');
      assert.equal(e.retry, 'never');
      assert.match(e.message, /Table 'deferred_pk' has a DEFERRABLE INITIALLY DEFERRED primary key \(constraint deferred_pk_pkey\)/);
      assert.match(e.message, /Table 'sales\.deferrable_pk' has a DEFERRABLE \(INITIALLY IMMEDIATE\) primary key \(constraint sales_pk\)/);
      assert.match(
        e.message,
        /ALTER TABLE "sales"\."deferrable_pk" DROP CONSTRAINT "sales_pk", ADD CONSTRAINT "sales_pk" PRIMARY KEY USING INDEX "sales_pk_immediate";/,
      );
      assert.doesNotMatch(e.message, /deferrable_other/);
      return true;
    };
    const tables = ['deferred_pk', 'sales.deferrable_pk', 'deferrable_other', 'orders'];
    const src = createSource(pg, { slot: 'deferrable', tables, replicaIdentityFull: true });
    try {
      await assert.rejects(src.inspect(), refused);
      await assert.rejects(src.setup(), refused);
      await assert.rejects(src.checkTables(tableIds(['deferred_pk', 'sales.deferrable_pk', 'deferrable_other'])), refused);
      assert.deepEqual(await countSlotsAndPubs(pg), before, 'no slot, no publication');
      const ident = await pg.query<{ t: string; r: string }>(
        "SELECT relname::text AS t, relreplident::text AS r FROM pg_class WHERE relname IN ('deferred_pk', 'deferrable_other') ORDER BY 1",
      );
      assert.deepEqual(
        ident.rows,
        [
          { t: 'deferrable_other', r: 'd' },
          { t: 'deferred_pk', r: 'd' },
        ],
        'REPLICA IDENTITY FULL was not set',
      );
      assert.deepEqual(
        (await src.checkTables(tableIds(['deferrable_other']))).map((t) => t.keyColumns),
        [['id']],
      );

      // The fix the message names works: afterwards setup passes, with the same key.
      let hint = '';
      await assert.rejects(src.inspect(), (e: unknown) => {
        hint = e instanceof Error ? e.message : '';
        return true;
      });
      for (const table of ['deferred_pk', 'sales\\.deferrable_pk']) {
        const line = hint.split('\n').find((l) => new RegExp(`^Table '${table}'`).test(l)) ?? '';
        const create = /CREATE UNIQUE INDEX CONCURRENTLY [^;]+;/.exec(line)?.[0];
        const replace = /ALTER TABLE [^;]+ PRIMARY KEY USING INDEX [^;]+;/.exec(line)?.[0];
        assert.ok(create && replace, line);
        await pg.query(create);
        await pg.query(replace);
      }
      const { tables: schemas } = await src.setup();
      assert.deepEqual(
        schemas.map((t) => t.keyColumns),
        [['id'], ['line', 'id'], ['id'], ['id']],
      );
      const constraints = await pg.query<{ n: string; d: boolean }>(
        "SELECT conname::text AS n, condeferrable AS d FROM pg_constraint WHERE conname IN ('deferred_pk_pkey', 'sales_pk') ORDER BY 1",
      );
      assert.deepEqual(constraints.rows, [
        { n: 'deferred_pk_pkey', d: false },
        { n: 'sales_pk', d: false },
      ]);
    } finally {
      await src.close();
    }
  });

  it('REPLICA IDENTITY NOTHING is refused (updates would not carry the key)', async () => {
    await pg.query('CREATE TABLE ident_nothing (id int PRIMARY KEY)');
    await pg.query('ALTER TABLE ident_nothing REPLICA IDENTITY NOTHING');
    const src = createSource(pg, { slot: 'ident', tables: ['ident_nothing'] });
    try {
      await assert.rejects(src.setup(), /REPLICA IDENTITY NOTHING/);
    } finally {
      await src.close();
    }
  });

  it('an existing slot with another plugin is a clear error and is left untouched', async () => {
    await pg.query("SELECT pg_create_logical_replication_slot('foreign_slot', 'test_decoding')");
    const before = await slotRow(pg, 'foreign_slot');
    const src = createSource(pg, { slot: 'foreign_slot', tables: ['orders'] });
    try {
      await assert.rejects(src.setup(), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.match(e.message, /uses the output plugin 'test_decoding'; dbmazz needs pgoutput/);
        return true;
      });
      assert.deepEqual(await slotRow(pg, 'foreign_slot'), before);
      assert.deepEqual(await publicationTables(pg, 'foreign_slot_pub'), [], 'no publication created');
    } finally {
      await src.close();
    }
  });

  it('a role without REPLICATION is refused by validateConnection', async () => {
    await pg.query('CREATE ROLE plain LOGIN');
    const src = createSource(pg, { slot: 'plain', tables: ['orders'], url: `postgres://plain@${pg.host}:${pg.port}/${pg.database}` });
    try {
      await assert.rejects(src.validateConnection(), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.match(e.message, /Role 'plain' may not use replication/);
        assert.match(e.hint ?? '', /ALTER ROLE plain WITH REPLICATION/);
        assert.equal(e.retry, 'never');
        return true;
      });
    } finally {
      await src.close();
    }
  });

  it('connection errors are retriable and never show the password', async () => {
    const src = createSource(pg, { slot: 'conn', tables: ['orders'], url: 'postgres://u:s3cret@127.0.0.1:1/db' });
    try {
      await assert.rejects(src.validateConnection(), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.equal(e.retry, 'retry');
        assert.equal(e.code, 'SOURCE_CONNECTION');
        assert.ok(!e.message.includes('s3cret') && !(e.hint ?? '').includes('s3cret'));
        return true;
      });
    } finally {
      await src.close();
    }
  });

  it('destroy drops the slot and the publication', async () => {
    const src = createSource(pg, { slot: 'gone', tables: ['orders'] });
    try {
      await src.setup();
      assert.ok(await slotRow(pg, 'gone'));
      await src.destroy?.();
      assert.equal(await slotRow(pg, 'gone'), undefined);
      const p = await pg.query("SELECT 1 FROM pg_publication WHERE pubname = 'gone_pub'");
      assert.equal(p.rowCount, 0);
    } finally {
      await src.close();
    }
  });

  it('REPLICA IDENTITY FULL setting sets it on the tables at setup', async () => {
    await pg.query('CREATE TABLE wants_full (id int PRIMARY KEY, v text)');
    const src = createSource(pg, { slot: 'full', tables: ['wants_full'], replicaIdentityFull: true });
    try {
      await src.setup();
      const r = await pg.query<{ r: string }>("SELECT relreplident::text AS r FROM pg_class WHERE relname = 'wants_full'");
      assert.equal(r.rows[0]?.r, 'f');
    } finally {
      await src.close();
    }
  });
});

describe('PostgreSQL source on a server with wal_level = replica', () => {
  let pg: PgHarness;
  before(async () => {
    pg = await startPostgres({ settings: { wal_level: 'replica' } });
    await pg.query('CREATE TABLE orders (id int PRIMARY KEY)');
  });
  after(() => pg.close());

  it('validateConnection says to set wal_level = logical and restart; nothing is created', async () => {
    const src = createSource(pg, { slot: 'r_slot', tables: ['orders'] });
    try {
      await assert.rejects(src.validateConnection(), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.match(e.message, /wal_level = replica; logical replication needs wal_level = logical/);
        assert.match(e.hint ?? '', /Set wal_level = logical in postgresql\.conf.*restart PostgreSQL/);
        assert.equal(e.retry, 'never');
        return true;
      });
      assert.deepEqual(await countSlotsAndPubs(pg), { slots: 0, pubs: 0 });
    } finally {
      await src.close();
    }
  });
});
