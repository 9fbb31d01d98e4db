/**
 * The StarRocks sink's state store (`dbmazz_state`, connectors/starrocks/state-store.ts) against the
 * emulator: created at setup, put / list by prefix / overwrite / delete, long keys, quotes and LIKE
 * wildcards in keys and values, writes visible to the next read, errors that name the table.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import type { StarRocksSink } from '../../../connectors/starrocks/index.js';
import { stateTableStatement } from '../../../connectors/starrocks/state-store.js';
import { column, tableSchema } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { DB, startHarness } from './harness.js';

describe('StarRocks sink state store (emulator)', () => {
  let h: Harness;
  let sink: StarRocksSink;
  const t = tableSchema('st_docs', [column('id', 'int8', true), column('v', 'text')]);

  before(async () => {
    h = await startHarness();
    await h.create(`${DB}.st_docs (id BIGINT NOT NULL, v STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    sink = h.sink({ SINK_REPLICATION_NUM: 1 });
    await sink.setup([t]);
  });
  after(async () => {
    await h.close();
  });

  const all = async (prefix = ''): Promise<Record<string, string>> => Object.fromEntries(await sink.stateStore().list(prefix));

  it('setup creates dbmazz_state (a Primary Key table keyed by a digest); a second setup leaves it as it is', async () => {
    const table = h.emu.catalog.getTable(DB, 'dbmazz_state');
    assert.ok(table, 'dbmazz_state was not created at setup');
    assert.equal(table.keysType, 'PRIMARY_KEYS');
    assert.deepEqual(
      table.columns.map((c) => c.name),
      ['key_digest', 'state_key', 'state_value', 'updated_at'],
    );
    await sink.stateStore().put('keep', '1');
    await h.sink({ SINK_REPLICATION_NUM: 1 }).setup([t]);
    assert.deepEqual(await all('keep'), { keep: '1' });
    await sink.stateStore().delete('keep');
  });

  it('put, list by prefix, overwrite and delete; each write is visible to the next read', async () => {
    const store = sink.stateStore();
    await store.put('snapshot/public.orders/chunk', '{"after":[10]}');
    await store.put('snapshot/public.orders/meta', '{"rows":5}');
    await store.put('snapshot/public.items/chunk', '{"after":[1]}');
    await store.put('other', 'x');
    assert.deepEqual(await all('snapshot/public.orders/'), {
      'snapshot/public.orders/chunk': '{"after":[10]}',
      'snapshot/public.orders/meta': '{"rows":5}',
    });
    assert.equal((await store.list('snapshot/')).size, 3);
    assert.equal((await store.list('')).size, 4);
    assert.equal((await store.list('nothing/')).size, 0);

    await store.put('snapshot/public.orders/chunk', '{"after":[20]}');
    assert.deepEqual(await all('snapshot/public.orders/chunk'), { 'snapshot/public.orders/chunk': '{"after":[20]}' });

    await store.delete('snapshot/public.orders/chunk');
    assert.deepEqual(await all('snapshot/public.orders/'), { 'snapshot/public.orders/meta': '{"rows":5}' });
    await store.delete('never-there'); // deleting a missing key is fine
    // A deleted key can be written again (fresh labels per call, never "Label Already Exists").
    await store.put('snapshot/public.orders/chunk', '{"after":[10]}');
    assert.equal((await store.list('snapshot/public.orders/chunk')).get('snapshot/public.orders/chunk'), '{"after":[10]}');
    const statuses = h.emu
      .loads()
      .filter((l) => l.table === 'dbmazz_state')
      .map((l) => l.status);
    assert.ok(statuses.length >= 8 && statuses.every((s) => s === 'Success'), JSON.stringify(statuses));
    for (const k of ['snapshot/public.orders/chunk', 'snapshot/public.orders/meta', 'snapshot/public.items/chunk', 'other']) await store.delete(k);
    assert.deepEqual(await all(), {});
  });

  it('long keys (beyond a primary key), quotes, backslashes, newlines, unicode and LIKE wildcards', async () => {
    const store = sink.stateStore();
    const long = `snapshot/${'s'.repeat(300)}."${'t'.repeat(300)}"/chunk`;
    const odd = 'it\'s a \\ "quoted"\n value ✓ 😀';
    await store.put(long, odd);
    await store.put('pct%_\\x/a', "o'neil");
    await store.put('pctZZ\\x/a', 'other'); // matches `pct%` and `pct__` as patterns, not as a prefix
    await store.put('PCT%_\\x/b', 'case'); // another case: not the same prefix
    assert.deepEqual(await all(long), { [long]: odd });
    assert.deepEqual(await all('pct%_\\x/'), { 'pct%_\\x/a': "o'neil" });
    assert.deepEqual(await all('pct'), { 'pct%_\\x/a': "o'neil", 'pctZZ\\x/a': 'other' });
    for (const k of [long, 'pct%_\\x/a', 'pctZZ\\x/a', 'PCT%_\\x/b']) await store.delete(k);
    assert.deepEqual(await all(), {});
  });

  it('a load that becomes visible after publish (Publish Timeout) is visible before put returns', async () => {
    const store = sink.stateStore();
    h.emu.faults.inject({ kind: 'publishTimeout', table: 'dbmazz_state' });
    await store.put('late', 'v');
    h.emu.faults.clear();
    assert.equal(
      h.emu
        .loads()
        .filter((l) => l.table === 'dbmazz_state')
        .at(-1)?.status,
      'Publish Timeout',
    );
    assert.deepEqual(await all('late'), { late: 'v' });
    await store.delete('late');
  });

  it('a value larger than the column is refused before loading, naming the table', async () => {
    await assert.rejects(sink.stateStore().put('big', 'x'.repeat(70_000)), (e: unknown) => {
      assert.ok(e instanceof CdcError);
      assert.match(e.message, /cdc\.dbmazz_state/);
      return true;
    });
  });

  it('errors name the table and the privilege SINK_USER needs', async () => {
    await h.emu.sql(`DROP TABLE ${DB}.dbmazz_state`);
    try {
      await assert.rejects(sink.stateStore().list('x'), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.match(e.message, /cdc\.dbmazz_state/);
        assert.match(e.hint ?? '', /SINK_USER needs SELECT on cdc\.dbmazz_state/);
        return true;
      });
      await assert.rejects(sink.stateStore().put('x', 'y'), (e: unknown) => {
        assert.ok(e instanceof CdcError);
        assert.match(e.message, /dbmazz_state/);
        assert.match(e.hint ?? '', /SINK_USER needs INSERT on cdc\.dbmazz_state/);
        return true;
      });
    } finally {
      await h.emu.sql(stateTableStatement(DB, 1));
    }
  });
});
