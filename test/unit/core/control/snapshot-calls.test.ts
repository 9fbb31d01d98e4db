/**
 * CdcSnapshotService/Resnapshot and the snapshot fields of GetStatus through a real gRPC client
 * against the control plane over the memory connectors: which requests reach the source, and the
 * status code and message of each refusal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import type { TableSnapshotProgress } from '../../../../core/plugin/source.js';
import { CdcError } from '../../../../core/errors/errors.js';
import { testTable } from '../../../../core/testing/index.js';
import { orders, startControl, type ControlHarness, type ControlHarnessOptions } from './harness.js';

const ORDERS = { schema: 'public', name: 'orders' };

async function withControl(opts: ControlHarnessOptions, fn: (h: ControlHarness) => Promise<void>): Promise<void> {
  const h = await startControl(opts);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** The gRPC error of a call that must fail. */
async function refused(p: Promise<unknown>): Promise<grpc.ServiceError> {
  try {
    await p;
  } catch (err) {
    return err as grpc.ServiceError;
  }
  assert.fail('the call succeeded');
}

const progress: TableSnapshotProgress[] = [];
const withSnapshots: ControlHarnessOptions = { snapshots: { progress: () => progress } };

test('Resnapshot names the tables to the source (TABLES syntax, schema public), also while paused', () =>
  withControl(withSnapshots, async (h) => {
    await h.run();
    const r = await h.client.resnapshot(['orders']);
    assert.deepEqual(r.tables, ['public.orders']);
    assert.match(r.message, /^Re-snapshot of public\.orders requested/);
    assert.deepEqual(h.source.resnapshots, [[ORDERS]]);

    assert.equal((await h.client.pause()).success, true);
    const paused = await h.client.resnapshot([' public.ORDERS ']);
    assert.deepEqual(paused.tables, ['public.orders'], 'unquoted names fold to lower case, as in TABLES');
    assert.deepEqual(h.source.resnapshots, [[ORDERS], [ORDERS]]);
  }));

