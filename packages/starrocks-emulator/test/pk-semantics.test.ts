import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { col, createPk, createTable, fetchText, load, ndjson, plainRows } from './helpers.js';

describe('Primary Key apply semantics (docs/starrocks-protocol.md §6)', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator();
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.catalog.dropDatabase('d', { ifExists: true });
    createPk(emu);
  });

  it('upsert, delete via __op, later row for a key wins, in load order', async () => {
    const r = await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'a', n: 1 },
        { id: 2, v: 'b', n: 2 },
        { id: 1, v: 'a2', n: 3 },
        { id: 2, __op: 1 },
        { id: 3, v: 'c', n: 4, __op: 0 },
        { id: 3, __op: '1' },
        { id: 3, v: 'c2', n: 5 },
      ]),
    );
    assert.equal(r.json['Status'], 'Success');
    assert.equal(r.json['NumberLoadedRows'], 7);
    assert.deepEqual(plainRows(emu, 't'), [
      { id: 1, v: 'a2', n: 3, ver: null },
      { id: 3, v: 'c2', n: 5, ver: null },
    ]);
    const del = await load(emu, 't', '{"id":1,"__op":1}');
    assert.equal(del.json['Status'], 'Success');
    assert.deepEqual(
      plainRows(emu, 't').map((x) => x['id']),
      [3],
    );
  });

  it('__op values other than 0/1 fail the whole load (stricter choice)', async () => {
    const r = await load(
      emu,
      't',
      ndjson([
        { id: 1, n: 1 },
        { id: 2, n: 1, __op: 2 },
      ]),
    );
    assert.equal(r.json['Status'], 'Fail');
    assert.match(String(r.json['Message']), /__op value 2/);
    assert.equal(emu.rows('d', 't').length, 0);
  });

  it('__op constants in the columns header', async () => {
    await load(
      emu,
      't',
      ndjson([
        { id: 1, n: 1 },
        { id: 2, n: 1 },
      ]),
    );
    const r = await load(emu, 't', '{"id":1}', { columns: "id, __op='delete'" });
    assert.equal(r.json['Status'], 'Success');
    assert.deepEqual(
      plainRows(emu, 't').map((x) => x['id']),
      [2],
    );
    const bad = await load(emu, 't', '{"id":1}', { columns: "id, __op='remove'" });
    assert.equal(bad.json['Message'], 'load op type string not supported: remove');
    const bad2 = await load(emu, 't', '{"id":1}', { columns: 'id, __op=3' });
    assert.equal(bad2.json['Message'], 'const load op type column should only be upsert(0)/delete(1)');
  });

  it('full-row load: omitted columns take DEFAULT; a listed-but-missing key loads NULL', async () => {
    const r = await load(emu, 't', ndjson([{ id: 1, v: 'x' }, { id: 2 }]), { columns: 'id, v' });
    assert.equal(r.json['Status'], 'Success');
    assert.deepEqual(plainRows(emu, 't'), [
      { id: 1, v: 'x', n: 7, ver: null },
      { id: 2, v: null, n: 7, ver: null },
    ]);
    // Full row over an existing row: columns outside `columns` are reset to DEFAULT (not kept).
    await load(emu, 't', '{"id":1,"v":"y","n":100,"ver":5}');
    await load(emu, 't', '{"id":1,"v":"z"}', { columns: 'id,v' });
    assert.deepEqual(plainRows(emu, 't')[0], { id: 1, v: 'z', n: 7, ver: null });
  });

  it('NULL (or missing key) into a NOT NULL column filters the row', async () => {
    const r = await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'a' },
        { id: 2, v: 'b', n: null },
        { id: 3, n: 1 },
      ]),
      { max_filter_ratio: '0.9' },
    );
    assert.equal(r.json['Status'], 'Success');
    assert.equal(r.json['NumberFilteredRows'], 2);
    assert.equal(r.json['NumberLoadedRows'], 1);
    assert.ok(typeof r.json['ErrorURL'] === 'string', 'ErrorURL also on success with filtered rows');
    const log = await fetchText(String(r.json['ErrorURL']));
    assert.equal(log.status, 200);
    assert.match(log.text, /NULL value in non-nullable column 'n'/);
    assert.match(log.text, /Row: \{"id":2,"v":"b","n":null\}/);
  });

  it('partial update: set from columns, NULL for listed-but-missing, others kept, new keys take defaults / zero', async () => {
    createTable(emu, 'd', 'p', [
      col('id', 'INT', { key: true }),
      col('a', 'VARCHAR(10)'),
      col('b', 'INT', { nullable: false, default: '5' }),
      col('c', 'INT', { nullable: false }),
      col('d', 'VARCHAR(10)', { default: 'dd' }),
    ]);
    await load(emu, 'p', '{"id":1,"a":"a1","b":1,"c":1,"d":"x"}');
    const r = await load(emu, 'p', ndjson([{ id: 1, a: 'A' }, { id: 2 }]), { partial_update: 'true', columns: 'id,a' });
    assert.equal(r.json['Status'], 'Success');
    assert.deepEqual(plainRows(emu, 'p'), [
      { id: 1, a: 'A', b: 1, c: 1, d: 'x' },
      { id: 2, a: null, b: 5, c: 0, d: 'dd' },
    ]);
    const r2 = await load(emu, 'p', '{"id":1}', { partial_update: 'true', columns: 'id,a' });
    assert.equal(r2.json['Status'], 'Success');
    assert.equal(plainRows(emu, 'p')[0]?.['a'], null, 'a listed column missing from the row loads NULL');
    const noKey = await load(emu, 'p', '{"a":"x"}', { partial_update: 'true', columns: 'a' });
    assert.equal(noKey.json['Message'], 'key column id not in partial update columns');
    const del = await load(emu, 'p', '{"id":2,"__op":1}', { partial_update: 'true', columns: 'id,a' });
    assert.equal(del.json['Status'], 'Success');
    assert.deepEqual(
      plainRows(emu, 'p').map((x) => x['id']),
      [1],
    );
  });

  it('merge_condition: >= applies (ties too), smaller skipped, deletes unconditional, new keys inserted', async () => {
    await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'v5', n: 1, ver: 5 },
        { id: 2, v: 'w5', n: 1, ver: 5 },
      ]),
    );
    const r = await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'old', n: 1, ver: 4 },
        { id: 2, v: 'tie', n: 1, ver: 5 },
        { id: 3, v: 'new', n: 1, ver: 1 },
      ]),
      { merge_condition: 'ver' },
    );
    assert.equal(r.json['Status'], 'Success');
    assert.equal(r.json['NumberLoadedRows'], 3);
    assert.deepEqual(
      plainRows(emu, 't').map((x) => [x['id'], x['v'], x['ver']]),
      [
        [1, 'v5', 5],
        [2, 'tie', 5],
        [3, 'new', 1],
      ],
    );
    await load(emu, 't', '{"id":1,"ver":0,"__op":1}', { merge_condition: 'ver' });
    assert.deepEqual(
      plainRows(emu, 't').map((x) => x['id']),
      [2, 3],
    );
  });

  it('merge_condition on a column set by a constant mapping of the columns header: compared as loaded', async () => {
    await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'v5', n: 1, ver: 5 },
        { id: 2, v: 'w3', n: 1, ver: 3 },
      ]),
    );
    // Every row of the load has ver = 4 (a snapshot load's version, set once by the header).
    const r = await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'old', n: 2 },
        { id: 2, v: 'newer', n: 2 },
        { id: 3, v: 'new', n: 2, ver: 99 },
      ]),
      { merge_condition: 'ver', columns: 'id,v,n,ver=4', strip_outer_array: 'false' },
    );
    assert.equal(r.json['Status'], 'Success', JSON.stringify(r.json));
    assert.equal(r.json['NumberLoadedRows'], 3);
    assert.deepEqual(
      plainRows(emu, 't').map((x) => [x['id'], x['v'], x['ver']]),
      [
        [1, 'v5', 5],
        [2, 'newer', 4],
        [3, 'new', 4],
      ],
    );
  });

  it('merge_condition NULL rule: stored NULL is replaced, incoming NULL over a value is skipped', async () => {
    await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'a', n: 1, ver: null },
        { id: 2, v: 'b', n: 1, ver: 3 },
      ]),
    );
    await load(
      emu,
      't',
      ndjson([
        { id: 1, v: 'A', n: 1, ver: 1 },
        { id: 2, v: 'B', n: 1, ver: null },
      ]),
      { merge_condition: 'ver' },
    );
    assert.deepEqual(
      plainRows(emu, 't').map((x) => x['v']),
      ['A', 'b'],
    );
  });

  it('merge_condition with partial update: the condition column must be in the set', async () => {
    await load(emu, 't', '{"id":1,"v":"a","n":1,"ver":5}');
    const ok = await load(emu, 't', '{"id":1,"ver":6,"v":"b"}', { partial_update: 'true', columns: 'id,v,ver', merge_condition: 'ver' });
    assert.equal(ok.json['Status'], 'Success');
    assert.deepEqual(plainRows(emu, 't')[0], { id: 1, v: 'b', n: 1, ver: 6 });
    const bad = await load(emu, 't', '{"id":1,"v":"c"}', { partial_update: 'true', columns: 'id,v', merge_condition: 'ver' });
    assert.match(String(bad.json['Message']), /^Merge condition column ver does not exist\. If you are doing partial update/);
  });

  it('merge_condition validation messages (§6.4)', async () => {
    createTable(emu, 'd', 'dup', [col('k', 'INT', { key: true, nullable: false }), col('x', 'INT')], 'DUPLICATE_KEYS');
    const cases: [string, string, string][] = [
      ['dup', 'x', 'Conditional update only support primary key table dup'],
      [
        't',
        'nope',
        'Merge condition column nope does not exist. If you are doing partial update with condition update, please check condition column is in the given update columns. Otherwise please check condition column is in table t',
      ],
      ['t', 'id', 'Merge condition column id should not be primary key!'],
      ['t', 'v', 'Merge condition column has invalid type maybe bitmap/hll/percentile/json/varchar!'],
    ];
    for (const [table, column, message] of cases) {
      const r = await load(emu, table, '{"id":1,"k":1}', { merge_condition: column });
      assert.equal(r.json['Status'], 'Fail');
      assert.equal(r.json['Message'], message);
      assert.equal(r.be?.bodySent, false, 'planning errors come before the body');
    }
  });

  it('max_filter_ratio: filtered / (total − unselected) > ratio fails with ErrorURL; the load is atomic', async () => {
    const rows = ndjson([
      { id: 1, n: 1 },
      { id: 2, n: 'x' },
      { id: 3, n: 1 },
      { id: 4, n: 1 },
    ]);
    const fail = await load(emu, 't', rows, { max_filter_ratio: '0.2', label: 'mfr' });
    assert.equal(fail.json['Status'], 'Fail');
    assert.equal(fail.json['Message'], 'too many filtered rows');
    assert.equal(fail.json['NumberFilteredRows'], 1);
    assert.equal(fail.json['NumberTotalRows'], 4);
    assert.equal(emu.rows('d', 't').length, 0, 'nothing applied');
    const log = await fetchText(String(fail.json['ErrorURL']));
    assert.match(log.text, /^Error: /);
    const ok = await load(emu, 't', rows, { max_filter_ratio: '0.25', label: 'mfr' });
    assert.equal(ok.json['Status'], 'Success', 'ratio equal to the limit passes; the aborted label is reusable');
    assert.equal(emu.rows('d', 't').length, 3);
  });

  it('default max_filter_ratio is 0: one bad row fails the load', async () => {
    const r = await load(
      emu,
      't',
      ndjson([
        { id: 1, n: 1 },
        { id: 2, n: 99999999999 },
      ]),
    );
    assert.equal(r.json['Message'], 'too many filtered rows');
    const log = await fetchText(String(r.json['ErrorURL']));
    assert.match(log.text, /Value is overflow\. column=n, value=99999999999/);
  });

  it('the error log keeps at most 50 lines', async () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({ id: i, n: null }));
    const r = await load(emu, 't', ndjson(rows));
    const log = await fetchText(String(r.json['ErrorURL']));
    assert.equal(log.text.trimEnd().split('\n').length, 50);
    const other = emu.beHttpPorts[0];
    assert.ok(String(r.json['ErrorURL']).startsWith(`http://127.0.0.1:${other ?? 0}/api/_load_error_log?file=error_log_`));
  });

  it('columns header: backticks, case-insensitive names, temp columns, Duplicate column, to_binary', async () => {
    createTable(emu, 'd', 'b', [col('id', 'INT', { key: true }), col('bin', 'VARBINARY'), col('s', 'VARCHAR(20)')]);
    const r = await load(emu, 'b', ndjson([{ ID: 1, tmp: 'AQID', junk: 1, S: 'x' }]), { columns: "`ID`, tmp, junk, `S`, bin = to_binary(tmp, 'encode64')" });
    assert.equal(r.json['Status'], 'Success');
    const row = emu.rows('d', 'b')[0];
    assert.deepEqual(row?.['bin'], Buffer.from([1, 2, 3]));
    assert.equal(row?.['s'], 'x');
    const hex = await load(emu, 'b', '{"id":2,"h":"ff00"}', { columns: 'id, h, bin = to_binary(h)' });
    assert.equal(hex.json['Status'], 'Success');
    assert.deepEqual(emu.rows('d', 'b')[1]?.['bin'], Buffer.from([255, 0]));
    const dup = await load(emu, 'b', '{}', { columns: 'id, ID' });
    assert.equal(dup.json['Message'], 'Duplicate column: ID');
    const map = await load(emu, 'b', '{}', { columns: "id, zz = 'x'" });
    assert.equal(map.json['Message'], 'Mapping column is not in table. column: zz');
    const konst = await load(emu, 'b', '{"id":3}', { columns: "id, s = 'const'" });
    assert.equal(konst.json['Status'], 'Success');
    assert.equal(emu.rows('d', 'b')[2]?.['s'], 'const');
  });

  it('jsonpaths map positionally onto columns', async () => {
    const r = await load(emu, 't', '{"a":{"k":5},"b":["x"],"c":9}', { jsonpaths: '["$.a.k","$.b[0]","$.c"]', columns: 'id,v,n' });
    assert.equal(r.json['Status'], 'Success');
    assert.deepEqual(plainRows(emu, 't'), [{ id: 5, v: 'x', n: 9, ver: null }]);
    const bad = await load(emu, 't', '{}', { jsonpaths: '["a"]', columns: 'id' });
    assert.equal(bad.json['Message'], 'Invalid json path: a');
  });

  it('unknown JSON keys are ignored; key matching is exact (case-sensitive)', async () => {
    const r = await load(emu, 't', '{"id":1,"n":2,"extra":{"deep":[1]},"V":"upper"}');
    assert.equal(r.json['Status'], 'Success');
    assert.deepEqual(plainRows(emu, 't'), [{ id: 1, v: null, n: 2, ver: null }]);
  });

  it('DUPLICATE_KEYS tables append (and ignore __op)', async () => {
    createTable(emu, 'd', 'dk', [col('k', 'INT', { key: true, nullable: false }), col('x', 'INT')], 'DUPLICATE_KEYS');
    await load(
      emu,
      'dk',
      ndjson([
        { k: 1, x: 1 },
        { k: 1, x: 2, __op: 1 },
      ]),
    );
    assert.deepEqual(plainRows(emu, 'dk'), [
      { k: 1, x: 1 },
      { k: 1, x: 2 },
    ]);
  });

  it('format: csv (optional): positional columns, \\N as NULL, separators', async () => {
    const r = await load(emu, 't', '1\ta\t3\t\\N\n2\tb\t4\t9\n', { format: 'csv' });
    assert.equal(r.json['Status'], 'Success');
    assert.deepEqual(plainRows(emu, 't'), [
      { id: 1, v: 'a', n: 3, ver: null },
      { id: 2, v: 'b', n: 4, ver: 9 },
    ]);
    const c = await load(emu, 't', '3,c\n4', { format: 'csv', column_separator: ',', columns: 'id,v', max_filter_ratio: '0.5' });
    assert.equal(c.json['NumberFilteredRows'], 1);
    const log = await fetchText(String(c.json['ErrorURL']));
    assert.match(log.text, /Value count does not match column count\. Expect 2, but got 1/);
  });
});
