/**
 * The replay guard against the emulator: a first sink instance loads changes, a second, fresh one
 * (as after a restart) receives a replay cut differently and writes only what StarRocks lacks, plus
 * the changes of transactions StarRocks holds at their own version (a tie: re-applied in order, since
 * a stored row at a transaction's commit version may come from a later change of that transaction).
 * `conditionTies` (rows that hit a stored row with an equal `dbmazz_cdc_version`) shows exactly which
 * keys were re-applied. Fixture records are one transaction each (commit version = LSN).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { TableSchema } from '../../../core/index.js';
import { UNCHANGED } from '../../../core/index.js';
import type { ChangeRecord } from '../../../core/index.js';
import { batchIdentity, makeLabel } from '../../../connectors/starrocks/stream-load/label.js';
import { column, del, ins, tableSchema, upd } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { batch, DB, PIPELINE, rowsById, signal, startHarness } from './harness.js';

describe('StarRocks sink replay guard (emulator)', () => {
  let h: Harness;

  before(async () => {
    h = await startHarness();
  });
  beforeEach(() => {
    h.emu.clearLoads();
  });
  after(async () => {
    await h.close();
  });

  async function table(name: string): Promise<TableSchema> {
    await h.create(`${DB}.${name} (id BIGINT NOT NULL, v STRING, notes STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    return tableSchema(name, [column('id', 'int8', true), column('v', 'text'), column('notes', 'text')]);
  }

  /** The label of load `index` of a batch of `records` (no guard variant). */
  const plainLabel = (t: TableSchema, records: readonly ChangeRecord[], index = 0): string =>
    makeLabel({ prefix: 'dbmazz', pipelineId: PIPELINE, table: t.id.name, ...batchIdentity(records), index });

  /** The first sink writes `records` as one batch, and dies after its first load committed. */
  async function crashAfterFirstLoad(t: TableSchema, records: readonly ChangeRecord[]): Promise<void> {
    const first = h.sink();
    await first.setup([t]);
    h.emu.faults.inject({ kind: 'fail', after: 1, table: t.id.name, message: 'the daemon died here' });
    await assert.rejects(first.write(batch(t, records), signal()), /the daemon died here/);
    h.emu.faults.clear();
    assert.deepEqual(
      h.emu.loads().map((l) => [l.label, l.status]),
      [
        [plainLabel(t, records, 0), 'Success'],
        [plainLabel(t, records, 1), 'Fail'],
      ],
    );
    h.emu.clearLoads();
  }

  it('a restarted sink skips the changes StarRocks already has and loads only the new ones', async () => {
    const t = await table('guarded');
    const first = h.sink();
    await first.setup([t]);
    await first.write(batch(t, [ins(t, 100n, [1n, 'a', 'n1']), ins(t, 101n, [2n, 'b', 'n2']), ins(t, 102n, [3n, 'c', 'n3'])]), signal());
    await first.write(batch(t, [upd(t, 110n, [1n, 'a2', 'n1'])]), signal());
    h.emu.clearLoads();

    // Restart: a fresh instance, and a replay from before the last confirmed position, cut as one batch.
    const second = h.sink();
    await second.setup([t]);
    const res = await second.write(
      batch(t, [
        ins(t, 100n, [1n, 'a', 'n1']), // superseded by 110: dropped
        ins(t, 101n, [2n, 'b', 'n2']), // stored at its version (tie): re-applied, then 120
        ins(t, 102n, [3n, 'c', 'n3']), // stored at its version (tie): re-applied, then 125
        upd(t, 110n, [1n, 'a2', 'n1']), // stored at its version (tie): re-applied
        upd(t, 120n, [2n, 'b2', UNCHANGED]), // new (a partial update)
        del(t, 125n, [3n, null, null]), // new
        ins(t, 130n, [4n, 'd', 'n4']), // new
      ]),
      signal(),
    );
    assert.equal(res.rowsWritten, 4);
    const loads = h.emu.loads();
    assert.ok(loads.length > 0 && loads.every((l) => l.status === 'Success'), JSON.stringify(loads.map((l) => l.status)));
    assert.equal(new Set(loads.map((l) => l.label)).size, loads.length, 'no label loaded twice');
    // Only key 1 ends at a stored transaction's version (110); keys 2 and 3 end at newer ones.
    assert.equal(
      loads.reduce((n, l) => n + (l.conditionTies ?? 0), 0),
      1,
    );
    assert.equal(
      loads.reduce((n, l) => n + l.numberLoadedRows, 0),
      4,
    );
    const rows = rowsById(h, 'guarded');
    assert.equal(rows.get('1')?.['v'], 'a2');
    assert.equal(rows.get('1')?.['dbmazz_cdc_version'], 110n);
    assert.equal(rows.get('2')?.['v'], 'b2');
    assert.equal(rows.get('2')?.['notes'], 'n2');
    assert.equal(rows.get('2')?.['dbmazz_cdc_version'], 120n);
    assert.equal(rows.get('3')?.['dbmazz_is_deleted'], true);
    assert.equal(rows.get('3')?.['dbmazz_cdc_version'], 125n);
    assert.equal(rows.get('4')?.['v'], 'd');
    const info = h.logs.find((l) => /replay after restart/.test(l.msg) && l['table'] === `${DB}.guarded`);
    assert.equal(info?.['skipped'], 1);

    // After the replay, batches above the horizon are not looked up at all (normal operation).
    h.emu.clearLoads();
    await second.write(batch(t, [upd(t, 140n, [4n, 'd2', 'n4'])]), signal());
    assert.equal(rowsById(h, 'guarded').get('4')?.['v'], 'd2');
  });

  it('a replay whose changes are all superseded sends no load at all', async () => {
    const t = await table('guarded_all');
    const first = h.sink();
    await first.setup([t]);
    const records = [ins(t, 200n, [1n, 'a', 'n']), upd(t, 201n, [1n, 'b', 'n'])];
    await first.write(batch(t, records), signal());
    await first.write(batch(t, [upd(t, 210n, [1n, 'c', 'n'])]), signal());
    h.emu.clearLoads();
    const second = h.sink();
    await second.setup([t]);
    const res = await second.write(batch(t, records, { first: 199n, last: 201n }), signal());
    assert.deepEqual(res, { rowsWritten: 0, bytesWritten: 0, loads: 0 });
    assert.deepEqual(h.emu.loads(), []);
  });

  it('a batch replayed with the same cut but shortened by the guard does not reuse the committed label', async () => {
    // The crashed flush 600..601 had two loads: 0 = the full row of id 21, 1 = a partial update of
    // id 20. Load 0 committed, then the daemon died.
    const t = await table('guarded_cut');
    const setup = h.sink();
    await setup.setup([t]);
    await setup.write(batch(t, [ins(t, 500n, [20n, 'old', 'toasted'])]), signal());
    h.emu.clearLoads();
    const flush = [ins(t, 600n, [21n, 'A', 'a']), upd(t, 601n, [20n, 'new', UNCHANGED])];
    await crashAfterFirstLoad(t, flush);
    // A run cut differently then wrote a later transaction of id 21 (650), and died unconfirmed too.
    const between = h.sink();
    await between.setup([t]);
    await between.write(batch(t, [upd(t, 650n, [21n, 'B', 'a'])]), signal());
    h.emu.clearLoads();

    // The replay cuts the first flush again. The guard drops id 21 (600 < 650); id 20's change alone
    // becomes load 0 — under the committed label it would be skipped as "Label Already Exists" and lost.
    const second = h.sink();
    await second.setup([t]);
    await second.write(batch(t, flush), signal());
    const loads = h.emu.loads();
    assert.deepEqual(
      loads.map((l) => l.status),
      ['Success'],
    );
    assert.notEqual(loads[0]?.label, plainLabel(t, flush, 0));
    assert.equal(loads[0]?.conditionTies ?? 0, 0);
    const row = rowsById(h, 'guarded_cut').get('20');
    assert.equal(row?.['v'], 'new');
    assert.equal(row?.['notes'], 'toasted');
    assert.equal(row?.['dbmazz_cdc_version'], 601n);
  });

  it('a key change whose new row committed but whose old-key soft delete did not is completed', async () => {
    const t = await table('guarded_key');
    const setup = h.sink();
    await setup.setup([t]);
    await setup.write(batch(t, [ins(t, 700n, [30n, 'x', 'n'])]), signal());
    h.emu.clearLoads();
    // The flush 710..710 (30 → 31) had two loads: 0 = the new key's full row, 1 = the old key's soft
    // delete (a partial row). Load 0 committed, then the daemon died.
    const flush = [upd(t, 710n, [31n, 'moved', 'n'], { oldKey: [30n] })];
    await crashAfterFirstLoad(t, flush);

    const second = h.sink();
    await second.setup([t]);
    await second.write(batch(t, flush), signal());
    assert.deepEqual(
      h.emu.loads().map((l) => [l.label, l.status]),
      [
        [plainLabel(t, flush, 0), 'Label Already Exists'],
        [plainLabel(t, flush, 1), 'Success'],
      ],
    );
    const rows = rowsById(h, 'guarded_key');
    assert.equal(rows.get('30')?.['dbmazz_is_deleted'], true);
    assert.equal(rows.get('30')?.['dbmazz_cdc_version'], 710n);
    assert.equal(rows.get('31')?.['v'], 'moved');
  });
});
