import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CORE_SETTINGS } from '../../../../core/config/core-settings.js';
import { readSettings } from '../../../../core/config/read-settings.js';
import type { SettingSpec } from '../../../../core/plugin/settings.js';

const SINK_SPECS: readonly SettingSpec[] = [
  {
    env: 'SINK_URL',
    aliases: ['STARROCKS_URL'],
    type: 'string',
    required: true,
    url: true,
    schema: { format: 'uri' },
    description: 'FE URL',
    expected: 'the StarRocks FE HTTP URL, e.g. http://starrocks-fe:8030',
  },
  { env: 'SINK_PASSWORD', aliases: ['STARROCKS_PASS'], type: 'string', default: '', secret: true, schema: { pattern: '^\\S*$' }, description: 'pw' },
  { env: 'SINK_ENABLED', type: 'boolean', default: true, description: 'flag' },
  { env: 'SINK_RATIO', type: 'number', default: 0, schema: { minimum: 0, maximum: 1 }, description: 'ratio' },
];

test('core defaults apply when nothing is set', () => {
  const r = readSettings(CORE_SETTINGS, { TABLES: 'orders' });
  assert.deepEqual(r.problems, []);
  // The documented defaults users rely on (the seed's names and our lower-latency flush interval) ...
  assert.equal(r.settings['SOURCE_TYPE'], 'postgres');
  assert.equal(r.settings['SINK_TYPE'], 'starrocks');
  assert.equal(r.settings['FLUSH_SIZE'], 10000);
  assert.equal(r.settings['FLUSH_INTERVAL_MS'], 1000);
  assert.equal(r.settings['GRPC_PORT'], 50051);
  assert.equal(r.settings['GRPC_HOST'], '127.0.0.1');
  assert.equal(r.settings['LOG_LEVEL'], 'info');
  assert.deepEqual(r.settings['TABLES'], ['orders']);
  // ... and every declared default is applied.
  for (const spec of CORE_SETTINGS) {
    if (spec.default !== undefined) assert.deepEqual(r.settings[spec.env], spec.default, spec.env);
  }
});

test('text is converted by type: integer, boolean, number, list (trimmed)', () => {
  const core = readSettings(CORE_SETTINGS, { TABLES: ' orders , items ', FLUSH_SIZE: ' 25 ' });
  assert.deepEqual(core.settings['TABLES'], ['orders', 'items']);
  assert.equal(core.settings['FLUSH_SIZE'], 25);
  const sink = readSettings(SINK_SPECS, { SINK_URL: 'http://fe:8030', SINK_ENABLED: 'off', SINK_RATIO: '0.25' });
  assert.deepEqual(sink.problems, []);
  assert.equal(sink.settings['SINK_ENABLED'], false);
  assert.equal(sink.settings['SINK_RATIO'], 0.25);
});

test('every problem at once, one line each, naming the variable, the problem and the expected form', () => {
  const r = readSettings(CORE_SETTINGS, { FLUSH_SIZE: 'abc', FLUSH_INTERVAL_MS: '0', GRPC_PORT: '70000', LOG_LEVEL: 'loud', MAX_BUFFERED_BYTES: '1.5' });
  assert.deepEqual(r.problems, [
    'TABLES: required, expected a comma-separated list of tables, e.g. orders,public.order_items',
    "FLUSH_SIZE: 'abc' is not a positive integer (expected a positive integer, e.g. 10000)",
    "FLUSH_INTERVAL_MS: '0' is not a positive integer (expected a positive integer (milliseconds), e.g. 1000)",
    "MAX_BUFFERED_BYTES: '1.5' is not a positive integer (expected a positive integer (bytes), e.g. 67108864)",
    "GRPC_PORT: '70000' is not a non-negative integer (expected a TCP port between 0 and 65535, e.g. 50051)",
    "LOG_LEVEL: 'loud' is not one of trace, debug, info, warn, error, fatal, silent (expected one of trace, debug, info, warn, error, fatal, silent)",
  ]);
});

test('a list with an empty item is rejected', () => {
  const r = readSettings(CORE_SETTINGS, { TABLES: 'orders,,items' });
  assert.deepEqual(r.problems, [
    "TABLES: 'orders,,items' has an empty item (remove the extra comma) (expected a comma-separated list of tables, e.g. orders,public.order_items)",
  ]);
});

test('aliases are accepted; both names set to different values is a problem; the same value is fine', () => {
  assert.equal(readSettings(SINK_SPECS, { STARROCKS_URL: 'http://fe:8030' }).settings['SINK_URL'], 'http://fe:8030');
  assert.deepEqual(readSettings(SINK_SPECS, { SINK_URL: 'http://fe:8030', STARROCKS_URL: 'http://fe:8030' }).problems, []);
  const conflict = readSettings(SINK_SPECS, { SINK_URL: 'http://a:8030', STARROCKS_URL: 'http://b:8030' });
  assert.deepEqual(conflict.problems, ['SINK_URL and STARROCKS_URL are both set, to different values: set only SINK_URL (STARROCKS_URL is its older name)']);
});

test('a missing required setting names its aliases; an empty value counts as unset', () => {
  const r = readSettings(SINK_SPECS, { SINK_URL: '' });
  assert.deepEqual(r.problems, ['SINK_URL (or STARROCKS_URL): required, expected the StarRocks FE HTTP URL, e.g. http://starrocks-fe:8030']);
});

test('bad URL, secret and boolean values: the value is masked in the message', () => {
  const r = readSettings(SINK_SPECS, { STARROCKS_URL: 'fe:8030/hunter2', STARROCKS_PASS: 'hunter 2', SINK_ENABLED: 'maybe', SINK_RATIO: '2' });
  assert.deepEqual(r.problems, [
    "STARROCKS_URL: 'fe:8030/hunter2' is not a valid absolute URL (expected the StarRocks FE HTTP URL, e.g. http://starrocks-fe:8030)",
    "STARROCKS_PASS: '****' does not have the expected form (expected a value (pw))",
    "SINK_ENABLED: 'maybe' is not a boolean (true or false) (expected true or false, e.g. true)",
    "SINK_RATIO: '2' must be <= 1 (expected a number, e.g. 0)",
  ]);
  assert.deepEqual(r.secrets, ['hunter 2']);
  const url = readSettings(SINK_SPECS, { SINK_URL: 'http://root:hunter2@fe:8030', SINK_ENABLED: 'x' });
  assert.deepEqual(url.secrets, ['hunter2', 'hunter2']);
});
