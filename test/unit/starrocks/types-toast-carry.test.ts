/**
 * Unchanged TOAST values in the planner: partial rows grouped by exact column set, and key changes
 * whose new row takes the unchanged values from the old key's row (in the batch, or stored in
 * StarRocks: rows/old-rows.ts) — docs/stack-traps.md §4.12.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChangeRecord, Value } from '../../../core/index.js';
import { JsonText, UNCHANGED } from '../../../core/index.js';
import type { CarriedRows, LoadPlan, OldRowRequest, PlanTarget } from '../../../connectors/starrocks/rows/plan.js';
import { oldRowLookup, planBatch } from '../../../connectors/starrocks/rows/plan.js';
import { fetchOldRows, OldRowCache, oldRowsQuery, storedCellToValue, type OldRowTable } from '../../../connectors/starrocks/rows/old-rows.js';
import type { SqlRow } from '../../../connectors/starrocks/setup/sql.js';
import { column, del, ins, tableSchema, upd } from './fixtures.js';

const S = tableSchema('docs', [column('id', 'int8', true), column('title', 'text'), column('body', 'text'), column('doc', 'json')]);
const NAMES = ['id', 'title', 'body', 'doc'];
const TARGET: PlanTarget = {
  tableLabel: 'db.docs',
  columnOrder: NAMES,
  keyColumns: ['id'],
  fullColumns: new Set(NAMES),
  mappingFor: () => ({ targetNames: NAMES, sourceKeyTargetNames: ['id'] }),
};
const U = UNCHANGED;

/** Final row per id: what StarRocks holds after the loads, starting from `stored`. */
function apply(loads: readonly LoadPlan[], stored: Record<string, Record<string, unknown>> = {}): Record<string, Record<string, unknown>> {
  const table: Record<string, Record<string, unknown>> = structuredClone(stored);
  for (const load of loads) {
    for (const row of load.rows) {
      const id = String(row.values[load.columns.indexOf('id')]);
      const next: Record<string, unknown> = load.partial ? { ...(table[id] ?? {}) } : {};
      load.columns.forEach((c, i) => (next[c] = row.values[i]));
      next['deleted'] = row.deleted;
      table[id] = next;
    }
  }
  return table;
}

const carried = (entries: Record<string, Record<string, Value>>): CarriedRows =>
  new Map(Object.entries(entries).map(([k, v]) => [`i${k}`, new Map(Object.entries(v))]));

describe('partial updates of unchanged TOAST values', () => {
  it('groups rows by their exact column set; never lists a column a row does not know', () => {
    const { loads, unresolved } = planBatch(
      [
        upd(S, 10n, [1n, 't1', U, U]),
        upd(S, 11n, [2n, 't2', 'new body', U]),
        upd(S, 12n, [3n, 't3', U, U]),
        ins(S, 13n, [4n, 't4', 'b4', new JsonText('{}')]),
        upd(S, 14n, [4n, 't4b', U, U]), // insert + partial update: one full row
      ],
      TARGET,
    );
    assert.equal(unresolved, 0);
    const sets = loads.map((l) => `${l.partial ? 'partial' : 'full'}:${l.columns.join(',')}:${l.rows.length}`);
    assert.deepEqual(sets, ['full:id,title,body,doc:1', 'partial:id,title:2', 'partial:id,title,body:1']);
    const state = apply(loads, { '1': { id: 1n, title: 'x', body: 'B1', doc: 'D1' } });
    assert.equal(state['1']?.['body'], 'B1');
    assert.equal(state['4']?.['body'], 'b4');
    assert.equal(state['4']?.['title'], 't4b');
  });

  it('uses the before-image when there is one (REPLICA IDENTITY FULL): full rows, nothing to look up', () => {
    const records: ChangeRecord[] = [upd(S, 20n, [5n, 't', U, U], { before: [5n, 'old', 'B5', new JsonText('[1]')], oldKey: [50n] })];
    assert.equal(oldRowLookup(records, TARGET).requests.length, 0);
    const { loads } = planBatch(records, TARGET);
    assert.ok(loads.every((l) => !l.partial));
    assert.equal(apply(loads)['5']?.['body'], 'B5');
  });
});

