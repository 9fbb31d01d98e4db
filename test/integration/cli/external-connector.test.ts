/**
 * A connector package outside connectors/ (test/fixtures/external-connector), installed into a temp
 * directory's node_modules, runs the whole daemon with no change to core.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait.js';
import { FIXTURE_PACKAGE, installFixture, tempDir } from '../../fixtures/external-connector/install.js';

const dirs: string[] = [];
const daemons: DaemonProcess[] = [];
after(() => {
  for (const d of daemons) d.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function setup(extra: Record<string, string>): { dir: string; state: string; daemon: DaemonProcess } {
  const dir = tempDir('dbmazz-ext-');
  dirs.push(dir);
  installFixture(dir);
  const state = join(dir, 'state');
  const daemon = spawnDaemon(
    {
      SOURCE_TYPE: FIXTURE_PACKAGE,
      SINK_TYPE: FIXTURE_PACKAGE,
      TABLES: 'items,sales.orders',
      SOURCE_FIXTURE_DIR: state,
      SOURCE_FIXTURE_ROWS: '5',
      SINK_FIXTURE_FILE: join(state, 'rows.jsonl'),
      FIXTURE_TOKEN: 'tokS3cret',
      GRPC_PORT: '0',
      ...extra,
    },
    [],
    dir,
  );
  daemons.push(daemon);
  return { dir, state, daemon };
}

function readLines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

test('SIGTERM drains: everything buffered is written, the final LSN confirmed, exit 0', async () => {
  // Nothing would flush on its own: only the drain writes the rows.
  const { state, daemon } = setup({ FLUSH_SIZE: '1000', FLUSH_INTERVAL_MS: '600000' });
  await waitFor(() => existsSync(join(state, 'emitted')), { message: () => daemon.output() });
  assert.deepEqual(readLines(join(state, 'rows.jsonl')), []);
  const finalLsn = readFileSync(join(state, 'emitted'), 'utf8');
  daemon.kill('SIGTERM');
  const { code } = await daemon.exited;
  assert.equal(code, 0, daemon.output());
  const rows = readLines(join(state, 'rows.jsonl')).map((l) => JSON.parse(l) as { table: string; after: string[] });
  assert.equal(rows.length, 10);
  assert.deepEqual(
    rows.filter((r) => r.table === 'public.items').map((r) => r.after[0]),
    ['1', '2', '3', '4', '5'],
  );
  assert.equal(rows.filter((r) => r.table === 'sales.orders').length, 5);
  assert.equal(readLines(join(state, 'acks.log')).at(-1), finalLsn);
  assert.ok(!daemon.output().includes('tokS3cret'), 'the secret token leaked into the logs');
  assert.match(daemon.output(), /"SINK_FIXTURE_TOKEN":"\*{4}"/);
});

test('a second signal while draining stops at once with exit 130; nothing unwritten is confirmed', async () => {
  const { state, daemon } = setup({ SINK_FIXTURE_MODE: 'hang', FLUSH_INTERVAL_MS: '20' });
  await waitFor(() => existsSync(join(state, 'hanging')), { message: () => daemon.output() });
  daemon.kill('SIGTERM');
  await daemon.waitForLine(/draining/);
  daemon.kill('SIGINT');
  const { code } = await daemon.exited;
  assert.equal(code, 130, daemon.output());
  assert.deepEqual(readLines(join(state, 'rows.jsonl')), []);
  assert.deepEqual(
    readLines(join(state, 'acks.log')).filter((l) => l !== '0'),
    [],
  );
});

test('a fatal sink error stops the daemon with exit 1 and the stage error logged', async () => {
  const { state, daemon } = setup({ SINK_FIXTURE_MODE: 'fail', FLUSH_INTERVAL_MS: '20' });
  const { code } = await daemon.exited;
  assert.equal(code, 1, daemon.output());
  const line = await daemon.waitForLine(/Pipeline stopped with an error in stage CDC/);
  const entry = JSON.parse(line) as { level: string; stage: string; err: { code: string; message: string; hint: string } };
  assert.equal(entry.level, 'error');
  assert.equal(entry.stage, 'CDC');
  assert.equal(entry.err.code, 'SINK_DATA');
  assert.match(entry.err.message, /rejected the batch \(fixture\)/);
  assert.equal(entry.err.hint, 'Fix the fixture data.');
  // Nothing was written, so nothing is confirmed.
  assert.deepEqual(
    readLines(join(state, 'acks.log')).filter((l) => l !== '0'),
    [],
  );
});
