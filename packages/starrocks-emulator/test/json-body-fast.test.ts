/**
 * The byte-level JSON body reader (json-body-fast.ts) is only an optimisation of `readJsonBody`: on
 * every body it either gives exactly `readJsonBody`'s rows or declines (null). These tests compare the
 * two on bodies made of every value kind each column type sees (valid, invalid, escaped, nested, out of
 * range, too long, bad dates, duplicate and escaped keys, `__op`, syntax errors, NDJSON), and check that
 * dbmazz's own body shape does take the fast path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Catalog, type ColumnDefinition } from '../src/catalog.js';
import { readJsonBodyFast } from '../src/json-body-fast.js';
import { planLoad } from '../src/load-plan.js';
import { readJsonBody } from '../src/load-reader.js';
import { col } from './helpers.js';

function table(columns: ColumnDefinition[]): ReturnType<Catalog['createTable']> {
  const c = new Catalog();
  c.createDatabase('d');
  const keys = columns.filter((x) => x.isKey).map((x) => x.name);
  return c.createTable('d', { name: 't', keysType: 'PRIMARY_KEYS', columns, keyColumns: keys, distribution: { columns: keys } });
}

const NOW = new Date('2026-01-02T03:04:05Z');

/** Both readers on one body; returns whether the fast one answered. */
function same(headers: Record<string, string>, t: ReturnType<typeof table>, body: string | Buffer): boolean {
  const plan = planLoad(t, new Map(Object.entries({ format: 'json', ...headers })), 'json', NOW);
  assert.ok(plan.ok, plan.ok ? '' : plan.message);
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const fast = readJsonBodyFast(plan.value, bytes);
  if (fast === null) return false;
  const slow = readJsonBody(plan.value, bytes.toString('utf8'), NOW);
  assert.deepEqual(fast, slow, `body ${bytes.toString('utf8').slice(0, 300)}`);
  return true;
}

