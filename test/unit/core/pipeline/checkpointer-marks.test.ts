/** Durability marks (SourceEvent `mark`): released once every item before them is durable, in order. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Checkpointer } from '../../../../core/pipeline/checkpointer.js';

describe('Checkpointer marks', () => {
  it('releases a mark only when the items before it are durable, in order, once', () => {
    const c = new Checkpointer();
    assert.deepEqual(c.mark('empty'), ['empty'], 'nothing before it: released at once');
    const s1 = c.nextSeq();
    const s2 = c.nextSeq();
    assert.deepEqual(c.mark('a'), []);
    const s3 = c.nextSeq();
    assert.deepEqual(c.mark('b'), []);
    c.durable(s1);
    assert.deepEqual(c.releasedMarks(), []);
    c.durable(s2);
    assert.deepEqual(c.releasedMarks(), ['a']);
    assert.deepEqual(c.releasedMarks(), [], 'each mark once');
    c.durable(s3);
    assert.deepEqual(c.releasedMarks(), ['b']);
  });
});
