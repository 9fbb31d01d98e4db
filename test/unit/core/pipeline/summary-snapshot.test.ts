/** The periodic summary line mentions snapshot progress while a snapshot is pending or copying, and only then. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SummaryReporter } from '../../../../core/pipeline/summary.js';
import type { TableSnapshotProgress } from '../../../../core/plugin/source.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import { createTestLogger, FakeClock } from '../../../../core/testing/index.js';

test('the summary lists running snapshots (rows, estimate, percent, rate, ETA) and not finished ones', () => {
  const state = new RuntimeState();
  const log = createTestLogger('info');
  const clock = new FakeClock();
  const progress: TableSnapshotProgress[] = [];
  state.snapshotProgress = () => progress;
  const summary = new SummaryReporter(state, log.logger, clock, 1000);
  summary.start();
  try {
    clock.advance(1000);
    const [quiet] = log.find('Replication summary');
    assert.ok(quiet);
    assert.equal('snapshots' in quiet, false, 'nothing about snapshots when none runs');

    state.totals.events = 10;
    state.totals.snapshotRows = 2000;
    progress.push(
      {
        table: { schema: 'public', name: 'orders' },
        phase: 'copying',
        reason: 'initial',
        rowsCopied: 1500,
        rowsEstimated: 1000,
        chunks: 3,
        rowsPerSecond: 250.44,
        etaSeconds: 0.4,
      },
      { table: { schema: 'public', name: 'items' }, phase: 'pending', reason: 'added', rowsCopied: 0, rowsEstimated: -1, chunks: 0, rowsPerSecond: 0 },
      { table: { schema: 'public', name: 'done' }, phase: 'done', reason: 'initial', rowsCopied: 5, rowsEstimated: 5, chunks: 1, rowsPerSecond: 0 },
    );
    clock.advance(1000);
    const line = log.find('Replication summary')[1];
    assert.ok(line);
    assert.equal(line['eventsPerSecond'], 10, 'snapshot rows are not change events');
    assert.equal(line['snapshotRowsRead'], 2000);
    assert.deepEqual(line['snapshots'], [
      { table: 'public.orders', phase: 'copying', rowsCopied: 1500, rowsEstimated: 1000, percent: 99, chunks: 3, rowsPerSecond: 250.4, etaSeconds: 0 },
      { table: 'public.items', phase: 'pending', rowsCopied: 0, rowsEstimated: -1, percent: 0, chunks: 0, rowsPerSecond: 0 },
    ]);

    progress.length = 0;
    clock.advance(1000);
    assert.equal('snapshots' in (log.find('Replication summary')[2] ?? {}), false);
  } finally {
    summary.stop();
  }
});