describe('key changes with unchanged TOAST values and no before-image', () => {
  it("takes the values from the old key's row in the same batch", () => {
    const records = [ins(S, 30n, [9n, 't', 'B9', new JsonText('{"a":1}')]), upd(S, 31n, [109n, 'moved', U, U], { oldKey: [9n] })];
    assert.equal(oldRowLookup(records, TARGET).requests.length, 0);
    const { loads, unresolved } = planBatch(records, TARGET);
    assert.equal(unresolved, 0);
    const state = apply(loads);
    assert.equal(state['109']?.['body'], 'B9');
    assert.deepEqual(state['109']?.['doc'], new JsonText('{"a":1}'));
    assert.equal(state['9']?.['deleted'], true);
    assert.equal(state['9']?.['body'], 'B9');
  });

  it("asks for the old key's stored row otherwise, and fills the new row from it", () => {
    const records = [upd(S, 40n, [4n, 'edited', U, U]), upd(S, 41n, [104n, 'edited', U, U], { oldKey: [4n] })];
    const lookup = oldRowLookup(records, TARGET);
    assert.equal(lookup.requests.length, 1);
    const req = lookup.requests[0];
    // The batch's own changes to the old key 4: the update at 40 and the key change's soft delete at 41.
    assert.deepEqual([...(req?.batchVersions ?? [])], [40n, 41n]);
    assert.deepEqual([...(req?.key ?? [])], [['id', 4n]]);
    assert.deepEqual([...(req?.columns ?? [])], ['body', 'doc']);
    assert.deepEqual([...(req?.writtenByBatch ?? [])], ['id', 'title']);
    const { loads, unresolved } = planBatch(records, TARGET, carried({ '4': { body: 'B4', doc: new JsonText('[4]') } }));
    assert.equal(unresolved, 0);
    const state = apply(loads, { '4': { id: 4n, title: 'x', body: 'B4', doc: new JsonText('[4]') } });
    assert.equal(state['104']?.['title'], 'edited');
    assert.equal(state['104']?.['body'], 'B4');
    assert.equal(state['4']?.['deleted'], true);
    assert.equal(state['4']?.['body'], 'B4');
  });

  it('follows chains A → B → C within a batch, asking only for A', () => {
    const records = [upd(S, 50n, [206n, 't', U, U], { oldKey: [6n] }), upd(S, 51n, [306n, 't', U, U], { oldKey: [206n] })];
    const lookup = oldRowLookup(records, TARGET);
    assert.deepEqual(
      lookup.requests.map((r) => r.keyText),
      ['i6'],
    );
    const { loads, unresolved } = planBatch(records, TARGET, carried({ '6': { body: 'B6', doc: new JsonText('6') } }));
    assert.equal(unresolved, 0);
    const state = apply(loads);
    assert.equal(state['306']?.['body'], 'B6');
    assert.equal(state['206']?.['deleted'], true);
  });

  it('a key reused in the batch (old key inserted again) does not feed the moved row', () => {
    const records = [upd(S, 60n, [107n, 't', U, U], { oldKey: [7n] }), ins(S, 61n, [7n, 'new', 'NEW7', new JsonText('7')])];
    const lookup = oldRowLookup(records, TARGET);
    assert.deepEqual([...(lookup.requests[0]?.writtenByBatch ?? [])].sort(), ['body', 'doc', 'id', 'title']);
    const { loads } = planBatch(records, TARGET, carried({ '7': { body: 'OLD7', doc: new JsonText('0') } }));
    const state = apply(loads);
    assert.equal(state['107']?.['body'], 'OLD7');
    assert.equal(state['7']?.['body'], 'NEW7');
    assert.equal(state['7']?.['deleted'], false);
  });

  it("a moved row never keeps an earlier row's values of its new key", () => {
    // 2 is inserted, moves away to 20, then 1 (stored) moves to 2 and on to 3.
    const records = [
      ins(S, 80n, [2n, 'two', 'B2', new JsonText('2')]),
      upd(S, 81n, [20n, 'two', U, U], { oldKey: [2n] }),
      upd(S, 82n, [2n, 'one', U, U], { oldKey: [1n] }),
      upd(S, 83n, [3n, 'one', U, U], { oldKey: [2n] }),
    ];
    assert.deepEqual(
      oldRowLookup(records, TARGET).requests.map((r) => r.keyText),
      ['i1'],
    );
    const resolved = apply(planBatch(records, TARGET, carried({ '1': { body: 'B1', doc: new JsonText('1') } })).loads);
    assert.equal(resolved['20']?.['body'], 'B2');
    assert.equal(resolved['3']?.['body'], 'B1');
    const { loads, unresolved } = planBatch(records, TARGET);
    assert.equal(unresolved, 4);
    const state = apply(loads);
    assert.equal(state['3']?.['body'], undefined, 'B2 must not reach 3');
    assert.equal(state['2']?.['body'], undefined);
  });

  it('counts what nobody knows and leaves it out (the new row gets the DEFAULT)', () => {
    const { loads, unresolved } = planBatch([upd(S, 70n, [108n, 't', U, U], { oldKey: [8n] }), del(S, 71n, [1n, null, null, null])], TARGET);
    assert.equal(unresolved, 2);
    const partial = loads.find((l) => l.columns.includes('title'));
    assert.deepEqual(partial?.columns, ['id', 'title']);
    assert.equal(partial?.partial, true);
  });
});

