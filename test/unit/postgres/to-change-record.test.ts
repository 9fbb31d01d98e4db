import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalValue, UNCHANGED, type SourceEvent, type TableSchema } from '../../../core/index.js';
import { TypeRegistry, columnSchema } from '../../../connectors/postgres/codec/pg-types.js';
import { TransactionAssembler, cellsEqual } from '../../../connectors/postgres/codec/to-change-record.js';
import { RelationCache } from '../../../connectors/postgres/replication/relation-cache.js';
import { decodePgoutput } from '../../../connectors/postgres/replication/pgoutput-decoder.js';
import { begin, commit, del, insert, relation, truncate, update, type ColSpec } from './frames.js';

const reg = new TypeRegistry();
const T = 1_700_000_000_000_000n;
const ORDERS: ColSpec[] = [
  { name: 'id', oid: 20, key: true },
  { name: 'total', oid: 1700 },
  { name: 'note', oid: 25 },
];

function setupSchema(): TableSchema {
  return {
    id: { schema: 'public', name: 'orders' },
    columns: ORDERS.map((c) => columnSchema(c.name, reg.lookup(c.oid), -1, c.key === true)),
    keyColumns: ['id'],
    version: 1,
  };
}

function make(opts: { known?: TableSchema[]; startLsn?: bigint } = {}): { apply: (buf: Buffer, lsn?: bigint) => SourceEvent[]; asm: TransactionAssembler } {
  const cache = new RelationCache({
    lookupType: (oid) => reg.lookup(oid),
    tables: [{ schema: 'public', name: 'orders' }],
    ...(opts.known ? { known: opts.known } : {}),
  });
  const asm = new TransactionAssembler(cache, opts.startLsn ?? 0n);
  return { asm, apply: (buf, lsn = 0n) => asm.apply(decodePgoutput(buf), lsn) };
}

test('records carry their own LSN, the Begin final LSN as commitLsn, the commit time; Commit confirms end_lsn', () => {
  const { apply, asm } = make({ known: [setupSchema()] });
  assert.deepEqual(apply(begin(0x500n, T, 1), 0x100n), []);
  assert.ok(asm.inTransaction);
  assert.deepEqual(apply(relation(1, 'public', 'orders', 'd', ORDERS), 0x100n), [], 'same shape as setup: no schema event');
  const [ev] = apply(insert(1, ['9007199254740993', '12.50', null]), 0x110n);
  assert.ok(ev?.kind === 'change');
  assert.equal(ev.record.op, 'insert');
  assert.equal(ev.record.lsn, 0x110n);
  assert.equal(ev.record.commitLsn, 0x500n);
  assert.equal(ev.record.commitTimeMicros, T);
  assert.ok(ev.record.op === 'insert');
  assert.deepEqual(ev.record.after, [9007199254740993n, new DecimalValue('12.50'), null]);
  assert.deepEqual(apply(commit(0x500n, 0x530n, T), 0x530n), [{ kind: 'commit', position: 0x530n, commitLsn: 0x500n, commitTimeMicros: T }]);
  assert.ok(!asm.inTransaction);
});

test('a Relation with a new shape emits a schema event with the previous schema, before the record', () => {
  const known = setupSchema();
  const { apply } = make({ known: [known] });
  apply(begin(0x900n, T, 2));
  const cols = [...ORDERS, { name: 'extra', oid: 23 }];
  const events = apply(relation(1, 'public', 'orders', 'd', cols));
  assert.equal(events.length, 1);
  const ev = events[0];
  assert.ok(ev?.kind === 'schema');
  assert.equal(ev.previous, known);
  assert.deepEqual(
    ev.schema.columns.map((c) => c.name),
    ['id', 'total', 'note', 'extra'],
  );
  assert.equal(ev.schema.version, 2);
  const [rec] = apply(insert(1, ['1', '1', 'x', '5']));
  assert.ok(rec?.kind === 'change' && rec.record.schema === ev.schema);
  // The same Relation again (e.g. after reconnect) is not a change.
  assert.deepEqual(apply(relation(1, 'public', 'orders', 'd', cols)), []);
});

test('an unknown table emits a schema event with previous undefined', () => {
  const { apply } = make();
  apply(begin(1n, T, 1));
  const [ev] = apply(relation(1, 'public', 'orders', 'd', ORDERS));
  assert.ok(ev?.kind === 'schema' && ev.previous === undefined);
});

