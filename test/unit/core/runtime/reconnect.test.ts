import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CdcError } from '../../../../core/errors/errors.js';
import { healthOf } from '../../../../core/control/health.js';
import { readyVerdict } from '../../../../core/metrics/readiness.js';
import { Reconnector, type ReconnectPolicy, type RestartOptions } from '../../../../core/runtime/reconnect.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import type { StartOutcome } from '../../../../core/control/setup-retry.js';
import { createTestLogger, FakeClock, settle, type TestLogger } from '../../../../core/testing/index.js';

const lost = new CdcError({
  code: 'SOURCE_CONNECTION',
  retry: 'retry',
  message: 'PostgreSQL: failed to stream from db:5432/app: Connection terminated unexpectedly',
  hint: 'The connection to PostgreSQL was lost or refused; it is retried.',
});
const refused = new CdcError({ code: 'SOURCE_CONNECTION', retry: 'retry', message: 'PostgreSQL: failed to connect to db:5432/app: connect ECONNREFUSED' });
const slotGone = new CdcError({ code: 'SOURCE_SETUP', retry: 'never', message: "Replication slot 'dbmazz_slot' does not exist on db:5432/app." });

interface Run {
  readonly state: RuntimeState;
  readonly clock: FakeClock;
  readonly log: TestLogger;
  readonly stop: AbortController;
  readonly reconnector: Reconnector;
  /** Clock times of the attempts. */
  readonly attemptsAt: number[];
  /** Health as reported while each attempt ran. */
  readonly healthDuringAttempts: string[];
  readonly outcome: Promise<StartOutcome<string>>;
}

type Step = CdcError | 'ok';

/** Runs `restart` with a fake clock; `results[i]` is what attempt i+1 does (an error is thrown). */
function run(policy: ReconnectPolicy, results: readonly Step[], extra: Partial<RestartOptions<string>> = {}): Run {
  const state = new RuntimeState();
  state.setStage('CDC', 'Replicating');
  state.fail(lost.operatorMessage);
  const clock = new FakeClock();
  const log = createTestLogger('debug');
  const reconnector = new Reconnector({ policy, state, logger: log.logger, clock, random: () => 0.5, wallClock: () => Date.UTC(2025, 0, 2, 3, 4, 5) });
  const stop = new AbortController();
  const attemptsAt: number[] = [];
  const healthDuringAttempts: string[] = [];
  const outcome = reconnector.restart<string>({
    cause: lost,
    attempt: async () => {
      attemptsAt.push(clock.now());
      healthDuringAttempts.push(String(healthOf(state).status));
      const r = results[attemptsAt.length - 1] ?? 'ok';
      if (r !== 'ok') throw r;
      return `pipeline ${attemptsAt.length}`;
    },
    stopped: () => stop.signal.aborted,
    signal: stop.signal,
    ...extra,
  });
  return { state, clock, log, stop, reconnector, attemptsAt, healthDuringAttempts, outcome };
}

/** Lets time pass timer by timer until the outcome settles. */
async function finish<T>(r: { clock: FakeClock; outcome: Promise<T> }): Promise<T> {
  let done = false;
  void r.outcome.finally(() => (done = true));
  for (let i = 0; i < 1000 && !done; i++) {
    await settle();
    const due = r.clock.nextDueAt();
    if (due !== undefined) r.clock.advance(due - r.clock.now());
  }
  return r.outcome;
}

const policy: ReconnectPolicy = { initialDelayMs: 400, maxDelayMs: 1000, maxDurationMs: 0 };

