/**
 * The example source package examples/source-jsonl (no server-side position: dbmazz saves it under
 * STATE_DIR), installed by package name: its own test suite (the source conformance kit) passes, and
 * the daemon streams its inbox into the example sink across a SIGKILL and a restart, resuming from the
 * saved position without losing or duplicating a change.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { killDaemons, spawnDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait.js';
import { tempDir } from '../../fixtures/external-connector/install.js';
import { installExample, runPackageTests } from './install.js';

const dirs: string[] = [];
const daemons: DaemonProcess[] = [];
after(async () => {
  await killDaemons(...daemons);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

test("the example source's own test suite (the source conformance kit) passes when installed", () => {
  const { status, output, files } = runPackageTests(installExample('source-jsonl', 'dbmazz-source-jsonl', dirs));
  assert.equal(files, 1);
  assert.equal(status, 0, output);
  assert.match(output, /# Subtest: source conformance: jsonl-inbox/);
  assert.match(output, /^# pass 9$/m, output);
  assert.match(output, /^# fail 0$/m);
  // The schema-change check skips: the inbox has fixed columns.
  assert.match(output, /^# skipped 1$/m);
});

test('inbox → JSON-lines files: the saved position survives SIGKILL; the restart resumes after it, losing and repeating nothing', async () => {
  const dir = tempDir('dbmazz-examples-');
  dirs.push(dir);
  installExample('source-jsonl', 'dbmazz-source-jsonl', dirs, dir);
  const { pkg } = installExample('sink-jsonl', 'dbmazz-sink-jsonl', dirs, dir);
  const { readTable } = (await import(pathToFileURL(join(pkg, 'dist', 'src', 'index.js')).href)) as {
    readTable(dir: string, id: { schema: string; name: string }): Promise<Record<string, unknown>[]>;
  };
  const inbox = join(dir, 'inbox.jsonl');
  const out = join(dir, 'out');
  const state = join(dir, 'state');
  const append = (from: number, to: number): void => {
    let text = '';
    for (let i = from; i <= to; i++)
      text += `${JSON.stringify({ table: 'public.items', changes: [{ op: 'insert', row: { id: String(i), note: `n${i}` } }] })}\n`;
    appendFileSync(inbox, text);
  };
  const env = {
    SOURCE_TYPE: 'dbmazz-source-jsonl',
    SOURCE_JSONL_FILE: inbox,
    SOURCE_JSONL_POLL_MS: '20',
    SINK_TYPE: 'dbmazz-sink-jsonl',
    SINK_JSONL_DIR: out,
    STATE_DIR: state,
    TABLES: 'items',
    FLUSH_SIZE: '20',
    FLUSH_INTERVAL_MS: '20',
    GRPC_PORT: '0',
  };
  const start = (): DaemonProcess => {
    const d = spawnDaemon(env, [], dir);
    daemons.push(d);
    return d;
  };
  const ids = async (): Promise<number> => (await readTable(out, { schema: 'public', name: 'items' })).length;
  const savedPosition = (): bigint | undefined => {
    const file = join(state, 'dbmazz.position.json');
    return existsSync(file) ? BigInt((JSON.parse(readFileSync(file, 'utf8')) as { position: string }).position) : undefined;
  };

  append(1, 100);
  let daemon = start();
  await waitFor(async () => (await ids()) === 100, { message: () => daemon.output().slice(-3000) });
  await waitFor(() => savedPosition() === BigInt(statSync(inbox).size), { message: () => `saved ${String(savedPosition())}` });

  // A hard crash while lines keep coming: the saved position may lag behind what the sink wrote.
  append(101, 150);
  daemon.kill('SIGKILL');
  await daemon.exited;
  const saved = savedPosition();
  assert.ok(saved !== undefined && saved <= BigInt(statSync(inbox).size));
  append(151, 200);
  daemon = start();
  await waitFor(async () => (await ids()) === 200, { message: () => daemon.output().slice(-3000) });
  assert.match(daemon.output(), /"source":"jsonl-inbox"/);
  daemon.kill('SIGTERM');
  assert.equal((await daemon.exited).code, 0, daemon.output());
  assert.equal(savedPosition(), BigInt(statSync(inbox).size), 'the drain saved the final position');

  const lines = readFileSync(join(out, 'public.items.jsonl'), 'utf8').trim().split('\n');
  assert.equal(lines.length, 200, 'every change written exactly once (replays after the crash skipped by the sink)');
});
