/** Startup retries (health shows the error while the daemon keeps trying) and ReloadConfig parsing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseReload } from '../../../../core/control/reload.js';
import { startWithRetries } from '../../../../core/control/setup-retry.js';
import { changeTables, diffTables } from '../../../../core/control/table-reload.js';
import { healthOf } from '../../../../core/control/health.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import type { TableId, TableSchema } from '../../../../core/index.js';
import { createTestLogger, MemorySink, MemorySource, testTable } from '../../../../core/testing/index.js';

const notFound = "Table 'orders' not found in PostgreSQL. Verify the table exists and is accessible.";

test('a failed setup is retried; health reports the error between attempts; success clears it', async () => {
  const state = new RuntimeState();
  const log = createTestLogger('warn');
  const seen: string[] = [];
  let attempts = 0;
  const outcome = await startWithRetries({
    attempt: async () => {
      attempts++;
      seen.push(`${healthOf(state).status} ${state.errorDetail}`);
      state.setStage('SETUP', 'Configuring source and sink');
      if (attempts < 3) {
        state.fail(notFound);
        throw new Error('setup failed');
      }
      state.setStage('CDC', 'Replicating');
      return 'running';
    },
    policy: { maxAttempts: 0, delayMs: 1 },
    state,
    logger: log.logger,
    stopped: () => false,
    wake: new Promise(() => undefined),
  });
  assert.deepEqual(outcome, { ok: true, value: 'running' });
  assert.deepEqual(seen, ['SERVING ', `NOT_SERVING ${notFound}`, `NOT_SERVING ${notFound}`], 'the error stays visible while retrying');
  assert.equal(healthOf(state).status, 'SERVING');
  assert.equal(state.errorDetail, '');
  assert.equal(log.lines.filter((l) => /^Startup attempt \d failed in stage SETUP; retrying in 1 ms$/.test(l.msg)).length, 2);
});

test('the retries end after SETUP_MAX_ATTEMPTS, or at once when a stop is asked for during the wait', async () => {
  const state = new RuntimeState();
  const logger = createTestLogger('silent').logger;
  let attempts = 0;
  const failing = async (): Promise<never> => {
    attempts++;
    state.fail(notFound);
    throw new Error('setup failed');
  };
  const limited = await startWithRetries({
    attempt: failing,
    policy: { maxAttempts: 2, delayMs: 1 },
    state,
    logger,
    stopped: () => false,
    wake: new Promise(() => undefined),
  });
  assert.equal(limited.ok, false);
  assert.equal(attempts, 2);
  assert.ok(!limited.ok && !limited.stopped);

  attempts = 0;
  let stop = false;
  let wake!: () => void;
  const waking = new Promise<void>((r) => (wake = r));
  const pending = startWithRetries({ attempt: failing, policy: { maxAttempts: 0, delayMs: 3_600_000 }, state, logger, stopped: () => stop, wake: waking });
  await new Promise((r) => setTimeout(r, 20));
  stop = true;
  wake();
  const stopped = await pending;
  assert.ok(!stopped.ok && stopped.stopped, 'the hour-long wait ended with the stop request');
  assert.equal(attempts, 1);
  assert.equal(healthOf(state).errorDetail, notFound, 'the last error is still reported');
});

test('ReloadConfig parsing: 0 / empty = unchanged, uint64 strings, limits, table syntax', () => {
  const limits = { maxBufferedEvents: 1000 };
  const none = parseReload({ flushSize: '0', flushIntervalMs: '0', tables: [] }, limits);
  assert.deepEqual(none, { ok: true, plan: { flushSize: undefined, flushIntervalMs: undefined, tables: undefined } });
  const some = parseReload({ flushSize: '200', flushIntervalMs: '500', tables: ['orders', 'sales."Big"'] }, limits);
  assert.deepEqual(some, {
    ok: true,
    plan: {
      flushSize: 200,
      flushIntervalMs: 500,
      tables: [
        { schema: 'public', name: 'orders' },
        { schema: 'sales', name: 'Big' },
      ],
    },
  });
  const bad = parseReload({ flushSize: '1001', flushIntervalMs: '18446744073709551615', tables: ['a.b.c'] }, limits);
  assert.equal(bad.ok, false);
  assert.ok(!bad.ok);
  assert.deepEqual(bad.problems, [
    'flush_size 1001 is above 1000 (MAX_BUFFERED_EVENTS: a larger flush could never fill)',
    'flush_interval_ms 18446744073709551615 is above 86400000 (one day)',
    "tables: 'a.b.c' has more than two name parts (expected schema.table or table, e.g. public.orders)",
  ]);
});

test('table diff: the requested list is the complete new set', () => {
  const t = (name: string) => ({ schema: 'public', name });
  assert.deepEqual(diffTables([t('a'), t('b')], [t('b'), t('c')]), { add: [t('c')], remove: [t('a')] });
  assert.deepEqual(diffTables([t('a')], [t('a')]), { add: [], remove: [] });
});

test('adding tables live: a sink refusal of the table set (two tables into one target) changes nothing', async () => {
  const t = (schema: string, name: string) => ({ schema, name });
  const identity = { id: 'memory:1', description: 'memory source 1' };
  const added: string[] = [];
  const source = Object.assign(new MemorySource({ tables: [testTable('orders')], identity }), {
    checkTables: async (ids: readonly TableId[]) => ids.map((id) => testTable(id.name)),
    addTables: async (schemas: readonly TableSchema[]) => void added.push(...schemas.map((s) => s.id.name)),
  });
  // Stands for the StarRocks sink's check: targets are the table names.
  const sink = Object.assign(new MemorySink(), {
    checkTables: (ids: readonly TableId[]): string[] => {
      const seen = new Map<string, string>();
      const problems: string[] = [];
      for (const id of ids) {
        const other = seen.get(id.name);
        if (other !== undefined) problems.push(`${other} and ${id.schema}.${id.name} would both be loaded into '${id.name}'`);
        seen.set(id.name, `${id.schema}.${id.name}`);
      }
      return problems;
    },
  });
  const current = [t('a', 'orders')];
  const refused = await changeTables(source, sink, current, [t('a', 'orders'), t('b', 'orders')]);
  assert.deepEqual(refused, {
    success: false,
    message: "cannot add b.orders: a.orders and b.orders would both be loaded into 'orders'; nothing was changed",
    tables: current,
  });
  assert.deepEqual(added, []);
  assert.equal(sink.setupContext, undefined);
  // Removing a.orders in the same call does not help: its buffered changes are still written.
  assert.equal((await changeTables(source, sink, current, [t('b', 'orders')])).success, false);
  const ok = await changeTables(source, sink, current, [t('a', 'orders'), t('b', 'items')]);
  assert.equal(ok.success, true, ok.message);
  assert.deepEqual(added, ['items']);
  assert.deepEqual(sink.setupContext, { source: identity });
});
