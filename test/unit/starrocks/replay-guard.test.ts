/**
 * The replay guard (connectors/starrocks/replay-guard.ts) against a fake `Query`: a table held in
 * memory that answers the guard's MAX() and key lookups the way the MySQL driver does (BIGINT and
 * versions as strings, INT as numbers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeRecord } from '../../../core/index.js';
import { DecimalValue, TemporalValue, UNCHANGED } from '../../../core/index.js';
import { quoteIdent, quoteString } from '../../../connectors/starrocks/identifiers.js';
import type { GuardTarget } from '../../../connectors/starrocks/replay-guard.js';
import { minCommitVersion, ReplayGuard } from '../../../connectors/starrocks/replay-guard.js';
import type { Query } from '../../../connectors/starrocks/setup/mysql.js';
import type { TargetKind } from '../../../connectors/starrocks/type-map.js';
import { column, del, ins, tableSchema, upd } from './fixtures.js';

/**
 * A stored row: key values as typed in SQL (BIGINT as bigint), `v` the version as the driver returns
 * it. `{ sql, driver }` gives a value whose WHERE literal and driver cell differ (DATETIME, BOOLEAN).
 */
type Cell = bigint | string | number | null | { readonly sql: string; readonly driver: unknown };
type Stored = Record<string, Cell>;

/**
 * A fake StarRocks table. `rows` hold the key columns (by target name) and `v` (the version). A key
 * lookup returns the rows whose key predicate, written as the guard writes it, is in the WHERE clause.
 */