test('Resnapshot of a table that is not replicated, a bad name or no table: INVALID_ARGUMENT naming it, nothing requested', () =>
  withControl(withSnapshots, async (h) => {
    await h.run();
    const unknown = await refused(h.client.resnapshot(['orders', 'sales.nope']));
    assert.equal(unknown.code, grpc.status.INVALID_ARGUMENT);
    assert.match(unknown.details, /not replicated: sales\.nope \(replicated tables: public\.orders;/);
    const bad = await refused(h.client.resnapshot(['orders', 'a b']));
    assert.equal(bad.code, grpc.status.INVALID_ARGUMENT);
    assert.match(bad.details, /'a b'/);
    const none = await refused(h.client.resnapshot([]));
    assert.equal(none.code, grpc.status.INVALID_ARGUMENT);
    assert.match(none.details, /name at least one table/);
    const twice = await refused(h.client.resnapshot(['orders', 'public.orders']));
    assert.equal(twice.code, grpc.status.INVALID_ARGUMENT);
    assert.deepEqual(h.source.resnapshots, []);
  }));

test('Resnapshot before replication started is UNAVAILABLE; after the stop FAILED_PRECONDITION', () =>
  withControl(withSnapshots, async (h) => {
    const early = await refused(h.client.resnapshot(['orders']));
    assert.equal(early.code, grpc.status.UNAVAILABLE);
    assert.match(early.details, /^Cannot re-snapshot: not replicating yet \(stage INIT/);

    const running = await h.run();
    const stop = h.client.stop(true);
    await running.done;
    await h.finish();
    assert.equal((await stop).success, true);
    const late = await refused(h.client.resnapshot(['orders']));
    assert.equal(late.code, grpc.status.FAILED_PRECONDITION);
    assert.match(late.details, /the daemon has stopped/);
    assert.deepEqual(h.source.resnapshots, []);
  }));

test('Resnapshot with a source that cannot snapshot is UNIMPLEMENTED; a source refusing it is FAILED_PRECONDITION with its reason', async () => {
  await withControl({}, async (h) => {
    await h.run();
    const r = await refused(h.client.resnapshot(['orders']));
    assert.equal(r.code, grpc.status.UNIMPLEMENTED);
    assert.match(r.details, /The memory source cannot copy tables/);
  });
  const failure = new CdcError({ code: 'SOURCE_SETUP', message: 'No state store.', hint: 'Use a sink that keeps state.' });
  await withControl({ snapshots: { progress: () => [], resnapshotFailure: failure } }, async (h) => {
    await h.run();
    const r = await refused(h.client.resnapshot(['orders']));
    assert.equal(r.code, grpc.status.FAILED_PRECONDITION);
    assert.equal(r.details, 'Re-snapshot of public.orders failed: No state store. Use a sink that keeps state.');
  });
});

test('Resnapshot needs the bearer token when GRPC_AUTH_TOKEN is set', () =>
  withControl({ ...withSnapshots, grpc: { authToken: 's3cret' }, client: { token: 's3cret' } }, async (h) => {
    await h.run();
    const anonymous = h.client2({});
    const r = await refused(anonymous.resnapshot(['orders']));
    assert.equal(r.code, grpc.status.UNAUTHENTICATED);
    assert.deepEqual(h.source.resnapshots, []);
    assert.deepEqual((await h.client.resnapshot(['orders'])).tables, ['public.orders']);
    assert.deepEqual(h.source.resnapshots, [[ORDERS]]);
  }));

test('GetStatus lists each table snapshot (phase, reason, rows, estimate, chunks, rate, ETA, error) and whether one runs', () =>
  withControl(withSnapshots, async (h) => {
    const empty = await h.client.getStatus();
    assert.deepEqual(empty.snapshots, []);
    assert.equal(empty.snapshotRunning, false);
    progress.push(
      {
        table: orders.id,
        phase: 'copying',
        reason: 'initial',
        rowsCopied: 1500,
        rowsEstimated: 4000,
        chunks: 3,
        startedAtMs: 1_700_000_000_000,
        rowsPerSecond: 250.5,
        etaSeconds: 9.2,
      },
      {
        table: { schema: 'sales', name: 'Items' },
        phase: 'failed',
        reason: 'requested',
        rowsCopied: 7,
        rowsEstimated: -1,
        chunks: 1,
        rowsPerSecond: 0,
        error: 'permission denied for table Items',
      },
    );
    try {
      await h.run();
      const s = await h.client.getStatus();
      assert.equal(s.snapshotRunning, true);
      assert.deepEqual(
        s.snapshots.map((x) => ({ ...x })),
        [
          {
            table: 'public.orders',
            phase: 'COPYING',
            reason: 'INITIAL',
            rowsCopied: '1500',
            rowsEstimated: '4000',
            chunks: '3',
            rowsPerSecond: 250.5,
            etaSeconds: '10',
            startedAtMs: '1700000000000',
            finishedAtMs: '0',
            error: '',
          },
          {
            table: 'sales.Items',
            phase: 'FAILED',
            reason: 'REQUESTED',
            rowsCopied: '7',
            rowsEstimated: '-1',
            chunks: '1',
            rowsPerSecond: 0,
            etaSeconds: '-1',
            startedAtMs: '0',
            finishedAtMs: '0',
            error: 'permission denied for table Items',
          },
        ],
      );
      const { etaSeconds: _eta, ...copying } = progress[0]!;
      progress[0] = { ...copying, phase: 'done', rowsCopied: 4100, chunks: 9, finishedAtMs: 1_700_000_060_000 };
      progress.pop();
      const done = await h.client.getStatus();
      assert.equal(done.snapshotRunning, false);
      assert.equal(done.snapshots[0]?.phase, 'DONE');
      assert.equal(done.snapshots[0]?.rowsCopied, '4100');
      assert.equal(done.snapshots[0]?.etaSeconds, '-1');
    } finally {
      progress.length = 0;
    }
  }));

test('ReloadConfig.tables says that the rows of an added table are copied when the source has snapshots, and not otherwise', async () => {
  for (const [opts, said] of [
    [withSnapshots, /added public\.items \(changes committed from now on are replicated; existing rows are copied by a snapshot: see GetStatus snapshots\)/],
    [{}, /added public\.items \(changes committed from now on are replicated; existing rows are not copied\)/],
  ] as const) {
    await withControl(opts, async (h) => {
      h.source.catalog.set('public.items', testTable('items'));
      await h.run();
      const r = await h.client.reload({ tables: ['orders', 'items'] });
      assert.equal(r.success, true, r.message);
      assert.match(r.message, said);
    });
  }
});
