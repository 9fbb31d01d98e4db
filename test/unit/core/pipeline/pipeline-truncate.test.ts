import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { tableKey } from '../../../../core/model/table.js';
import { commitOf } from '../../../../core/testing/index.js';
import type { Sink } from '../../../../core/plugin/sink.js';
import { CORE_SETTINGS, truncatePolicyOf } from '../../../../core/config/core-settings.js';
import { readSettings } from '../../../../core/config/read-settings.js';
import { ConfigError } from '../../../../core/errors/errors.js';
import { validatePipelineOptions, type TruncatePolicy } from '../../../../core/pipeline/options.js';
import { items, options, orders, settle, startPipeline, tick } from './harness.js';

test('TRUNCATE_POLICY defaults to ignore: warned once per table, counted, the sink is not asked, rows around it are written', async () => {
  const h = await startPipeline({ flushSize: 100 });
  const events = [
    ...h.stream.transaction((tx) => {
      tx.insert(orders, [1n, 'a']);
      tx.truncate(orders);
      tx.insert(orders, [2n, 'b']);
    }),
    ...h.stream.transaction((tx) => tx.truncate(orders, items)),
    ...h.stream.transaction((tx) => tx.truncate(orders)),
  ];
  h.source.emit(...events);
  await tick(h, 1000);
  assert.equal(h.sink.log.filter((e) => e.op === 'truncate').length, 0, 'ignore never calls Sink.truncate');
  assert.equal(h.state.totals.truncates, 3);
  assert.equal(h.state.totals.truncatesIgnored, 3);
  const warnings = h.log.lines.filter((l) => l.level === 40 && /TRUNCATE ignored \(TRUNCATE_POLICY=ignore\)/.test(l.msg));
  assert.equal(warnings.length, 2, 'one warning for orders, one when items is first truncated');
  assert.deepEqual(
    h.sink.durable.map((b) => b.records.length),
    [1, 1],
  );
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  await settle();
  await h.pipeline.stopNow();
});

test('apply: Sink.truncate gets the tables and the TRUNCATE position, between the writes before and after it', async () => {
  const h = await startPipeline({ flushSize: 100, truncatePolicy: 'apply' });
  const lsns: bigint[] = [];
  const original = h.sink.truncate.bind(h.sink);
  const sink: { truncate: NonNullable<Sink['truncate']> } = h.sink;
  sink.truncate = async (tables, _signal, lsn) => {
    lsns.push(lsn);
    return original(tables);
  };
  const events = h.stream.transaction((tx) => {
    tx.insert(orders, [1n, 'a']);
    tx.truncate(orders, items);
    tx.insert(orders, [2n, 'b']);
  });
  h.source.emit(...events);
  await tick(h, 1000);
  const ops = h.sink.log.filter((e) => e.op !== 'durable').map((e) => e.op);
  assert.deepEqual(ops, ['write', 'truncate', 'write']);
  const truncate = events.find((e) => e.kind === 'truncate');
  assert.ok(truncate?.kind === 'truncate');
  assert.deepEqual(lsns, [truncate.lsn]);
  const logged = h.sink.log.find((e) => e.op === 'truncate');
  assert.ok(logged?.op === 'truncate');
  assert.deepEqual(logged.tables, [tableKey(orders.id), tableKey(items.id)]);
  assert.equal(h.state.totals.truncatesIgnored, 0);
  assert.equal(h.log.find('TRUNCATE applied').length, 1);
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  await h.pipeline.stopNow();
});

test('apply: a failing sink truncate is retried like a write', async () => {
  const h = await startPipeline({ flushSize: 100, truncatePolicy: 'apply', retry: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 10 } });
  let calls = 0;
  h.sink.truncate = async () => {
    calls += 1;
    if (calls === 1) throw new CdcError({ code: 'SINK_CONNECTION', retry: 'retry', message: 'connection reset' });
  };
  const events = h.stream.transaction((tx) => tx.truncate(orders));
  h.source.emit(...events);
  await tick(h, 1000);
  await tick(h, 100);
  assert.equal(calls, 2);
  assert.equal(h.state.totals.retries, 1);
  assert.deepEqual(h.source.acknowledged, [commitOf(events)]);
  await h.pipeline.stopNow();
});

test('fail: a stage error naming the tables and both ways out; nothing from the TRUNCATE on is written or confirmed', async () => {
  const h = await startPipeline({ flushSize: 100, truncatePolicy: 'fail' });
  const first = h.stream.transaction((tx) => tx.insert(orders, [1n, 'a']));
  h.source.emit(...first);
  await tick(h, 1000);
  assert.deepEqual(h.source.acknowledged, [commitOf(first)]);

  h.source.emit(
    ...h.stream.transaction((tx) => {
      tx.insert(items, [5n, 'x']);
      tx.truncate(orders);
      tx.insert(orders, [2n, 'b']);
    }),
  );
  await tick(h, 1000);
  await assert.rejects(h.pipeline.done, (err: unknown) => {
    assert.ok(err instanceof CdcError);
    assert.equal(err.code, 'SINK_DATA');
    assert.equal(err.retry, 'never');
    assert.match(err.message, /TRUNCATE of public\.orders at [0-9A-F]+\/[0-9A-F]+ stops replication \(TRUNCATE_POLICY=fail\)/);
    assert.match(err.hint ?? '', /TRUNCATE_POLICY=apply.*TRUNCATE_POLICY=ignore/);
    return true;
  });
  assert.match(h.state.errorDetail, /TRUNCATE_POLICY=fail/);
  assert.deepEqual(h.source.acknowledged, [commitOf(first)], 'nothing confirmed past the truncate');
  assert.equal(h.sink.log.filter((e) => e.op === 'truncate').length, 0);
  const written = h.sink.durable.flatMap((b) => b.records.map((r) => `${tableKey(r.schema.id)}:${String(r.op === 'delete' ? '' : r.after[0])}`));
  assert.ok(!written.includes(`${tableKey(orders.id)}:2`), 'the change after the TRUNCATE is not written');
});

test('TRUNCATE_POLICY setting: values, default, and the pipeline option check', () => {
  const read = (env: Record<string, string>) => readSettings(CORE_SETTINGS, { TABLES: 'orders', ...env });
  assert.equal(truncatePolicyOf(read({}).settings), 'ignore');
  for (const p of ['apply', 'ignore', 'fail'] as const) assert.equal(truncatePolicyOf(read({ TRUNCATE_POLICY: p }).settings), p);
  const bad = read({ TRUNCATE_POLICY: 'drop' });
  assert.ok(
    bad.problems.some((p) => /TRUNCATE_POLICY/.test(p) && /apply/.test(p)),
    bad.problems.join('\n'),
  );
  assert.throws(
    () => validatePipelineOptions({ ...options(), truncatePolicy: 'drop' as TruncatePolicy }),
    (err: unknown) => err instanceof ConfigError && /truncatePolicy must be one of ignore, apply, fail/.test(err.message),
  );
});
