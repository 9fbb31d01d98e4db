import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../../core/config/load-config.js';
import { configSummary } from '../../../../core/config/summary.js';
import { ConfigError, PLUGIN_API_VERSION, type SinkManifest, type SourceManifest } from '../../../../core/index.js';
import { ConnectorLoader, createRegistry } from '../../../../core/plugin/loader.js';

function fail(): never {
  throw new Error('must not be created by config loading');
}

const source: SourceManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'source',
  type: 'pg-test',
  description: 'test source',
  capabilities: { unchangedColumns: false, keyChanges: false, transactions: true },
  settings: [
    { env: 'SOURCE_URL', aliases: ['DATABASE_URL'], type: 'string', required: true, url: true, schema: { format: 'uri' }, description: 'url' },
    { env: 'SOURCE_SLOT_NAME', aliases: ['SLOT_NAME'], type: 'string', default: 'dbmazz_slot', description: 'slot' },
  ],
  create: fail,
};
const sink: SinkManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'sink',
  type: 'sr-test',
  description: 'test sink',
  capabilities: { partialUpdate: true, softDelete: true, idempotentBatches: true },
  settings: [
    {
      env: 'SINK_URL',
      aliases: ['STARROCKS_URL'],
      type: 'string',
      required: true,
      url: true,
      schema: { format: 'uri' },
      description: 'url',
      expected: 'the StarRocks FE HTTP URL, e.g. http://starrocks-fe:8030',
    },
    { env: 'SINK_PASSWORD', aliases: ['STARROCKS_PASS'], type: 'string', default: '', secret: true, description: 'pw' },
  ],
  create: fail,
};

function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'dbmazz-cfg-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function problemsOf(env: Record<string, string>, dir: string): Promise<readonly string[]> {
  const loader = new ConnectorLoader(createRegistry([source, sink]), dir);
  const err = await loadConfig({ env, cwd: dir, loader }).then(
    () => assert.fail('expected a ConfigError'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof ConfigError);
  return err.problems;
}

test('a valid configuration: core values, tables, connectors, pipelineId from SOURCE_SLOT_NAME', () =>
  withDir(async (dir) => {
    const loader = new ConnectorLoader(createRegistry([source, sink]), dir);
    const env = {
      SOURCE_TYPE: 'pg-test',
      SINK_TYPE: 'sr-test',
      TABLES: 'orders,sales.items',
      SOURCE_URL: 'postgres://u:pw@h/db',
      SLOT_NAME: 'my_slot',
      STARROCKS_URL: 'http://fe:8030',
      FLUSH_SIZE: '50',
    };
    const cfg = await loadConfig({ env, cwd: dir, loader });
    assert.equal(cfg.source.manifest, source);
    assert.equal(cfg.sink.manifest, sink);
    assert.deepEqual(cfg.core.tables, [
      { schema: 'public', name: 'orders' },
      { schema: 'sales', name: 'items' },
    ]);
    assert.equal(cfg.core.flushSize, 50);
    assert.equal(cfg.core.flushIntervalMs, 1000);
    assert.deepEqual(cfg.core.retry, { maxAttempts: 10, initialDelayMs: 500, maxDelayMs: 30000 });
    assert.equal(cfg.pipelineId, 'my_slot');
    assert.deepEqual(cfg.source.settings, { SOURCE_URL: 'postgres://u:pw@h/db', SOURCE_SLOT_NAME: 'my_slot' });
    assert.deepEqual(cfg.sink.settings, { SINK_URL: 'http://fe:8030', SINK_PASSWORD: '' });
    assert.ok(cfg.secrets.includes('pw'));
  }));

test('pipelineId is dbmazz when the source has no slot-name setting', () =>
  withDir(async (dir) => {
    const noSlot: SourceManifest = { ...source, type: 'noslot', settings: [] };
    const loader = new ConnectorLoader(createRegistry([noSlot, sink]), dir);
    const cfg = await loadConfig({ env: { SOURCE_TYPE: 'noslot', SINK_TYPE: 'sr-test', TABLES: 'a', SINK_URL: 'http://fe:8030' }, cwd: dir, loader });
    assert.equal(cfg.pipelineId, 'dbmazz');
  }));

