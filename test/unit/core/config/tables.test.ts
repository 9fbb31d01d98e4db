import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTables } from '../../../../core/config/tables.js';

test('table or schema.table; unquoted names fold to lower case; quotes keep case and dots', () => {
  const { tables, problems } = parseTables(['orders', 'sales.Order_Items', '"Sales"."Order.Lines"', '"a""b"']);
  assert.deepEqual(problems, []);
  assert.deepEqual(tables, [
    { schema: 'public', name: 'orders' },
    { schema: 'sales', name: 'order_items' },
    { schema: 'Sales', name: 'Order.Lines' },
    { schema: 'public', name: 'a"b' },
  ]);
});

test('duplicates (also through the default schema) and bad names are reported, each once', () => {
  const { tables, problems } = parseTables(['orders', 'public.orders', 'a.b.c', 'bad-name', 'x.', '"open']);
  assert.deepEqual(tables, [{ schema: 'public', name: 'orders' }]);
  assert.deepEqual(problems, [
    "TABLES: 'public.orders' is listed more than once (as public.orders)",
    "TABLES: 'a.b.c' has more than two name parts (expected schema.table or table, e.g. public.orders)",
    "TABLES: 'bad-name' has 'bad-name', which needs double quotes (unquoted names are letters, digits, _ and $) (expected schema.table or table, e.g. public.orders)",
    "TABLES: 'x.' ends with a dot (expected schema.table or table, e.g. public.orders)",
    "TABLES: '\"open' has an unterminated quoted identifier (expected schema.table or table, e.g. public.orders)",
  ]);
});
