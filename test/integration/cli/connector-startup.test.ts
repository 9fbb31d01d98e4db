/**
 * The daemon with connectors that hang or are incompatible (test/fixtures/probe-connector, loaded by
 * its directory path, and the external fixture package): capabilities checked before anything is
 * touched, startup calls bounded by CONNECTOR_STARTUP_TIMEOUT_MS, a SIGTERM that cancels a hanging
 * startup, and create() results checked.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { exitOf, spawnDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { httpGet, sample } from '../../helpers/http.js';
import { waitFor } from '../../helpers/wait.js';
import { FIXTURE_PACKAGE, REPO_ROOT, installFixture, installPackage, tempDir } from '../../fixtures/external-connector/install.js';
import { runCli } from './run-cli.js';

const PROBE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'probe-connector');
const dirs: string[] = [];
const daemons: DaemonProcess[] = [];
after(() => {
  for (const d of daemons) d.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function workDir(): string {
  const d = tempDir('dbmazz-startup-');
  dirs.push(d);
  return d;
}

function start(env: Record<string, string>, cwd: string): DaemonProcess {
  const d = spawnDaemon({ TABLES: 'items', GRPC_PORT: '0', PROBE_DIR: cwd, PROBE_SINK_DIR: cwd, ...env }, [], cwd);
  daemons.push(d);
  return d;
}

test('a source with unchanged columns into a sink without partial updates: exit 2 naming both, nothing touched', async () => {
  const d = workDir();
  installFixture(d);
  const r = await runCli(
    [],
    { SOURCE_TYPE: PROBE_DIR, SINK_TYPE: FIXTURE_PACKAGE, TABLES: 'items', PROBE_DIR: d, SINK_FIXTURE_FILE: join(d, 'rows.jsonl'), GRPC_PORT: '0' },
    d,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /^ {2}SOURCE_TYPE\/SINK_TYPE: the source 'probe-source' declares capabilities\.unchangedColumns .* but the sink 'fixture-sink' does not declare capabilities\.partialUpdate, .* Use a sink that writes partial updates/m,
  );
  // Nothing was created, so no connector call ran.
  assert.deepEqual(readdirSync(d).sort(), ['node_modules', 'package.json']);
});

test('the first SIGTERM cancels a startup call that hangs: a clear message, the connectors closed, a prompt exit', async () => {
  const cwd = workDir();
  cpSync(PROBE_DIR, join(cwd, 'conn'), { recursive: true });
  // Relative package directory paths; no startup limit would end the hang by itself.
  const daemon = start({ SOURCE_TYPE: './conn', SINK_TYPE: './conn/', PROBE_HANG: 'setup', SETUP_MAX_ATTEMPTS: '0', CONNECTOR_STARTUP_TIMEOUT_MS: '0' }, cwd);
  await waitFor(() => existsSync(join(cwd, 'hanging-source-setup')), { message: () => daemon.output() });
  daemon.kill('SIGTERM');
  const code = await exitOf(daemon, 20_000);
  assert.equal(code, 1, daemon.output());
  assert.match(
    daemon.output(),
    /startup cancelled \(SIGTERM\) while waiting for the source 'probe-source' from SOURCE_TYPE '\.\/conn' \(.*conn\/lib\/connector\.js\) to finish setup\(\); nothing was replicated\./,
  );
  assert.ok(existsSync(join(cwd, 'closed-source')) && existsSync(join(cwd, 'closed-sink')), 'both connectors were closed');
  // The probe sink does not declare idempotent batches: the operator was told at startup.
  assert.match(daemon.output(), /"level":"warn",.*the sink 'probe-sink' does not declare capabilities\.idempotentBatches/);
});

test('a startup call over CONNECTOR_STARTUP_TIMEOUT_MS fails the attempt, naming the connector, the call and the setting', async () => {
  const cwd = workDir();
  const daemon = start(
    { SOURCE_TYPE: PROBE_DIR, SINK_TYPE: PROBE_DIR, PROBE_SINK_HANG: 'validateConnection', CONNECTOR_STARTUP_TIMEOUT_MS: '300', SETUP_MAX_ATTEMPTS: '1' },
    cwd,
  );
  assert.equal(await exitOf(daemon, 20_000), 1, daemon.output());
  assert.match(
    daemon.output(),
    /Startup failed in stage INIT: the sink 'probe-sink' from SINK_TYPE '.*probe-connector' \(.*\) did not finish validateConnection\(\) within 300 ms \(CONNECTOR_STARTUP_TIMEOUT_MS\)\. Check that its server is reachable/,
  );
  assert.ok(existsSync(join(cwd, 'hanging-sink-validateConnection')));
  assert.ok(existsSync(join(cwd, 'closed-sink')));
});

test('create() returning an incomplete sink: exit 1 with the package and the missing members named', async () => {
  const cwd = workDir();
  installPackage(
    cwd,
    'dbmazz-sink-incomplete',
    `export default { apiVersion: 1, kind: 'sink', type: 'incomplete', description: 'x', settings: [], capabilities: { partialUpdate: true, softDelete: false, idempotentBatches: true },
      create: () => ({ type: 'incomplete', capabilities: { partialUpdate: true, softDelete: false, idempotentBatches: true }, write() {} }) };`,
  );
  // Not retried (SETUP_MAX_ATTEMPTS is 3 by default): a broken create() stays broken.
  const daemon = start({ SOURCE_TYPE: PROBE_DIR, SINK_TYPE: 'dbmazz-sink-incomplete' }, cwd);
  assert.equal(await exitOf(daemon, 20_000), 1, daemon.output());
  assert.doesNotMatch(daemon.output(), /Startup attempt 1 of 3 failed/);
  assert.match(
    daemon.output(),
    /the sink 'incomplete' from SINK_TYPE 'dbmazz-sink-incomplete' \(.*node_modules\/dbmazz-sink-incomplete\/index\.js\): create\(\) returned something that is not a sink: missing methods validateConnection\(\), setup\(\), close\(\)\./,
  );
  assert.ok(!existsSync(join(cwd, 'hanging-source-validateConnection')));
});

test('connectors that start: their metrics (ConnectorContext.metrics) are on /metrics, and SIGTERM drains with exit 0', async () => {
  const cwd = workDir();
  const daemon = start({ SOURCE_TYPE: PROBE_DIR, SINK_TYPE: PROBE_DIR, METRICS_PORT: '0' }, cwd);
  const line = await daemon.waitForLine(/Prometheus metrics on http:\/\/127\.0\.0\.1:\d+\/metrics/);
  await daemon.waitForLine(/"msg":"Replicating"/);
  const port = Number(/127\.0\.0\.1:(\d+)\/metrics/.exec(line)?.[1]);
  const { body } = await httpGet(port, '/metrics');
  assert.equal(sample(body, 'dbmazz_source_probe_source_created_total'), 1, body);
  daemon.kill('SIGTERM');
  assert.equal(await exitOf(daemon, 20_000), 0, daemon.output());
});
