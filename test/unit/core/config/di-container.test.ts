// The container wiring (core/di): explicit tokens only (no decorator type metadata, docs/stack-traps.md §4.1/4.2),
// one child container per pipeline, connectors' context from the container, and registrations that
// tests override.
import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { Registry } from 'prom-client';
import type { DependencyContainer } from 'tsyringe';
import { loadConfig } from '../../../../core/config/load-config.js';
import { createAppContainer, provideConfiguredServices, type PipelineScopes } from '../../../../core/di/container.js';
import { TOKENS } from '../../../../core/di/tokens.js';
import { PLUGIN_API_VERSION, type ConnectorContext, type SinkManifest, type SourceManifest } from '../../../../core/index.js';
import type { ConnectorLoader } from '../../../../core/plugin/loader.js';
import type { ConnectorRegistry } from '../../../../core/plugin/registry.js';
import { Daemon } from '../../../../core/runtime/daemon.js';
import type { SignalTarget } from '../../../../core/runtime/signals.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { FakeClock, MemorySink, MemorySource, StreamBuilder, testTable } from '../../../../core/testing/index.js';

const orders = testTable('orders');
/** Every context handed to the test source's create(), in order. */
const contexts: ConnectorContext[] = [];
const source: SourceManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'source',
  type: 'memory',
  description: 'test',
  capabilities: { unchangedColumns: false, keyChanges: false, transactions: true },
  settings: [{ env: 'SOURCE_ROWS', type: 'integer', default: 3, description: 'rows' }],
  create: (settings, ctx) => {
    contexts.push(ctx);
    const s = new MemorySource({ tables: [orders], capabilities: { unchangedColumns: false, keyChanges: false } });
    s.emit(...new StreamBuilder().inserts(orders, Number(settings['SOURCE_ROWS'])), { kind: 'finished' });
    return s;
  },
};
const sink: SinkManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'sink',
  type: 'memory',
  description: 'test',
  capabilities: { partialUpdate: true, softDelete: false, idempotentBatches: true },
  settings: [],
  create: () => {
    throw new Error('this test swaps the sink through the container');
  },
};
const env = { SOURCE_TYPE: 'memory', SINK_TYPE: 'memory', TABLES: 'orders', GRPC_PORT: '0', LOG_LEVEL: 'silent' };
const quiet = { destination: new Writable({ write: (_c, _e, cb) => cb() }), isTty: false };

async function configured(): Promise<DependencyContainer> {
  const c = createAppContainer({ cwd: tmpdir(), builtins: [source, sink] });
  const config = await loadConfig({ env, cwd: tmpdir(), loader: c.resolve<ConnectorLoader>(TOKENS.Loader) });
  provideConfiguredServices(c, config, quiet);
  return c;
}

test('the container resolves registry, loader, logger, state and the daemon with explicit tokens only', async () => {
  Reflect.deleteMetadata('design:paramtypes', Daemon);
  const c = createAppContainer({ cwd: tmpdir(), builtins: [source, sink] });
  const registry = c.resolve<ConnectorRegistry>(TOKENS.Registry);
  assert.equal(registry.get('sink', 'memory'), sink);
  const loader = c.resolve<ConnectorLoader>(TOKENS.Loader);
  assert.equal(loader.registry, registry);
  provideConfiguredServices(c, await loadConfig({ env, cwd: tmpdir(), loader }), quiet);
  const daemon = c.resolve<Daemon>(TOKENS.Daemon);
  assert.ok(daemon instanceof Daemon);
  assert.ok(daemon.state instanceof RuntimeState);
  assert.equal(c.resolve(TOKENS.RuntimeState), daemon.state);
  assert.equal(c.resolve(TOKENS.RootLogger), c.resolve(TOKENS.RootLogger));
});

test('each pipeline is a child container: its own connectors, whose context comes from the container', async () => {
  const c = await configured();
  const scopes = c.resolve<PipelineScopes>(TOKENS.PipelineScopes);
  const metrics = new Registry();
  contexts.length = 0;
  const first = scopes.open({ tables: [orders.id], metrics });
  assert.equal(first.source(), first.source(), 'one source per pipeline');
  const second = scopes.open({ tables: [], metrics });
  assert.notEqual(second.source(), first.source(), 'a new pipeline, new connectors');
  const [ctx, ctx2] = contexts;
  assert.ok(ctx && ctx2);
  assert.deepEqual(ctx.tables, [orders.id]);
  assert.deepEqual(ctx2.tables, []);
  assert.equal(ctx.pipelineId, 'dbmazz');
  assert.deepEqual(ctx.settings, { SOURCE_ROWS: 3 });
  assert.deepEqual(ctx.logger.bindings(), { name: 'dbmazz', slot: 'dbmazz', component: 'source', connector: 'memory' });
  // Connector metrics join the daemon's registry, named by kind and type, shared across pipelines.
  ctx.metrics.counter('rows_read_total', 'Rows read').inc(undefined, 2);
  ctx2.metrics.counter('rows_read_total', 'Rows read').inc();
  assert.match(await metrics.metrics(), /^dbmazz_source_memory_rows_read_total 3$/m);
});

test('a test swaps the clock through the container: pipelines and connectors get the fake', async () => {
  const c = await configured();
  const fake = new FakeClock();
  c.register(TOKENS.Clock, { useValue: fake });
  contexts.length = 0;
  const scope = c.resolve<PipelineScopes>(TOKENS.PipelineScopes).open({ tables: [orders.id] });
  scope.source();
  assert.equal(scope.clock, fake);
  assert.equal(contexts[0]?.clock, fake);
});

test('a test swaps the sink through the container: the daemon runs its pipeline into it and exits 0', async () => {
  const c = await configured();
  const swapped = new MemorySink({ type: 'memory' });
  c.register(TOKENS.Sink, { useValue: swapped });
  const signals: SignalTarget = { on: () => undefined, off: () => undefined };
  const code = await c.resolve<Daemon>(TOKENS.Daemon).run(signals);
  assert.equal(code, 0);
  assert.deepEqual(
    swapped.rows('public.orders').map((r) => (r.op === 'insert' ? r.after[0] : undefined)),
    [1n, 2n, 3n],
  );
  assert.ok(swapped.closed);
});
