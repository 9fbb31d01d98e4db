/**
 * The snapshot engine over a fake reader: rows handed over one by one as they arrive become the
 * chunk's records with the stream decoder's values; a cell that cannot be decoded fails the snapshot
 * (SOURCE_PROTOCOL, naming the column) even though the connection wraps what the row callback threw.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { CdcError, type SourceEvent, type TableSchema } from '../../../core/index.js';
import { SnapshotEngine } from '../../../connectors/postgres/snapshot/engine.js';
import { SnapshotProgressStore } from '../../../connectors/postgres/snapshot/progress-store.js';
import { parsePgSnapshot } from '../../../connectors/postgres/snapshot/pg-snapshot.js';
import type { RawRead, SnapshotReader } from '../../../connectors/postgres/snapshot/reader.js';
import type { RowsInto } from '../../../connectors/postgres/snapshot/chunk-rows.js';
import { recordsOf } from '../../helpers/events.js';
import type { SqlText } from '../../../connectors/postgres/snapshot/chunk-sql.js';
import { TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';
import { keyText } from '../../../connectors/postgres/snapshot/key-text.js';

const schema: TableSchema = {
  id: { schema: 'public', name: 't' },
  columns: [
    { name: 'id', typeName: 'int8', typeOid: 20, typeModifier: -1, isKey: true, family: 'int8' },
    { name: 'b', typeName: 'text', typeOid: 25, typeModifier: -1, isKey: false, family: 'text' },
  ],
  keyColumns: ['id'],
  version: 1,
};
const reg = new TypeRegistry();
const types = [reg.lookup(20), reg.lookup(25)];

/**
 * A reader whose reads hand `rows` to the callback, wrapping a callback's throw as the real connection
 * does. Read n is in `snapshots[n]` (the last one for later reads).
 */
function fakeReader(chunks: (string | null)[][][], snapshots: string | readonly string[] = '10:10:'): SnapshotReader {
  let n = 0;
  const list = typeof snapshots === 'string' ? [snapshots] : snapshots;
  const reader = {
    async read(_sql: SqlText, doing: string, into: RowsInto): Promise<RawRead> {
      const snapshot = list[Math.min(n, list.length - 1)] ?? '10:10:';
      const rows = chunks[n++] ?? [];
      try {
        for (const r of rows) into.cells(r);
      } catch (e) {
        throw new CdcError({ code: 'SOURCE_CONNECTION', retry: 'retry', message: `PostgreSQL: failed to ${doing}`, cause: e });
      }
      return { snapshot: parsePgSnapshot(snapshot), walLsn: 100n };
    },
    async scalar(): Promise<string | undefined> {
      return '2';
    },
    async close(): Promise<void> {},
  };
  return reader as unknown as SnapshotReader;
}

function engineWith(reader: SnapshotReader, failed: (e: CdcError) => void, ready: () => void, allDone?: () => void): SnapshotEngine {
  return new SnapshotEngine({
    logger: pino({ level: 'silent' }),
    chunkRows: 10,
    parallelism: 1,
    progress: new SnapshotProgressStore('p'),
    describe: () => ({ schema, types }),
    newReader: () => reader,
    ready,
    failed,
    ...(allDone ? { allDone } : {}),
  });
}

/** `ready` calls as promises: `next()` resolves at the next call (or at once for a call nobody awaited yet). */
function readySignal(): { readonly ready: () => void; next(): Promise<void> } {
  let calls = 0;
  let waiting: (() => void) | undefined;
  return {
    ready: () => {
      calls += 1;
      const w = waiting;
      waiting = undefined;
      w?.();
    },
    next(): Promise<void> {
      if (calls > 0) {
        calls -= 1;
        return Promise.resolve();
      }
      return new Promise<void>((r) => (waiting = () => ((calls -= 1), r())));
    },
  };
}

function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(what)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Starts `engine` on `t`, places its one-chunk read at version 95 and marks it durable: the sweep is then wanted. */
async function untilSweepWanted(engine: SnapshotEngine, signal: { next(): Promise<void> }): Promise<void> {
  await engine.plan([schema.id], 'initial');
  engine.start();
  await within(signal.next(), 'no chunk');
  const first = engine.take(95n, true, 0n);
  engine.marked(tokensOf(first.marks)[0] ?? '');
  await within(signal.next(), 'no sweep wanted');
}

