/**
 * Saved positions (issue 12): a source with `resumeFrom` gets the position the last run saved, a
 * position is saved only once the sink durably wrote everything up to it, the file survives the
 * process, and a source that does not continue after the saved position is stopped, naming it.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CdcError } from '../../../../core/errors/errors.js';
import { runLifecycle } from '../../../../core/runtime/lifecycle.js';
import { FilePositionStore } from '../../../../core/runtime/position-file.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { createTestLogger, FakeClock, MemorySink, MemorySource, settle, StreamBuilder, commitOf } from '../../../../core/testing/index.js';
import { SavedPositions, type PositionStore } from '../../../../core/pipeline/saved-positions.js';
import { options, orders } from './harness.js';
import { waitFor } from '../../../helpers/wait.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function stateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dbmazz-positions-'));
  dirs.push(d);
  return d;
}

async function start(positions: PositionStore, o: { transactions?: boolean } = {}) {
  const source = new MemorySource({ tables: [orders], type: 'slotless', resumable: true, capabilities: { transactions: o.transactions ?? true } });
  const sink = new MemorySink();
  const clock = new FakeClock();
  const state = new RuntimeState();
  const pipeline = await runLifecycle({ source, sink, state, logger: createTestLogger('silent').logger, options: options({ flushSize: 2 }), clock, positions });
  await settle();
  return { source, sink, clock, state, pipeline };
}

test('the file store: nothing saved yet, then the last save; 64-bit positions keep every digit; no temporary file left', async () => {
  const dir = join(stateDir(), 'nested', 'state');
  const store = new FilePositionStore(dir, 'my/pipe', 'slotless');
  assert.equal(await store.load(), undefined);
  await store.save(42n);
  await store.save(0xffff_ffff_ffff_fff0n);
  assert.equal(await new FilePositionStore(dir, 'my/pipe', 'slotless').load(), 0xffff_ffff_ffff_fff0n);
  assert.deepEqual(readdirSync(dir), ['my%2Fpipe.position.json']);
  const content = JSON.parse(readFileSync(store.location, 'utf8')) as Record<string, unknown>;
  assert.equal(content['source'], 'slotless');
  assert.equal(content['position'], '18446744073709551600');
});

test('the file store refuses a position saved by another connector, and a damaged file, saying what to do', async () => {
  const dir = stateDir();
  await new FilePositionStore(dir, 'p', 'other-source').save(7n);
  await assert.rejects(new FilePositionStore(dir, 'p', 'slotless').load(), (err: unknown) => {
    assert.ok(err instanceof CdcError);
    assert.equal(err.code, 'SOURCE_SETUP');
    assert.match(err.message, /belongs to the source 'other-source', not 'slotless'/);
    assert.match(err.hint ?? '', /STATE_DIR/);
    return true;
  });
  writeFileSync(join(dir, 'q.position.json'), '{"source":"slotless","position":');
  await assert.rejects(new FilePositionStore(dir, 'q', 'slotless').load(), /is not valid JSON/);
});

test('a STATE_DIR that cannot be a directory fails at startup, naming the variable', async () => {
  const file = join(stateDir(), 'not-a-dir');
  writeFileSync(file, '');
  await assert.rejects(new FilePositionStore(join(file, 'state'), 'p', 'slotless').load(), (err: unknown) => {
    assert.ok(err instanceof CdcError);
    assert.match(err.message, /^STATE_DIR '.*' cannot hold the saved source position/);
    assert.match(err.hint ?? '', /'slotless' source keeps no position on its server/);
    return true;
  });
});

test('a position is saved only after the sink wrote everything up to it, and the next run resumes from it', async () => {
  const dir = stateDir();
  const store = new FilePositionStore(dir, 'dbmazz_slot', 'slotless');
  const first = await start(store);
  assert.deepEqual(first.source.resumedFrom, [undefined], 'the first run has nothing saved');
  const stream = new StreamBuilder();
  const tx1 = stream.inserts(orders, 2, 1);
  first.sink.hold();
  first.source.emit(...tx1);
  await settle();
  assert.ok(first.sink.inProgress > 0, 'the flush is being written');
  assert.equal(existsSync(store.location), false, 'nothing is saved while the write is not durable');
  first.sink.release();
  await waitFor(async () => (await store.load()) === commitOf(tx1), { message: () => 'the confirmed position was not saved' });
  const tx2 = stream.inserts(orders, 1, 3);
  first.source.emit(...tx2);
  await first.pipeline.drainAndStop();
  assert.equal(await store.load(), commitOf(tx2), 'the drain saves the final position');

  const second = await start(new FilePositionStore(dir, 'dbmazz_slot', 'slotless'));
  assert.deepEqual(second.source.resumedFrom, [commitOf(tx2)]);
  assert.equal(second.state.confirmedLsn, commitOf(tx2));
  await second.pipeline.drainAndStop();
});

test('a source that restarts at the saved position (repeating it) is stopped with SOURCE_PROTOCOL naming the connector; nothing is confirmed', async () => {
  const dir = stateDir();
  const stream = new StreamBuilder();
  const tx = stream.inserts(orders, 1);
  const first = await start(new FilePositionStore(dir, 'dbmazz_slot', 'slotless'));
  first.source.emit(...tx);
  await first.pipeline.drainAndStop();

  const second = await start(new FilePositionStore(dir, 'dbmazz_slot', 'slotless'));
  second.source.emit(...tx);
  const err = await second.pipeline.done.then(
    () => assert.fail('the pipeline accepted a repeated position'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof CdcError);
  assert.equal(err.code, 'SOURCE_PROTOCOL');
  assert.match(err.message, /source 'slotless' sent position \d+ after restarting from the saved position \d+/);
  assert.match(err.hint ?? '', /connector 'slotless'/);
  assert.equal(second.sink.durable.length, 0);
  assert.equal(await new FilePositionStore(dir, 'dbmazz_slot', 'slotless').load(), commitOf(tx));
});

test('within a run, a position below the previous one stops the pipeline (a source without transactions: per change)', async () => {
  const store = new FilePositionStore(stateDir(), 'dbmazz_slot', 'slotless');
  const h = await start(store, { transactions: false });
  const stream = new StreamBuilder();
  const a = stream.inserts(orders, 1, 1);
  const b = stream.inserts(orders, 1, 2);
  // Only the changes: each one's commitLsn is its position. b, then a (lower): a goes backwards.
  h.source.emit(b[0]!, a[0]!);
  await assert.rejects(h.pipeline.done, (e: unknown) => e instanceof CdcError && /positions must increase/.test(e.message));
});

test('a source without resumeFrom (PostgreSQL: the slot holds its position) never touches the store', async () => {
  let used = false;
  const store: PositionStore = {
    location: 'nowhere',
    load: async () => {
      used = true;
      return undefined;
    },
    save: async () => {
      used = true;
    },
  };
  const source = new MemorySource({ tables: [orders] });
  const state = new RuntimeState();
  const pipeline = await runLifecycle({
    source,
    sink: new MemorySink(),
    state,
    logger: createTestLogger('silent').logger,
    options: options(),
    clock: new FakeClock(),
    positions: store,
  });
  source.emit(...new StreamBuilder().inserts(orders, 3));
  await pipeline.drainAndStop();
  assert.ok(source.acknowledged.length > 0);
  assert.equal(used, false);
});

test('a failing save stops the pipeline with the store error instead of pretending the position is kept', async () => {
  const store: PositionStore = {
    location: 'broken',
    load: async () => undefined,
    save: async () => {
      throw new CdcError({ code: 'SOURCE_SETUP', message: 'disk full' });
    },
  };
  const h = await start(store);
  h.source.emit(...new StreamBuilder().inserts(orders, 2));
  await settle();
  await assert.rejects(h.pipeline.done, /disk full/);
});

test('a confirmed position below the saved one (an idle position of a source that does not report it) is never saved', async () => {
  const saves: bigint[] = [];
  const store: PositionStore = { location: 'memory', load: async () => 100n, save: async (p) => void saves.push(p) };
  const saved = new SavedPositions(store, 'slotless', 100n, (err) => assert.fail(String(err)));
  saved.save(50n);
  saved.save(100n);
  await saved.flush();
  assert.deepEqual(saves, []);
  saved.save(120n);
  saved.save(130n);
  await saved.flush();
  assert.equal(saves.at(-1), 130n);
});