test('every group reports together: core, source and an unknown sink; secrets scrubbed', () =>
  withDir(async (dir) => {
    const problems = await problemsOf(
      {
        SOURCE_TYPE: 'pg-test',
        SINK_TYPE: 'snowflake',
        TABLES: 'orders,,x',
        FLUSH_SIZE: 'abc',
        SOURCE_URL: 'postgres://u:hunter2@h/db',
        DATABASE_URL: 'postgres://u:hunter2@other/db',
      },
      dir,
    );
    assert.deepEqual(problems, [
      "TABLES: 'orders,,x' has an empty item (remove the extra comma) (expected a comma-separated list of tables, e.g. orders,public.order_items)",
      "FLUSH_SIZE: 'abc' is not a positive integer (expected a positive integer, e.g. 10000)",
      "SINK_TYPE 'snowflake' is not a known sink. Known sinks: sr-test. It can also name an installed npm package that exports a dbmazz connector manifest.",
      'SOURCE_URL and DATABASE_URL are both set, to different values: set only SOURCE_URL (DATABASE_URL is its older name)',
    ]);
  }));

test('a bad URL with a password is masked; the sink group is validated too', () =>
  withDir(async (dir) => {
    const problems = await problemsOf(
      { SOURCE_TYPE: 'pg-test', SINK_TYPE: 'sr-test', TABLES: 'a', SOURCE_URL: 'postgres//u:hunter2@h', SINK_PASSWORD: 'hunter2' },
      dir,
    );
    assert.deepEqual(problems, [
      "SOURCE_URL: 'postgres//u:****@h' is not a valid absolute URL (expected a URL)",
      'SINK_URL (or STARROCKS_URL): required, expected the StarRocks FE HTTP URL, e.g. http://starrocks-fe:8030',
    ]);
    assert.ok(!problems.join('\n').includes('hunter2'));
  }));

test('cross-field checks: MAX_BUFFERED_EVENTS >= FLUSH_SIZE, SINK_RETRY_MAX_MS >= SINK_RETRY_INITIAL_MS, RECONNECT_MAX_MS >= RECONNECT_INITIAL_MS', () =>
  withDir(async (dir) => {
    const problems = await problemsOf(
      {
        SOURCE_TYPE: 'pg-test',
        SINK_TYPE: 'sr-test',
        TABLES: 'a',
        SOURCE_URL: 'postgres://h/db',
        SINK_URL: 'http://fe:8030',
        FLUSH_SIZE: '5000',
        MAX_BUFFERED_EVENTS: '1000',
        SINK_RETRY_INITIAL_MS: '2000',
        SINK_RETRY_MAX_MS: '1000',
        RECONNECT_INITIAL_MS: '5000',
        RECONNECT_MAX_MS: '4000',
        RECONNECT_MAX_DURATION_MS: '-1',
      },
      dir,
    );
    assert.deepEqual(problems, [
      "RECONNECT_MAX_DURATION_MS: '-1' is not a non-negative integer (expected a non-negative integer (milliseconds), e.g. 600000 (0 = no limit))",
      "MAX_BUFFERED_EVENTS: '1000' is smaller than FLUSH_SIZE (5000), so a flush by size could never happen (expected at least FLUSH_SIZE)",
      "SINK_RETRY_MAX_MS: '1000' is smaller than SINK_RETRY_INITIAL_MS (2000) (expected at least SINK_RETRY_INITIAL_MS)",
      "RECONNECT_MAX_MS: '4000' is smaller than RECONNECT_INITIAL_MS (5000) (expected at least RECONNECT_INITIAL_MS)",
    ]);
  }));

