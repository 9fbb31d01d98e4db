// The container wiring (core/di) resolves without decorator type metadata (style §4.1/4.2).
import 'reflect-metadata';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { loadConfig } from '../../../../core/config/load-config.js';
import { createAppContainer, provideConfiguredServices } from '../../../../core/di/container.js';
import { TOKENS } from '../../../../core/di/tokens.js';
import { PLUGIN_API_VERSION, type SinkManifest, type SourceManifest } from '../../../../core/index.js';
import type { ConnectorLoader } from '../../../../core/plugin/loader.js';
import type { ConnectorRegistry } from '../../../../core/plugin/registry.js';
import { Daemon } from '../../../../core/runtime/daemon.js';
import { RuntimeState } from '../../../../core/runtime/state.js';

const never = (): never => {
  throw new Error('not created here');
};
const source: SourceManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'source',
  type: 'memory-test',
  description: 'test',
  capabilities: { unchangedColumns: false, keyChanges: false, transactions: true },
  settings: [],
  create: never,
};
const sink: SinkManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'sink',
  type: 'memory-test',
  description: 'test',
  capabilities: { partialUpdate: false, softDelete: false, idempotentBatches: false },
  settings: [],
  create: never,
};

test('the container resolves registry, loader, logger, state and the daemon with explicit tokens only', async () => {
  Reflect.deleteMetadata('design:paramtypes', Daemon);
  const env = { SOURCE_TYPE: 'memory-test', SINK_TYPE: 'memory-test', TABLES: 'a' };
  const c = createAppContainer({ env, cwd: tmpdir(), builtins: [source, sink] });
  const registry = c.resolve<ConnectorRegistry>(TOKENS.Registry);
  assert.equal(registry.get('sink', 'memory-test'), sink);
  const loader = c.resolve<ConnectorLoader>(TOKENS.Loader);
  assert.equal(loader.registry, registry);
  const config = await loadConfig({ env, cwd: tmpdir(), loader });
  const sinkStream = new Writable({ write: (_c, _e, cb) => cb() });
  provideConfiguredServices(c, config, { destination: sinkStream, isTty: false });
  const daemon = c.resolve<Daemon>(TOKENS.Daemon);
  assert.ok(daemon instanceof Daemon);
  assert.ok(daemon.state instanceof RuntimeState);
  assert.equal(c.resolve(TOKENS.RuntimeState), daemon.state);
  assert.equal(c.resolve(TOKENS.RootLogger), c.resolve(TOKENS.RootLogger));
});
