/**
 * Helpers of the outage tests: a workload that keeps running (and can be held around a server stop),
 * what the daemon reports over gRPC and Prometheus, and the no-double-application check.
 */
import assert from 'node:assert/strict';
import type { HealthCheckResponse__Output } from '../../core/control/gen/dbmazz/HealthCheckResponse.js';
import { deferred, type Deferred } from '../../core/pipeline/deferred.js';
import { httpGet, sample } from '../helpers/http.js';
import { waitFor } from '../helpers/wait.js';
import type { GrpcDaemon } from '../integration/grpc/harness.js';

/** Fast reconnection for tests (the defaults are 1 s doubling up to 30 s). */
export const FAST_RECONNECT = { RECONNECT_INITIAL_MS: '200', RECONNECT_MAX_MS: '1000', METRICS_PORT: '0' } as const;

/** Runs `step` again and again until stopped; `hold` waits for the step in progress and pauses. */
export class Traffic {
  #running = true;
  #held: Deferred | undefined;
  #current: Promise<void> = Promise.resolve();
  readonly #loop: Promise<void>;
  steps = 0;

  constructor(step: () => Promise<void>) {
    this.#loop = (async () => {
      while (this.#running) {
        if (this.#held !== undefined) await this.#held.promise;
        if (!this.#running) break;
        this.#current = step();
        await this.#current;
        this.steps += 1;
      }
    })();
  }

  /** Resolves once no step runs and none will start until `release`. */
  async hold(): Promise<void> {
    this.#held ??= deferred();
    await this.#current.catch(() => undefined);
  }

  release(): void {
    this.#held?.resolve();
    this.#held = undefined;
  }

  /** Stops after the step in progress; rejects with the error of a failed step. */
  async stop(): Promise<void> {
    this.#running = false;
    this.release();
    await this.#loop;
  }
}

export async function metricsOf(d: GrpcDaemon): Promise<string> {
  const port = d.metricsPort;
  if (port === undefined) throw new Error('the daemon has no METRICS_PORT');
  return (await httpGet(port, '/metrics')).body;
}

export async function metricOf(d: GrpcDaemon, series: string): Promise<number | undefined> {
  return sample(await metricsOf(d), series);
}

/** Waits until the daemon made `n` reconnection attempts. */
export async function attemptsReach(d: GrpcDaemon, n: number): Promise<void> {
  await waitFor(async () => ((await metricOf(d, 'dbmazz_reconnect_attempts_total')) ?? 0) >= n, {
    timeoutMs: 60_000,
    message: () => `fewer than ${n} reconnection attempts:\n${d.process.output().slice(-3000)}`,
  });
}

/** Waits until health satisfies `ok` (the daemon must keep running meanwhile). */
export async function healthWhen(
  d: GrpcDaemon,
  ok: (h: HealthCheckResponse__Output) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<HealthCheckResponse__Output> {
  let last: HealthCheckResponse__Output | undefined;
  return waitFor(
    async () => {
      if (d.process.child.exitCode !== null) throw new Error(`the daemon exited (${d.process.child.exitCode})`);
      last = await d.client.check();
      return ok(last) ? last : undefined;
    },
    { timeoutMs, intervalMs: 50, message: () => `${what}; last health ${JSON.stringify(last)}:\n${d.process.output().slice(-4000)}` },
  );
}

export const reconnecting = (h: HealthCheckResponse__Output): boolean => h.status === 'NOT_SERVING' && /^Reconnecting/.test(h.stageDetail);
export const replicating = (h: HealthCheckResponse__Output): boolean => h.status === 'SERVING' && h.stage === 'STAGE_CDC' && h.errorDetail === '';

/** While reconnecting: the metrics server answers, and says not connected, not ready, not healthy. */
export async function assertReportedDown(d: GrpcDaemon): Promise<void> {
  const port = d.metricsPort ?? 0;
  const ready = await httpGet(port, '/readyz');
  assert.equal(ready.status, 503, ready.body);
  assert.equal((await httpGet(port, '/healthz')).status, 503);
  const m = await metricsOf(d);
  assert.equal(sample(m, 'dbmazz_connected'), 0);
  assert.equal(sample(m, 'dbmazz_reconnecting'), 1);
  assert.equal(sample(m, 'dbmazz_healthy'), 0);
  const status = await d.client.getStatus();
  assert.equal(status.state, 'RUNNING', 'the daemon runs: it is reconnecting');
  assert.equal(status.pendingEvents, '0', 'nothing unwritten is held while reconnecting');
}

/** Nothing applied twice (replay-check.ts): each label loaded once; ties are legitimate under commit versions. */
export { assertAppliedOnce } from './replay-check.js';