test('a lost connection is retried with capped exponential backoff and jitter until an attempt streams', async () => {
  const r = run(policy, [refused, refused, refused, 'ok']);
  await settle();
  // Reported at once: the daemon runs, health and readiness say why replication does not.
  assert.equal(r.state.runState, 'RUNNING');
  assert.deepEqual(healthOf(r.state), {
    status: 'NOT_SERVING',
    stage: 'STAGE_CDC',
    stageDetail: 'Reconnecting: attempt 1 in 0.3 s',
    errorDetail: lost.operatorMessage,
  });
  assert.equal(readyVerdict(r.state, 0).ok, false);
  assert.equal(r.state.snapshot().reconnectingSince, '2025-01-02T03:04:05.000Z');
  const outcome = await finish(r);
  assert.deepEqual(outcome, { ok: true, value: 'pipeline 4' });
  // Equal jitter (random 0.5): 3/4 of the ceiling 400, 800, 1000 (capped), 1000.
  assert.deepEqual(r.clock.sleeps, [300, 600, 750, 750]);
  const start = 1_000_000;
  assert.deepEqual(r.attemptsAt, [start + 300, start + 900, start + 1650, start + 2400]);
  assert.deepEqual(r.healthDuringAttempts, ['NOT_SERVING', 'NOT_SERVING', 'NOT_SERVING', 'NOT_SERVING']);
  assert.equal(r.state.totals.reconnectAttempts, 4);
  assert.equal(r.log.lines.filter((l) => /^Reconnection attempt \d failed in stage CDC \(SOURCE_CONNECTION\); attempt \d in /.test(l.msg)).length, 3);
  const [begin] = r.log.lines;
  assert.match(
    begin?.msg ?? '',
    /^Replication stopped \(SOURCE_CONNECTION\); reconnecting until it succeeds, from the confirmed LSN 0\/0: attempt 1 in 0\.3 s$/,
  );

  // Streaming again, but the outage lasts until the new pipeline proved it works.
  assert.equal(healthOf(r.state).status, 'NOT_SERVING');
  assert.equal(r.state.stageDetail, 'Reconnected (attempt 4): resuming from LSN 0/0, nothing written yet');
  r.clock.advance(100);
  r.state.markProgress();
  // Recovered: the error is cleared, the counters say what happened.
  assert.deepEqual(healthOf(r.state), { status: 'SERVING', stage: 'STAGE_CDC', stageDetail: 'Replicating', errorDetail: '' });
  assert.equal(r.state.outage, undefined);
  assert.equal(r.state.snapshot().reconnectingSince, '');
  assert.equal(r.state.totals.reconnects, 1);
  assert.ok(r.log.lines.some((l) => l.msg === 'Reconnected after 2.5 s and 4 attempt(s): replicating again'));
});

test('a pipeline that fails again before writing anything continues the same outage: same clock, growing delays, one bound', async () => {
  const r = run({ initialDelayMs: 400, maxDelayMs: 1000, maxDurationMs: 3000 }, ['ok']);
  assert.deepEqual(await finish(r), { ok: true, value: 'pipeline 1' });
  r.clock.advance(500); // streams for a while, retrying its first batch
  const sinkDown = new CdcError({
    code: 'SINK_LOAD',
    retry: 'retry',
    message: 'Stream Load into shop.orders failed with HTTP 503 (gave up after 10 attempts)',
  });
  let attempts = 0;
  const again = (): Promise<StartOutcome<string>> =>
    r.reconnector.restart<string>({
      cause: sinkDown,
      attempt: async () => {
        attempts += 1;
        return 'restarted';
      },
      stopped: () => false,
      signal: r.stop.signal,
    });
  assert.deepEqual(await finish({ clock: r.clock, outcome: again() }), { ok: true, value: 'restarted' });
  assert.equal(r.clock.sleeps[1], 600, 'the second delay of the same outage');
  assert.equal(r.state.errorDetail, sinkDown.operatorMessage, 'still reported');
  assert.equal(r.state.totals.reconnects, 0, 'not recovered: nothing was written');
  assert.ok(r.log.lines.some((l) => l.msg === 'Replication stopped again before writing anything (SINK_LOAD); attempt 2 in 0.6 s'));
  r.clock.advance(2000);
  const final = await finish({ clock: r.clock, outcome: again() });
  assert.ok(!final.ok && !final.stopped && final.error instanceof CdcError);
  assert.match(
    final.error.message,
    /^Gave up reconnecting after 3\.4 s and 2 attempt\(s\) \(RECONNECT_MAX_DURATION_MS=3000\); the last error: Stream Load into shop\.orders failed with HTTP 503/,
  );
  assert.equal(attempts, 1, 'no attempt after the bound');
});

