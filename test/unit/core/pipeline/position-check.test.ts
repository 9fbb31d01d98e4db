import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PositionCheck } from '../../../../core/pipeline/position-check.js';
import { ins, tableSchema, column } from '../../starrocks/fixtures.js';

const t = tableSchema('t', [column('id', 'int8', true)]);
const at = (lsn: bigint, ordinal: number) => ({ ...ins(t, lsn, [1n]), ordinal });

describe('PositionCheck: (lsn, ordinal) names each change once', () => {
  it('accepts distinct LSNs and increasing ordinals within one LSN', () => {
    const c = new PositionCheck();
    for (const r of [at(0x10n, 0), at(0x20n, 0), at(0x20n, 1), at(0x20n, 2), at(0x08n, 0), at(0x30n, 5)]) {
      assert.equal(c.check(r), undefined);
    }
  });

  it('refuses a repeated position (a source that gives every COPY row ordinal 0)', () => {
    const c = new PositionCheck();
    assert.equal(c.check(at(0x20n, 0)), undefined);
    const err = c.check(at(0x20n, 0));
    assert.equal(err?.code, 'SOURCE_PROTOCOL');
    assert.match(err?.message ?? '', /public\.t repeats position 0\/20#0/);
  });

  it('refuses a missing or negative ordinal', () => {
    const c = new PositionCheck();
    assert.equal(c.check({ ...at(0x20n, 0), ordinal: undefined as unknown as number })?.code, 'SOURCE_PROTOCOL');
    assert.equal(c.check(at(0x20n, -1))?.code, 'SOURCE_PROTOCOL');
  });
});
