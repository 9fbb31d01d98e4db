import { test } from 'node:test';
import assert from 'node:assert/strict';
import { observeSink } from '../../../../core/metrics/observed-connectors.js';
import type { ConnectorObserver } from '../../../../core/metrics/pipeline-metrics.js';
import { deferred } from '../../../../core/pipeline/deferred.js';
import type { TableBatch, WriteOptions } from '../../../../core/plugin/sink.js';
import { settle, testTable } from '../../../../core/testing/index.js';
import { PreparingSink } from '../pipeline/preparing-sink.js';

test('the metrics wrapper of a sink passes WriteOptions.ready through and keeps awaitsReady', async () => {
  const sink = new PreparingSink();
  const seen: (WriteOptions | undefined)[] = [];
  const original = sink.write.bind(sink);
  sink.write = (batch, signal, options) => {
    seen.push(options);
    return original(batch, signal, options);
  };
  const written: number[] = [];
  const observer: ConnectorObserver = {
    change: () => undefined,
    rows: () => undefined,
    truncate: () => undefined,
    written: (_batch, result) => written.push(result.rowsWritten),
    writeFailed: () => undefined,
  };
  const observed = observeSink(sink, observer);
  assert.equal(observed.awaitsReady, true);
  const schema = testTable('orders');
  const batch: TableBatch = { schema, records: [], firstLsn: 1n, lastLsn: 1n, pipelineId: 'p' };
  const ready = deferred();
  const write = observed.write(batch, new AbortController().signal, { ready: ready.promise });
  await settle();
  assert.equal(seen[0]?.ready, ready.promise, 'the sink got the ready promise');
  assert.equal(sink.writes.length, 0, 'and waits for it');
  ready.resolve();
  await write;
  assert.equal(sink.writes.length, 1);
  assert.deepEqual(written, [0]);
});