test('changes of tables that are not selected are ignored (the publication may hold more)', () => {
  const { apply } = make();
  apply(begin(1n, T, 1));
  assert.deepEqual(apply(relation(2, 'public', 'other', 'd', ORDERS)), []);
  assert.deepEqual(apply(insert(2, ['1', '1', 'x'])), []);
  assert.deepEqual(apply(truncate([2])), []);
  assert.equal(apply(commit(1n, 2n, T))[0]?.kind, 'commit', 'the commit still lets the position advance');
});

test("update with a key change: oldKey from the 'K' tuple; unchanged TOAST stays UNCHANGED", () => {
  const { apply } = make({ known: [setupSchema()] });
  apply(begin(1n, T, 1));
  apply(relation(1, 'public', 'orders', 'd', ORDERS));
  const [ev] = apply(update(1, ['2', '3.00', 'u'], { kind: 'K', cells: ['1', null, null] }), 0x20n);
  assert.ok(ev?.kind === 'change' && ev.record.op === 'update');
  assert.deepEqual(ev.record.after, [2n, new DecimalValue('3.00'), UNCHANGED]);
  assert.deepEqual(ev.record.oldKey, [1n]);
  assert.equal(ev.record.before, undefined);
});

test('update without key change has no oldKey', () => {
  const { apply } = make({ known: [setupSchema()] });
  apply(begin(1n, T, 1));
  apply(relation(1, 'public', 'orders', 'd', ORDERS));
  const [ev] = apply(update(1, ['1', '3.00', 'u']));
  assert.ok(ev?.kind === 'change' && ev.record.op === 'update');
  assert.equal('oldKey' in ev.record, false);
});

test("REPLICA IDENTITY FULL: 'O' old row kept as before, UNCHANGED filled from it, key = primary key", () => {
  const { apply } = make({ known: [setupSchema()] });
  apply(begin(1n, T, 1));
  const full = ORDERS.map((c) => ({ ...c, key: true })); // FULL flags every column
  assert.deepEqual(apply(relation(1, 'public', 'orders', 'f', full)), [], 'key stays the primary key');
  const [ev] = apply(update(1, ['1', '4.00', 'u'], { kind: 'O', cells: ['1', '3.00', 'big text'] }));
  assert.ok(ev?.kind === 'change' && ev.record.op === 'update');
  assert.deepEqual(ev.record.after, [1n, new DecimalValue('4.00'), 'big text']);
  assert.deepEqual(ev.record.before, [1n, new DecimalValue('3.00'), 'big text']);
  assert.equal(ev.record.oldKey, undefined);
  const [kc] = apply(update(1, ['5', '4.00', 'u'], { kind: 'O', cells: ['1', '4.00', 'big text'] }));
  assert.ok(kc?.kind === 'change' && kc.record.op === 'update');
  assert.deepEqual(kc.record.oldKey, [1n]);
  assert.deepEqual(kc.record.after, [5n, new DecimalValue('4.00'), 'big text']);
});

test("delete: 'K' → key only, fullBefore false; 'O' → full row", () => {
  const { apply } = make({ known: [setupSchema()] });
  apply(begin(1n, T, 1));
  apply(relation(1, 'public', 'orders', 'd', ORDERS));
  const [k] = apply(del(1, 'K', ['7', null, null]), 0x44n);
  assert.ok(k?.kind === 'change' && k.record.op === 'delete');
  assert.deepEqual(k.record.before, [7n, null, null]);
  assert.equal(k.record.fullBefore, false);
  assert.equal(k.record.lsn, 0x44n);
  const [o] = apply(del(1, 'O', ['7', '1', 'n']));
  assert.ok(o?.kind === 'change' && o.record.op === 'delete' && o.record.fullBefore);
});

test('truncate event names the selected tables with its LSN and the transaction commitLsn', () => {
  const { apply } = make({ known: [setupSchema()] });
  apply(begin(0x70n, T, 1));
  apply(relation(1, 'public', 'orders', 'd', ORDERS));
  apply(relation(2, 'public', 'other', 'd', ORDERS));
  assert.deepEqual(apply(truncate([1, 2]), 0x60n), [{ kind: 'truncate', tables: [{ schema: 'public', name: 'orders' }], lsn: 0x60n, commitLsn: 0x70n }]);
});