test('progress ends an outage: a later failure starts a new one from the first delay', async () => {
  const r = run(policy, ['ok']);
  await finish(r);
  r.state.progress += 1;
  r.state.notify();
  assert.equal(r.state.totals.reconnects, 1);
  const second = r.reconnector.restart<string>({ cause: lost, attempt: async () => 'again', stopped: () => false, signal: r.stop.signal });
  assert.deepEqual(await finish({ clock: r.clock, outcome: second }), { ok: true, value: 'again' });
  assert.deepEqual(r.clock.sleeps, [300, 300]);
  assert.ok(r.log.lines.filter((l) => /^Replication stopped \(SOURCE_CONNECTION\); reconnecting/.test(l.msg)).length === 2);
});

test('while attempts fail, the error reported is the last one', async () => {
  const r = run(policy, [refused, 'ok']);
  await settle();
  r.clock.advance(300);
  await settle();
  assert.equal(r.state.errorDetail, refused.operatorMessage);
  assert.equal(r.state.stageDetail, 'Reconnecting: attempt 2 in 0.6 s');
  await finish(r);
});

test('an error that needs an operator ends the reconnection at once', async () => {
  const r = run(policy, [refused, slotGone, 'ok']);
  const outcome = await finish(r);
  assert.deepEqual(outcome, { ok: false, error: slotGone, stopped: false });
  assert.equal(r.attemptsAt.length, 2, 'not retried');
});

test('an unclassified error is not retried', async () => {
  const r = run(policy, [], {
    attempt: async () => {
      throw new Error('decoder bug');
    },
  });
  const outcome = await finish(r);
  assert.ok(!outcome.ok && outcome.error instanceof CdcError && outcome.error.code === 'INTERNAL' && !outcome.stopped);
  assert.equal(r.state.totals.reconnectAttempts, 1);
});

test('RECONNECT_MAX_DURATION_MS: the last attempt comes at the bound, then it gives up with an error that says what to do', async () => {
  const r = run(
    { initialDelayMs: 400, maxDelayMs: 1000, maxDurationMs: 2000 },
    Array.from({ length: 20 }, () => refused),
  );
  const outcome = await finish(r);
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && !outcome.stopped);
  const error = outcome.ok ? undefined : outcome.error;
  assert.ok(error instanceof CdcError);
  assert.equal(error.retry, 'never');
  assert.equal(error.code, 'SOURCE_CONNECTION');
  assert.equal(error.message, `Gave up reconnecting after 2.0 s and 4 attempt(s) (RECONNECT_MAX_DURATION_MS=2000); the last error: ${refused.message}`);
  assert.match(error.hint ?? '', /Nothing after LSN 0\/0 was confirmed: .*Set RECONNECT_MAX_DURATION_MS=0 to keep trying/);
  const start = 1_000_000;
  assert.deepEqual(r.attemptsAt, [start + 300, start + 900, start + 1650, start + 2000], 'the last wait is cut to the bound');
  assert.equal(r.state.errorDetail, error.operatorMessage);
});

test('a stop during the wait ends the reconnection without another attempt', async () => {
  const r = run(policy, [refused, refused]);
  await settle();
  r.clock.advance(300);
  await settle();
  assert.equal(r.attemptsAt.length, 1);
  r.stop.abort();
  const outcome = await r.outcome;
  assert.equal(outcome.ok, false);
  assert.ok(!outcome.ok && outcome.stopped);
  assert.equal(r.attemptsAt.length, 1);
});

test('a stop while an attempt runs: a successful attempt is still returned (the daemon drains it)', async () => {
  const stop = new AbortController();
  const r = run(policy, [], {
    stopped: () => stop.signal.aborted,
    signal: stop.signal,
    attempt: async () => {
      stop.abort();
      return 'pipeline';
    },
  });
  assert.deepEqual(await finish(r), { ok: true, value: 'pipeline' });
});

test('progress made while the new pipeline was still starting counts', async () => {
  const r = run(policy, [], {
    attempt: async () => {
      r.state.markProgress();
      return 'started';
    },
  });
  assert.deepEqual(await finish(r), { ok: true, value: 'started' });
  assert.equal(r.state.outage, undefined);
  assert.equal(r.state.totals.reconnects, 1);
  assert.equal(r.state.errorDetail, '');
});
