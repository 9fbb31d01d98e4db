/**
 * Schema evolution end to end (SCHEMA_EVOLUTION=evolve, the default): the real CLI against a harness
 * PostgreSQL and the StarRocks emulator, with schema-change jobs that really run for a while
 * (`schemaChangeMs`), so loading a new column before its job is FINISHED would silently lose its values.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startPostgres, type PgHarness, type ColumnCheck } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { exitOf, killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';
import { addJobs, diffTable, queryOf, srLive, srTypes, waitConverged } from './schema-evolution-fixture.js';

const DB = 'evo';
const BASE: ColumnCheck[] = [{ name: 'id' }, { name: 'name' }, { name: 'qty' }, { name: 'flag' }];
const ADDED: ColumnCheck[] = [
  { name: 'price' },
  { name: 'tags', pgExpr: 'array_to_json("tags")::text', json: true },
  { name: 'ok' },
  { name: 'seen_at', pgExpr: `("seen_at" AT TIME ZONE 'UTC')::text` },
  { name: 'meta', json: true },
];
const table = (cols: readonly ColumnCheck[]): { pg: string; sr: string; key: string[]; cols: readonly ColumnCheck[] } => ({
  pg: 'public.items',
  sr: 'items',
  key: ['id'],
  cols,
});

describe('schema evolution end to end: columns added, dropped and retyped while changes stream', () => {
  let pg: PgHarness;
  let em: StarRocksEmulator;
  let daemon: DaemonProcess;

  before(async () => {
    pg = await startPostgres();
    em = await startStarRocksEmulator({ password: SR_PASSWORD, schemaChangeMs: 500 });
    await pg.query('CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, qty integer, flag boolean)');
    await em.sql(`CREATE DATABASE ${DB}`);
    await em.sql(
      'CREATE TABLE items (id BIGINT NOT NULL, name STRING, qty INT, flag BOOLEAN) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")',
      DB,
    );
    daemon = await startStreaming(pg, daemonEnv(pg, em, DB, 'items', { SINK_POLL_INTERVAL_MS: '50' }));
  });
  after(async () => {
    await killDaemons(daemon);
    await em?.close();
    await pg?.close();
  });

  it('adds columns of several types, with and without defaults, in one ALTER, waiting for the job before loading their values', async () => {
    const q = queryOf(pg);
    // Phase 1: changes on the old columns.
    let running = true;
    let next = 1;
    const phase1 = (async () => {
      while (running) {
        const id = next++;
        await q('INSERT INTO items VALUES ($1, $2, $3, $4)', [id, `item ${id}`, id % 7, id % 2 === 0]);
        if (id > 3) await q('UPDATE items SET qty = qty + 10 WHERE id = $1', [id - 3]);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    await waitFor(() => next > 40, { timeoutMs: 20_000 });
    running = false;
    await phase1;

    // Another schema change is running on the StarRocks table when the source changes: the sink has to
    // wait for it and retry its own ALTER.
    em.faults.schemaChangeRunningMs(1500);
    await em.sql('ALTER TABLE items ADD COLUMN sr_note STRING', DB);
    await q(
      `ALTER TABLE items ADD COLUMN price numeric(10,2), ADD COLUMN tags text[], ADD COLUMN ok boolean NOT NULL DEFAULT true,
         ADD COLUMN seen_at timestamptz DEFAULT '2024-05-01 10:00:00+00', ADD COLUMN meta jsonb`,
    );
    // Values written right after the ALTER, while earlier changes are still on their way.
    await q(
      `INSERT INTO items (id, name, qty, flag, price, tags, ok, seen_at, meta)
       VALUES (1000, 'right after', 1, true, 12.50, ARRAY['a', NULL, 'b"c'], false, '2024-06-01 12:34:56.789012+02', '{"k": [1, 2, {"x": "ü"}]}')`,
    );
    await q(`UPDATE items SET price = 99.99, meta = '{"u": true}', tags = '{}' WHERE id <= 5`);
    await q(`INSERT INTO items (id, name) VALUES (1001, 'defaults only')`);
    // Phase 2: more changes that carry the new columns, while the StarRocks jobs run.
    for (let id = 2000; id < 2030; id++) {
      await q('INSERT INTO items (id, name, qty, price, tags, meta) VALUES ($1, $2, $3, $4, $5, $6)', [
        id,
        `new ${id}`,
        id,
        (id / 8).toFixed(2),
        [`t${id}`],
        JSON.stringify({ id }),
      ]);
      if (id % 3 === 0) await q('UPDATE items SET ok = NOT ok, price = price + 1 WHERE id = $1', [id]);
    }

    const touched = (r: Record<string, string | null>): boolean => Number(r['id']) <= 5 || Number(r['id']) >= 1000;
    await waitConverged(q, em, DB, table([...BASE, ...ADDED]), daemon, touched);
    em.faults.schemaChangeRunningMs(500);

    // The new columns were added with the mapped types, in one statement; the other job's column stays.
    const types = srTypes(em, DB, 'items');
    assert.equal(types['price'], 'DECIMAL(10,2)');
    assert.equal(types['tags'], 'ARRAY<VARCHAR(65533)>');
    assert.equal(types['ok'], 'BOOLEAN');
    assert.equal(types['seen_at'], 'DATETIME');
    assert.equal(types['meta'], 'JSON');
    assert.equal(types['sr_note'], 'VARCHAR(65533)');
    const jobs = addJobs(em, DB, 'items');
    assert.deepEqual(
      jobs.filter((cols) => cols.includes('price')),
      [['price', 'tags', 'ok', 'seen_at', 'meta']],
      JSON.stringify(jobs),
    );
    assert.match(daemon.output(), /a schema change is in progress on the target table; waiting/);

    // Rows untouched since the ALTER keep NULL in the new columns (PostgreSQL wrote no change for them;
    // documented), until they change: then their values, defaults included, arrive.
    const untouched = srLive(em, DB, 'items', ['id'], [...BASE, ...ADDED]).get('10');
    assert.equal(untouched?.['ok'], null);
    assert.equal(untouched?.['price'], null);
    await q('UPDATE items SET qty = qty WHERE id < 1000');
    await waitConverged(q, em, DB, table([...BASE, ...ADDED]), daemon);
    assert.equal(srLive(em, DB, 'items', ['id'], [...BASE, ...ADDED]).get('10')?.['ok'], 'true');

    const failed = em.loads().filter((l) => l.db === DB && l.status !== 'Success');
    assert.deepEqual(failed, [], 'every load succeeded');
  });

  it('drops a column: rows keep flowing, StarRocks keeps the column (NULL for rows written later)', async () => {
    const q = queryOf(pg);
    await q('ALTER TABLE items DROP COLUMN flag');
    await q("INSERT INTO items (id, name, qty) VALUES (3000, 'after drop', 3)");
    await q("UPDATE items SET name = 'changed after drop' WHERE id = 2000");
    const cols = [{ name: 'id' }, { name: 'name' }, { name: 'qty' }, ...ADDED];
    await waitConverged(q, em, DB, table(cols), daemon);
    assert.ok('flag' in srTypes(em, DB, 'items'), 'the dropped column stays in StarRocks');
    const rows = srLive(em, DB, 'items', ['id'], [{ name: 'id' }, { name: 'flag' }]);
    assert.equal(rows.get('3000')?.['flag'], null);
    assert.equal(rows.get('1000')?.['flag'], 'true', 'rows not written since keep their value');
    assert.match(daemon.output(), /columns dropped \(or renamed\) in the source are kept in StarRocks/);
  });

  it('widens types StarRocks can change (MODIFY COLUMN) before loading values that need them', async () => {
    const q = queryOf(pg);
    await q('ALTER TABLE items ALTER COLUMN qty TYPE bigint, ALTER COLUMN price TYPE numeric(14,4)');
    await q("INSERT INTO items (id, name, qty, price) VALUES (4000, 'wide', 5000000000, 1234567890.1234)");
    await q('UPDATE items SET qty = 9007199254740993 WHERE id = 3000');
    const cols = [{ name: 'id' }, { name: 'name' }, { name: 'qty' }, ...ADDED];
    await waitConverged(q, em, DB, table(cols), daemon);
    const types = srTypes(em, DB, 'items');
    assert.equal(types['qty'], 'BIGINT');
    assert.equal(types['price'], 'DECIMAL(14,4)');
    assert.match(daemon.output(), /widening column types in the target table/);
  });

  it('a type change StarRocks cannot apply stops the pipeline with a stage error naming table, column and types', async () => {
    const q = queryOf(pg);
    await q('ALTER TABLE items ALTER COLUMN ok DROP DEFAULT, ALTER COLUMN ok TYPE integer USING ok::int');
    await q("INSERT INTO items (id, name, ok) VALUES (5000, 'int ok', 7)");
    const code = await exitOf(daemon);
    const out = daemon.output();
    assert.equal(code, 1, out.slice(-3000));
    assert.match(
      out,
      /Cannot apply a type change to evo\.items: column ok changed in public\.items from bool to int4, which needs StarRocks INT, but the column is BOOLEAN/,
    );
    assert.match(out, /recreate evo\.items with ok INT/);
    assert.equal(srTypes(em, DB, 'items')['ok'], 'BOOLEAN');
    assert.equal(srLive(em, DB, 'items', ['id'], [{ name: 'id' }]).has('5000'), false, 'no row of the new shape was loaded');
    assert.equal(await diffTable(q, em, DB, table([{ name: 'id' }, { name: 'name' }]), (r) => r['id'] !== '5000'), '');
  });
});