/** Values (as JSON text) for a column of each type: valid, invalid, awkward. */
const CELLS: Readonly<Record<string, readonly string[]>> = {
  TINYINT: ['0', '-0', '127', '-128', '128', '-129', '1.5', '1e2', '"5"', '" 5 "', '"x"', 'true', '[1]', '{"a":1}', 'null'],
  INT: ['2147483647', '-2147483648', '2147483648', '123456789012345678', '0.5', '-1.9', '"12"', '"1e3"', 'false', 'null'],
  BIGINT: [
    '9223372036854775807',
    '-9223372036854775808',
    '9223372036854775808',
    '-9223372036854775809',
    '999999999999999',
    '1000000000000000',
    '12.0',
    '"7"',
    '"\\u0037"',
    'null',
  ],
  LARGEINT: ['170141183460469231731687303715884105727', '170141183460469231731687303715884105728', '-5', '1.5', '"99"', 'null'],
  BOOLEAN: ['true', 'false', '0', '1', '2.5', '"true"', '"0"', '"yes"', '[]', 'null'],
  DOUBLE: ['1.5', '-0.0', '1e308', '1e309', '-1e-320', '"2.5"', '"x"', 'true', 'null'],
  FLOAT: ['3.4028234663852886e38', '3.5e38', '1', '"1"', 'null'],
  'DECIMAL(9,2)': ['0', '-0', '-0.00', '1.5', '1.25', '1.255', '1234567.89', '12345678.9', '1e2', '1.5E-1', '0.1', '"3.14"', '" 2 "', '"x"', 'true', 'null'],
  'DECIMAL(4,4)': ['0', '0.1234', '0.12345', '1', '-0.5', 'null'],
  'DECIMAL(18,0)': ['12', '12.0', '12.5', '-7', 'null'],
  'VARCHAR(5)': [
    '"abc"',
    '"abcde"',
    '"abcdef"',
    '"é"',
    '"ééé"',
    '"\\u00e9"',
    '"a\\"b"',
    '"a\\qb"',
    '"\\ud800"',
    '12.50',
    'true',
    '[1, 2]',
    '{"b": 1, "a": 2}',
    '""',
    'null',
  ],
  'CHAR(2)': ['"ab"', '"abc"', '"日"', 'null'],
  DATE: ['"2024-02-29"', '"2023-02-29"', '"2024-01-02 03:04:05"', '"20240102"', '"2024-1-2"', '"x"', '"2024-01-02T00:00:00Z"', '20240102', 'null'],
  DATETIME: [
    '"2024-01-02 03:04:05"',
    '"2024-01-02 03:04:05.123456"',
    '"2024-01-02 03:04:05.12"',
    '"2024-01-02T03:04:05"',
    '"2024-01-02 24:00:00"',
    '"2024-01-02 03:04:567"',
    '"2024-01-02"',
    '" 2024-01-02 03:04:05 "',
    '"2024-01-02 03:04:05\\n"',
    '"bad"',
    '1',
    'null',
  ],
  JSON: [
    '{"b": 1, "a": [1, 2.50, {"c": null}]}',
    '[]',
    '{}',
    '"s"',
    '1',
    '12345678901234567890123',
    'true',
    '{"a": "\\u00e9\\n", "a": 2}',
    '{"k": "\\q"}',
    '{"\\q": 1}',
    '[[[[1]]]]',
    'null',
    '{"a": 1, "b": [1, 2.50, {"c": null, "d": "é"}], "é": 1e2}',
    '{"a": 1, "a": 2}',
    '{"b": 1, "a": 2}',
    '{"ab": 1, "b": 2, "ba": "x y"}',
    '{"a": 1e400}',
    '[18446744073709551615, -0, -0.0, 1e-7]',
    '18446744073709551616',
    '"é\u0001"',
    '"plain"',
    '-0.0',
    '{"k": 5, "s": "v5", "tags": [1, 2]}',
  ],
  'ARRAY<INT>': ['[1, 2, null]', '[1, "x"]', '[]', '1', '"[1]"', 'null'],
  'MAP<VARCHAR(5),INT>': ['{"a": 1, "b": "x"}', '{}', '[1]', 'null'],
  'STRUCT<a INT, b VARCHAR(3)>': ['{"a": 1, "b": "xyz"}', '{"a": "x"}', '1', 'null'],
};

