import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FramePump } from '../../../connectors/postgres/replication/frame-pump.js';

function harness() {
  const seen: string[] = [];
  const pauses: boolean[] = [];
  const errors: unknown[] = [];
  let gate: Promise<void> | undefined;
  let open: (() => void) | undefined;
  let failNext: Error | undefined;
  const pump = new FramePump({
    process: (f) => {
      seen.push(f.toString());
      if (failNext !== undefined) {
        const e = failNext;
        failNext = undefined;
        return Promise.reject(e);
      }
      return gate;
    },
    setPaused: (p) => pauses.push(p),
    onError: (e) => errors.push(e),
  });
  return {
    pump,
    seen,
    pauses,
    errors,
    block: () => {
      gate = new Promise((r) => (open = r));
    },
    release: async () => {
      gate = undefined;
      open?.();
      await new Promise((r) => setImmediate(r));
    },
    failNext: (e: Error) => (failNext = e),
  };
}

test('synchronous processing never pauses the socket', () => {
  const h = harness();
  for (const f of ['a', 'b', 'c']) h.pump.push(Buffer.from(f));
  assert.deepEqual(h.seen, ['a', 'b', 'c']);
  assert.deepEqual(h.pauses, []);
});

test('a pending promise pauses the socket, queues copies in order, and resumes after it settles', async () => {
  const h = harness();
  h.block();
  const shared = Buffer.from('1');
  h.pump.push(shared);
  assert.deepEqual(h.pauses, [true]);
  assert.ok(h.pump.paused);
  shared.write('2'); // the parser reuses its buffer
  h.pump.push(shared);
  shared.write('3');
  h.pump.push(shared);
  assert.deepEqual(h.seen, ['1'], 'nothing processed while waiting');
  assert.equal(h.pump.buffered, 2);
  await h.release();
  assert.deepEqual(h.seen, ['1', '2', '3'], 'queued frames were copies');
  assert.equal(h.pump.buffered, 0);
  assert.deepEqual(h.pauses, [true, false]);
});

test('user pause holds queued frames until resume', async () => {
  const h = harness();
  h.pump.pause();
  assert.deepEqual(h.pauses, [true]);
  h.pump.push(Buffer.from('x'));
  assert.deepEqual(h.seen, []);
  h.pump.resume();
  assert.deepEqual(h.seen, ['x']);
  assert.deepEqual(h.pauses, [true, false]);
});

test('a rejection stops the pump and reports once', async () => {
  const h = harness();
  h.failNext(new Error('boom'));
  h.pump.push(Buffer.from('a'));
  h.pump.push(Buffer.from('b'));
  await new Promise((r) => setImmediate(r));
  assert.equal(h.errors.length, 1);
  h.pump.push(Buffer.from('c'));
  assert.deepEqual(h.seen, ['a']);
});

test('stop drops queued frames', async () => {
  const h = harness();
  h.block();
  h.pump.push(Buffer.from('a'));
  h.pump.push(Buffer.from('b'));
  h.pump.stop();
  await h.release();
  assert.deepEqual(h.seen, ['a']);
  assert.equal(h.pump.buffered, 0);
});
