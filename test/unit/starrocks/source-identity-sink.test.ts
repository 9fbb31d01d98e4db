/**
 * The sink's source identity and target naming against the StarRocks emulator (real MySQL protocol and
 * Stream Load): record, adopt, refuse with nothing changed, truncate, label tags, mapped targets.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { ConnectorContext, Settings, SourceIdentity, TableSchema } from '../../../core/index.js';
import { CdcError, connectorContext } from '../../../core/index.js';
import { readStarRocksConfig, StarRocksSink } from '../../../connectors/starrocks/index.js';
import { sourceLabelTag } from '../../../connectors/starrocks/source-identity.js';
import { withMysql } from '../../../connectors/starrocks/setup/mysql.js';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { column, ins, tableSchema } from './fixtures.js';

const DB = 'sid';
const PIPELINE = 'dbmazz_slot';
const A: SourceIdentity = { id: 'postgresql:1001:shop', description: 'PostgreSQL system 1001, database shop' };
const B: SourceIdentity = { id: 'postgresql:2002:shop', description: 'PostgreSQL system 2002, database shop' };

describe('StarRocks sink source identity and target names (emulator)', () => {
  let em: StarRocksEmulator;
  const logs: { msg: string; [k: string]: unknown }[] = [];
  const sinks: StarRocksSink[] = [];
  const statements: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _e, cb) {
        for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) logs.push(JSON.parse(l) as { msg: string });
        cb();
      },
    }),
  );
  const sink = (settings: Settings = {}): StarRocksSink => {
    const cfg = readStarRocksConfig({
      SINK_URL: em.feHttpUrl,
      SINK_DATABASE: DB,
      SINK_PORT: em.mysqlPort,
      SINK_POLL_INTERVAL_MS: 20,
      SINK_REPLICATION_NUM: 1,
      ...settings,
    });
    const ctx: ConnectorContext = connectorContext({ logger, pipelineId: PIPELINE });
    const mysqlOptions = { host: '127.0.0.1', port: em.mysqlPort, user: 'root', password: '', connectTimeoutMs: 5000 };
    const s = new StarRocksSink(cfg, ctx, { sql: (fn) => withMysql(mysqlOptions, (query) => fn(async (sql) => (statements.push(sql), query(sql)))) });
    sinks.push(s);
    return s;
  };
  const write = (s: StarRocksSink, schema: TableSchema, lsn: bigint, id: bigint, v: string): Promise<unknown> =>
    s.write({ schema, records: [ins(schema, lsn, [id, v])], firstLsn: lsn, lastLsn: lsn, pipelineId: PIPELINE }, new AbortController().signal);
  const recorded = (): Record<string, string> =>
    Object.fromEntries(em.rows(DB, 'dbmazz_source_identity').map((r) => [String(r['table_name']), String(r['source_id'])]));
  const create = (name: string): Promise<unknown> =>
    em.sql(`CREATE TABLE \`${name}\` (id BIGINT NOT NULL, v STRING) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")`, DB);

  before(async () => {
    em = await startStarRocksEmulator();
    await em.sql(`CREATE DATABASE ${DB}`);
  });
  after(async () => {
    for (const s of sinks) await s.close();
    await em?.close();
  });

  it('adopts a table an older dbmazz wrote, then refuses another source with nothing changed', async () => {
    await create('legacy');
    const t = tableSchema('legacy', [column('id', 'int8', true), column('v', 'text')]);
    const old = sink();
    await old.setup([t]); // no identity: an older dbmazz, or a source that cannot tell
    await write(old, t, 0x5000n, 1n, 'x');
    assert.equal(em.catalog.getTable(DB, 'dbmazz_source_identity'), undefined);

    await sink().setup([t], { source: A });
    assert.deepEqual(recorded(), { legacy: A.id });
    assert.ok(logs.some((l) => /no recorded source \(written by an older dbmazz\)/.test(l.msg) && l['table'] === `${DB}.legacy`));

    const rowsBefore = JSON.stringify(em.rows(DB, 'legacy'), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    const loadsBefore = em.loads().length;
    statements.length = 0;
    await assert.rejects(sink().setup([t], { source: B }), (e: unknown) => {
      assert.ok(e instanceof CdcError);
      assert.match(e.message, new RegExp(`${DB}\\.legacy \\(source table public\\.legacy\\) holds rows written from ${A.description} \\[${A.id}\\]`));
      assert.match(e.message, new RegExp(`configured now, ${B.description}`));
      return true;
    });
    assert.deepEqual(
      statements.filter((s) => !/^\s*(SELECT|SHOW)\b/i.test(s)),
      [],
      'only reads before the refusal',
    );
    assert.equal(em.loads().length, loadsBefore);
    assert.equal(
      JSON.stringify(em.rows(DB, 'legacy'), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
      rowsBefore,
    );
    assert.deepEqual(recorded(), { legacy: A.id });
  });

  it('an empty table takes the new source; truncate empties a conflicting one; labels carry the source tag', async () => {
    await create('fresh');
    await create('kept');
    const fresh = tableSchema('fresh', [column('id', 'int8', true), column('v', 'text')]);
    const kept = tableSchema('kept', [column('id', 'int8', true), column('v', 'text')]);
    const a = sink();
    await a.setup([fresh, kept], { source: A });
    await write(a, kept, 0x9000n, 1n, 'a');
    assert.equal(recorded()['fresh'], A.id);

    const b = sink({ SINK_ON_SOURCE_CHANGE: 'truncate' });
    await b.setup([fresh, kept], { source: B });
    assert.deepEqual([recorded()['fresh'], recorded()['kept']], [B.id, B.id]);
    assert.equal(em.rows(DB, 'kept').length, 0, 'the conflicting table was not emptied');
    assert.ok(statements.some((s) => /^TRUNCATE TABLE `sid`\.`kept`$/.test(s)));
    assert.ok(!statements.some((s) => /^TRUNCATE TABLE `sid`\.`fresh`$/.test(s)), 'an empty table was truncated');
    // An older change position than the first source's: applied, and under a label of this source.
    await write(b, kept, 0x100n, 1n, 'b');
    assert.deepEqual(
      em.rows(DB, 'kept').map((r) => r['v']),
      ['b'],
    );
    const label =
      em
        .loads()
        .filter((l) => l.table === 'kept')
        .at(-1)?.label ?? '';
    assert.ok(label.startsWith(`dbmazz-${PIPELINE}_${sourceLabelTag(B)}-kept-`), label);
  });

  it('SINK_TABLE_NAME and SINK_TABLE_MAP choose the target; setup refuses two tables into one target', async () => {
    const s1 = tableSchema('orders', [column('id', 'int8', true), column('v', 'text')], 's1');
    const s2 = tableSchema('orders', [column('id', 'int8', true), column('v', 'text')], 's2');
    const named = sink({ SINK_TABLE_NAME: '{schema}_{table}', SINK_TABLE_MAP: ['s2.orders:Orders Two'], SINK_CREATE_TABLES: true });
    await named.setup([s1, s2], { source: A });
    await write(named, s1, 0x10n, 1n, 'one');
    await write(named, s2, 0x11n, 1n, 'two');
    assert.deepEqual(
      em.rows(DB, 's1_orders').map((r) => r['v']),
      ['one'],
    );
    assert.deepEqual(
      em.rows(DB, 'Orders Two').map((r) => r['v']),
      ['two'],
    );
    assert.equal(recorded()['Orders Two'], A.id);
    assert.deepEqual(named.checkTables([s1.id, s2.id]), []);

    const plain = sink();
    assert.match(plain.checkTables([s1.id, s2.id]).join(), /s1\.orders and s2\.orders would both be loaded into the StarRocks table 'orders'/);
    await assert.rejects(plain.setup([s1, s2]), /s1\.orders and s2\.orders would both be loaded/);
  });
});