describe('byte-level JSON body reader (same rows as readJsonBody, or declines)', () => {
  for (const [type, cells] of Object.entries(CELLS)) {
    it(`${type}: every value, nullable and NOT NULL, strict or not`, () => {
      for (const nullable of [true, false]) {
        const t = table([col('id', 'BIGINT', { key: true }), col('v', type, { nullable })]);
        for (const strict of ['false', 'true']) {
          for (const [i, cell] of cells.entries()) {
            const h = { strip_outer_array: 'true', strict_mode: strict, max_filter_ratio: '1' };
            same(h, t, `[{"id": ${i}, "v": ${cell}}]`);
            same(h, t, `[{"v": ${cell}, "id": ${i}}, {"id": ${i + 100}}]`);
            same({ strict_mode: strict }, t, `{"id":${i},"v":${cell}}\n{"id":${i + 1},"v":${cell}}`);
          }
          // all the valid ones together, with a missing cell
          same({ strip_outer_array: 'true', strict_mode: strict }, t, `[${cells.map((c, i) => `{"id": ${i}, "v": ${c}}`).join(', ')}, {"id": 999}]`);
        }
      }
    });
  }

  it('keys: unknown, duplicate, escaped, non-ASCII, reordered, missing NOT NULL key', () => {
    const t = table([col('id', 'BIGINT', { key: true }), col('v', 'VARCHAR(10)'), col('é', 'INT'), col('n', 'INT', { nullable: false, default: '7' })]);
    const bodies = [
      '[{"id": 1, "v": "a", "x": {"deep": [1, "\\q"]}}]',
      '[{"id": 1, "v": "a", "v": "b"}]',
      '[{"id": 1, "x": 1, "x": 2}]',
      '[{"id": 1, "\\u0076": "a"}]',
      '[{"id": 1, "v\\q": "a"}]',
      '[{"id": 1, "é": 5}, {"é": 6, "id": 2}, {"id": 3, "n": 9}]',
      '[{"v": "a"}]',
      '[{"id": null}]',
      '[{"id": 1, "n": null}]',
      '[{}]',
      '[{"id": 1}, {"id": 2, "v": "b", "z": 0}, {"v": "c", "id": 3}, {"id": 4, "v": "d"}]',
    ];
    for (const body of bodies) same({ strip_outer_array: 'true', max_filter_ratio: '1' }, t, body);
  });

  it('__op: 0, 1, strings, other values; deletes keep only the key; a columns header', () => {
    const t = table([col('id', 'BIGINT', { key: true }), col('v', 'INT', { nullable: false })]);
    const ops = ['0', '1', '"1"', '" 0 "', '2', '1.0', 'null', 'true', '"delete"'];
    for (const op of ops) {
      same({ strip_outer_array: 'true' }, t, `[{"id": 1, "v": 5, "__op": ${op}}]`);
      same({ strip_outer_array: 'true' }, t, `[{"__op": ${op}, "id": 2, "v": "bad"}]`);
      same({ strip_outer_array: 'true' }, t, `[{"__op": ${op}, "id": 2}]`);
      same({ strip_outer_array: 'true', columns: 'id,v,o,__op=o' }, t, `[{"id": 1, "v": 5, "o": ${op}}]`);
    }
    same({ strip_outer_array: 'true', columns: "__op='delete'" }, t, '[{"id": 1}]');
    // a mapped __op source listed in another case: the general reader finds it
    same({ strip_outer_array: 'true', columns: 'id,v,O,__op=o' }, t, '[{"id": 1, "v": 5, "O": 1}]');
    // deletes of a table with a NOT NULL value column take the fast path
    assert.equal(same({ strip_outer_array: 'true' }, t, '[{"id": 1, "__op": 1}, {"id": 2, "v": 3, "__op": 0}]'), true);
    same({ strip_outer_array: 'true', columns: 'id,v' }, t, '[{"id": 1, "v": 5, "__op": 1}]');
  });

  it('body structure: whitespace, NDJSON, several arrays, empty, syntax errors, invalid UTF-8', () => {
    const t = table([col('id', 'BIGINT', { key: true }), col('v', 'VARCHAR(20)')]);
    const strip = [
      ' \n[ {"id" : 1 , "v" : "a" } ,\t{"id":2}\r\n] ',
      '[]',
      '[] [{"id": 1}]',
      '[{"id": 1}][{"id": 2}]',
      '',
      '   ',
      '{"id": 1}',
      '[1, 2]',
      '[{"id": 1},]',
      '[{"id": 1}',
      '[{"id": 1 "v": "a"}]',
      '[{"id": 01}]',
      '[{"id": 1, "v": "a\u0001"}]',
      '[{"id": 1, "v": "abc',
      '[{"id": 1, "v": "a\\',
      '[{"id": 1, "v": tru}]',
      '[{"id": 1, "v": nul}]',
      '[{"id": -}]',
      '[{"id": 1.}]',
      '[{"id": 1e}]',
      '[{"id": 1}] x',
      `[{"id": 1, "v": ${'['.repeat(600)}${']'.repeat(600)}}]`,
    ];
    for (const body of strip) same({ strip_outer_array: 'true', max_filter_ratio: '1' }, t, body);
    for (const body of ['{"id": 1}{"id": 2}', '{"id": 1}\n[{"id": 2}]', '[{"id": 1}]', '{"id": 1} 5']) same({ max_filter_ratio: '1' }, t, body);
    const bad = Buffer.concat([
      Buffer.from('[{"id": 1, "v": "a'),
      Buffer.from([0xff, 0xe2, 0x82]),
      Buffer.from('b"}, {"id": 2, "v": "'),
      Buffer.from([0xc3]),
      Buffer.from('"}]'),
    ]);
    same({ strip_outer_array: 'true' }, t, bad);
  });

  it('takes the fast path for the body dbmazz sends', () => {
    const t = table([
      col('id', 'BIGINT', { key: true }),
      col('amount', 'DECIMAL(18,4)'),
      col('title', 'VARCHAR(65533)'),
      col('created_at', 'DATETIME'),
      col('payload', 'JSON'),
      col('active', 'BOOLEAN'),
      col('qty', 'INT'),
      col('body', 'VARCHAR(65533)'),
      col('dbmazz_op_type', 'TINYINT'),
      col('dbmazz_is_deleted', 'BOOLEAN'),
      col('dbmazz_synced_at', 'DATETIME'),
      col('dbmazz_cdc_version', 'BIGINT'),
    ]);
    const rows = Array.from(
      { length: 50 },
      (_, i) =>
        `{"id":${i},"amount":${i}.2345,"title":"title ${i} é","created_at":"2024-01-01 00:00:0${i % 10}.12345${i % 10}","payload":{"k": ${i}, "s": "v${i}", "tags": [1, 2]},` +
        `"active":${i % 2 === 0},"qty":${i},"body":${i % 7 === 0 ? 'null' : `"short body ${i}"`},"dbmazz_op_type":0,"dbmazz_is_deleted":false,` +
        `"dbmazz_synced_at":"2026-12-07 03:47:43.980000","dbmazz_cdc_version":106804904}`,
    );
    const headers = {
      strip_outer_array: 'true',
      ignore_json_size: 'true',
      merge_condition: 'dbmazz_cdc_version',
      max_filter_ratio: '0',
      columns:
        '`id`,`amount`,`title`,`created_at`,`payload`,`active`,`qty`,`body`,`dbmazz_op_type`,`dbmazz_is_deleted`,`dbmazz_synced_at`,`dbmazz_cdc_version`',
    };
    assert.equal(same(headers, t, `[${rows.join(',')}]`), true, 'the fast path declined a dbmazz body');
    // A snapshot load: the audit columns set once by constant mappings of the header, not in the rows.
    const bare = rows.map((r) => `${r.slice(0, r.indexOf(',"dbmazz_op_type"'))}}`);
    const constants = {
      ...headers,
      columns:
        "`id`,`amount`,`title`,`created_at`,`payload`,`active`,`qty`,`body`,`dbmazz_op_type`=0,`dbmazz_is_deleted`=false,`dbmazz_synced_at`='2026-12-07 03:47:43.980000',`dbmazz_cdc_version`=106804904",
    };
    assert.equal(same(constants, t, `[${bare.join(',')}]`), true, 'the fast path declined a dbmazz snapshot body');
  });

  it('constant mappings: every literal kind into every column type, converting or not, NOT NULL or not', () => {
    const literals = ["'2024-01-02 03:04:05.123456'", "'x'", "''", '7', '-3', '1.5', '128', '99999999999999999999', 'TRUE', 'FALSE', 'NULL'];
    const types = ['TINYINT', 'BIGINT', 'BOOLEAN', 'DATETIME', 'DATE', 'DECIMAL(9,2)', 'VARCHAR(3)', 'DOUBLE', 'JSON'];
    let fast = 0;
    for (const type of types) {
      for (const nullable of [true, false]) {
        const t = table([col('id', 'BIGINT', { key: true }), col('v', 'INT'), col('c', type, { nullable })]);
        for (const literal of literals) {
          for (const strict of ['true', 'false']) {
            const headers = { strip_outer_array: 'true', strict_mode: strict, max_filter_ratio: '1', columns: `id,v,c=${literal}` };
            // Rows also carry a key named like the mapped column: a mapping is not read from the row.
            if (same(headers, t, '[{"id": 1, "v": 2}, {"id": 2, "v": 3, "c": 9}, {"id": 3, "__op": 1}]')) fast++;
          }
        }
      }
    }
    assert.ok(fast > 0, 'no constant mapping took the fast path');
  });
});
