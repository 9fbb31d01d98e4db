import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { BUILTIN_CONNECTORS } from '../../../../connectors/index.js';
import { loadConfig } from '../../../../core/config/load-config.js';
import { CdcError } from '../../../../core/errors/errors.js';
import { ConnectorLoader, createRegistry } from '../../../../core/plugin/loader.js';
import { errorSerializer } from '../../../../core/log/serializers.js';
import { ConnectorCreateError, InvalidConnectorInstanceError } from '../../../../core/plugin/connector-errors.js';
import { createSink, createSource, instanceProblems } from '../../../../core/plugin/instance-check.js';
import { connectorContext } from '../../../../core/plugin/context.js';
import { PLUGIN_API_VERSION, type ConnectorContext, type SinkManifest, type SourceManifest } from '../../../../core/plugin/manifest.js';
import { createTestLogger, MemorySink, MemorySource, testTable } from '../../../../core/testing/index.js';

const ctx: ConnectorContext = connectorContext({ logger: createTestLogger('silent').logger, pipelineId: 'p' });
const sinkCaps = { partialUpdate: true, softDelete: false, idempotentBatches: true };
function sinkManifest(create: () => unknown): SinkManifest {
  return {
    apiVersion: PLUGIN_API_VERSION,
    kind: 'sink',
    type: 'memory',
    description: 't',
    settings: [],
    capabilities: sinkCaps,
    create: create as SinkManifest['create'],
  };
}
const sourceCaps = { unchangedColumns: true, keyChanges: true, transactions: true };
function sourceManifest(create: () => unknown): SourceManifest {
  return {
    apiVersion: PLUGIN_API_VERSION,
    kind: 'source',
    type: 'memory',
    description: 't',
    settings: [],
    capabilities: sourceCaps,
    create: create as SourceManifest['create'],
  };
}

test('a complete source and sink pass (the memory connectors of dbmazz/testing)', () => {
  const source = new MemorySource({ tables: [testTable('t')] });
  const sink = new MemorySink();
  assert.deepEqual(
    instanceProblems(
      source,
      sourceManifest(() => source),
    ),
    [],
  );
  assert.deepEqual(
    instanceProblems(
      sink,
      sinkManifest(() => sink),
    ),
    [],
  );
  assert.equal(
    createSink(
      sinkManifest(() => sink),
      {},
      ctx,
    ),
    sink,
  );
});

test('missing methods and mistyped members are listed at once, naming the connector and where it came from', () => {
  const broken = { type: 'memory', capabilities: { ...sinkCaps, partialUpdate: false }, validateConnection() {}, write: 'no', truncate: 3, awaitsReady: 'yes' };
  assert.throws(
    () =>
      createSink(
        sinkManifest(() => broken),
        {},
        ctx,
        "SINK_TYPE './my-sink' (/srv/my-sink/index.js)",
      ),
    (e: unknown) => {
      assert.ok(e instanceof InvalidConnectorInstanceError);
      assert.ok(e instanceof CdcError);
      assert.equal(e.code, 'CONNECTOR_INVALID');
      assert.deepEqual(e.problems, [
        'missing methods setup(), write(), close()',
        '`truncate` is number, expected a method (or leave it out)',
        '`awaitsReady` is string, expected a boolean (or leave it out)',
        '`capabilities.partialUpdate` is false but the manifest declares true',
      ]);
      assert.match(
        e.message,
        /^the sink 'memory' from SINK_TYPE '\.\/my-sink' \(\/srv\/my-sink\/index\.js\): create\(\) returned something that is not a sink: missing methods/,
      );
      return true;
    },
  );
});

test('create() returning nothing, a Promise, or an object with another type is refused', () => {
  assert.deepEqual(
    instanceProblems(
      undefined,
      sourceManifest(() => undefined),
    ),
    ['it returned undefined, not an object'],
  );
  assert.match(
    instanceProblems(
      Promise.resolve({}),
      sourceManifest(() => undefined),
    )[0] ?? '',
    /returned a Promise; create\(\) must return the connector itself/,
  );
  const source = new MemorySource({ tables: [] });
  assert.deepEqual(
    instanceProblems(
      Object.assign(Object.create(source) as object, { type: 'other' }),
      sourceManifest(() => source),
    ),
    ["`type` is \"other\" but the manifest's type is 'memory'"],
  );
});

test('create() throwing: a typed error naming the connector, the original error kept as cause with its stack logged', () => {
  const thrown = new TypeError('settings.url is undefined');
  let err: unknown;
  try {
    createSource(
      sourceManifest(() => {
        throw thrown;
      }),
      {},
      ctx,
      "SOURCE_TYPE 'gen-src' (/x/index.js)",
    );
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ConnectorCreateError);
  assert.equal(err.cause, thrown);
  assert.match(err.message, /^the source 'memory' from SOURCE_TYPE 'gen-src' \(\/x\/index\.js\): create\(\) threw: settings\.url is undefined$/);
  const logged = errorSerializer([])(err) as Record<string, unknown>;
  assert.equal(logged['connector'], "source 'memory'");
  assert.equal(logged['causeStack'], thrown.stack);
  assert.match(String(logged['causeStack']), /instance-check\.test\.js/);
});

test('the built-in postgres source and starrocks sink pass the check (created without connecting)', async () => {
  const env = { TABLES: 'orders', SOURCE_URL: 'postgres://u:p@127.0.0.1:1/db', SINK_URL: 'http://127.0.0.1:1', SINK_DATABASE: 'd', SINK_USER: 'u' };
  const registry = createRegistry(BUILTIN_CONNECTORS);
  const config = await loadConfig({ env, cwd: tmpdir(), loader: new ConnectorLoader(registry, tmpdir()) });
  const builtinCtx = { ...ctx, tables: config.core.tables };
  const source = createSource(config.source.manifest, config.source.settings, builtinCtx);
  const sink = createSink(config.sink.manifest, config.sink.settings, builtinCtx);
  await Promise.all([source.close(), sink.close()]);
});
