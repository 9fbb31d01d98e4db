/**
 * The sink's schema evolution against the StarRocks emulator (real MySQL protocol and Stream Load on
 * 127.0.0.1, schema-change jobs that stay RUNNING for a while): schemaChanged → DDL → loads.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { ConnectorContext, Settings, TableSchema } from '../../../core/index.js';
import { CdcError, connectorContext } from '../../../core/index.js';
import { readStarRocksConfig, StarRocksSink } from '../../../connectors/starrocks/index.js';
import { withMysql } from '../../../connectors/starrocks/setup/mysql.js';
import { startStarRocksEmulator, type StarRocksEmulator, formatColumnType, schemaChangesOf } from 'dbmazz-starrocks-emulator';
import { column, ins, tableSchema } from './fixtures.js';

const DB = 'sev';
const PIPELINE = 'dbmazz_slot';

interface Line {
  readonly level: number;
  readonly msg: string;
  readonly [k: string]: unknown;
}

describe('StarRocks sink schema evolution (emulator)', () => {
  let em: StarRocksEmulator;
  const logs: Line[] = [];
  const sinks: StarRocksSink[] = [];
  const statements: string[] = [];
  /** Runs before a statement is sent (tests interpose competing DDL). */
  let beforeStatement: ((sql: string) => Promise<void>) | undefined;

  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) logs.push(JSON.parse(l) as Line);
        cb();
      },
    }),
  );

  const sink = (settings: Settings = {}): StarRocksSink => {
    const cfg = readStarRocksConfig({ SINK_URL: em.feHttpUrl, SINK_DATABASE: DB, SINK_PORT: em.mysqlPort, SINK_POLL_INTERVAL_MS: 20, ...settings });
    const ctx: ConnectorContext = connectorContext({ logger, pipelineId: PIPELINE });
    const mysqlOptions = { host: '127.0.0.1', port: em.mysqlPort, user: 'root', password: '', connectTimeoutMs: 5000 };
    const s = new StarRocksSink(cfg, ctx, {
      sql: (fn) =>
        withMysql(mysqlOptions, (query) =>
          fn(async (sql) => {
            statements.push(sql);
            await beforeStatement?.(sql);
            return query(sql);
          }),
        ),
    });
    sinks.push(s);
    return s;
  };
  const create = (ddl: string): Promise<unknown> => em.sql(`CREATE TABLE ${ddl} PROPERTIES ("replication_num" = "1")`, DB);
  const types = (table: string): Record<string, string> =>
    Object.fromEntries((em.catalog.getTable(DB, table)?.columns ?? []).map((c) => [c.name, formatColumnType(c.type, 'sql')]));
  const jobs = (table: string): number =>
    schemaChangesOf(em.catalog)
      .jobs(DB)
      .filter((j) => j.tableName === table).length;
  const write = (s: StarRocksSink, schema: TableSchema, lsn: bigint, values: Parameters<typeof ins>[2]): ReturnType<StarRocksSink['write']> =>
    s.write({ schema, records: [ins(schema, lsn, values)], firstLsn: lsn, lastLsn: lsn, pipelineId: PIPELINE }, new AbortController().signal);
  const row = (table: string, id: bigint): Record<string, unknown> | undefined => em.rows(DB, table).find((r) => r['id'] === id);

  before(async () => {
    em = await startStarRocksEmulator({ schemaChangeMs: 300 });
    await em.sql(`CREATE DATABASE ${DB}`);
  });
  after(async () => {
    for (const s of sinks) await s.close();
    await em.close();
  });

  it('adds every new column in one ALTER, returns once the job is FINISHED, and the next load carries the values', async () => {
    await create('a1 (id BIGINT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id)');
    const v1 = tableSchema('a1', [column('id', 'int8', true), column('v', 'text')]);
    const v2 = tableSchema('a1', [...v1.columns, column('n', 'int4'), column('d', 'numeric', false, ((8 << 16) | 3) + 4), column('j', 'json')]);
    const s = sink();
    await s.setup([v1]);
    const before = jobs('a1');
    await s.schemaChanged(v2, v1);
    assert.equal(jobs('a1'), before + 1, 'one ALTER for three columns');
    assert.deepEqual([types('a1')['n'], types('a1')['d'], types('a1')['j']], ['INT', 'DECIMAL(8,3)', 'JSON']);
    assert.equal(em.catalog.getTable(DB, 'a1')?.findColumn('n')?.comment, 'source type int4');
    await write(s, v2, 10n, [1n, 'x', 42, null, null]);
    assert.equal(row('a1', 1n)?.['n'], 42n);
    // Idempotent: the same change again runs no DDL.
    await s.schemaChanged(v2, v1);
    assert.equal(jobs('a1'), before + 1);
  });

  it('waits while another schema change runs, and treats a column added meanwhile as done', async () => {
    await create('a2 (id BIGINT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id)');
    const v1 = tableSchema('a2', [column('id', 'int8', true), column('v', 'text')]);
    const v2 = tableSchema('a2', [...v1.columns, column('n', 'int4'), column('m', 'int8')]);
    const s = sink();
    await s.setup([v1]);
    logs.length = 0;
    await em.sql('ALTER TABLE a2 ADD COLUMN other INT', DB);
    // Someone else adds `n` right before our ALTER: it fails with `already exists`, the sink re-reads
    // information_schema and adds what is still missing.
    beforeStatement = async (sql) => {
      if (!/ALTER TABLE .* ADD COLUMN/.test(sql)) return;
      beforeStatement = undefined;
      for (;;) {
        try {
          await em.sql('ALTER TABLE a2 ADD COLUMN n INT', DB);
          break;
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    await s.schemaChanged(v2, v1);
    assert.ok(logs.some((l) => l.msg === 'a schema change is in progress on the target table; waiting'));
    assert.deepEqual(
      Object.keys(types('a2')).filter((n) => !n.startsWith('dbmazz_')),
      ['id', 'v', 'other', 'n', 'm'],
    );
    await write(s, v2, 20n, [1n, 'x', 5, 6n]);
    assert.equal(row('a2', 1n)?.['m'], 6n);
  });

  it('widens a changed type with MODIFY COLUMN, repeating NOT NULL and the DEFAULT', async () => {
    await create('a3 (id BIGINT NOT NULL, qty INT NOT NULL DEFAULT "0", s VARCHAR(20)) PRIMARY KEY (id) DISTRIBUTED BY HASH(id)');
    const v1 = tableSchema('a3', [column('id', 'int8', true), column('qty', 'int4'), column('s', 'text')]);
    const v2 = tableSchema('a3', [column('id', 'int8', true), column('qty', 'int8'), column('s', 'text')]);
    const s = sink();
    await s.setup([v1]);
    await s.schemaChanged(v2, v1);
    const qty = em.catalog.getTable(DB, 'a3')?.findColumn('qty');
    assert.equal(qty && formatColumnType(qty.type, 'sql'), 'BIGINT');
    assert.equal(qty?.nullable, false);
    assert.deepEqual(qty?.default, { kind: 'value', text: '0' });
    assert.ok(statements.some((x) => /MODIFY COLUMN `qty` BIGINT NOT NULL DEFAULT '0'/.test(x)));
    await write(s, v2, 30n, [1n, 5_000_000_000n, 'x']);
    assert.equal(row('a3', 1n)?.['qty'], 5_000_000_000n);
  });

  it('fails with a stage error, before any DDL, on a change StarRocks cannot apply', async () => {
    await create('a4 (id INT NOT NULL, flag BOOLEAN) PRIMARY KEY (id) DISTRIBUTED BY HASH(id)');
    const v1 = tableSchema('a4', [column('id', 'int4', true), column('flag', 'boolean')]);
    const s = sink();
    await s.setup([v1]);
    const before = jobs('a4');
    const flagToInt = tableSchema('a4', [column('id', 'int4', true), column('flag', 'int4'), column('added', 'text')]);
    await assert.rejects(s.schemaChanged(flagToInt, v1), (e: unknown) => {
      assert.ok(e instanceof CdcError);
      assert.equal(e.code, 'SINK_SCHEMA');
      assert.equal(e.retry, 'never');
      assert.match(
        e.message,
        /column flag changed in public\.a4 from boolean to int4, which needs StarRocks INT, but the column is BOOLEAN and StarRocks cannot change a column from BOOLEAN to INT/,
      );
      return true;
    });
    const keyToBig = tableSchema('a4', [column('id', 'int8', true), column('flag', 'boolean')]);
    await assert.rejects(s.schemaChanged(keyToBig, v1), /StarRocks cannot change the type of a Primary Key column/);
    assert.equal(jobs('a4'), before, 'nothing changed in StarRocks');
    assert.equal('added' in types('a4'), false);
  });

  it('reports a schema-change job StarRocks cancelled', async () => {
    await create('a5 (id INT NOT NULL, code VARCHAR(10)) PRIMARY KEY (id) DISTRIBUTED BY HASH(id)');
    const v1 = tableSchema('a5', [column('id', 'int4', true), column('code', 'text')]);
    const s = sink();
    await s.setup([v1]);
    await write(s, v1, 40n, [1n, 'abc']);
    const v2 = tableSchema('a5', [column('id', 'int4', true), column('code', 'int4')]);
    await assert.rejects(
      s.schemaChanged(v2, v1),
      (e: unknown) =>
        e instanceof CdcError &&
        e.code === 'SINK_SCHEMA' &&
        /StarRocks cancelled the schema change changing the type of code to INT in sev\.a5: .*abc/.test(e.message),
    );
  });

  it('SCHEMA_EVOLUTION=ignore: no DDL, the missing columns are left out of the loads', async () => {
    await create('a6 (id BIGINT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id)');
    const v1 = tableSchema('a6', [column('id', 'int8', true), column('v', 'text')]);
    const v2 = tableSchema('a6', [column('id', 'int8', true), column('extra', 'int4'), column('v', 'text')]);
    const s = sink({ SCHEMA_EVOLUTION: 'ignore' });
    await s.setup([v1]);
    const before = jobs('a6');
    logs.length = 0;
    await s.schemaChanged(v2, v1);
    assert.ok(logs.some((l) => /SCHEMA_EVOLUTION=ignore/.test(l.msg) && JSON.stringify(l['columns']) === '["extra"]'));
    const count = statements.length;
    await write(s, v2, 50n, [1n, 7, 'one']);
    await write(s, v2, 51n, [2n, 8, 'two']);
    assert.equal(statements.length, count, 'the target is not re-read for every batch');
    assert.equal(jobs('a6'), before);
    assert.deepEqual(
      em.rows(DB, 'a6').map((r) => [r['id'], r['v']]),
      [
        [1n, 'one'],
        [2n, 'two'],
      ],
    );
    // The setup of a table that lacks a source column warns too (instead of failing).
    const s2 = sink({ SCHEMA_EVOLUTION: 'ignore' });
    await s2.setup([v2]);
  });

  it('SCHEMA_EVOLUTION=fail: a change StarRocks does not fit stops; one it already fits (or a drop) only warns', async () => {
    await create('a7 (id BIGINT NOT NULL, v STRING, later INT) PRIMARY KEY (id) DISTRIBUTED BY HASH(id)');
    const v1 = tableSchema('a7', [column('id', 'int8', true), column('v', 'text')]);
    const s = sink({ SCHEMA_EVOLUTION: 'fail' });
    await s.setup([v1]);
    const missing = tableSchema('a7', [...v1.columns, column('nope', 'int4')]);
    await assert.rejects(s.schemaChanged(missing, v1), /added nope \(int4\)\) and SCHEMA_EVOLUTION=fail/);
    const fits = tableSchema('a7', [...v1.columns, column('later', 'int4')]);
    logs.length = 0;
    await s.schemaChanged(fits, v1);
    await s.schemaChanged(v1, fits);
    assert.equal(logs.filter((l) => /already fits/.test(l.msg)).length, 2);
    await assert.rejects(sink({ SCHEMA_EVOLUTION: 'fail' }).setup([missing]), /has no column nope/);
  });

  it('SINK_CREATE_TABLES: creates the table, or explains why a key type cannot be a key', async () => {
    const schema = tableSchema('c1', [column('id', 'int8', true), column('name', 'text'), column('at', 'timestamptz')]);
    const s = sink({ SINK_CREATE_TABLES: true, SINK_REPLICATION_NUM: 1 });
    await s.setup([schema]);
    assert.deepEqual(types('c1'), {
      id: 'BIGINT',
      name: 'VARCHAR(65533)',
      at: 'DATETIME',
      dbmazz_op_type: 'TINYINT',
      dbmazz_is_deleted: 'BOOLEAN',
      dbmazz_synced_at: 'DATETIME',
      dbmazz_cdc_version: 'BIGINT',
    });
    await s.setup([schema]); // IF NOT EXISTS: a second setup is fine
    await write(s, schema, 60n, [1n, 'n', null]);
    assert.equal(row('c1', 1n)?.['name'], 'n');
    const numericKey = tableSchema('c2', [column('id', 'numeric', true, ((10 << 16) | 2) + 4), column('v', 'text')]);
    await assert.rejects(
      s.setup([numericKey]),
      /Cannot create sev\.c2: key column id \(numeric\(10,2\)\) maps to DECIMAL\(10,2\), which StarRocks does not allow in a PRIMARY KEY/,
    );
    await assert.rejects(
      sink().setup([tableSchema('c3', [column('id', 'int8', true)])]),
      (e: unknown) => e instanceof CdcError && /sev\.c3 does not exist/.test(e.message) && /SINK_CREATE_TABLES=true/.test(e.hint ?? ''),
    );
  });
});
