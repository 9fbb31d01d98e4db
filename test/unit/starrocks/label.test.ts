import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchIdentity, contentVariant, LABEL_PATTERN, makeLabel } from '../../../connectors/starrocks/stream-load/label.js';
import { column, ins, tableSchema } from './fixtures.js';

const pos = (lsn: bigint, ordinal = 0): { lsn: bigint; ordinal: number } => ({ lsn, ordinal });
const parts = {
  prefix: 'dbmazz',
  pipelineId: 'dbmazz_slot',
  table: 'orders',
  first: pos(0x16b374d848n),
  last: pos(0x16b374f000n),
  count: 250,
  index: 0,
};
const t = tableSchema('t', [column('id', 'int8', true), column('v', 'text')]);

describe('makeLabel', () => {
  it('is readable and deterministic', () => {
    assert.equal(makeLabel(parts), 'dbmazz-dbmazz_slot-orders-16B374D848-16B374F000-250-0');
    assert.equal(makeLabel({ ...parts, first: pos(0x16b374d848n, 3) }), 'dbmazz-dbmazz_slot-orders-16B374D848_3-16B374F000-250-0');
    assert.equal(makeLabel(parts), makeLabel({ ...parts }));
  });

  it('differs per sub-load, first/last position (LSN and ordinal), count, table, pipeline and prefix', () => {
    const labels = [
      makeLabel(parts),
      makeLabel({ ...parts, index: 1 }),
      makeLabel({ ...parts, first: pos(parts.first.lsn + 1n) }),
      makeLabel({ ...parts, last: pos(parts.last.lsn + 1n) }),
      makeLabel({ ...parts, first: pos(parts.first.lsn, 1) }),
      makeLabel({ ...parts, last: pos(parts.last.lsn, 1) }),
      makeLabel({ ...parts, count: 251 }),
      makeLabel({ ...parts, table: 'orders2' }),
      makeLabel({ ...parts, pipelineId: 'other' }),
      makeLabel({ ...parts, prefix: 'p2' }),
    ];
    assert.equal(new Set(labels).size, labels.length);
  });

  it('COPY: consecutive batches inside one WAL record (one LSN) get different labels', () => {
    // 1000 rows of one heap page share an LSN; FLUSH_SIZE=50 cuts them into 20 batches.
    const rows = Array.from({ length: 1000 }, (_, i) => ({ ...ins(t, 0x5000n, [BigInt(i), 'x']), ordinal: i }));
    const labels = new Set<string>();
    for (let i = 0; i < rows.length; i += 50) {
      labels.add(makeLabel({ ...parts, ...batchIdentity(rows.slice(i, i + 50)) }));
    }
    assert.equal(labels.size, 20);
  });

  it('interleaved transactions: two runs with the same smallest and largest LSN get different labels', () => {
    // Run 1 = [300, 100]; a replay cut later = [300, 100, 200]: same LSN range, other content.
    const a = [ins(t, 300n, [1n, 'a']), ins(t, 100n, [2n, 'b'])];
    const b = [...a, ins(t, 200n, [3n, 'c'])];
    assert.notEqual(makeLabel({ ...parts, ...batchIdentity(a) }), makeLabel({ ...parts, ...batchIdentity(b) }));
  });

  it('sanitizes names outside [A-Za-z0-9_] and keeps distinct inputs distinct with a hash', () => {
    const a = makeLabel({ ...parts, table: 'my.table' });
    const b = makeLabel({ ...parts, table: 'my_table' });
    const c = makeLabel({ ...parts, table: 'my-table' });
    for (const l of [a, b, c]) assert.match(l, LABEL_PATTERN);
    assert.equal(new Set([a, b, c]).size, 3);
    assert.match(a, /^dbmazz-dbmazz_slot-my_table-16B374D848-16B374F000-250-0-[0-9a-f]{16}$/);
    const u = makeLabel({ ...parts, table: 'commandes_été', pipelineId: 'slot 1' });
    assert.match(u, LABEL_PATTERN);
    assert.equal(u, makeLabel({ ...parts, table: 'commandes_été', pipelineId: 'slot 1' }));
  });

  it('stays within 128 characters for long names, max LSNs and large ordinals', () => {
    const huge = {
      prefix: 'p'.repeat(32),
      pipelineId: 's'.repeat(63),
      first: pos(0xffffffffffffffffn, 999_999),
      last: pos(0xffffffffffffffffn, 1_000_000),
      count: 1_000_001,
      index: 12345,
    };
    const long = makeLabel({ ...huge, table: 't'.repeat(200) });
    assert.ok(long.length <= 128, `${long.length}`);
    assert.match(long, LABEL_PATTERN);
    assert.match(long, /-FFFFFFFFFFFFFFFF_999999-FFFFFFFFFFFFFFFF_1000000-1000001-12345-[0-9a-f]{16}$/);
    assert.notEqual(long, makeLabel({ ...huge, table: `${'t'.repeat(199)}u` }));
  });

  it('a variant (a batch the replay guard shortened) never gets the plain label of its run', () => {
    const v1 = contentVariant([pos(0x16b374d848n), pos(0x16b374f000n)]);
    const v2 = contentVariant([pos(0x16b374f000n)]);
    const v3 = contentVariant([pos(0x16b374d848n, 1), pos(0x16b374f000n)]);
    assert.match(v1, /^[0-9a-f]{16}$/);
    assert.equal(v1, contentVariant([pos(0x16b374d848n), pos(0x16b374f000n)]));
    assert.equal(new Set([v1, v2, v3]).size, 3, 'ordinals are part of the content');
    const plain = makeLabel(parts);
    const a = makeLabel({ ...parts, variant: v1 });
    const b = makeLabel({ ...parts, variant: v2 });
    for (const l of [a, b]) assert.match(l, LABEL_PATTERN);
    assert.match(a, /^dbmazz-dbmazz_slot-orders-16B374D848-16B374F000-250-0-[0-9a-f]{16}$/);
    assert.equal(new Set([plain, a, b, makeLabel({ ...parts, index: 1, variant: v1 })]).size, 4);
    assert.equal(a, makeLabel({ ...parts, variant: v1 }), 'deterministic: a retry of the same shortened batch reuses it');
  });

  it('snapshot rows: two chunk reads at the same positions and count get different labels; a retry keeps its own', () => {
    // Two chunk reads injected at one version: rows (V, 0..2) each, only the read id differs.
    const V = 0x5000n;
    const read = (id: string) => [0, 1, 2].map((ordinal) => ({ ...ins(t, V, [BigInt(ordinal), id]), ordinal, snapshotRead: id }));
    const a = batchIdentity(read('orders:chunk:1:run-a'));
    const b = batchIdentity(read('orders:chunk:2:run-a'));
    const la = makeLabel({ ...parts, ...a });
    const lb = makeLabel({ ...parts, ...b });
    assert.notEqual(la, lb, 'the second chunk would be skipped as Label Already Exists');
    assert.equal(la, makeLabel({ ...parts, ...batchIdentity(read('orders:chunk:1:run-a')) }), 'a retry of the same batch keeps its label');
    for (const l of [la, lb]) assert.match(l, LABEL_PATTERN);
    // The read ids count in order, each once; stream changes alone keep the plain label.
    const mixed = [...read('r1'), ...read('r2')];
    const swapped = [...read('r2'), ...read('r1')];
    assert.notEqual(makeLabel({ ...parts, ...batchIdentity(mixed) }), makeLabel({ ...parts, ...batchIdentity(swapped) }));
    assert.equal(batchIdentity([ins(t, V, [1n, 'x'])]).reads, undefined);
    // The shortened-batch variant tells apart rows of two reads at the same positions too.
    assert.notEqual(contentVariant(read('r1').slice(0, 1)), contentVariant(read('r2').slice(0, 1)));
  });
});
