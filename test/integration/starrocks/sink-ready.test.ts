/**
 * `WriteOptions.ready` (Sink.awaitsReady): the StarRocks sink plans and encodes a batch at once, but
 * reads the target (replay guard) and loads only once `ready` resolves; a rejected `ready` sends nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TableSchema } from '../../../core/index.js';
import { deferred } from '../../../core/pipeline/deferred.js';
import { settle } from '../../../core/testing/index.js';
import type { SqlRunner } from '../../../connectors/starrocks/index.js';
import { column, ins, tableSchema } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { batch, DB, rowsById, signal, startHarness } from './harness.js';

describe('StarRocks sink: write waits for ready (emulator)', () => {
  let h: Harness;
  let queries: string[];
  let sql: SqlRunner;

  before(async () => {
    h = await startHarness();
    queries = [];
    sql = (fn) =>
      fn(async (statement) => {
        queries.push(statement);
        return h.query(statement);
      });
  });
  after(async () => {
    await h.close();
  });

  async function table(name: string): Promise<TableSchema> {
    await h.create(`${DB}.${name} (id BIGINT NOT NULL, v STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    return tableSchema(name, [column('id', 'int8', true), column('v', 'text')]);
  }

  it('encodes the batch before ready and loads only once it resolves', async () => {
    const t = await table('ready_plain');
    let stamps = 0;
    const sink = h.sink({}, { sql, now: () => (stamps++, new Date(0)) });
    await sink.setup([t]);
    assert.equal(sink.awaitsReady, true);
    const loadsBefore = h.emu.loads().length;
    const queriesBefore = queries.length;
    stamps = 0;
    const ready = deferred();
    const write = sink.write(batch(t, [ins(t, 100n, [1n, 'a']), ins(t, 101n, [2n, 'b'])]), signal(), { ready: ready.promise });
    await settle();
    // The `dbmazz_synced_at` stamp is taken when the load bodies are encoded.
    assert.equal(stamps, 1, 'planned and encoded while waiting');
    assert.equal(h.emu.loads().length, loadsBefore, 'no load before ready');
    assert.equal(queries.length, queriesBefore, 'no query before ready');
    ready.resolve();
    const result = await write;
    assert.equal(result.rowsWritten, 2);
    assert.equal(h.emu.loads().length, loadsBefore + 1);
    assert.equal(rowsById(h, 'ready_plain').get('2')?.['v'], 'b');
  });

  it('a batch the replay guard must check reads the target only after ready', async () => {
    const t = await table('ready_guard');
    const first = h.sink();
    await first.setup([t]);
    await first.write(batch(t, [ins(t, 500n, [1n, 'stored'])]), signal());
    // A restarted sink: its horizon is 500, so a replayed batch at 400 needs a lookup.
    const sink = h.sink({}, { sql });
    await sink.setup([t]);
    const loadsBefore = h.emu.loads().length;
    const queriesBefore = queries.length;
    const ready = deferred();
    const write = sink.write(batch(t, [ins(t, 400n, [1n, 'old']), ins(t, 400n, [2n, 'new'])]), signal(), { ready: ready.promise });
    await settle();
    assert.equal(queries.length, queriesBefore, 'the guard lookup waits for ready');
    assert.equal(h.emu.loads().length, loadsBefore);
    ready.resolve();
    const result = await write;
    assert.ok(queries.length > queriesBefore, 'the guard looked up the stored rows');
    assert.equal(result.rowsWritten, 1, 'the change StarRocks already has a newer version of is skipped');
    assert.equal(rowsById(h, 'ready_guard').get('1')?.['v'], 'stored');
    assert.equal(rowsById(h, 'ready_guard').get('2')?.['v'], 'new');
  });

  it('a rejected ready sends nothing and rejects', async () => {
    const t = await table('ready_rejected');
    const sink = h.sink({}, { sql });
    await sink.setup([t]);
    const loadsBefore = h.emu.loads().length;
    const ready = deferred();
    const write = sink.write(batch(t, [ins(t, 100n, [1n, 'a'])]), signal(), { ready: ready.promise });
    ready.reject(new Error('an earlier flush failed'));
    await assert.rejects(write, /an earlier flush failed/);
    assert.equal(h.emu.loads().length, loadsBefore);
    assert.equal(h.emu.rows(DB, 'ready_rejected').length, 0);
  });
});
