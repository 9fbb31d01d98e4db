/**
 * The example connector package examples/sink-jsonl, installed into a temporary directory's
 * node_modules as a user would install it: its own node:test suite (the conformance kit from
 * dbmazz/testing and its unit tests) passes, and the daemon replicates PostgreSQL into it by package
 * name, across a SIGKILL and restarts, without losing or duplicating a row.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { killDaemons, spawnDaemon, type DaemonProcess } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait.js';
import { installExample, runPackageTests, type Installed } from './install.js';

const PACKAGE = 'dbmazz-sink-jsonl';

let pg: PgHarness;
const dirs: string[] = [];
const daemons: DaemonProcess[] = [];

before(async () => {
  pg = await startPostgres();
});
after(async () => {
  await killDaemons(...daemons);
  await pg?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const install = (): Installed => installExample('sink-jsonl', PACKAGE, dirs);

test("the example's own test suite (the sink conformance kit and its unit tests) passes when installed", () => {
  const { status, output, files } = runPackageTests(install());
  assert.equal(files, 2);
  assert.equal(status, 0, output);
  assert.match(output, /# Subtest: sink conformance: jsonl/);
  assert.match(output, /^# pass 12$/m, output);
  assert.match(output, /^# fail 0$/m);
  // awaitsReady is skipped (the sink does not declare it), and reported as skipped, not passed.
  assert.match(output, /^# skipped 1$/m);
});

interface Row {
  readonly id: string;
  readonly note: string | null;
}

test('PostgreSQL → dbmazz-sink-jsonl by package name: snapshot, stream, SIGKILL and restarts lose and duplicate nothing', async () => {
  const { dir, pkg } = install();
  const { readTable } = (await import(pathToFileURL(join(pkg, 'dist', 'src', 'index.js')).href)) as {
    readTable(dir: string, id: { schema: string; name: string }): Promise<Record<string, unknown>[]>;
  };
  const out = join(dir, 'jsonl');
  await pg.query('CREATE TABLE items (id bigint PRIMARY KEY, note text)');
  await pg.query("INSERT INTO items SELECT g, 'initial ' || g FROM generate_series(1, 200) g");
  const env = {
    SOURCE_TYPE: 'postgres',
    SOURCE_URL: pg.url,
    SINK_TYPE: PACKAGE,
    SINK_JSONL_DIR: out,
    TABLES: 'items',
    FLUSH_SIZE: '50',
    FLUSH_INTERVAL_MS: '50',
    GRPC_PORT: '0',
    SETUP_MAX_ATTEMPTS: '1',
  };
  const start = (): DaemonProcess => {
    const d = spawnDaemon(env, [], dir);
    daemons.push(d);
    return d;
  };
  const expected = async (): Promise<Row[]> => (await pg.query<Row>('SELECT id::text AS id, note FROM items ORDER BY items.id')).rows;
  const stored = async (): Promise<Row[]> =>
    (await readTable(out, { schema: 'public', name: 'items' }))
      .map((r) => ({ id: String(r['id']), note: r['note'] === null ? null : String(r['note']) }))
      .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)));
  const converged = async (d: DaemonProcess): Promise<void> => {
    let diff = '';
    await waitFor(
      async () => {
        const [have, want] = [await stored(), await expected()];
        const wrong = want.filter((w, i) => JSON.stringify(w) !== JSON.stringify(have[i]));
        diff = `${have.length} rows stored, ${want.length} in PostgreSQL; first differences: ${JSON.stringify(wrong.slice(0, 3))}`;
        return wrong.length === 0 && have.length === want.length;
      },
      { timeoutMs: 60_000, message: () => `the files do not match PostgreSQL: ${diff}\n${d.output().slice(-3000)}` },
    );
  };

  let daemon = start();
  const streaming = async (): Promise<boolean> =>
    (await pg.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'dbmazz_slot' AND active")).rowCount === 1;
  await waitFor(streaming, { timeoutMs: 30_000, message: () => daemon.output().slice(-3000) });
  await pg.query("INSERT INTO items SELECT g, 'streamed ' || g FROM generate_series(201, 300) g");
  await pg.query("UPDATE items SET note = 'updated' WHERE id % 10 = 0");
  await pg.query('DELETE FROM items WHERE id % 7 = 0');
  await converged(daemon);

  // A hard crash while transactions keep coming: what was written but not confirmed comes again.
  const writes = (async () => {
    for (let i = 301; i <= 400; i++) await pg.query("INSERT INTO items VALUES ($1, 'during crash')", [i]);
  })();
  await new Promise((r) => setTimeout(r, 100));
  daemon.kill('SIGKILL');
  await daemon.exited;
  await writes;
  await waitFor(async () => (await pg.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = 'dbmazz_slot' AND NOT active")).rowCount === 1, {
    timeoutMs: 20_000,
  });
  daemon = start();
  await pg.query("UPDATE items SET note = 'after restart' WHERE id > 350");
  await converged(daemon);

  // A clean stop drains and confirms; the next start resumes with nothing missing.
  daemon.kill('SIGTERM');
  assert.equal((await daemon.exited).code, 0, daemon.output());
  await pg.query("INSERT INTO items SELECT g, 'while stopped' FROM generate_series(401, 450) g");
  daemon = start();
  await converged(daemon);
  daemon.kill('SIGTERM');
  assert.equal((await daemon.exited).code, 0, daemon.output());

  // No stream change was appended twice (a retried or replayed batch is skipped by the horizon).
  const lines = readFileSync(join(out, 'public.items.jsonl'), 'utf8').trim().split('\n');
  const streamed = lines.map((l) => JSON.parse(l) as { lsn: string; ordinal: number; snapshotRead?: string }).filter((l) => l.snapshotRead === undefined);
  const ids = streamed.map((l) => `${l.lsn}#${l.ordinal}`);
  assert.equal(new Set(ids).size, ids.length, 'a stream change was written twice');
});