function fakeTable(keyColumns: readonly string[], rows: readonly Stored[], max: string | null | undefined = undefined) {
  const sql: string[] = [];
  const literal = (v: Cell): string => (typeof v === 'string' ? quoteString(v) : v !== null && typeof v === 'object' ? v.sql : String(v));
  // mysql2 with bigNumberStrings: BIGINT comes back as a string, INT as a number.
  const asDriver = (v: Cell): unknown => (typeof v === 'bigint' ? v.toString() : v !== null && typeof v === 'object' ? v.driver : v);
  const query: Query = async (text) => {
    sql.push(text);
    if (/^SELECT MAX\(/.test(text)) {
      const versions = rows
        .map((r) => r['v'])
        .filter((v) => v !== null && v !== undefined)
        .map((v) => BigInt(String(v)));
      const m = max !== undefined ? max : versions.length ? String(versions.reduce((a, b) => (b > a ? b : a))) : null;
      return [{ v: m }];
    }
    const where = text.slice(text.indexOf(' WHERE ') + 7);
    return rows
      .filter((r) => where.includes(`(${keyColumns.map((c) => `${quoteIdent(c)} = ${literal(r[c] ?? null)}`).join(' AND ')})`))
      .map((r) => ({ ...Object.fromEntries(keyColumns.map((c, i) => [`k${i}`, asDriver(r[c] ?? null)])), v: r['v'] ?? null }));
  };
  const lookups = (): string[] => sql.filter((s) => !/^SELECT MAX\(/.test(s));
  return { query, sql, lookups };
}

const events = tableSchema('events', [column('id', 'int8', true), column('v', 'text'), column('n', 'int4')]);
const target = (keyColumns: readonly string[] = ['id'], name = 'events', keyKinds: readonly TargetKind[] = keyColumns.map(() => 'integer')): GuardTarget => ({
  db: 'cdc',
  name,
  keyColumns,
  keyKinds,
  versionColumn: 'dbmazz_cdc_version',
});
const KEY = 'public.events';
const lsns = (records: readonly ChangeRecord[]): bigint[] => records.map((r) => r.lsn);

async function guardWith(fake: { query: Query }, t: GuardTarget = target(), key = KEY): Promise<ReplayGuard> {
  const g = new ReplayGuard();
  await g.readHorizon(fake.query, key, t);
  return g;
}

describe('ReplayGuard', () => {
  it('reads the horizon once with MAX(version); an empty table (NULL) never filters', async () => {
    const fake = fakeTable(['id'], []);
    const g = await guardWith(fake);
    await g.readHorizon(fake.query, KEY, target());
    assert.deepEqual(fake.sql, ['SELECT MAX(`dbmazz_cdc_version`) AS v FROM `cdc`.`events`']);
    assert.equal(g.applies(KEY, 0n), false);
    assert.equal(g.applies(KEY, 1n), false);
  });

  it('a table whose rows have no version (loaded before dbmazz: NULL) never filters', async () => {
    const fake = fakeTable(['id'], [{ id: 1n, v: null }]);
    const g = await guardWith(fake);
    assert.equal(g.applies(KEY, 0n), false);
  });

  it('applies only to batches that start at or below the horizon, and only to known tables', async () => {
    const g = await guardWith(fakeTable(['id'], [], '100'));
    assert.equal(g.applies(KEY, 50n), true);
    assert.equal(g.applies(KEY, 100n), true);
    assert.equal(g.applies(KEY, 101n), false);
    assert.equal(g.applies('public.other', 1n), false);
  });

  it('bigint keys: drops changes below the stored version, re-applies ties, keeps newer and unknown keys', async () => {
    const fake = fakeTable(
      ['id'],
      [
        { id: 1n, v: '100' },
        { id: 2n, v: '90' },
      ],
    );
    const g = await guardWith(fake);
    const records = [
      ins(events, 60n, [1n, 'old', 1]), // superseded by version 100
      ins(events, 100n, [1n, 'same', 1]), // its transaction wrote the row (maybe a later change of it): re-applied
      upd(events, 95n, [2n, 'newer', 2]), // 95 > 90: not applied yet
      ins(events, 80n, [3n, 'new key', 3]), // not stored at all
    ];
    const kept = await g.filter(fake.query, KEY, target(), records);
    assert.deepEqual(lsns(kept), [100n, 95n, 80n]);
    assert.deepEqual(fake.lookups(), ['SELECT `id` AS k0, `dbmazz_cdc_version` AS v FROM `cdc`.`events` WHERE (`id` = 1) OR (`id` = 2) OR (`id` = 3)']);
  });

  it('string keys are quoted (quotes, backslashes, newlines) and compared exactly', async () => {
    const t = tableSchema('users', [column('name', 'text', true), column('n', 'int4')]);
    const odd = "o'neil \\ \n x";
    const fake = fakeTable(
      ['name'],
      [
        { name: odd, v: '50' },
        { name: 'Bob', v: '50' },
      ],
    );
    const g = await guardWith(fake, target(['name'], 'users', ['string']), 'public.users');
    const kept = await g.filter(fake.query, 'public.users', target(['name'], 'users', ['string']), [
      ins(t, 40n, [odd, 1]),
      ins(t, 41n, ['bob', 1]), // another key: StarRocks compares strings exactly
      ins(t, 42n, ['Bob', 1]),
    ]);
    assert.deepEqual(lsns(kept), [41n]);
    assert.ok(fake.lookups()[0]?.includes(`(\`name\` = ${quoteString(odd)})`));
  });

  it('composite keys (int, string, date) match on every column', async () => {
    const t = tableSchema('lines', [column('order_id', 'int4', true), column('sku', 'text', true), column('day', 'date', true), column('qty', 'int4')]);
    const fake = fakeTable(
      ['order_id', 'sku', 'day'],
      [
        { order_id: 7, sku: 'A', day: '2024-02-29', v: '500' },
        { order_id: 7, sku: 'B', day: '2024-02-29', v: '300' },
      ],
    );
    const tg = target(['order_id', 'sku', 'day'], 'lines', ['integer', 'string', 'date']);
    const g = await guardWith(fake, tg, 'public.lines');
    const day = new TemporalValue('date', '2024-02-29');
    const kept = await g.filter(fake.query, 'public.lines', tg, [
      ins(t, 400n, [7, 'A', day, 1]), // stored at 500: superseded
      ins(t, 400n + 1n, [7, 'B', day, 1]), // 401 > 300: kept
      ins(t, 402n, [7, 'A', new TemporalValue('date', '2024-03-01'), 1]), // other day: not stored
    ]);
    assert.deepEqual(lsns(kept), [401n, 402n]);
    assert.match(fake.lookups()[0] ?? '', /\(`order_id` = 7 AND `sku` = 'A' AND `day` = '2024-02-29'\)/);
  });

  it('keeps records above the horizon without looking them up', async () => {
    const fake = fakeTable(['id'], [{ id: 1n, v: '100' }]);
    const g = await guardWith(fake);
    const kept = await g.filter(fake.query, KEY, target(), [ins(events, 90n, [1n, 'a', 1]), ins(events, 101n, [1n, 'b', 1]), ins(events, 150n, [2n, 'c', 1])]);
    assert.deepEqual(lsns(kept), [101n, 150n]);
    assert.deepEqual(fake.lookups(), ['SELECT `id` AS k0, `dbmazz_cdc_version` AS v FROM `cdc`.`events` WHERE (`id` = 1)']);

    const none = fakeTable(['id'], [{ id: 1n, v: '100' }]);
    const g2 = await guardWith(none);
    const all = [ins(events, 101n, [1n, 'b', 1]), ins(events, 102n, [5n, 'c', 1])];
    assert.equal(await g2.filter(none.query, KEY, target(), all), all, 'nothing to look up: the same array');
    assert.deepEqual(none.lookups(), []);
  });

  it("timestamp, boolean, numeric-as-text and largeint keys (composite) are compared in StarRocks' own forms", async () => {
    // StarRocks prints DATETIME microseconds only when not zero, and mysql2 gives BOOLEAN as 1/0; the
    // source writes fewer fraction digits. Both sides are brought to one text per kind.
    const t = tableSchema('ticks', [
      column('at', 'timestamptz', true),
      column('live', 'boolean', true),
      column('code', 'numeric', true),
      column('big', 'numeric', true),
      column('n', 'int4'),
    ]);
    const at = (text: string): TemporalValue => new TemporalValue('timestamptz', text);
    const stored = (time: string, driver: string, live: boolean, code: string, big: string, v: string): Stored => ({
      at: { sql: quoteString(time), driver },
      live: { sql: live ? 'TRUE' : 'FALSE', driver: live ? 1 : 0 },
      code,
      big: { sql: big, driver: big },
      v,
    });
    const fake = fakeTable(
      ['at', 'live', 'code', 'big'],
      [
        stored('2024-05-01 10:00:00.5', '2024-05-01 10:00:00.500000', true, '1.50', '170141183460469231731687303715884105727', '500'),
        stored('2024-05-01 10:00:00', '2024-05-01 10:00:00', false, '2', '1', '300'),
      ],
    );
    const tg = target(['at', 'live', 'code', 'big'], 'ticks', ['datetime', 'boolean', 'string', 'largeint']);
    const g = await guardWith(fake, tg, 'public.ticks');
    const kept = await g.filter(fake.query, 'public.ticks', tg, [
      ins(t, 400n, [at('2024-05-01 10:00:00.50'), true, new DecimalValue('1.50'), new DecimalValue('170141183460469231731687303715884105727'), 1]), // stored at 500
      ins(t, 401n, [at('2024-05-01 10:00:00'), false, new DecimalValue('2'), new DecimalValue('1'), 1]), // 401 > 300: kept
      ins(t, 402n, [at('2024-05-01 10:00:00'), true, new DecimalValue('2'), new DecimalValue('1'), 1]), // other key: kept
    ]);
    assert.deepEqual(lsns(kept), [401n, 402n]);
    assert.match(
      fake.lookups()[0] ?? '',
      /\(`at` = '2024-05-01 10:00:00\.5' AND `live` = TRUE AND `code` = '1\.50' AND `big` = 170141183460469231731687303715884105727\)/,
    );
  });

  it('keeps records whose key it cannot compare (a kind StarRocks has no key of, NULL, unchanged, infinity) and does not look them up', async () => {
    const t = tableSchema('odd', [column('k', 'float8', true), column('n', 'int4')]);
    const fake = fakeTable(['k'], [{ k: '1', v: '100' }]);
    const tf = target(['k'], 'odd', ['float']);
    const g = await guardWith(fake, tf, 'public.odd');
    const records = [ins(t, 10n, [1.5, 1]), ins(t, 13n, [null, 1]), upd(t, 14n, [UNCHANGED, 1])];
    assert.deepEqual(lsns(await g.filter(fake.query, 'public.odd', tf, records)), [10n, 13n, 14n]);
    const td = target(['k'], 'odd', ['datetime']);
    const inf = [ins(t, 15n, [new TemporalValue('timestamp', 'infinity'), 1]), ins(t, 16n, [1.5, 1])];
    assert.deepEqual(lsns(await g.filter(fake.query, 'public.odd', td, inf)), [15n, 16n]);
    assert.deepEqual(fake.lookups(), []);
  });

  it('keeps records whose schema has keys that do not line up with the target keys', async () => {
    const fake = fakeTable(['id'], [{ id: 1n, v: '100' }]);
    const g = await guardWith(fake);
    const noKey = tableSchema('events', [column('id', 'int8'), column('v', 'text')]);
    const kept = await g.filter(fake.query, KEY, target(), [ins(noKey, 50n, [1n, 'x'])]);
    assert.equal(kept.length, 1);
  });

  it('looks keys up in chunks of 500', async () => {
    const stored = Array.from({ length: 1200 }, (_, i) => ({ id: BigInt(i + 1), v: '5000' }));
    const fake = fakeTable(['id'], stored);
    const g = await guardWith(fake);
    const records = Array.from({ length: 1200 }, (_, i) => ins(events, BigInt(1000 + i), [BigInt(i + 1), 'x', 1]));
    records.push(ins(events, 2500n, [1n, 'again', 1]), ins(events, 9000n, [2n, 'above', 1]));
    const kept = await g.filter(fake.query, KEY, target(), records);
    assert.deepEqual(lsns(kept), [9000n]);
    const counts = fake.lookups().map((q) => q.split(' OR ').length);
    assert.deepEqual(counts, [500, 500, 200], 'each key once, 500 per query');
  });

  it('delete records are keyed by `before`', async () => {
    const fake = fakeTable(
      ['id'],
      [
        { id: 5n, v: '70' },
        { id: 6n, v: '60' },
      ],
    );
    const g = await guardWith(fake);
    const kept = await g.filter(fake.query, KEY, target(), [del(events, 69n, [5n, null, null]), del(events, 65n, [6n, null, null])]);
    assert.deepEqual(lsns(kept), [65n]);
    assert.match(fake.lookups()[0] ?? '', /\(`id` = 5\) OR \(`id` = 6\)/);
  });

  it('a key-changing update is dropped only when both the new and the old key are stored at a newer version', async () => {
    // 40 → 41 at version 200 writes two rows (soft delete of 40, upsert of 41), maybe in two loads.
    const fake = fakeTable(
      ['id'],
      [
        { id: 41n, v: '250' }, // the new key was written by a later transaction …
        { id: 40n, v: '150' }, // … the old key's soft delete was not applied
        { id: 51n, v: '301' },
        { id: 50n, v: '301' },
        { id: 61n, v: '400' }, // both at its own version: its transaction wrote them, re-applied
        { id: 60n, v: '400' },
      ],
    );
    const g = await guardWith(fake);
    const kept = await g.filter(fake.query, KEY, target(), [
      upd(events, 200n, [41n, 'moved', 1], { oldKey: [40n] }),
      upd(events, 300n, [51n, 'moved', 1], { oldKey: [50n] }),
      upd(events, 400n, [61n, 'moved', 1], { oldKey: [60n] }),
    ]);
    assert.deepEqual(lsns(kept), [200n, 400n]);
    assert.match(fake.lookups()[0] ?? '', /\(`id` = 41\) OR \(`id` = 40\) OR \(`id` = 51\) OR \(`id` = 50\)/);
  });

  it('a stored row without a version (NULL) does not drop anything', async () => {
    const fake = fakeTable(
      ['id'],
      [
        { id: 1n, v: null },
        { id: 2n, v: '10' },
      ],
    );
    const g = await guardWith(fake);
    const kept = await g.filter(fake.query, KEY, target(), [ins(events, 5n, [1n, 'a', 1]), ins(events, 9n, [2n, 'b', 1])]);
    assert.deepEqual(lsns(kept), [5n]);
  });

  it('compares commit versions, not change positions: a long transaction committed after the stored row is kept', async () => {
    // T began early (change at 50) and committed at 120, after the transaction that stored key 1 at
    // 100; an old transaction's change (60, committed at 80) is superseded.
    const fake = fakeTable(
      ['id'],
      [
        { id: 1n, v: '100' },
        { id: 2n, v: '100' },
      ],
    );
    const g = await guardWith(fake);
    const t = { ...upd(events, 50n, [1n, 'late commit', 1]), commitLsn: 120n };
    const old = { ...upd(events, 60n, [2n, 'superseded', 1]), commitLsn: 80n };
    const tie = { ...upd(events, 40n, [2n, 'same transaction', 1]), commitLsn: 100n };
    assert.deepEqual(await g.filter(fake.query, KEY, target(), [t, old, tie]), [t, tie]);
    // applies() takes the batch's smallest commit version (minCommitVersion), not its first change LSN.
    assert.equal(g.applies(KEY, minCommitVersion([{ ...ins(events, 10n, [3n, 'x', 1]), commitLsn: 101n }])), false);
    assert.equal(g.applies(KEY, minCommitVersion([t, { ...ins(events, 10n, [3n, 'x', 1]), commitLsn: 100n }])), true);
  });

  it('records of another schema version of the table are keyed by their own columns', async () => {
    // A column was dropped before the key in the source: the key moved from position 1 to 0.
    const before = tableSchema('events', [column('extra', 'text'), column('id', 'int8', true), column('v', 'text')]);
    const fake = fakeTable(['id'], [{ id: 9n, v: '100' }]);
    const g = await guardWith(fake);
    const kept = await g.filter(fake.query, KEY, target(), [ins(before, 90n, ['x', 9n, 'a']), ins(events, 95n, [9n, 'b', 1])]);
    assert.deepEqual(kept, []);
    assert.deepEqual(fake.lookups(), ['SELECT `id` AS k0, `dbmazz_cdc_version` AS v FROM `cdc`.`events` WHERE (`id` = 9)']);
  });
});
