import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { column, del, ins, tableSchema } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { batch, DB, rowsById, signal, startHarness } from './harness.js';

const live = (h: Harness, table: string): string[] =>
  [...rowsById(h, table).values()]
    .filter((r) => r['dbmazz_is_deleted'] !== true)
    .map((r) => `${String(r['id'])}=${String(r['v'])}`)
    .sort();

describe('StarRocks sink: TRUNCATE and the key size limit (emulator)', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(async () => {
    await h.close();
  });

  const kv = (name: string) => tableSchema(name, [column('id', 'int8', true), column('v', 'text')]);

  it('truncate() empties the target table between the loads before and after it; other tables are untouched', async () => {
    await h.create(`${DB}.tr_a (id BIGINT NOT NULL, v STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    await h.create(`${DB}.tr_b (id BIGINT NOT NULL, v STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    const a = kv('tr_a');
    const b = kv('tr_b');
    const sink = h.sink();
    await sink.setup([a, b]);
    await sink.write(batch(a, [ins(a, 0x10n, [1n, 'a1']), ins(a, 0x11n, [2n, 'a2'])]), signal());
    await sink.write(batch(b, [ins(b, 0x12n, [1n, 'b1'])]), signal());
    await sink.truncate([a.id], signal(), 0x20n);
    assert.deepEqual(live(h, 'tr_a'), []);
    assert.equal(h.emu.rows(DB, 'tr_a').length, 0, 'TRUNCATE removes rows, soft-deleted ones included');
    await sink.write(batch(a, [ins(a, 0x30n, [2n, 'again']), ins(a, 0x31n, [3n, 'a3'])]), signal());
    assert.deepEqual(live(h, 'tr_a'), ['2=again', '3=a3']);
    assert.deepEqual(live(h, 'tr_b'), ['1=b1']);
    await sink.truncate([a.id, b.id], signal(), 0x40n);
    assert.equal(h.emu.rows(DB, 'tr_a').length + h.emu.rows(DB, 'tr_b').length, 0);
  });

  it('a TRUNCATE replayed after a restart removes what it removed before and the later rows are loaded again (new labels)', async () => {
    await h.create(`${DB}.tr_replay (id BIGINT NOT NULL, v STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    const t = kv('tr_replay');
    const before = batch(t, [ins(t, 0x100n, [1n, 'old']), ins(t, 0x101n, [2n, 'old'])]);
    const afterIt = batch(t, [ins(t, 0x300n, [2n, 'new']), ins(t, 0x301n, [3n, 'new']), del(t, 0x302n, [3n, null])]);
    const run = async (): Promise<void> => {
      // A restart: a new sink, set up again, gets the same stream again (the slot was not confirmed).
      const sink = h.sink();
      await sink.setup([t]);
      await sink.write(before, signal());
      await sink.truncate([t.id], signal(), 0x200n);
      await sink.write(afterIt, signal());
    };
    await run();
    const expected = ['2=new'];
    assert.deepEqual(live(h, 'tr_replay'), expected);
    const loadsAfterFirst = h.emu.loads().filter((l) => l.table === 'tr_replay').length;
    await run();
    assert.deepEqual(live(h, 'tr_replay'), expected, 'the second run ends in the same state');
    const second = h.emu
      .loads()
      .filter((l) => l.table === 'tr_replay')
      .slice(loadsAfterFirst);
    assert.ok(
      second.some((l) => l.status === 'Success' && /_r[0-9a-f]{8}-/.test(l.label)),
      JSON.stringify(second.map((l) => [l.label, l.status])),
    );
    assert.ok(h.logs.some((l) => /replayed TRUNCATE applied again/.test(l.msg)));
    await run();
    assert.deepEqual(live(h, 'tr_replay'), expected, 'and a third');
    const row = rowsById(h, 'tr_replay').get('3');
    assert.equal(row?.['dbmazz_is_deleted'], true, 'the soft delete after the TRUNCATE is there too');
  });

  it('truncate() of a table the sink was not set up with is a clear error', async () => {
    const sink = h.sink();
    await sink.setup([]);
    await assert.rejects(sink.truncate([{ schema: 'public', name: 'nowhere' }], signal(), 1n), (err: unknown) => {
      assert.ok(err instanceof CdcError);
      assert.equal(err.code, 'SINK_SCHEMA');
      assert.match(err.message, /TRUNCATE of public\.nowhere/);
      return true;
    });
  });

  it('keys up to 128 encoded bytes load; a longer key stops the batch before loading, naming table, key and size', async () => {
    await h.create(`${DB}.k_one (k STRING NOT NULL, v INT) PRIMARY KEY(k) DISTRIBUTED BY HASH(k)`);
    await h.create(`${DB}.k_mid (k STRING NOT NULL, n INT NOT NULL, v INT) PRIMARY KEY(k, n) DISTRIBUTED BY HASH(k)`);
    const one = tableSchema('k_one', [column('k', 'text', true), column('v', 'int4')]);
    const mid = tableSchema('k_mid', [column('k', 'text', true), column('n', 'int4', true), column('v', 'int4')]);
    const sink = h.sink();
    await sink.setup([one, mid]);
    const exact = `${'🎉'.repeat(31)}abcd`; // 31 × 4 + 4 = 128 bytes
    await sink.write(batch(one, [ins(one, 0x10n, [exact, 1]), ins(one, 0x11n, ['é'.repeat(64), 2])]), signal());
    assert.equal(h.emu.rows(DB, 'k_one').length, 2);
    await sink.write(batch(mid, [ins(mid, 0x12n, ['a'.repeat(122), 1, 1])]), signal()); // 122 + 2 + 4
    assert.equal(h.emu.rows(DB, 'k_mid').length, 1);

    const loads = h.emu.loads().length;
    await assert.rejects(sink.write(batch(one, [ins(one, 0x20n, ['ok', 1]), ins(one, 0x21n, [`${exact}e`, 3])]), signal()), (err: unknown) => {
      assert.ok(err instanceof CdcError);
      assert.equal(err.code, 'SINK_DATA');
      assert.equal(err.retry, 'never');
      assert.match(err.message, /primary key of cdc\.k_one would be 129 bytes as StarRocks encodes it, 1 beyond its 128-byte limit/);
      assert.match(err.message, /\(k\) = \('🎉{31}abcde' \(129 bytes\)\)/u);
      assert.match(err.message, /public\.k_one at 0\/21/);
      return true;
    });
    await assert.rejects(sink.write(batch(mid, [ins(mid, 0x22n, ['a'.repeat(123), 1, 1])]), signal()), /k_mid would be 129 bytes/);
    assert.equal(h.emu.loads().length, loads, 'nothing was sent');
  });
});
