import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { encodedPrimaryKeySize, PRIMARY_KEY_LIMIT_MESSAGE } from '../src/pk-limit.js';
import { parseColumnType } from '../src/types.js';
import { col, createTable, load, ndjson, plainRows } from './helpers.js';

describe('encoded primary key limit, 128 bytes (docs/starrocks-protocol.md §6.1)', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator();
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.catalog.dropDatabase('d', { ifExists: true });
    createTable(emu, 'd', 's', [col('k', 'VARCHAR(1000)', { key: true }), col('v', 'INT')]);
    createTable(emu, 'd', 'c', [col('id', 'BIGINT', { key: true }), col('k', 'VARCHAR(1000)', { key: true }), col('v', 'INT')]);
    createTable(emu, 'd', 'm', [col('k', 'VARCHAR(1000)', { key: true }), col('n', 'INT', { key: true }), col('v', 'INT')]);
    createTable(emu, 'd', 'f', [col('a', 'LARGEINT', { key: true }), col('b', 'DATETIME', { key: true }), col('v', 'INT')]);
  });

  const status = (r: { json: Record<string, unknown> }): string => String(r.json['Status']);

  it('one string key: its UTF-8 bytes; 128 loads, 129 fails the whole load', async () => {
    const ok = await load(
      emu,
      's',
      ndjson([
        { k: 'a'.repeat(128), v: 1 },
        { k: 'é'.repeat(64), v: 2 },
        { k: '🎉'.repeat(32), v: 3 },
      ]),
    );
    assert.equal(status(ok), 'Success');
    assert.equal(emu.rows('d', 's').length, 3);
    const bad = await load(
      emu,
      's',
      ndjson([
        { k: 'x', v: 1 },
        { k: `${'é'.repeat(64)}a`, v: 2 },
      ]),
    );
    assert.equal(status(bad), 'Fail');
    assert.equal(bad.json['Message'], PRIMARY_KEY_LIMIT_MESSAGE);
    assert.equal(emu.rows('d', 's').length, 3, 'atomic: the short key of the failed load is not applied');
    assert.equal(status(await load(emu, 's', ndjson([{ k: '🎉'.repeat(33), v: 1 }]))), 'Fail');
  });

  it('a delete (__op = 1) with a long key fails too', async () => {
    const r = await load(emu, 's', ndjson([{ k: 'b'.repeat(129), __op: 1 }]));
    assert.equal(status(r), 'Fail');
    assert.equal(r.json['Message'], PRIMARY_KEY_LIMIT_MESSAGE);
  });

  it('composite keys: fixed widths plus the last string’s bytes', async () => {
    assert.equal(status(await load(emu, 'c', ndjson([{ id: 1, k: 'a'.repeat(120), v: 1 }]))), 'Success');
    const bad = await load(emu, 'c', ndjson([{ id: 1, k: 'a'.repeat(121), v: 1 }]));
    assert.equal(bad.json['Message'], PRIMARY_KEY_LIMIT_MESSAGE);
    assert.deepEqual(
      plainRows(emu, 'c').map((r) => String(r['k']).length),
      [120],
    );
  });

  it('a string that is not the last key column adds a 2-byte separator and one byte per NUL', async () => {
    assert.equal(status(await load(emu, 'm', ndjson([{ k: 'a'.repeat(122), n: 1, v: 1 }]))), 'Success');
    assert.equal(status(await load(emu, 'm', ndjson([{ k: 'a'.repeat(123), n: 1, v: 1 }]))), 'Fail');
    assert.equal(status(await load(emu, 'm', ndjson([{ k: `${'a'.repeat(120)}\u0000`, n: 2, v: 1 }]))), 'Success', '121 + 1 + 2 + 4 = 128');
    assert.equal(status(await load(emu, 'm', ndjson([{ k: `${'a'.repeat(121)}\u0000`, n: 2, v: 1 }]))), 'Fail', '122 + 1 + 2 + 4 = 129');
  });

  it('fixed-width keys never exceed the limit', async () => {
    assert.equal(status(await load(emu, 'f', ndjson([{ a: '170141183460469231731687303715884105727', b: '2024-01-01 00:00:00', v: 1 }]))), 'Success');
  });

  it('encodedPrimaryKeySize follows the BE encoder', () => {
    const t = (s: string) => parseColumnType(s);
    assert.equal(encodedPrimaryKeySize([t('VARCHAR(10)')], ['héllo']), 6);
    assert.equal(encodedPrimaryKeySize([t('INT'), t('VARCHAR(10)')], [1n, 'ab']), 6);
    assert.equal(encodedPrimaryKeySize([t('VARCHAR(10)'), t('INT')], ['ab', 1n]), 8);
    assert.equal(
      encodedPrimaryKeySize(
        [t('BOOLEAN'), t('SMALLINT'), t('DATE'), t('DATETIME'), t('LARGEINT'), t('CHAR(3)')],
        [true, 1n, '2024-01-01', '2024-01-01 00:00:00', 1n, 'abc'],
      ),
      1 + 2 + 4 + 8 + 16 + 3,
    );
  });
});
