import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checkpointer } from '../../../../core/pipeline/checkpointer.js';

test('a commit is confirmable only once every item before it is durable', () => {
  const c = new Checkpointer();
  const a = c.nextSeq();
  c.nextSeq();
  assert.equal(c.commit(100n), undefined);
  assert.equal(c.durable(a), undefined, 'half of the transaction is durable');
  assert.equal(c.durable(2), 100n);
  assert.equal(c.confirmed, 100n);
});

test('a transaction cut by a flush is confirmed by the flush holding its last change', () => {
  const c = new Checkpointer();
  for (let i = 0; i < 5; i++) c.nextSeq(); // tx1: 5 changes
  assert.equal(c.durable(3), undefined, 'flush 1 holds 3 of 5 changes, commit not seen yet');
  assert.equal(c.commit(200n), undefined, 'commit seen, 2 changes still unwritten');
  assert.equal(c.durable(5), 200n);
});

test('several commits in one flush confirm the last one; later ones wait', () => {
  const c = new Checkpointer();
  c.nextSeq();
  c.commit(100n);
  c.nextSeq();
  c.commit(200n);
  c.nextSeq();
  c.commit(300n);
  assert.equal(c.durable(2), 200n);
  assert.equal(c.durable(3), 300n);
});

test('an empty transaction with nothing unwritten is confirmable at once', () => {
  const c = new Checkpointer();
  assert.equal(c.commit(50n), 50n);
  c.nextSeq();
  c.commit(60n);
  assert.equal(c.commit(70n), undefined, 'the earlier change is still unwritten');
  assert.equal(c.pendingCommits, 1, 'commits after the same item are merged');
  assert.equal(c.durable(1), 70n);
});

test('idle is confirmable only with nothing unwritten, no open transaction and no pending commit', () => {
  const c = new Checkpointer();
  assert.equal(c.idle(10n), 10n);
  assert.equal(c.idle(10n), undefined, 'not beyond what is confirmed');
  c.nextSeq();
  assert.equal(c.idle(20n), undefined, 'a change is unwritten');
  c.durable(1);
  assert.equal(c.idle(20n), undefined, 'the transaction is still open');
  assert.equal(c.commit(30n), 30n);
  assert.equal(c.idle(40n), 40n);
});

test('confirmations never go backwards', () => {
  const c = new Checkpointer(500n);
  c.nextSeq();
  c.commit(400n);
  assert.equal(c.durable(1), undefined);
  assert.equal(c.confirmed, 500n);
});