test('transactions that commit before the resume point are skipped', () => {
  const { apply } = make({ known: [setupSchema()], startLsn: 0x1000n });
  apply(begin(0x800n, T, 1));
  apply(relation(1, 'public', 'orders', 'd', ORDERS));
  assert.deepEqual(apply(insert(1, ['1', '1', 'a'])), []);
  assert.deepEqual(apply(commit(0x800n, 0x830n, T)), []);
  apply(begin(0x1000n, T, 2));
  assert.equal(apply(insert(1, ['2', '1', 'a']))[0]?.kind, 'change');
});

test('protocol violations are SOURCE_PROTOCOL errors', () => {
  const { apply } = make({ known: [setupSchema()] });
  assert.throws(() => apply(insert(1, ['1', '1', 'a'])), { code: 'SOURCE_PROTOCOL' }); // outside a transaction
  apply(begin(1n, T, 1));
  assert.throws(() => apply(begin(2n, T, 2)), { code: 'SOURCE_PROTOCOL' });
  assert.throws(() => apply(insert(99, ['1'])), { code: 'SOURCE_PROTOCOL' }); // no Relation
  apply(relation(1, 'public', 'orders', 'd', ORDERS));
  assert.throws(() => apply(insert(1, ['1'])), { code: 'SOURCE_PROTOCOL' }); // wrong column count
  assert.throws(() => apply(insert(1, ['x', '1', 'a'])), /public\.orders\.id/); // bad value names the column
  assert.throws(() => apply(commit(5n, 6n, T)), { code: 'SOURCE_PROTOCOL' }); // LSN mismatch
});

test('cellsEqual compares values deeply', () => {
  assert.ok(cellsEqual(1n, 1n));
  assert.ok(!cellsEqual(1n, 1));
  assert.ok(cellsEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2])));
  assert.ok(!cellsEqual(new Uint8Array([1]), new Uint8Array([2])));
  assert.ok(cellsEqual(new DecimalValue('1.0'), new DecimalValue('1.0')));
  assert.ok(!cellsEqual(new DecimalValue('1.0'), new DecimalValue('1.00')));
  assert.ok(cellsEqual([1, [2, null]], [1, [2, null]]));
  assert.ok(!cellsEqual([1], [1, 2]));
  assert.ok(!cellsEqual(null, 0));
});

test('rows of one WAL record (COPY, multi-row insert) share its LSN and are numbered; numbering restarts per transaction', () => {
  const { apply } = make({ known: [setupSchema()] });
  const positions = (events: SourceEvent[]): string[] =>
    events.flatMap((e) => (e.kind === 'change' ? [`${e.record.lsn.toString(16)}#${e.record.ordinal}`] : []));
  const tx = (): string[] => {
    apply(begin(0x900n, T, 3), 0x100n);
    apply(relation(1, 'public', 'orders', 'd', ORDERS), 0x100n);
    const out = [
      ...apply(insert(1, ['1', '1', null]), 0x200n),
      ...apply(insert(1, ['2', '1', null]), 0x200n),
      ...apply(insert(1, ['3', '1', null]), 0x200n),
      ...apply(insert(1, ['4', '1', null]), 0x300n),
      ...apply(insert(1, ['5', '1', null]), 0x300n),
      ...apply(update(1, ['5', '2', null]), 0x400n),
    ];
    apply(commit(0x900n, 0x930n, T), 0x930n);
    return positions(out);
  };
  const first = tx();
  assert.deepEqual(first, ['200#0', '200#1', '200#2', '300#0', '300#1', '400#0']);
  // The same transaction again (a replay after a restart) is numbered the same way.
  assert.deepEqual(tx(), first);
});

test('an unchanged key column needs the old key: without it SOURCE_PROTOCOL, with it the value comes from there', () => {
  const { apply } = make({ known: [setupSchema()] });
  apply(begin(1n, T, 1));
  apply(relation(1, 'public', 'orders', 'd', ORDERS));
  assert.throws(() => apply(update(1, ['u', '3.00', 'x'])), { code: 'SOURCE_PROTOCOL', message: /public\.orders\.id unchanged without an old key/ });
  assert.throws(() => apply(update(1, ['u', '3.00', 'x'], { kind: 'K', cells: ['u', null, null] })), { code: 'SOURCE_PROTOCOL' });
  const [ev] = apply(update(1, ['u', '3.00', 'x'], { kind: 'K', cells: ['7', null, null] }));
  assert.ok(ev?.kind === 'change' && ev.record.op === 'update');
  assert.deepEqual(ev.record.after, [7n, new DecimalValue('3.00'), 'x']);
  assert.equal(ev.record.oldKey, undefined);
});