describe('old-rows: reading the stored old rows', () => {
  const table: OldRowTable = {
    db: 'db',
    name: 'docs',
    keyColumns: ['id'],
    versionColumn: 'dbmazz_cdc_version',
    columns: new Map([
      ['id', { name: 'id', kind: 'integer' }],
      ['body', { name: 'body', kind: 'string' }],
      ['doc', { name: 'doc', kind: 'json' }],
      ['blob', { name: 'blob', kind: 'binary' }],
      ['n', { name: 'n', kind: 'decimal' }],
    ]),
  };
  const req = (id: bigint, columns: string[], written: string[] = [], versions: bigint[] = [40n, 45n, 50n]): OldRowRequest => ({
    keyText: `i${id}`,
    key: new Map<string, Value>([['id', id]]),
    columns: new Set(columns),
    writtenByBatch: new Set(written),
    batchVersions: new Set(versions),
  });

  it('selects keys, version and the wanted columns in one statement', () => {
    const q = oldRowsQuery(table, [req(4n, ['body', 'doc']), req(5n, ['blob'])]);
    assert.equal(
      q?.sql,
      'SELECT `id` AS `k0`, `dbmazz_cdc_version` AS `v`, `body` AS `c0`, `doc` AS `c1`, `blob` AS `c2` FROM `db`.`docs` WHERE (`id` = 4) OR (`id` = 5)',
    );
    assert.deepEqual(q?.columns, ['body', 'doc', 'blob']);
    // Keys that cannot be written as literals are not looked up.
    assert.equal(oldRowsQuery(table, [{ ...req(1n, ['body']), key: new Map<string, Value>([['id', new JsonText('1')]]) }]), undefined);
  });

  it('keeps only values from before the batch, in the shapes the body writes again', async () => {
    const rows: SqlRow[] = [
      { k0: '4', v: '30', c0: 'B4 😀', c1: '{"a": 1}', c2: Buffer.from([1, 2]), c3: '1.50' }, // older than the batch: all
      { k0: '5', v: '45', c0: 'B5', c1: 'not json', c2: null, c3: '2.00' }, // within the batch: not what it writes
      { k0: '6', v: '99', c0: 'B6', c1: '{}', c2: null, c3: '3' }, // changed after the batch: nothing
      { k0: '7', v: null, c0: 'B7', c1: null, c2: null, c3: null }, // loaded before dbmazz
    ];
    const seen: string[] = [];
    const out = await fetchOldRows(
      async (sql) => {
        seen.push(sql);
        return rows;
      },
      table,
      { requests: [req(4n, ['body', 'doc', 'blob', 'n']), req(5n, ['body', 'doc', 'n'], ['n']), req(6n, ['body']), req(7n, ['body', 'doc'])] },
    );
    assert.equal(seen.length, 1);
    assert.deepEqual(
      [...(out.get('i4') ?? [])].map(([k, v]) => [k, v instanceof Uint8Array ? [...v] : String(v)]),
      [
        ['body', 'B4 😀'],
        ['doc', '{"a": 1}'],
        ['blob', [1, 2]],
        ['n', '1.50'],
      ],
    );
    assert.deepEqual(
      [...(out.get('i5') ?? [])].map(([k, v]) => [k, String(v)]),
      [['body', 'B5']],
    );
    assert.equal(out.has('i6'), false);
    assert.deepEqual(
      [...(out.get('i7') ?? [])].map(([k, v]) => [k, String(v)]),
      [['body', 'B7']],
    );
  });

  it("judges a stored row by the versions of the batch's own changes to that key, not by the batch's LSN range", async () => {
    // A long transaction (its insert of another key at LSN 10) committed into the same flush as the key
    // change of key 1 (30) and its re-insert (31). Key 1's stored row is at 20: from before the batch,
    // although the batch's lowest LSN (10) is older.
    const stored: SqlRow[] = [{ k0: '1', v: '20', c0: 'big value' }];
    const request = req(1n, ['body'], ['id', 'title', 'body'], [30n, 31n]);
    const out = await fetchOldRows(async () => stored, table, { requests: [request] });
    assert.deepEqual(
      [...(out.get('i1') ?? [])].map(([k, v]) => [k, String(v)]),
      [['body', 'big value']],
    );
    // A stored version between the batch's own (not one of them) is from after the batch: not used.
    const later = await fetchOldRows(async () => [{ k0: '1', v: '35', c0: 'newer' }], table, { requests: [req(1n, ['body'], [], [30n, 40n])] });
    assert.equal(later.has('i1'), false);
  });

  it('converts cells by target kind', () => {
    assert.equal(storedCellToValue('12', 'integer'), 12n);
    assert.equal(storedCellToValue(1, 'boolean'), true);
    assert.equal(storedCellToValue('[1,2]', 'array')?.toString(), '[1,2]');
    assert.equal(storedCellToValue('[NULL]', 'array'), undefined);
    assert.equal(storedCellToValue('2024-01-01 00:00:00.5', 'datetime')?.toString(), '2024-01-01 00:00:00.5');
    assert.equal(storedCellToValue('x', 'binary'), undefined);
    assert.equal(storedCellToValue(null, 'string'), undefined);
  });

  it('a retried batch reuses the values of its first attempt', async () => {
    const cache = new OldRowCache(2);
    let reads = 0;
    const read = async (): Promise<CarriedRows> => {
      reads++;
      return new Map([[`r${reads}`, new Map()]]);
    };
    const a = await cache.get('t:1:2', read);
    assert.equal(await cache.get('t:1:2', read), a);
    await cache.get('t:3:4', read);
    await cache.get('t:5:6', read);
    await cache.get('t:1:2', read); // evicted: read again
    assert.equal(reads, 4);
  });
});
