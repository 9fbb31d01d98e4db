import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CdcError, PLUGIN_API_VERSION, type SinkManifest, type SourceManifest } from '../../../core/index.js';
import { ConnectorLoader, createRegistry } from '../../../core/plugin/loader.js';
import { ApiVersionMismatchError, InvalidManifestError, checkManifest } from '../../../core/plugin/manifest-check.js';
import { ConnectorRegistry, DuplicateConnectorError, UnknownConnectorError } from '../../../core/plugin/registry.js';
import { FIXTURE_PACKAGE, installFixture, installPackage, tempDir } from '../../fixtures/external-connector/install.js';

const sink: SinkManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'sink',
  type: 'starrocks',
  description: 'test',
  capabilities: { partialUpdate: true, softDelete: true, idempotentBatches: true },
  settings: [],
  create: () => {
    throw new Error('not used');
  },
};
const source: SourceManifest = {
  apiVersion: PLUGIN_API_VERSION,
  kind: 'source',
  type: 'postgres',
  description: 'test',
  capabilities: { unchangedColumns: true, keyChanges: true, transactions: true },
  settings: [],
  create: () => {
    throw new Error('not used');
  },
};

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('dbmazz-registry-');
  dirs.push(d);
  return d;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test('registry: keyed by kind and type; duplicates throw a typed error', () => {
  const r = new ConnectorRegistry();
  r.register(sink, 'built-in');
  r.register({ ...source, type: 'starrocks' }, 'built-in'); // same name, other kind: fine
  assert.equal(r.get('sink', 'starrocks'), sink);
  assert.throws(
    () => r.register({ ...sink }, "package 'x'"),
    (e: unknown) => e instanceof DuplicateConnectorError && e.code === 'CONNECTOR_INVALID' && /already registered/.test(e.message) && e.kind === 'sink',
  );
});

test('registry: an unknown type lists the known ones', () => {
  const r = createRegistry([source, sink]);
  assert.throws(
    () => r.get('sink', 'snowflake'),
    (e: unknown) =>
      e instanceof UnknownConnectorError &&
      e.code === 'CONNECTOR_UNKNOWN' &&
      e.operatorMessage ===
        "SINK_TYPE 'snowflake' is not a known sink. Known sinks: starrocks. It can also name an installed npm package that exports a dbmazz connector manifest.",
  );
  assert.deepEqual(r.types('source'), ['postgres']);
});

test('manifest check: apiVersion mismatch is its own precise error; shape problems are listed together', () => {
  assert.throws(
    () => checkManifest({ ...sink, apiVersion: 2 }, "SINK_TYPE 'x'"),
    (e: unknown) =>
      e instanceof ApiVersionMismatchError &&
      e.message === `SINK_TYPE 'x' declares plugin apiVersion 2, but this dbmazz implements plugin apiVersion ${PLUGIN_API_VERSION}.`,
  );
  assert.throws(
    () => checkManifest({ apiVersion: PLUGIN_API_VERSION, kind: 'sink', type: 'a b', settings: [{ env: 'lower', type: 'text' }], capabilities: {} }, 'm'),
    (e: unknown) => {
      assert.ok(e instanceof InvalidManifestError);
      assert.deepEqual(e.problems, [
        '`type` must be a non-empty name without spaces',
        '`description` must be a string',
        '`create` must be a function (settings, ctx) => connector',
        'setting lower: `env` must be an upper-case variable name',
        'setting lower: `type` must be one of string, integer, number, boolean, list',
        'setting lower: `description` must be a string',
        '`capabilities.partialUpdate` must be a boolean',
        '`capabilities.softDelete` must be a boolean',
        '`capabilities.idempotentBatches` must be a boolean',
      ]);
      return true;
    },
  );
});

test('built-ins go through the same check as external packages', () => {
  assert.throws(() => createRegistry([{ ...sink, apiVersion: 0 }]), ApiVersionMismatchError);
  assert.throws(() => createRegistry([sink, { ...sink }]), DuplicateConnectorError);
});

test('loader: an external package in the working directory’s node_modules loads with no change to core', async () => {
  const d = dir();
  installFixture(d);
  const registry = createRegistry([source, sink]);
  const loader = new ConnectorLoader(registry, d);
  const src = await loader.load('source', FIXTURE_PACKAGE);
  const snk = await loader.load('sink', FIXTURE_PACKAGE);
  assert.equal(src.kind, 'source');
  assert.equal(src.type, 'fixture-source');
  assert.equal(snk.type, 'fixture-sink');
  // Registered like a built-in, and loaded once.
  assert.equal(registry.get('sink', 'fixture-sink'), snk);
  assert.equal(await loader.load('sink', FIXTURE_PACKAGE), snk);
});

test('loader: a file path (relative to the working directory) and a named `manifest` export', async () => {
  const d = dir();
  writeFileSync(
    join(d, 'my-sink.mjs'),
    `export const manifest = { apiVersion: ${PLUGIN_API_VERSION}, kind: 'sink', type: 'file-path-sink', description: 'x', settings: [], capabilities: { partialUpdate: false, softDelete: false, idempotentBatches: false }, create() { throw new Error('no'); } };`,
  );
  const loader = new ConnectorLoader(createRegistry([source, sink]), d);
  assert.equal((await loader.load('sink', './my-sink.mjs')).type, 'file-path-sink');
  await assert.rejects(loader.load('sink', './missing.mjs'), (e: unknown) => e instanceof CdcError && /no file at/.test(e.message));
});

