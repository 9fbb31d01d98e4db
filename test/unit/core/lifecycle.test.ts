import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError, ConfigError } from '../../../core/errors/errors.js';
import { runLifecycle } from '../../../core/runtime/lifecycle.js';
import { RuntimeState, type Stage } from '../../../core/runtime/state.js';
import {
  createTestLogger,
  FakeClock,
  MemorySink,
  MemorySource,
  settle,
  testTable,
  type MemorySinkOptions,
  type MemorySourceOptions,
} from '../../../core/testing/index.js';
import type { SourceSetupResult } from '../../../core/plugin/source.js';
import { options } from './pipeline/harness.js';

const orders = testTable('orders');

function setup(source: Partial<MemorySourceOptions> = {}, sink: MemorySinkOptions = {}) {
  const state = new RuntimeState();
  const stages: Array<[Stage, string]> = [];
  state.onChange(() => {
    const last = stages[stages.length - 1];
    if (last?.[0] !== state.stage || last[1] !== state.stageDetail) stages.push([state.stage, state.stageDetail]);
  });
  const deps = {
    source: new MemorySource({ tables: [orders], ...source }),
    sink: new MemorySink(sink),
    state,
    logger: createTestLogger('silent').logger,
    options: options(),
    clock: new FakeClock(),
  };
  return { ...deps, stages };
}

const notFound = new CdcError({
  code: 'SOURCE_SETUP',
  message: "Table 'orders' not found in PostgreSQL.",
  hint: 'Verify the table exists and is accessible.',
});

test('stages go INIT → SETUP → CDC, validating both connections before setting anything up', async () => {
  const t = setup();
  const running = await runLifecycle(t);
  assert.deepEqual(t.stages, [
    ['INIT', 'Initializing'],
    ['SETUP', 'Configuring source and sink'],
    ['CDC', 'Replicating'],
  ]);
  assert.deepEqual(t.source.calls, ['validateConnection', 'setup', 'start']);
  assert.deepEqual(t.sink.calls, ['validateConnection', 'setup']);
  assert.deepEqual(t.sink.setupTables, [orders], 'the sink is set up with the source tables');
  assert.deepEqual(t.state.tables, ['public.orders']);
  assert.equal(t.state.slotName, 'dbmazz_slot');
  assert.equal(t.state.runState, 'RUNNING');
  assert.equal(t.state.errorDetail, '');
  await running.drainAndStop();
  assert.equal(t.state.runState, 'STOPPED');
});

test('a source setup failure: operator message, stage SETUP, nothing else set up, both closed', async () => {
  const t = setup({ failures: { setup: notFound } });
  await assert.rejects(runLifecycle(t), (err) => err === notFound);
  assert.equal(t.state.stage, 'SETUP');
  assert.equal(t.state.stageDetail, 'Setup failed');
  assert.equal(t.state.errorDetail, "Table 'orders' not found in PostgreSQL. Verify the table exists and is accessible.");
  assert.deepEqual(t.sink.calls, ['validateConnection', 'close']);
  assert.ok(t.source.closed && t.sink.closed);
  assert.ok(!t.source.calls.includes('start'));
  assert.equal(t.state.runState, 'STOPPED');
});

test('a source connection failure stops in INIT before the sink is touched', async () => {
  const err = new CdcError({ code: 'SOURCE_CONNECTION', message: 'Cannot connect to PostgreSQL at db:5432.', hint: 'Check SOURCE_URL.' });
  const t = setup({ failures: { validateConnection: err } });
  await assert.rejects(runLifecycle(t), (e) => e === err);
  assert.equal(t.state.stage, 'INIT');
  assert.equal(t.state.stageDetail, 'Initialization failed');
  assert.equal(t.state.errorDetail, 'Cannot connect to PostgreSQL at db:5432. Check SOURCE_URL.');
  assert.deepEqual(t.sink.calls, ['close']);
  assert.deepEqual(t.source.calls, ['validateConnection', 'close']);
});

test('a sink connection failure stops in INIT: nothing is created in either database', async () => {
  const err = new CdcError({ code: 'SINK_AUTH', message: 'StarRocks rejected the credentials.', hint: 'Check SINK_USER.' });
  const t = setup({}, { failures: { validateConnection: err } });
  await assert.rejects(runLifecycle(t), (e) => e === err);
  assert.equal(t.state.stage, 'INIT');
  assert.deepEqual(t.source.calls, ['validateConnection', 'close']);
  assert.deepEqual(t.sink.calls, ['validateConnection', 'close']);
});