test('RECONNECT_*: no limit and 1 s doubling up to 30 s by default; values as given', () =>
  withDir(async (dir) => {
    const loader = new ConnectorLoader(createRegistry([source, sink]), dir);
    const base = { SOURCE_TYPE: 'pg-test', SINK_TYPE: 'sr-test', TABLES: 'a', SOURCE_URL: 'postgres://h/db', SINK_URL: 'http://fe:8030' };
    const defaults = await loadConfig({ env: base, cwd: dir, loader });
    assert.deepEqual(defaults.core.reconnect, { initialDelayMs: 1000, maxDelayMs: 30_000, maxDurationMs: 0 });
    const set = await loadConfig({
      env: { ...base, RECONNECT_INITIAL_MS: '200', RECONNECT_MAX_MS: '5000', RECONNECT_MAX_DURATION_MS: '600000' },
      cwd: dir,
      loader,
    });
    assert.deepEqual(set.core.reconnect, { initialDelayMs: 200, maxDelayMs: 5000, maxDurationMs: 600_000 });
  }));

test('buffer bounds: 64 MiB, and 3 × FLUSH_SIZE changes (at least 30000) unless MAX_BUFFERED_EVENTS is set', () =>
  withDir(async (dir) => {
    const loader = new ConnectorLoader(createRegistry([source, sink]), dir);
    const base = { SOURCE_TYPE: 'pg-test', SINK_TYPE: 'sr-test', TABLES: 'a', SOURCE_URL: 'postgres://h/db', SINK_URL: 'http://fe:8030' };
    const bounds = async (env: Record<string, string>): Promise<[number, number]> => {
      const { core } = await loadConfig({ env: { ...base, ...env }, cwd: dir, loader });
      return [core.maxBufferedEvents, core.maxBufferedBytes];
    };
    assert.deepEqual(await bounds({}), [30_000, 64 * 2 ** 20]);
    // A larger FLUSH_SIZE alone stays valid: the event bound follows it.
    assert.deepEqual(await bounds({ FLUSH_SIZE: '100000' }), [300_000, 64 * 2 ** 20]);
    assert.deepEqual(await bounds({ FLUSH_SIZE: '100000', MAX_BUFFERED_EVENTS: '150000', MAX_BUFFERED_BYTES: '1000' }), [150_000, 1000]);
    assert.deepEqual(await bounds({ FLUSH_SIZE: '7' }), [30_000, 64 * 2 ** 20]);
    // The startup log shows the bound in effect, also when it was not set.
    assert.equal(configSummary(await loadConfig({ env: { ...base, FLUSH_SIZE: '20000' }, cwd: dir, loader }))['MAX_BUFFERED_EVENTS'], '60000');
  }));

test('.env supplies values; the real environment wins', () =>
  withDir(async (dir) => {
    writeFileSync(
      join(dir, '.env'),
      'SOURCE_TYPE=pg-test\nSINK_TYPE=sr-test\nTABLES=from_file\nSOURCE_URL=postgres://h/db\nSINK_URL=http://fe:8030\nFLUSH_SIZE=7\n',
    );
    const loader = new ConnectorLoader(createRegistry([source, sink]), dir);
    const cfg = await loadConfig({ env: { FLUSH_SIZE: '9' }, cwd: dir, loader });
    assert.equal(cfg.core.flushSize, 9);
    assert.deepEqual(cfg.core.tables, [{ schema: 'public', name: 'from_file' }]);
    assert.equal(cfg.envFile, join(dir, '.env'));
  }));

test('a connector declaring a core variable is reported', () =>
  withDir(async (dir) => {
    const greedy: SinkManifest = { ...sink, type: 'greedy', settings: [{ env: 'FLUSH_SIZE', type: 'integer', description: 'mine' }] };
    const loader = new ConnectorLoader(createRegistry([source, greedy]), dir);
    const err = await loadConfig({ env: { SOURCE_TYPE: 'pg-test', SINK_TYPE: 'greedy', TABLES: 'a', SOURCE_URL: 'postgres://h/db' }, cwd: dir, loader }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, ["FLUSH_SIZE is declared by both core and the sink 'greedy'; one of them must rename it"]);
  }));
