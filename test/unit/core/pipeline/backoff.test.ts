import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay, canRetry } from '../../../../core/pipeline/backoff.js';
import { isRetryAborted, withRetry } from '../../../../core/pipeline/retry.js';
import { CdcError } from '../../../../core/errors/errors.js';

const policy = { maxAttempts: 5, initialDelayMs: 500, maxDelayMs: 30_000 };

test('the ceiling doubles from the initial delay and stops at the maximum', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffCeiling(n, policy)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000],
  );
  assert.equal(backoffCeiling(10_000, policy), 30_000);
});

test('full jitter: the delay is uniform in [0, ceiling)', () => {
  assert.equal(
    backoffDelay(3, policy, () => 0),
    0,
  );
  assert.equal(
    backoffDelay(3, policy, () => 0.5),
    1000,
  );
  assert.equal(
    backoffDelay(3, policy, () => 0.999999),
    1999,
  );
});

test('a server Retry-After hint is honoured as a minimum', () => {
  assert.equal(
    backoffDelay(1, policy, () => 0.1, 7000),
    7000,
  );
  assert.equal(
    backoffDelay(7, policy, () => 0.9, 10),
    27000,
  );
  assert.equal(
    backoffDelay(1, policy, () => 0.5, Number.NaN),
    250,
  );
});

test('maxAttempts counts the first attempt', () => {
  assert.equal(canRetry(4, policy), true);
  assert.equal(canRetry(5, policy), false);
  assert.equal(canRetry(1, { ...policy, maxAttempts: 1 }), false);
});

const transient = (ms?: number) => new CdcError({ code: 'SINK_LOAD', message: 'busy', retry: 'retry', ...(ms === undefined ? {} : { retryAfterMs: ms }) });

test('withRetry retries retriable errors with the schedule, then succeeds', async () => {
  const sleeps: number[] = [];
  const retries: number[] = [];
  let calls = 0;
  const result = await withRetry(
    async (attempt) => {
      calls++;
      assert.equal(attempt, calls);
      if (attempt < 3) throw transient();
      return 'ok';
    },
    { policy, sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, onRetry: (n) => retries.push(n) },
  );
  assert.equal(result, 'ok');
  assert.deepEqual(sleeps, [250, 500]);
  assert.deepEqual(retries, [1, 2]);
});

test('withRetry gives up after maxAttempts with an error naming the attempts, still transient (the runtime restarts the pipeline)', async () => {
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw transient();
      },
      { policy: { ...policy, maxAttempts: 3 }, sleep: async () => undefined },
    ),
    (err: unknown) => err instanceof CdcError && err.retry === 'retry' && /gave up after 3 attempts/.test(err.message),
  );
  assert.equal(calls, 3);
});

test('withRetry does not retry never-errors or unknown errors', async () => {
  const never = new CdcError({ code: 'SINK_SCHEMA', message: 'no such column' });
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw never;
      },
      { policy, sleep: async () => undefined },
    ),
    (err) => err === never,
  );
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new TypeError('bug');
      },
      { policy, sleep: async () => undefined },
    ),
    (err: unknown) => err instanceof CdcError && err.code === 'INTERNAL' && err.message === 'bug',
  );
  assert.equal(calls, 2);
});

test('withRetry passes the Retry-After hint to the sleep', async () => {
  const sleeps: number[] = [];
  let calls = 0;
  await withRetry(
    async () => {
      if (calls++ === 0) throw transient(4321);
    },
    { policy, sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
  );
  assert.deepEqual(sleeps, [4321]);
});

test('an abort during the wait ends the loop as aborted', async () => {
  const controller = new AbortController();
  await assert.rejects(
    withRetry(
      async () => {
        throw transient();
      },
      {
        policy,
        signal: controller.signal,
        sleep: (_ms, signal) =>
          new Promise((_resolve, reject) => {
            signal?.addEventListener('abort', () => reject(signal.reason));
            controller.abort(new Error('stop'));
          }),
      },
    ),
    (err: unknown) => isRetryAborted(err),
  );
});