test('a sink setup failure stops in SETUP', async () => {
  const err = new CdcError({ code: 'SINK_SETUP', message: "StarRocks table 'orders' is not a primary key table." });
  const t = setup({}, { failures: { setup: err } });
  await assert.rejects(runLifecycle(t), (e) => e === err);
  assert.equal(t.state.stage, 'SETUP');
  assert.equal(t.state.errorDetail, "StarRocks table 'orders' is not a primary key table.");
  assert.ok(t.source.closed && t.sink.closed);
});

test('an unclassified error is wrapped with the step that failed', async () => {
  const t = setup({ failures: { setup: new Error('boom') } });
  await assert.rejects(runLifecycle(t), (e: unknown) => e instanceof CdcError && e.code === 'SOURCE_SETUP');
  assert.equal(t.state.errorDetail, 'memory source setup failed: boom');
});

test('a start failure stops in CDC', async () => {
  const err = new CdcError({ code: 'SOURCE_SETUP', message: "Replication slot 'dbmazz_slot' is active for another process." });
  const t = setup({ failures: { start: err } });
  await assert.rejects(runLifecycle(t), (e) => e === err);
  assert.equal(t.state.stage, 'CDC');
  assert.equal(t.state.stageDetail, 'Replication failed');
  assert.equal(t.state.errorDetail, "Replication slot 'dbmazz_slot' is active for another process.");
  assert.ok(t.source.closed && t.sink.closed);
  await settle();
});

test('invalid pipeline options are rejected before anything is opened', async () => {
  const t = setup();
  await assert.rejects(runLifecycle({ ...t, options: { ...options(), flushSize: 0, tableConcurrency: 0 } }), (e: unknown) => {
    return e instanceof ConfigError && e.problems.length === 2;
  });
  assert.deepEqual(t.source.calls, []);
  assert.deepEqual(t.sink.calls, []);
});

/** A memory source with the read-only `inspect` the PostgreSQL source has. */
class InspectingSource extends MemorySource {
  async inspect(): Promise<SourceSetupResult> {
    this.calls.push('inspect');
    return { tables: [orders] };
  }
}

test('with inspect: the source is checked read-only first and sets up (creates its slot) last', async () => {
  const t = setup();
  const source = new InspectingSource({ tables: [orders] });
  const running = await runLifecycle({ ...t, source });
  assert.deepEqual(source.calls, ['validateConnection', 'inspect', 'setup', 'start']);
  await running.stopNow();
});

test('resume (reconnecting): nothing is created on the source, the sink is set up again, and the stages say so', async () => {
  const t = setup();
  const source = new InspectingSource({ tables: [orders] });
  const running = await runLifecycle({ ...t, source, resume: true });
  assert.deepEqual(source.calls, ['validateConnection', 'inspect', 'start'], 'no setup: a vanished slot is not created again');
  assert.deepEqual(t.sink.calls, ['validateConnection', 'setup']);
  assert.deepEqual(t.stages, [
    ['INIT', 'Reconnecting: checking the connections'],
    ['SETUP', 'Reconnecting: checking source and sink'],
    ['CDC', 'Replicating'],
  ]);
  await running.stopNow();
});

test('resume: a failed attempt keeps the daemon RUNNING (it retries) and reports the error', async () => {
  const down = new CdcError({ code: 'SOURCE_CONNECTION', retry: 'retry', message: 'PostgreSQL: connect ECONNREFUSED' });
  const t = setup({ failures: { validateConnection: down } });
  await assert.rejects(runLifecycle({ ...t, resume: true }), (e) => e === down);
  assert.equal(t.state.runState, 'RUNNING');
  assert.equal(t.state.errorDetail, 'PostgreSQL: connect ECONNREFUSED');
  assert.ok(t.source.closed && t.sink.closed);
});

test('the source identity reaches the sink setup; a source without one passes none', async () => {
  const identity = { id: 'memory:1', description: 'memory source 1' };
  const t = setup({ identity });
  const running = await runLifecycle(t);
  assert.deepEqual(t.sink.setupContext, { source: identity });
  await running.drainAndStop();
  const plain = setup();
  const other = await runLifecycle(plain);
  assert.deepEqual(plain.sink.setupContext, {});
  await other.drainAndStop();
});