test('loader: apiVersion mismatch in a package is rejected precisely', async () => {
  const d = dir();
  installPackage(
    d,
    'dbmazz-sink-future',
    `export default { apiVersion: 2, kind: 'sink', type: 'future', description: 'x', settings: [], capabilities: {}, create() {} };`,
  );
  const loader = new ConnectorLoader(createRegistry([source, sink]), d);
  await assert.rejects(loader.load('sink', 'dbmazz-sink-future'), (e: unknown) => {
    assert.ok(e instanceof ApiVersionMismatchError);
    assert.match(
      e.operatorMessage,
      /^SINK_TYPE 'dbmazz-sink-future' \(.*node_modules\/dbmazz-sink-future\/index\.js\) declares plugin apiVersion 2, but this dbmazz implements plugin apiVersion 1\. Install a release/,
    );
    return true;
  });
});

test('loader: not installed → the unknown-type error; no manifest / wrong kind / colliding type → precise errors', async () => {
  const d = dir();
  installPackage(d, 'not-a-connector', 'export const hello = 1;');
  installPackage(
    d,
    'only-a-sink',
    `export default { apiVersion: 1, kind: 'sink', type: 'only', description: 'x', settings: [], capabilities: { partialUpdate: false, softDelete: false, idempotentBatches: false }, create() {} };`,
  );
  installPackage(
    d,
    'fake-starrocks',
    `export default { apiVersion: 1, kind: 'sink', type: 'starrocks', description: 'x', settings: [], capabilities: { partialUpdate: false, softDelete: false, idempotentBatches: false }, create() {} };`,
  );
  installPackage(d, 'throws-on-import', `throw new Error('boom at import');`);
  const loader = new ConnectorLoader(createRegistry([source, sink]), d);
  await assert.rejects(loader.load('sink', 'snowflake'), UnknownConnectorError);
  await assert.rejects(loader.load('sink', 'Not A Package!'), UnknownConnectorError);
  await assert.rejects(loader.load('sink', 'not-a-connector'), /does not export a dbmazz connector manifest/);
  await assert.rejects(loader.load('source', 'only-a-sink'), /exports no source connector \(it exports sink 'only'\)/);
  await assert.rejects(loader.load('sink', 'fake-starrocks'), DuplicateConnectorError);
  await assert.rejects(loader.load('sink', 'throws-on-import'), /loading the module failed: boom at import/);
});

test('loader: a package directory path, absolute or relative to the working directory, resolved through its package.json', async () => {
  const d = dir();
  const pkg = (name: string, files: Record<string, string>): string => {
    const at = join(d, name);
    mkdirSync(join(at, 'lib'), { recursive: true });
    for (const [file, text] of Object.entries(files)) writeFileSync(join(at, file), text);
    return at;
  };
  const manifest = (type: string): string =>
    `export default { apiVersion: ${PLUGIN_API_VERSION}, kind: 'sink', type: '${type}', description: 'x', settings: [], capabilities: { partialUpdate: false, softDelete: false, idempotentBatches: false }, create() {} };`;
  const viaMain = pkg('via-main', {
    'package.json': JSON.stringify({ name: 'via-main', type: 'module', main: 'lib/entry.js' }),
    'lib/entry.js': manifest('via-main'),
  });
  pkg('via-exports', {
    'package.json': JSON.stringify({ name: 'via-exports', type: 'module', exports: { '.': { import: './lib/esm.js' } } }),
    'lib/esm.js': manifest('via-exports'),
  });
  pkg('no-entry', { 'package.json': JSON.stringify({ name: 'no-entry', type: 'module', main: 'lib/missing.js' }) });
  pkg('broken', {
    'package.json': JSON.stringify({ name: 'broken', type: 'module' }),
    'index.js': `import './lib/helper.js';\n`,
    'lib/helper.js': `export const x = 1;\nthrow new Error('helper failed');\n`,
  });
  const loader = new ConnectorLoader(createRegistry([source, sink]), d);
  assert.equal((await loader.load('sink', viaMain)).type, 'via-main');
  assert.equal((await loader.load('sink', './via-exports')).type, 'via-exports');
  assert.equal((await loader.load('sink', './via-exports/')).type, 'via-exports', 'the same manifest again: not registered twice');
  // A bare relative name is a package name; the error says how to write the path.
  await assert.rejects(
    loader.load('sink', 'no-entry'),
    (e: unknown) =>
      e instanceof CdcError &&
      /^SINK_TYPE 'no-entry' is not an installed package, but .*no-entry exists\. To load that path, write SINK_TYPE=\.\/no-entry\.$/.test(e.operatorMessage),
  );
  await assert.rejects(
    loader.load('sink', './no-entry'),
    (e: unknown) => e instanceof CdcError && /no-entry has no entry module .*lib\/missing\.js/.test(e.message),
  );
  // A load error names the connector and where the module failed; the original error stays the cause.
  await assert.rejects(loader.load('sink', './broken'), (e: unknown) => {
    assert.ok(e instanceof CdcError);
    assert.match(
      e.message,
      /^SINK_TYPE '\.\/broken' \(.*broken\/index\.js\): loading the module failed: helper failed \(at file:\/\/.*broken\/lib\/helper\.js:2:7\)$/,
    );
    assert.ok(e.cause instanceof Error && e.cause.message === 'helper failed');
    return true;
  });
});
