import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStarRocksConfig, readStarRocksConfig } from '../../../connectors/starrocks/config.js';
import { applyPattern, parsePattern, parseTableMap, tableNameProblem, TargetNaming } from '../../../connectors/starrocks/table-names.js';
import { parseTables } from '../../../core/index.js';

const ids = (...entries: string[]) => parseTables(entries).tables;
const naming = (pattern?: string, map?: string[]): TargetNaming => {
  const parsed = TargetNaming.parse(pattern, map);
  assert.deepEqual(parsed.problems, []);
  return parsed.value;
};

test('default naming: the source table name (today behaviour); the pattern replaces {schema} and {table}', () => {
  const [a, b] = ids('a.orders', 'B."Big Orders"');
  assert.ok(a && b);
  assert.equal(naming().targetOf(a), 'orders');
  assert.equal(naming('{schema}_{table}').targetOf(a), 'a_orders');
  assert.equal(naming('{schema}_{table}').targetOf(b), 'b_Big Orders');
  assert.equal(applyPattern('cdc_{table}_{schema}{table}', a), 'cdc_orders_aorders');
});

test('SINK_TABLE_MAP overrides the pattern per table; quoted sources and targets keep case and special characters', () => {
  const n = naming('{schema}_{table}', ['a.orders:orders_a', '"Sales"."x:y":"Odd, Name"', 'plain:Kept_Case']);
  const [a, other, quoted, plain] = ids('a.orders', 'a.items', '"Sales"."x:y"', 'plain');
  assert.ok(a && other && quoted && plain);
  assert.equal(n.targetOf(a), 'orders_a');
  assert.equal(n.targetOf(other), 'a_items');
  assert.equal(n.targetOf(quoted), 'Odd, Name');
  assert.equal(n.targetOf(plain), 'Kept_Case');
  assert.deepEqual(n.unusedOverrides([a]), ['Sales.x:y', 'public.plain']);
});

test('two source tables into one target are refused, naming both sources, the target and the settings', () => {
  const problems = naming().problems(ids('a.orders', 'b.orders', 'a.items'));
  assert.equal(problems.length, 1);
  assert.match(problems[0] ?? '', /a\.orders and b\.orders would both be loaded into the StarRocks table 'orders'/);
  assert.match(problems[0] ?? '', /SINK_TABLE_NAME=\{schema\}_\{table\} or SINK_TABLE_MAP=a\.orders:a_orders,b\.orders:b_orders/);
  // A map that sends a table onto another table's default name collides too.
  const mapped = naming(undefined, ['a.items:orders']).problems(ids('a.orders', 'a.items'));
  assert.match(mapped.join('\n'), /a\.orders and a\.items would both be loaded into the StarRocks table 'orders'/);
  // Fixed by either setting.
  assert.deepEqual(naming('{schema}_{table}').problems(ids('a.orders', 'b.orders')), []);
  assert.deepEqual(naming(undefined, ['a.orders:orders_a', 'b.orders:orders_b']).problems(ids('a.orders', 'b.orders')), []);
  // Names are case-sensitive in StarRocks: Orders and orders are two tables.
  assert.deepEqual(naming(undefined, ['a.orders:Orders']).problems(ids('a.orders', 'b.orders')), []);
});

test('bad settings are reported, every one: placeholders, map syntax, target names, the reserved state table', () => {
  assert.deepEqual(parsePattern('{schema}_{name}').problems, [
    "SINK_TABLE_NAME: '{schema}_{name}' has the unknown placeholder {name} (expected {schema} and {table})",
  ]);
  assert.deepEqual(parsePattern('{table}}').problems, ["SINK_TABLE_NAME: '{table}}' has an unmatched { or }"]);
  const map = parseTableMap(['a.orders', 'a.b.c:x', 'a.orders:', 'a.items: x ', 'a.items:y']);
  assert.deepEqual(map.problems, [
    "SINK_TABLE_MAP: 'a.orders' has no ':' between the source table and the target name (expected schema.table:target, e.g. sales.orders:sales_orders)",
    "SINK_TABLE_MAP: 'a.b.c' has more than two name parts (expected schema.table or table, e.g. public.orders)",
    "SINK_TABLE_MAP: the target of 'a.orders:' is empty (expected schema.table:target, e.g. sales.orders:sales_orders)",
    'SINK_TABLE_MAP: a.items is mapped more than once',
  ]);
  assert.equal(tableNameProblem('x'.repeat(1024)), undefined);
  assert.equal(tableNameProblem('x'.repeat(1025)), 'is longer than 1024 characters');
  assert.equal(tableNameProblem('a\0b'), 'contains a NUL character');
  const long = naming('{schema}_{table}').problems(ids(`a."${'x'.repeat(1024)}"`));
  assert.match(long.join(), /is longer than 1024 characters; map the table to a valid name with SINK_TABLE_MAP/);
  const reserved = naming(undefined, ['a.t:dbmazz_source_identity']).problems(ids('a.t'));
  assert.match(reserved.join(), /a\.t would be loaded into dbmazz_source_identity, which dbmazz keeps for its own state/);
});

test('the manifest check reads the settings (defaults when unset) and the sink config carries the naming', () => {
  const tables = ids('a.orders', 'b.orders');
  assert.equal(checkStarRocksConfig({}, tables).length, 1);
  assert.deepEqual(checkStarRocksConfig({ SINK_TABLE_NAME: '{schema}_{table}' }, tables), []);
  assert.deepEqual(checkStarRocksConfig({ SINK_TABLE_NAME: '{x}' }, tables), [
    "SINK_TABLE_NAME: '{x}' has the unknown placeholder {x} (expected {schema} and {table})",
  ]);
  const cfg = readStarRocksConfig({ SINK_URL: 'http://fe:8030', SINK_DATABASE: 'd', SINK_TABLE_MAP: ['a.orders:oa'] });
  assert.equal(cfg.naming.targetOf({ schema: 'a', name: 'orders' }), 'oa');
  assert.equal(cfg.naming.targetOf({ schema: 'b', name: 'orders' }), 'orders');
  assert.equal(cfg.onSourceChange, 'fail');
});
