import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { column, ins, tableSchema } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { batch, DB, rowsById, signal, startHarness } from './harness.js';

const AUDIT = ['dbmazz_op_type', 'dbmazz_is_deleted', 'dbmazz_synced_at', 'dbmazz_cdc_version'];

describe('StarRocks sink setup (emulator)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ schemaChangeMs: 300 });
  });
  after(async () => {
    await h.close();
  });

  async function columnsOf(table: string): Promise<string[]> {
    const rows = await h.query(
      `SELECT COLUMN_NAME FROM information_schema.columns WHERE TABLE_SCHEMA = '${DB}' AND TABLE_NAME = '${table}' ORDER BY ORDINAL_POSITION`,
    );
    return rows.map((r) => String(r['COLUMN_NAME']));
  }

  it('adds the missing audit columns with one ALTER and returns only after the job is FINISHED', async () => {
    await h.create(`${DB}.items (id BIGINT NOT NULL, name STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    const schema = tableSchema('items', [column('id', 'int8', true), column('name', 'text')]);
    const sink = h.sink();
    await sink.setup([schema]);
    const jobs = await h.query(`SHOW ALTER TABLE COLUMN FROM ${DB} WHERE TableName = 'items' ORDER BY CreateTime DESC`);
    assert.equal(jobs.length, 1, 'one ALTER for all audit columns');
    assert.equal(jobs[0]?.['State'], 'FINISHED');
    assert.deepEqual(await columnsOf('items'), ['id', 'name', ...AUDIT]);
    // Loads right after setup carry the audit values.
    await sink.write(batch(schema, [ins(schema, 0x10n, [1n, 'a'])]), signal());
    const row = rowsById(h, 'items').get('1');
    assert.equal(row?.['dbmazz_cdc_version'], 16n);
    assert.equal(row?.['dbmazz_is_deleted'], false);
    assert.equal(row?.['dbmazz_op_type'], 0n);
    // Idempotent: a second setup changes nothing.
    await sink.setup([schema]);
    assert.equal((await h.query(`SHOW ALTER TABLE COLUMN FROM ${DB} WHERE TableName = 'items'`)).length, 1);
  });

  it('adds only the audit columns that are missing', async () => {
    await h.create(`${DB}.partial_audit (id INT NOT NULL, dbmazz_cdc_version BIGINT) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    await h.sink().setup([tableSchema('partial_audit', [column('id', 'int4', true)])]);
    assert.deepEqual(await columnsOf('partial_audit'), ['id', 'dbmazz_cdc_version', 'dbmazz_op_type', 'dbmazz_is_deleted', 'dbmazz_synced_at']);
  });

  it('waits while another schema change is in progress, then adds the columns', async () => {
    await h.create(`${DB}.busy (id INT NOT NULL, v INT) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    await h.emu.sql(`ALTER TABLE ${DB}.busy ADD COLUMN extra INT`);
    await h.sink().setup([tableSchema('busy', [column('id', 'int4', true), column('v', 'int4')])]);
    assert.deepEqual(await columnsOf('busy'), ['id', 'v', 'extra', ...AUDIT]);
    assert.ok(h.logs.some((l) => /schema change is in progress/.test(l.msg)));
  });

  it('works with reserved words as table and column names', async () => {
    await h.create(`${DB}.\`order\` (\`select\` BIGINT NOT NULL, \`desc\` STRING, \`from\` INT) PRIMARY KEY(\`select\`) DISTRIBUTED BY HASH(\`select\`)`);
    const schema = tableSchema('order', [column('select', 'int8', true), column('desc', 'text'), column('from', 'int4')]);
    const sink = h.sink();
    await sink.setup([schema]);
    await sink.write(batch(schema, [ins(schema, 5n, [1n, 'first', 7])]), signal());
    const rows = h.emu.rows(DB, 'order');
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.['desc'], 'first');
    assert.equal(rows[0]?.['from'], 7n);
  });

  it('fails clearly when the database does not exist', async () => {
    const sink = h.sink({ SINK_DATABASE: 'nope' });
    await assert.rejects(
      sink.setup([]),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_SCHEMA' && e.retry === 'never' && /database nope does not exist/.test(e.message),
    );
  });

  it('fails clearly when the table does not exist, suggesting a CREATE TABLE', async () => {
    const schema = tableSchema('missing', [column('id', 'int8', true), column('total', 'numeric', false, ((10 << 16) | 2) + 4)]);
    await assert.rejects(h.sink().setup([schema]), (e: unknown) => {
      assert.ok(e instanceof CdcError);
      assert.equal(e.code, 'SINK_SCHEMA');
      assert.equal(e.retry, 'never');
      assert.match(e.message, /cdc\.missing does not exist/);
      assert.match(e.hint ?? '', /CREATE TABLE `cdc`\.`missing`[\s\S]*`total` DECIMAL\(10,2\)[\s\S]*PRIMARY KEY \(`id`\)/);
      return true;
    });
  });

  it('refuses a table that is not a Primary Key table', async () => {
    await h.create(`${DB}.dup (id INT, v INT) DUPLICATE KEY(id) DISTRIBUTED BY HASH(id)`);
    await assert.rejects(
      h.sink().setup([tableSchema('dup', [column('id', 'int4', true), column('v', 'int4')])]),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_SCHEMA' && /DUPLICATE KEY table/.test(e.message) && /Primary Key table/.test(e.message),
    );
  });

  it('with SCHEMA_EVOLUTION=fail, names the source column missing in the target', async () => {
    await h.create(`${DB}.narrow (id INT NOT NULL) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    await assert.rejects(
      h.sink({ SCHEMA_EVOLUTION: 'fail' }).setup([tableSchema('narrow', [column('id', 'int4', true), column('price', 'float8')])]),
      (e: unknown) =>
        e instanceof CdcError &&
        e.code === 'SINK_SCHEMA' &&
        /cdc\.narrow has no column price/.test(e.message) &&
        /ADD COLUMN `price` DOUBLE/.test(e.hint ?? ''),
    );
  });

  it('refuses a primary key that differs from the source key', async () => {
    await h.create(`${DB}.otherkey (code STRING NOT NULL, id INT) PRIMARY KEY(code) DISTRIBUTED BY HASH(code)`);
    await assert.rejects(
      h.sink().setup([tableSchema('otherkey', [column('id', 'int4', true), column('code', 'text')])]),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_SCHEMA' && /Primary key of cdc\.otherkey \(code\) does not match/.test(e.message),
    );
  });

  it('refuses a non-integer dbmazz_cdc_version column', async () => {
    await h.create(`${DB}.badver (id INT NOT NULL, dbmazz_cdc_version STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    await assert.rejects(
      h.sink().setup([tableSchema('badver', [column('id', 'int4', true)])]),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_SCHEMA' && /must be BIGINT/.test(e.message),
    );
  });
});
