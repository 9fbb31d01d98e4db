/**
 * The conformance kit catches broken connectors: a source that reuses positions (numbers them from 1
 * in every run) and a sink that acknowledges before the rows are durable fail the checks that name
 * those rules, while correct versions of the same connectors pass every check.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CdcError } from '../../../../core/index.js';
import { runSinkConformance, runSourceConformance, type CheckResult } from '../../../../core/testing/index.js';
import { earlyAckSink, floodingSource, logSource, logTarget, reusingSource, tableSink, tableTarget } from './kit-fixtures.js';

const quick = { waitMs: 1000, quietMs: 100 };

function statuses(results: readonly CheckResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.name, r.status === 'failed' ? `failed: ${r.error.message}` : r.status]));
}

function failed(results: readonly CheckResult[], prefix: string): string {
  const r = results.find((x) => x.name.startsWith(prefix));
  assert.ok(r !== undefined, `no check named ${prefix}`);
  assert.equal(r.status, 'failed', `${prefix}: expected a failure, got ${r.status}`);
  return r.status === 'failed' ? r.error.message : '';
}

test('a correct source passes every source check (the optional ones skip, saying why)', async () => {
  const results = await runSourceConformance({ manifest: logSource, target: logTarget, ...quick });
  const s = statuses(results);
  assert.equal(results.length, 10);
  for (const r of results) {
    if (r.name.startsWith('schema changes') || r.name.startsWith('truncate') || r.name.startsWith('errors')) assert.equal(r.status, 'skipped', r.name);
    else assert.equal(r.status, 'passed', `${r.name}: ${s[r.name]}`);
  }
});

test('a source that reuses positions fails the restart checks, naming what it saw', async () => {
  const results = await runSourceConformance({ manifest: reusingSource, target: logTarget, ...quick });
  assert.match(
    failed(results, 'positions survive a restart'),
    /after a restart changes were lost: id 2 \(unacknowledged, after the acknowledged position 256\), id 3 \(committed after the restart\)/,
  );
  assert.match(failed(results, 'replay after a restart'), /must be delivered again/);
  // Within one run nothing is wrong with it.
  assert.equal(results.find((r) => r.name.startsWith('ordering'))?.status, 'passed');
});

test('a source that calls the handler again while its promise is pending fails the backpressure check', async () => {
  const results = await runSourceConformance({ manifest: floodingSource, target: logTarget, ...quick });
  assert.match(failed(results, 'backpressure'), /event\(s\) arrived while the handler's promise was pending/);
});

test('a correct sink passes every sink check (awaitsReady skips: it does not declare it)', async () => {
  const results = await runSinkConformance({ manifest: tableSink, target: tableTarget });
  const s = statuses(results);
  assert.equal(results.length, 10);
  for (const r of results) {
    if (r.name.startsWith('awaitsReady') || r.name.startsWith('errors')) assert.equal(r.status, 'skipped');
    else assert.equal(r.status, 'passed', `${r.name}: ${s[r.name]}`);
  }
});

test('a sink that acknowledges before the rows are durable fails the durability check', async () => {
  const results = await runSinkConformance({ manifest: earlyAckSink, target: tableTarget });
  assert.match(
    failed(results, 'durability before acknowledgement'),
    /write\(\) resolved, so the batch must be durable; the target, read at once: expected \{"1":"a","2":"b"\}, the target holds \(none\)/,
  );
});

test('the config check flags a setting without the kind prefix and a missing description', async () => {
  const bad = { ...tableSink, settings: [{ env: 'TABLE_STORE', type: 'string' as const, required: true, description: '' }] };
  const results = await runSinkConformance({ manifest: bad, target: tableTarget });
  assert.match(failed(results, 'config'), /setting TABLE_STORE does not start with SINK_/);
});

test('registered with node:test, the kit reports the broken connectors as failing tests (run in a subprocess)', () => {
  const file = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'fixtures', 'kit', 'broken-connectors.kit.js');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { env, encoding: 'utf8', timeout: 120_000 });
  const out = run.stdout;
  assert.notEqual(run.status, 0, out);
  assert.match(out, /^\s*not ok \d+ - positions survive a restart: nothing acknowledged comes again, nothing after it is lost$/m, out);
  assert.match(out, /^\s*not ok \d+ - durability before acknowledgement: rows are stored when write resolves, and survive the instance$/m);
  assert.match(out, /^\s*ok \d+ - ordering: committed changes arrive in commit order/m, 'checks the connectors keep still pass');
  assert.match(out, /^\s*ok \d+ - truncate: a truncate event naming the table, in stream order # SKIP the harness cannot truncate at this source$/m);
});

test('the errors check fails a connection error that is not a CdcError, and one that shows a secret', async () => {
  const failing = (error: unknown) => ({
    ...tableSink,
    settings: [...tableSink.settings, { env: 'SINK_TABLE_PASSWORD', type: 'string' as const, secret: true, description: 'A password' }],
    create: (...args: Parameters<typeof tableSink.create>) =>
      Object.assign(tableSink.create(...args), { validateConnection: async () => Promise.reject(error) }),
  });
  const unreachable = { SINK_TABLE_STORE: 'nowhere', SINK_TABLE_PASSWORD: 'pw-s3cret' };
  const plain = await runSinkConformance({ manifest: failing(new Error('connect ECONNREFUSED')), target: tableTarget, unreachable });
  assert.match(failed(plain, 'errors'), /rejected with Error: connect ECONNREFUSED, not a CdcError/);
  const leaky = new CdcError({ code: 'SINK_CONNECTION', message: 'login with pw-s3cret refused', hint: 'Check SINK_TABLE_PASSWORD.' });
  assert.match(
    failed(await runSinkConformance({ manifest: failing(leaky), target: tableTarget, unreachable }), 'errors'),
    /shows the value of the secret setting SINK_TABLE_PASSWORD/,
  );
  const good = new CdcError({ code: 'SINK_CONNECTION', retry: 'retry', message: 'login refused', hint: 'Check SINK_TABLE_PASSWORD.' });
  const fine = await runSinkConformance({ manifest: failing(good), target: tableTarget, unreachable });
  assert.equal(fine.find((r) => r.name.startsWith('errors'))?.status, 'passed');
});
