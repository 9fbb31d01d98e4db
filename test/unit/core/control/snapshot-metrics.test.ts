/**
 * Snapshot observability without PostgreSQL: rows a snapshot copied (ChangeRecord.snapshotRead)
 * counted apart from the change events (Prometheus, StreamMetrics totals), and the per-table snapshot
 * gauges read from the source's progress at each scrape.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourceEvent, TableSnapshotProgress } from '../../../../core/plugin/source.js';
import { sample } from '../../../helpers/http.js';
import { waitFor } from '../../../helpers/wait.js';
import { orders, startControl } from './harness.js';

/** The inserts of `events` as rows a snapshot read (`read`), outside any transaction. */
function snapshotRows(events: readonly SourceEvent[], read: string): SourceEvent[] {
  return events.flatMap((e): SourceEvent[] =>
    e.kind === 'change' ? [{ kind: 'change', record: { ...e.record, lsn: e.record.commitLsn, snapshotRead: read } }] : [],
  );
}

test('snapshot rows are counted as dbmazz_snapshot_rows_read_total, not as change events; they are still written', async () => {
  const h = await startControl({ flushIntervalMs: 10, snapshots: { progress: () => [] } });
  try {
    await h.run();
    h.source.emit(...snapshotRows(h.stream.inserts(orders, 3, 1), 'chunk-1'));
    h.source.emit(...h.stream.inserts(orders, 2, 10));
    await waitFor(() => h.state.pendingEvents === 0 && h.sink.rows('orders').length === 5, { timeoutMs: 10_000 });
    const text = await h.metrics.metrics();
    const t = 'table="public.orders"';
    assert.equal(sample(text, `dbmazz_snapshot_rows_read_total{${t}}`), 3);
    assert.equal(sample(text, `dbmazz_events_total{${t},operation="insert"}`), 2, 'only the streamed inserts are change events');
    assert.equal(sample(text, `dbmazz_rows_loaded_total{${t}}`), 5);
    assert.equal(h.state.totals.events, 2);
    assert.equal(h.state.totals.snapshotRows, 3);
    const [m] = await h.client.streamMetrics(100, 1);
    assert.equal(m?.totalEventsProcessed, '2', 'StreamMetrics counts change events only');
  } finally {
    await h.close();
  }
});

test('snapshot gauges per table: rows copied and estimated, chunks, rate, ETA, phase; unknown values are absent', async () => {
  const progress: TableSnapshotProgress[] = [];
  const h = await startControl({ snapshots: { progress: () => progress } });
  try {
    const empty = await h.metrics.metrics();
    assert.equal(sample(empty, 'dbmazz_snapshots_running'), 0);
    assert.doesNotMatch(empty, /^dbmazz_snapshot_phase\{/m, 'no series without snapshots');

    progress.push(
      { table: orders.id, phase: 'copying', reason: 'initial', rowsCopied: 1500, rowsEstimated: 4000, chunks: 3, rowsPerSecond: 250, etaSeconds: 10 },
      { table: { schema: 'public', name: 'items' }, phase: 'pending', reason: 'added', rowsCopied: 0, rowsEstimated: -1, chunks: 0, rowsPerSecond: 0 },
      {
        table: { schema: 'public', name: 'old' },
        phase: 'failed',
        reason: 'requested',
        rowsCopied: 7,
        rowsEstimated: 9,
        chunks: 1,
        rowsPerSecond: 3,
        etaSeconds: 1,
        error: 'boom',
      },
    );
    const text = await h.metrics.metrics();
    const o = 'table="public.orders"';
    const i = 'table="public.items"';
    const old = 'table="public.old"';
    assert.equal(sample(text, `dbmazz_snapshot_rows_copied{${o}}`), 1500);
    assert.equal(sample(text, `dbmazz_snapshot_rows_estimated{${o}}`), 4000);
    assert.equal(sample(text, `dbmazz_snapshot_rows_estimated{${i}}`), undefined, 'an unknown estimate is absent, not -1');
    assert.equal(sample(text, `dbmazz_snapshot_chunks{${o}}`), 3);
    assert.equal(sample(text, `dbmazz_snapshot_rows_per_second{${o}}`), 250);
    assert.equal(sample(text, `dbmazz_snapshot_eta_seconds{${o}}`), 10);
    assert.equal(sample(text, `dbmazz_snapshot_eta_seconds{${i}}`), undefined);
    assert.equal(sample(text, `dbmazz_snapshot_eta_seconds{${old}}`), undefined, 'no ETA for a snapshot that is not running');
    assert.equal(sample(text, `dbmazz_snapshot_rows_per_second{${old}}`), 0);
    assert.equal(sample(text, `dbmazz_snapshot_phase{${o},phase="copying"}`), 1);
    assert.equal(sample(text, `dbmazz_snapshot_phase{${o},phase="done"}`), 0);
    assert.equal(sample(text, `dbmazz_snapshot_phase{${i},phase="pending"}`), 1);
    assert.equal(sample(text, `dbmazz_snapshot_phase{${old},phase="failed"}`), 1);
    assert.equal(sample(text, 'dbmazz_snapshots_running'), 2);

    // Read again at the next scrape: a finished table moves to done, a vanished one disappears.
    progress.splice(1);
    progress[0] = { table: orders.id, phase: 'done', reason: 'initial', rowsCopied: 4100, rowsEstimated: 4000, chunks: 9, rowsPerSecond: 0 };
    const later = await h.metrics.metrics();
    assert.equal(sample(later, `dbmazz_snapshot_phase{${o},phase="done"}`), 1);
    assert.equal(sample(later, `dbmazz_snapshot_rows_copied{${o}}`), 4100);
    assert.equal(sample(later, `dbmazz_snapshot_phase{${i},phase="pending"}`), undefined);
    assert.equal(sample(later, 'dbmazz_snapshots_running'), 0);
  } finally {
    await h.close();
  }
});
