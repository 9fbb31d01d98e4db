import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contentVariant, LABEL_PATTERN, makeLabel } from '../../../connectors/starrocks/stream-load/label.js';

const parts = { prefix: 'dbmazz', pipelineId: 'dbmazz_slot', table: 'orders', firstLsn: 0x16b374d848n, lastLsn: 0x16b374f000n, index: 0 };

describe('makeLabel', () => {
  it('is readable and deterministic', () => {
    assert.equal(makeLabel(parts), 'dbmazz-dbmazz_slot-orders-16B374D848-16B374F000-0');
    assert.equal(makeLabel(parts), makeLabel({ ...parts }));
  });

  it('differs per sub-load, LSN range, table, pipeline and prefix', () => {
    const labels = new Set([
      makeLabel(parts),
      makeLabel({ ...parts, index: 1 }),
      makeLabel({ ...parts, firstLsn: parts.firstLsn + 1n }),
      makeLabel({ ...parts, lastLsn: parts.lastLsn + 1n }),
      makeLabel({ ...parts, table: 'orders2' }),
      makeLabel({ ...parts, pipelineId: 'other' }),
      makeLabel({ ...parts, prefix: 'p2' }),
    ]);
    assert.equal(labels.size, 7);
  });

  it('sanitizes names outside [A-Za-z0-9_] and keeps distinct inputs distinct with a hash', () => {
    const a = makeLabel({ ...parts, table: 'my.table' });
    const b = makeLabel({ ...parts, table: 'my_table' });
    const c = makeLabel({ ...parts, table: 'my-table' });
    for (const l of [a, b, c]) assert.match(l, LABEL_PATTERN);
    assert.equal(new Set([a, b, c]).size, 3);
    assert.match(a, /^dbmazz-dbmazz_slot-my_table-16B374D848-16B374F000-0-[0-9a-f]{16}$/);
    const u = makeLabel({ ...parts, table: 'commandes_été', pipelineId: 'slot 1' });
    assert.match(u, LABEL_PATTERN);
    assert.equal(u, makeLabel({ ...parts, table: 'commandes_été', pipelineId: 'slot 1' }));
  });

  it('stays within 128 characters for long names and max LSNs', () => {
    const long = makeLabel({
      prefix: 'p'.repeat(32),
      pipelineId: 's'.repeat(63),
      table: 't'.repeat(200),
      firstLsn: 0xffffffffffffffffn,
      lastLsn: 0xffffffffffffffffn,
      index: 12345,
    });
    assert.ok(long.length <= 128, `${long.length}`);
    assert.match(long, LABEL_PATTERN);
    assert.match(long, /-FFFFFFFFFFFFFFFF-FFFFFFFFFFFFFFFF-12345-[0-9a-f]{16}$/);
    const other = makeLabel({
      prefix: 'p'.repeat(32),
      pipelineId: 's'.repeat(63),
      table: `${'t'.repeat(199)}u`,
      firstLsn: 0xffffffffffffffffn,
      lastLsn: 0xffffffffffffffffn,
      index: 12345,
    });
    assert.notEqual(long, other);
  });
  it('a variant (a batch the replay guard shortened) never gets the plain label of its LSN range', () => {
    const v1 = contentVariant([0x16b374d848n, 0x16b374f000n]);
    const v2 = contentVariant([0x16b374f000n]);
    assert.match(v1, /^[0-9a-f]{16}$/);
    assert.equal(v1, contentVariant([0x16b374d848n, 0x16b374f000n]));
    assert.notEqual(v1, v2);
    const plain = makeLabel(parts);
    const a = makeLabel({ ...parts, variant: v1 });
    const b = makeLabel({ ...parts, variant: v2 });
    for (const l of [a, b]) assert.match(l, LABEL_PATTERN);
    assert.match(a, /^dbmazz-dbmazz_slot-orders-16B374D848-16B374F000-0-[0-9a-f]{16}$/);
    assert.equal(new Set([plain, a, b, makeLabel({ ...parts, index: 1, variant: v1 })]).size, 4);
    assert.equal(a, makeLabel({ ...parts, variant: v1 }), 'deterministic: a retry of the same shortened batch reuses it');
  });
});
