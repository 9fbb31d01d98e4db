/**
 * Against the real daemon: health during setup (errors reported while it keeps trying), live metrics
 * and Prometheus with values from PostgreSQL, a reflection-only client, and the security settings.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { parseLsn } from '../../../core/model/lsn.js';
import { spawnDaemon } from '../../helpers/daemon.js';
import { waitFor } from '../../helpers/wait.js';
import { ReflectionClient } from '../../unit/core/control/reflection-client.js';
import { startGrpcWorld, type GrpcDaemon, type GrpcWorld, type Job } from './harness.js';
import { httpGet as get, sample } from '../../helpers/http.js';

describe('health, metrics and API access of a running daemon', () => {
  let world: GrpcWorld;

  before(async () => {
    world = await startGrpcWorld();
  });
  after(async () => {
    await world?.close();
  });

  const job = (name: string, ...tables: string[]): Promise<Job> => world.job(name, ...tables);
  const daemon = (env: Record<string, string>): Promise<GrpcDaemon> => world.daemon(env);

  it('the server is up before setup: Health reports STAGE_SETUP and the setup error while the daemon keeps trying, then STAGE_CDC', async () => {
    const j = await job('setup_retry', 'orders');
    const d = await daemon(j.env('orders,late', { SETUP_MAX_ATTEMPTS: '0', SETUP_RETRY_DELAY_MS: '200' }));
    const failing = await waitFor(
      async () => {
        const h = await d.client.check();
        return h.errorDetail !== '' ? h : undefined;
      },
      { message: () => d.process.output().slice(-3000) },
    );
    assert.equal(failing.status, 'NOT_SERVING');
    assert.equal(failing.stage, 'STAGE_SETUP');
    assert.equal(failing.stageDetail, 'Setup failed');
    assert.match(failing.errorDetail, /Table '(public\.)?late' not found in PostgreSQL\. Verify the table exists and is accessible\./);
    assert.equal((await d.client.stdCheck('')).status, 'NOT_SERVING');
    await d.process.waitForLine(/Startup attempt 2 failed in stage SETUP; retrying in 200 ms/);
    assert.equal(d.process.child.exitCode, null, 'still running, still trying');
    assert.equal(await j.slotRow(), undefined, 'nothing was created while the tables are missing');

    // The operator creates the table: the next attempt succeeds.
    await j.createTable('late');
    // The stage turns CDC as replication starts; the failed attempt's error is cleared once the attempt
    // has succeeded (START_REPLICATION answered), a moment later.
    const healthy = await waitFor(
      async () => {
        const h = await d.client.check();
        return h.stage === 'STAGE_CDC' && h.errorDetail === '' ? h : undefined;
      },
      { message: () => d.process.output().slice(-3000) },
    );
    assert.deepEqual({ ...healthy }, { status: 'SERVING', stage: 'STAGE_CDC', stageDetail: 'Replicating', errorDetail: '' });
    await j.insert('late', [1, 2]);
    await waitFor(() => j.srIds('late').length === 2);
    const r = await d.client.stop(false);
    assert.equal(r.success, true, r.message);
    assert.equal(await d.exit(), 0);
  });

  it('Stop during failing setup ends the retries: exit 0, nothing left behind', async () => {
    const j = await job('setup_stop', 'orders');
    const d = await daemon(j.env('orders,absent', { SETUP_MAX_ATTEMPTS: '0', SETUP_RETRY_DELAY_MS: '60000' }));
    await waitFor(async () => (await d.client.check()).errorDetail !== '');
    const r = await d.client.stop(true);
    assert.equal(r.success, true, r.message);
    assert.match(r.message, /^CDC stopped during startup \(stage SETUP: Setup failed\), before replication started/);
    assert.equal(await d.exit(), 0, d.process.output().slice(-3000));
    assert.equal(await j.slotRow(), undefined, 'no slot was created');
  });

  it('StreamMetrics and /metrics report real values: lag from the server WAL position, events by table, slot wal_status', async () => {
    const j = await job('metrics', 'orders', 'items');
    const d = await daemon(j.env('orders,items', { METRICS_PORT: '0' }));
    const port = d.metricsPort;
    assert.ok(port !== undefined);
    await waitFor(async () => (await get(port, '/readyz')).status === 200, { message: () => d.process.output().slice(-2000) });
    await j.insert('orders', [1, 2, 3]);
    await j.db.query(`UPDATE orders SET note = 'x' WHERE id = 1`);
    await j.db.query(`DELETE FROM orders WHERE id = 2`);
    await j.insert('items', [1]);
    await waitFor(async () => j.srIds('orders').join() === '1,3' && j.srIds('items').length === 1);

    const msgs = await d.client.streamMetrics(100, 3);
    for (const m of msgs) {
      assert.equal(m.totalEventsProcessed, '6');
      assert.ok(Number(m.totalBatchesSent) >= 2);
      assert.ok(Number(m.memoryBytes) > 10_000_000);
      assert.ok(Number(m.cpuMillicores) >= 0);
    }
    const text = (await get(port, '/metrics')).body;
    assert.equal(sample(text, 'dbmazz_events_total{table="public.orders",operation="insert"}'), 3);
    assert.equal(sample(text, 'dbmazz_events_total{table="public.orders",operation="update"}'), 1);
    assert.equal(sample(text, 'dbmazz_events_total{table="public.orders",operation="delete"}'), 1);
    assert.equal(sample(text, 'dbmazz_events_total{table="public.items",operation="insert"}'), 1);
    assert.ok((sample(text, 'dbmazz_rows_loaded_total{table="public.orders"}') ?? 0) >= 1);
    assert.ok((sample(text, 'dbmazz_batches_loaded_total{table="public.orders"}') ?? 0) >= 1);
    assert.ok((sample(text, 'dbmazz_load_duration_seconds_count{table="public.items"}') ?? 0) >= 1);
    assert.ok((sample(text, 'dbmazz_commit_to_visible_seconds_count{table="public.orders"}') ?? 0) >= 1);
    assert.equal(sample(text, 'dbmazz_slot_wal_status{slot="slot_metrics",status="reserved"}'), 1);
    assert.equal(sample(text, 'dbmazz_slot_active{slot="slot_metrics"}'), 1);
    assert.ok(sample(text, 'dbmazz_slot_retained_wal_bytes{slot="slot_metrics"}') !== undefined);
    assert.ok(sample(text, 'dbmazz_replication_lag_bytes') !== undefined);
    assert.equal(sample(text, 'dbmazz_stage{stage="CDC"}'), 1);
    assert.ok(sample(text, 'process_cpu_seconds_total') !== undefined);
    assert.equal((await get(port, '/healthz')).status, 200);

    // lag_bytes = pg_current_wal_lsn() − confirmed LSN; paused, the confirmed LSN stays put.
    const paused = await d.client.pause();
    assert.equal(paused.success, true);
    await j.insert('orders', [10, 11]);
    const confirmed = BigInt((await d.client.getStatus()).confirmedLsn);
    const wal = async (): Promise<bigint> => parseLsn((await j.db.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]?.l ?? '0/0');
    // (the WAL write position moves once the WAL writer wrote the inserts)
    await waitFor(async () => (await wal()) > confirmed);
    const w1 = await wal();
    const [m] = await d.client.streamMetrics(100, 1);
    const w2 = await wal();
    assert.ok(m);
    assert.ok(BigInt(m.lagBytes) >= w1 - confirmed && BigInt(m.lagBytes) <= w2 - confirmed, `lag ${m.lagBytes} not in [${w1 - confirmed}, ${w2 - confirmed}]`);
    assert.ok(BigInt(m.lagBytes) > 0n, 'the paused daemon is behind the server');
    assert.equal(m.lagEvents, '0', 'paused: nothing buffered or in flight');
    const promLag = sample((await get(port, '/metrics')).body, 'dbmazz_replication_lag_bytes') ?? -1;
    assert.ok(promLag >= Number(w1 - confirmed), `prometheus lag ${promLag}`);
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 503);
    assert.match(ready.body, /paused/);
    assert.equal((await d.client.resume()).success, true);
    await waitFor(() => j.srIds('orders').join() === '1,3,10,11');
  });

  it('a client that only uses reflection lists and calls the API of the daemon', async () => {
    const j = await job('reflect', 'orders');
    const d = await daemon(j.env('orders'));
    const reflection = new ReflectionClient(`127.0.0.1:${d.port}`);
    try {
      const services = await reflection.listServices();
      assert.deepEqual(
        services.filter((s) => s.startsWith('dbmazz.')),
        ['dbmazz.CdcControlService', 'dbmazz.CdcMetricsService', 'dbmazz.CdcSnapshotService', 'dbmazz.CdcStatusService', 'dbmazz.HealthService'],
      );
      const pkg = await reflection.packageFor('dbmazz.CdcStatusService');
      const loaded = grpc.loadPackageDefinition(pkg) as unknown as { dbmazz: Record<string, new (a: string, c: grpc.ChannelCredentials) => grpc.Client> };
      const Ctor = loaded.dbmazz['CdcStatusService'];
      assert.ok(Ctor);
      const client = new Ctor(`127.0.0.1:${d.port}`, grpc.credentials.createInsecure()) as grpc.Client & {
        GetStatus(req: object, cb: (err: grpc.ServiceError | null, res?: Record<string, unknown>) => void): void;
      };
      try {
        const s = await waitFor(
          () =>
            new Promise<Record<string, unknown> | undefined>((resolve, reject) =>
              client.GetStatus({}, (err, res) => (err ? reject(err) : resolve(res && res['current_lsn'] !== '0' ? res : undefined))),
            ),
        );
        // Stubs built from reflection see the .proto's field names (slot_name, not slotName).
        assert.equal(s['slot_name'], 'slot_reflect');
        assert.deepEqual(s['tables'], ['public.orders']);
        assert.match(String(s['confirmed_lsn']), /^\d+$/, 'uint64 as a decimal string');
        assert.match(String(s['current_lsn']), /^[1-9]\d*$/);
      } finally {
        client.close();
      }
    } finally {
      reflection.close();
    }
  });

  it('GRPC_AUTH_TOKEN protects the API of the daemon (health stays open); a TLS certificate without its key is a configuration error', async () => {
    const j = await job('auth', 'orders');
    const d = await daemon(j.env('orders', { GRPC_AUTH_TOKEN: 'daemon-token-1', GRPC_HOST: '127.0.0.1' }));
    const anonymous = d.clientWith({});
    await waitFor(async () => (await anonymous.check()).stage === 'STAGE_CDC');
    await assert.rejects(anonymous.getStatus(), (err: grpc.ServiceError) => err.code === grpc.status.UNAUTHENTICATED);
    assert.equal((await d.client.getStatus()).slotName, 'slot_auth');
    assert.ok(!d.process.output().includes('daemon-token-1'), 'the token reached the logs');

    const bad = spawnDaemon(j.env('orders', { GRPC_TLS_CERT: '/nonexistent/cert.pem' }));
    const exit = await bad.exited;
    assert.equal(exit.code, 2, bad.output());
    assert.match(bad.output(), /GRPC_TLS_KEY: required when GRPC_TLS_CERT is set/);
    assert.match(bad.output(), /GRPC_TLS_CERT: cannot read '\/nonexistent\/cert\.pem' \(ENOENT\)/);
  });
});