const tokensOf = (events: readonly SourceEvent[]): string[] => events.flatMap((m) => (m.kind === 'mark' ? [m.token] : []));
const rowsOf = (events: readonly SourceEvent[]): unknown[] => recordsOf(events).map((r) => (r.op === 'insert' ? r.after : undefined));

describe('SnapshotEngine reads', () => {
  it('decodes the rows handed over as they arrive into the chunk placed into the stream', async () => {
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    const engine = engineWith(
      fakeReader([
        [
          ['1', 'a'],
          ['2', null],
        ],
      ]),
      (e) => assert.fail(e.message),
      () => ready(),
    );
    await engine.plan([schema.id], 'initial');
    engine.start();
    await isReady;
    const { rows, marks } = engine.take(undefined, false, 0n);
    const records = recordsOf(rows);
    assert.deepEqual(
      records.map((r) => r?.op === 'insert' && r.after),
      [
        [1n, 'a'],
        [2n, null],
      ],
    );
    assert.deepEqual(
      records.map((r) => r?.commitLsn),
      [100n, 100n],
      'versioned by the read position when no stream runs',
    );
    assert.equal(marks.length, 1);
    await engine.stop();
  });

  it('a cell that cannot be decoded fails the snapshot with SOURCE_PROTOCOL naming the column, not a retried connection error', async () => {
    let failed!: (e: CdcError) => void;
    const failure = new Promise<CdcError>((r) => (failed = r));
    const engine = engineWith(
      fakeReader([
        [
          ['1', 'a'],
          ['x2', 'b'],
        ],
      ]),
      (e) => failed(e),
      () => undefined,
    );
    await engine.plan([schema.id], 'initial');
    engine.start();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('the snapshot did not fail (the read was retried?)')), 5000)));
    const e = await Promise.race([failure, late]).finally(() => clearTimeout(timer));
    assert.equal(e.code, 'SOURCE_PROTOCOL');
    assert.match(e.message, /Snapshot of public\.t, column id: cannot decode int8 value 'x2'/);
    assert.equal(engine.progress()[0]?.phase, 'failed');
    await engine.stop();
  });

  it("the sweep spares a row a streamed transaction inserted before the chunk was placed, which the chunk's read did not see", async () => {
    let ready!: () => void;
    const isReady = new Promise<void>((r) => (ready = r));
    // The last (short) chunk holds key 1; transaction 12 was still finishing its commit for the read.
    const engine = engineWith(
      fakeReader([[['1', 'a']]], '10:13:12'),
      (e) => assert.fail(e.message),
      () => ready(),
    );
    await engine.plan([schema.id], 'initial');
    engine.start();
    await isReady;
    // Transaction 12 inserted key 2 and was streamed (written at version 90) before the chunk is placed at 95.
    engine.tracker.begin(12);
    engine.tracker.touch('public.t', keyText([2n], [0]));
    engine.tracker.commit(90n);
    const first = engine.take(95n, true, 0n);
    assert.deepEqual(
      recordsOf(first.rows).map((r) => (r.op === 'insert' ? r.after : undefined)),
      [[1n, 'a']],
    );
    const token = first.marks.flatMap((m) => (m.kind === 'mark' ? [m.token] : []))[0];
    assert.ok(token !== undefined);
    engine.marked(token);
    const sweep = engine.take(96n, true, 0n).marks.find((m) => m.kind === 'sweep');
    assert.ok(sweep?.kind === 'sweep', 'the table is swept once its chunk is durable');
    // Rows below `before` that are not deleted are removed: key 2 (version 90) must not be one of them.
    assert.equal(sweep.before, 90n);
    await engine.stop();
  });
  it('a table whose chunk is placed and marked durable from within `ready` (nothing else pending) still completes', async () => {
    // The source places a chunk as soon as it is ready when the stream is idle, and the pipeline
    // releases a mark at once when nothing is buffered: all before the read that made the chunk returns.
    let done!: () => void;
    const allDone = new Promise<void>((r) => (done = r));
    const placeNow = (): void => {
      const { marks } = engine.take(100n, true, 0n);
      for (const token of tokensOf(marks)) engine.marked(token);
    };
    const engine = engineWith(
      fakeReader([[]]),
      (e) => assert.fail(e.message),
      placeNow,
      () => done(),
    );
    await engine.plan([schema.id], 'initial');
    engine.start();
    await within(allDone, 'the snapshot of an empty table never completed (its only mark came while its read was still returning)');
    assert.equal(engine.progress()[0]?.phase, 'done');
    assert.equal(engine.tracker.isTracked('public.t'), false);
    await engine.stop();
  });

  it('a moved key read again while the sweep is in flight keeps the table tracked until that read is durable', async () => {
    const signal = readySignal();
    // Read 1: the range (key 1). Read 2: key 2 again, in a snapshot where transaction 12 is in progress.
    // Read 3: key 2 once more, seeing 12.
    const engine = engineWith(
      fakeReader([[['1', 'a']], [['2', 'old']], [['2', 'new']]], ['10:10:', '10:13:12', '13:13:']),
      (e) => assert.fail(e.message),
      signal.ready,
    );
    await untilSweepWanted(engine, signal);
    const sweep = engine.take(96n, true, 0n);
    assert.ok(sweep.marks.some((m) => m.kind === 'sweep'));
    // A streamed key change with unchanged TOAST values moves a row to key 2: it is read again (read 2).
    engine.rereadMovedKey('public.t', [2n]);
    await within(signal.next(), 'the moved key was not read again');
    engine.marked(tokensOf(sweep.marks)[0] ?? '');
    assert.equal(engine.progress()[0]?.phase, 'copying', 'done with a re-read not yet placed');
    assert.equal(engine.tracker.isTracked('public.t'), true);
    // Transaction 12 updated key 2 and was streamed (version 97) before read 2 is placed: read 2's row is older.
    engine.tracker.begin(12);
    engine.tracker.touch('public.t', keyText([2n], [0]));
    engine.tracker.commit(97n);
    const second = engine.take(98n, true, 0n);
    assert.deepEqual(rowsOf(second.rows), [], "read 2's row of key 2 is stale: left out");
    engine.marked(tokensOf(second.marks)[0] ?? '');
    await within(signal.next(), 'key 2 was not read a third time');
    const third = engine.take(99n, true, 0n);
    assert.deepEqual(rowsOf(third.rows), [[2n, 'new']]);
    engine.marked(tokensOf(third.marks)[0] ?? '');
    assert.equal(engine.progress()[0]?.phase, 'done');
    assert.equal(engine.tracker.isTracked('public.t'), false);
    await engine.stop();
  });
  it("a moved key's re-read that is ready while the sweep is wanted is placed with the sweep (nothing announces it again)", async () => {
    const signal = readySignal();
    const engine = engineWith(fakeReader([[['1', 'a']], [['2', 'b']]]), (e) => assert.fail(e.message), signal.ready);
    await untilSweepWanted(engine, signal);
    // Before the source takes the sweep, a moved key is read again and its chunk becomes ready.
    engine.rereadMovedKey('public.t', [2n]);
    await within(signal.next(), 'the moved key was not read again');
    const both = engine.take(96n, true, 0n);
    assert.deepEqual(rowsOf(both.rows), [[2n, 'b']], 'the re-read is placed now, not left for a ready() that never comes');
    assert.deepEqual(
      both.marks.map((m) => m.kind),
      ['mark', 'sweep', 'mark'],
      "the chunk's mark, then the sweep",
    );
    for (const token of tokensOf(both.marks)) engine.marked(token);
    assert.equal(engine.progress()[0]?.phase, 'done');
    await engine.stop();
  });
  it('a re-read of a key that no longer exists, read again whole, is asked for once more (not left unsettled forever)', async () => {
    const signal = readySignal();
    // Read 2 (key 2, deleted) sees transaction 12 in progress; read 3 sees it.
    const engine = engineWith(fakeReader([[['1', 'a']], [], []], ['10:10:', '10:13:12', '13:13:']), (e) => assert.fail(e.message), signal.ready);
    await untilSweepWanted(engine, signal);
    // A previous run streamed transaction 12 (its keys are unknown): a read that cannot see it is read again whole.
    engine.tracker.streamedBeforeStart([12]);
    engine.rereadMovedKey('public.t', [2n]);
    await within(signal.next(), 'the moved key was not read');
    const second = engine.take(96n, true, 0n);
    assert.deepEqual(rowsOf(second.rows), []);
    for (const token of tokensOf(second.marks)) engine.marked(token); // the sweep
    assert.equal(engine.progress()[0]?.phase, 'copying');
    await within(signal.next(), 'key 2 was never read again: it stays unsettled and the table never completes');
    const third = engine.take(97n, true, 0n);
    for (const token of tokensOf(third.marks)) engine.marked(token);
    assert.equal(engine.progress()[0]?.phase, 'done');
    await engine.stop();
  });
});
