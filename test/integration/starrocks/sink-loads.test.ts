/** Labels, replies and failures of Stream Load, against the emulator's FE/BE over real HTTP. */
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TableBatch } from '../../../core/index.js';
import { CdcError } from '../../../core/index.js';
import { batchIdentity, makeLabel } from '../../../connectors/starrocks/stream-load/label.js';
import { column, ins, tableSchema } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { batch, DB, PIPELINE, rowsById, signal, startHarness } from './harness.js';

const t = tableSchema('events', [column('id', 'int8', true), column('v', 'text'), column('qty', 'int4')]);

function isCdc(code: string, retry: 'retry' | 'never', re?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof CdcError, String(e));
    assert.equal(e.code, code, e.message);
    assert.equal(e.retry, retry, e.message);
    if (re) assert.match(e.message, re);
    return true;
  };
}

/** Polls `cond` (the emulator runs in this process) until it holds; fails after `ms`. */
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(5);
  }
}

describe('StarRocks sink loads (emulator)', () => {
  let h: Harness;
  let lsn = 1000n;
  const next = (): bigint => (lsn += 10n);
  const labelOf = (b: TableBatch, index = 0): string =>
    makeLabel({ prefix: 'dbmazz', pipelineId: PIPELINE, table: b.schema.id.name, ...batchIdentity(b.records), index });
  /** The txn state the emulator holds for a label (UNKNOWN when none). */
  const labelState = (label: string): string => h.emu.catalog.getDatabase(DB)?.labels.find(label, Date.now())?.state ?? 'UNKNOWN';
  const loadsInFlight = (): number => h.emu.catalog.getDatabase(DB)?.labels.running().length ?? 0;

  before(async () => {
    h = await startHarness();
    await h.create(`${DB}.events (id BIGINT NOT NULL, v STRING, qty INT NOT NULL) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    await h.sink().setup([t]);
  });
  beforeEach(() => {
    h.emu.faults.clear();
    h.emu.clearLoads();
  });
  afterEach(async () => {
    // A test leaves nothing behind: every txn it started is finished (committed or aborted) before
    // the next one starts and clears the load log (tests also await all of their own writes).
    await until('no load is in flight', () => loadsInFlight() === 0);
  });
  after(async () => {
    await h.close();
  });

  it('the same batch twice: the second load is "Label Already Exists" FINISHED and counts as success', async () => {
    const sink = h.sink();
    const b = batch(t, [ins(t, next(), [1n, 'a', 1])]);
    await sink.write(b, signal());
    const res = await sink.write(b, signal());
    assert.equal(res.rowsWritten, 1);
    const statuses = h.emu.loads().map((l) => l.status);
    assert.deepEqual(statuses, ['Success', 'Label Already Exists']);
    assert.equal(h.emu.loads()[0]?.label, h.emu.loads()[1]?.label);
    assert.match(h.emu.loads()[0]?.label ?? '', /^dbmazz-dbmazz_slot-events-[0-9A-F]+-[0-9A-F]+-1-0$/);
  });

  it('a retry after an ambiguous failure (committed, connection dropped) finds the label FINISHED', async () => {
    const sink = h.sink();
    const b = batch(t, [ins(t, next(), [2n, 'b', 2])]);
    h.emu.faults.inject({ kind: 'commitThenDrop' });
    await assert.rejects(sink.write(b, signal()), isCdc('SINK_CONNECTION', 'retry', /may or may not have been applied/));
    assert.equal(rowsById(h, 'events').get('2')?.['v'], 'b');
    const res = await sink.write(b, signal()); // the pipeline's retry
    assert.equal(res.rowsWritten, 1);
    assert.deepEqual(
      h.emu.loads().map((l) => l.status),
      ['Success', 'Label Already Exists'],
    );
  });

  it('RUNNING label: polls get_load_state; ABORTED → sends again with the same label', async () => {
    const sink = h.sink();
    await sink.setup([t]);
    const b = batch(t, [ins(t, next(), [3n, 'c', 3])]);
    const label = labelOf(b);
    // First attempt: the BE reads the body and holds the txn open for 1 s, then drops it (ABORTED).
    h.emu.faults.inject({ kind: 'hang', hangMs: 1000 });
    const first = sink.write(b, signal());
    // Only once that attempt holds the label (PREPARE on the BE) does the second one start: it must
    // be the one that sees RUNNING, whatever the timing of the first one's setup and connections.
    await until('the first attempt holds the label', () => labelState(label) === 'PREPARE');
    // A concurrent attempt with the same label sees RUNNING, waits, then loads it itself.
    const second = sink.write(b, signal());
    const [firstOutcome, secondOutcome] = await Promise.allSettled([first, second]);
    assert.equal(firstOutcome.status, 'rejected');
    assert.ok(firstOutcome.reason instanceof CdcError && firstOutcome.reason.retry === 'retry', String(firstOutcome.reason));
    assert.equal(secondOutcome.status, 'fulfilled', secondOutcome.status === 'rejected' ? String(secondOutcome.reason) : '');
    assert.equal(secondOutcome.value.rowsWritten, 1);
    assert.deepEqual(
      h.emu.loads().map((l) => [l.label, l.status]),
      [
        [label, 'Label Already Exists'],
        [label, 'Fail'], // the hanging attempt, aborted when its connection closed
        [label, 'Success'],
      ],
    );
    assert.equal(labelState(label), 'VISIBLE');
    assert.equal(rowsById(h, 'events').get('3')?.['v'], 'c');
  });

  it('Publish Timeout is a success and is not retried', async () => {
    const sink = h.sink();
    h.emu.faults.inject({ kind: 'publishTimeout' });
    const res = await sink.write(batch(t, [ins(t, next(), [4n, 'd', 4])]), signal());
    assert.equal(res.rowsWritten, 1);
    assert.deepEqual(
      h.emu.loads().map((l) => l.status),
      ['Publish Timeout'],
    );
    assert.equal(rowsById(h, 'events').get('4')?.['v'], 'd');
  });

  it('503 and 500 are retriable', async () => {
    const sink = h.sink();
    h.emu.faults.inject({ kind: 'http503' });
    await assert.rejects(sink.write(batch(t, [ins(t, next(), [5n, 'e', 5])]), signal()), isCdc('SINK_LOAD', 'retry', /HTTP 503/));
    h.emu.faults.inject({ kind: 'http500' });
    await assert.rejects(sink.write(batch(t, [ins(t, next(), [5n, 'e', 5])]), signal()), isCdc('SINK_LOAD', 'retry', /HTTP 500/));
  });

  it('a connection dropped mid-body is retriable, and the retry loads the batch', async () => {
    const sink = h.sink();
    const b = batch(t, [ins(t, next(), [6n, 'f'.repeat(10_000), 6])]);
    h.emu.faults.inject({ kind: 'dropMidBody' });
    await assert.rejects(sink.write(b, signal()), isCdc('SINK_CONNECTION', 'retry'));
    await sink.write(b, signal());
    assert.equal(rowsById(h, 'events').get('6')?.['qty'], 6n);
  });

  it('a hanging BE is a retriable timeout', async () => {
    const sink = h.sink({ SINK_LOAD_TIMEOUT_MS: 300 });
    h.emu.faults.inject({ kind: 'hang', hangMs: 5000 });
    await assert.rejects(sink.write(batch(t, [ins(t, next(), [7n, 'g', 7])]), signal()), isCdc('SINK_TIMEOUT', 'retry'));
  });

  it('"too many versions" and unknown Fail texts are retriable', async () => {
    const sink = h.sink();
    h.emu.faults.inject({ kind: 'tooManyVersions' });
    await assert.rejects(sink.write(batch(t, [ins(t, next(), [8n, 'h', 8])]), signal()), isCdc('SINK_LOAD', 'retry', /too many versions/));
    h.emu.faults.inject({ kind: 'fail', message: 'something odd happened' });
    await assert.rejects(sink.write(batch(t, [ins(t, next(), [8n, 'h', 8])]), signal()), isCdc('SINK_LOAD', 'retry', /something odd happened/));
  });

  it('a wrong password is SINK_AUTH, never retried, and the password is not shown', async () => {
    const sink = h.sink({ SINK_PASSWORD: 's3cret-wrong' });
    await assert.rejects(sink.write(batch(t, [ins(t, next(), [9n, 'i', 9])]), signal()), (e: unknown) => {
      isCdc('SINK_AUTH', 'never')(e);
      assert.ok(e instanceof CdcError);
      assert.doesNotMatch(e.operatorMessage, /s3cret/);
      assert.match(e.operatorMessage, /SINK_USER and SINK_PASSWORD/);
      return true;
    });
  });

  it('an unknown table at load time is SINK_SCHEMA, never retried (early reply, no body)', async () => {
    const other = tableSchema('gone', [column('id', 'int8', true)]);
    await h.create(`${DB}.gone (id BIGINT NOT NULL) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    const sink = h.sink();
    await sink.setup([other]);
    await h.emu.sql(`DROP TABLE ${DB}.gone`);
    await assert.rejects(sink.write(batch(other, [ins(other, next(), [1n])]), signal()), isCdc('SINK_SCHEMA', 'never', /unknown table/i));
    assert.equal(h.emu.loads().at(-1)?.numberTotalRows, 0);
  });

  it('filtered rows fail the batch with the error log text (max_filter_ratio 0)', async () => {
    const sink = h.sink();
    // qty is NOT NULL: a NULL there is a rejected row.
    await assert.rejects(sink.write(batch(t, [ins(t, next(), [10n, 'ok', 1]), ins(t, next(), [11n, 'bad', null])]), signal()), (e: unknown) => {
      isCdc('SINK_DATA', 'never', /too many filtered rows/)(e);
      assert.ok(e instanceof CdcError);
      assert.match(e.message, /cdc\.events \(column qty\)/);
      assert.match(e.message, /First rejected rows \(error log\):\n {2}\S/);
      return true;
    });
    assert.equal(rowsById(h, 'events').get('10'), undefined, 'nothing of the batch is loaded');
  });

  it('with SINK_MAX_FILTER_RATIO > 0 the load succeeds and the rejected rows are logged', async () => {
    const sink = h.sink({ SINK_MAX_FILTER_RATIO: 0.5 });
    const res = await sink.write(batch(t, [ins(t, next(), [12n, 'ok', 1]), ins(t, next(), [13n, 'bad', null])]), signal());
    assert.equal(res.loads, 1);
    assert.equal(rowsById(h, 'events').get('12')?.['v'], 'ok');
    assert.equal(rowsById(h, 'events').get('13'), undefined);
    const warn = h.logs.find((l) => /rejected rows/.test(l.msg) && l['filteredRows'] === 1);
    assert.ok(warn, 'a warning with the rejected rows');
    assert.ok(Array.isArray(warn['errorLog']) && warn['errorLog'].length > 0);
    assert.equal(h.emu.loads().at(-1)?.headers['max_filter_ratio'], '0.5');
  });
});
