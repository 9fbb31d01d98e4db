import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { givenNodeFlags, v8TuningFlags } from '../../../../core/runtime/v8-tuning.js';

const ALL = ['--heap-growing-percent=50', '--semi-space-growth-factor=1'];

test('every tuning flag is set unless node was started with a flag of its family', () => {
  assert.deepEqual(v8TuningFlags([]), ALL);
  assert.deepEqual(v8TuningFlags(['--max-old-space-size=512', '--enable-source-maps']), ALL);
  assert.deepEqual(v8TuningFlags(['--heap-growing-percent=20']), ALL.slice(1));
  assert.deepEqual(v8TuningFlags(['--heap_growing_percent=20']), ALL.slice(1));
  for (const f of ['--max-semi-space-size=8', '--min_semi_space_size=4', '--semi-space-growth-factor=2', '--max-heap-size=300']) {
    assert.deepEqual(v8TuningFlags([f]), [ALL[0]], f);
  }
});

test('flags given in NODE_OPTIONS count as given (process.execArgv does not show them)', () => {
  assert.deepEqual(givenNodeFlags(['--inspect'], ' --max-semi-space-size=4  --import x.js '), ['--inspect', '--max-semi-space-size=4', '--import']);
  assert.deepEqual(v8TuningFlags(givenNodeFlags([], '--heap-growing-percent=30')), ALL.slice(1));
  assert.deepEqual(givenNodeFlags([], undefined), []);
});

interface Probe {
  readonly newSpaceBytes: number;
  readonly modules: readonly string[];
}

/** Runs `dbmazz <args>` (it loads the whole daemon's module graph) with load-probe.js imported first. */
function runCli(args: readonly string[], env: Record<string, string> = {}): Probe {
  const cli = fileURLToPath(new URL('../../../../core/runtime/cli.js', import.meta.url));
  const probe = fileURLToPath(new URL('./load-probe.js', import.meta.url));
  const out = spawnSync(process.execPath, ['--import', probe, cli, ...args], { encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env } });
  assert.equal(out.status, 0, out.stderr);
  const lines = out.stderr.split('\n');
  const last = lines.find((l) => l.startsWith('load-probe {'));
  assert.ok(last, out.stderr);
  const { newSpaceBytes, cjs } = JSON.parse(last.slice('load-probe '.length)) as { newSpaceBytes: number; cjs: string[] };
  const esm = lines.filter((l) => l.startsWith('load-probe-module ')).map((l) => l.slice('load-probe-module '.length));
  return { newSpaceBytes, modules: [...esm, ...cjs] };
}

test('the CLI keeps the young generation at its initial size while it loads the daemon', () => {
  // Loading the modules allocates tens of MiB; before the tuning ran first, V8 grew the new space to
  // its 32 MiB maximum during the load, and it stayed resident.
  const { newSpaceBytes, modules } = runCli(['--version']);
  assert.ok(
    modules.some((m) => m.endsWith('/core/runtime/main.js')),
    'the daemon was loaded',
  );
  assert.ok(
    modules.some((m) => m.includes('/connectors/starrocks/')),
    'the connectors were loaded',
  );
  assert.ok(newSpaceBytes <= 4 * 2 ** 20, `new space ${newSpaceBytes} bytes`);
});

test('the daemon does not load what it may never use: dashboard page, pretty printer, demo, emulator, undici', () => {
  const { modules } = runCli(['--version']);
  assert.ok(
    modules.some((m) => m.includes('/node_modules/pino/')),
    'pino was loaded',
  );
  // undici cost ~16 MiB of RSS for the FE's few GETs (docs/performance.md); node:http does them now.
  for (const part of [
    '/core/metrics/dashboard',
    '/core/metrics/http-server.js',
    '/node_modules/pino-pretty/',
    '/packages/demo/',
    '/packages/starrocks-emulator/',
    '/node_modules/undici/',
  ]) {
    const found = modules.filter((m) => m.includes(part));
    assert.deepEqual(found, [], `${part} was loaded`);
  }
});

test('the dbmazz CLI keeps its old generation near the live data while records churn', () => {
  // A child that holds a moving window of ~60 MiB of records (as buffered changes are) and lets the
  // older ones die, as flushes do; it prints the largest heap it used. V8's default growing factor
  // lets dead records pile up to several times the live data before a full collection.
  const script = fileURLToPath(new URL('./heap-churn.js', import.meta.url));
  const run = (limit: boolean): number => {
    const out = spawnSync(process.execPath, [script, limit ? 'limit' : 'default'], { encoding: 'utf8' });
    assert.equal(out.status, 0, out.stderr);
    return Number(out.stdout.trim());
  };
  const limited = run(true);
  const unlimited = run(false);
  assert.ok(limited < unlimited * 0.8, `peak heap ${Math.round(limited / 2 ** 20)} MiB with the limit, ${Math.round(unlimited / 2 ** 20)} MiB without`);
});
