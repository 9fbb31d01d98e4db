import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNCHANGED } from '../../../core/index.js';
import { decodePgoutput, PgoutputError } from '../../../connectors/postgres/replication/pgoutput-decoder.js';
import { begin, commit, del, FrameWriter, insert, relation, truncate, tuple, update } from './frames.js';

const T0 = 1_700_000_000_123_456n; // µs since the Unix epoch

test('Begin: final LSN, commit time (µs, Unix epoch) and xid', () => {
  assert.deepEqual(decodePgoutput(begin(0x1_0000_0010n, T0, 4242)), {
    tag: 'begin',
    finalLsn: 0x1_0000_0010n,
    commitTimeMicros: T0,
    xid: 4242,
  });
});

test('Commit: flags, commit LSN, end LSN, time', () => {
  assert.deepEqual(decodePgoutput(commit(0x20n, 0x58n, T0)), {
    tag: 'commit',
    flags: 0,
    commitLsn: 0x20n,
    endLsn: 0x58n,
    commitTimeMicros: T0,
  });
});

test('commit time before 2000 (negative PostgreSQL timestamp)', () => {
  const m = decodePgoutput(begin(1n, 0n, 1));
  assert.equal(m.tag === 'begin' && m.commitTimeMicros, 0n);
});

test('Relation: namespace (empty → pg_catalog), identity, key flags, types, typmods', () => {
  const buf = relation(16384, 'public', 'orders', 'd', [
    { name: 'id', oid: 20, key: true },
    { name: 'total', oid: 1700, typmod: 655366 },
    { name: 'note', oid: 25 },
  ]);
  assert.deepEqual(decodePgoutput(buf), {
    tag: 'relation',
    relationOid: 16384,
    namespace: 'public',
    name: 'orders',
    replicaIdentity: 'default',
    columns: [
      { isKey: true, name: 'id', typeOid: 20, typeModifier: -1 },
      { isKey: false, name: 'total', typeOid: 1700, typeModifier: 655366 },
      { isKey: false, name: 'note', typeOid: 25, typeModifier: -1 },
    ],
  });
  const cat = decodePgoutput(relation(1, '', 'x', 'f', []));
  assert.equal(cat.tag === 'relation' && cat.namespace, 'pg_catalog');
  assert.equal(cat.tag === 'relation' && cat.replicaIdentity, 'full');
  for (const [c, v] of [
    ['n', 'nothing'],
    ['i', 'index'],
  ] as const) {
    const m = decodePgoutput(relation(1, 's', 'x', c, []));
    assert.equal(m.tag === 'relation' && m.replicaIdentity, v);
  }
});

test('Relation with multi-byte UTF-8 names', () => {
  const m = decodePgoutput(relation(7, 'öst', 'tabla_ñ', 'd', [{ name: 'ключ', oid: 23, key: true }]));
  assert.equal(m.tag === 'relation' && m.name, 'tabla_ñ');
  assert.equal(m.tag === 'relation' && m.columns[0]?.name, 'ключ');
});

test('Type message', () => {
  const buf = new FrameWriter().char('Y').uint32(70001).cstring('public').cstring('mood').build();
  assert.deepEqual(decodePgoutput(buf), { tag: 'type', typeOid: 70001, namespace: 'public', name: 'mood' });
});

test('Origin message', () => {
  const buf = new FrameWriter().char('O').uint64(0xabcn).cstring('node_a').build();
  assert.deepEqual(decodePgoutput(buf), { tag: 'origin', originLsn: 0xabcn, name: 'node_a' });
});

test("Insert: tuple kinds 'n', 't', 'b'; 'u' → UNCHANGED", () => {
  const m = decodePgoutput(insert(5, ['1', null, { binary: Buffer.from([1, 2, 255]) }, 'héllo', '']));
  assert.equal(m.tag, 'insert');
  if (m.tag !== 'insert') return;
  assert.equal(m.relationOid, 5);
  assert.deepEqual(m.newTuple, ['1', null, new Uint8Array([1, 2, 255]), 'héllo', '']);
  const u = decodePgoutput(update(5, ['1', 'u']));
  assert.ok(u.tag === 'update' && u.newTuple[1] === UNCHANGED);
});

test("Update without old tuple, with 'K' old key and with 'O' old row", () => {
  assert.deepEqual(decodePgoutput(update(9, ['1', 'a'])), { tag: 'update', relationOid: 9, newTuple: ['1', 'a'] });
  assert.deepEqual(decodePgoutput(update(9, ['2', 'a'], { kind: 'K', cells: ['1', null] })), {
    tag: 'update',
    relationOid: 9,
    oldKind: 'K',
    oldTuple: ['1', null],
    newTuple: ['2', 'a'],
  });
  assert.deepEqual(decodePgoutput(update(9, ['1', 'b'], { kind: 'O', cells: ['1', 'a'] })), {
    tag: 'update',
    relationOid: 9,
    oldKind: 'O',
    oldTuple: ['1', 'a'],
    newTuple: ['1', 'b'],
  });
});

test("Delete with 'K' and 'O'", () => {
  assert.deepEqual(decodePgoutput(del(3, 'K', ['7', null])), { tag: 'delete', relationOid: 3, oldKind: 'K', oldTuple: ['7', null] });
  assert.deepEqual(decodePgoutput(del(3, 'O', ['7', 'x'])), { tag: 'delete', relationOid: 3, oldKind: 'O', oldTuple: ['7', 'x'] });
});

test('Truncate with options and several relations', () => {
  assert.deepEqual(decodePgoutput(truncate([10, 11], 3)), {
    tag: 'truncate',
    cascade: true,
    restartIdentity: true,
    relationOids: [10, 11],
  });
  assert.deepEqual(decodePgoutput(truncate([12])), { tag: 'truncate', cascade: false, restartIdentity: false, relationOids: [12] });
});

test('logical decoding Message', () => {
  const content = Buffer.from('payload');
  const buf = new FrameWriter().char('M').uint8(1).uint64(0x99n).cstring('dbmazz').int32(content.length).raw(content).build();
  assert.deepEqual(decodePgoutput(buf), {
    tag: 'message',
    transactional: true,
    lsn: 0x99n,
    prefix: 'dbmazz',
    content: new Uint8Array(content),
  });
});

test('streaming (protocol v2) tags are a typed error', () => {
  for (const tag of ['S', 'E', 'c', 'A']) {
    assert.throws(
      () => decodePgoutput(new FrameWriter().char(tag).uint32(1).uint8(0).build()),
      (e: unknown) => e instanceof PgoutputError && e.reason === 'streaming' && e.tag === tag && e.code === 'SOURCE_PROTOCOL',
    );
  }
});

test('unknown tags are a typed error', () => {
  for (const tag of ['Z', 'P', 'x']) {
    assert.throws(
      () => decodePgoutput(Buffer.from(tag)),
      (e: unknown) => e instanceof PgoutputError && e.reason === 'unknown-tag',
    );
  }
});

test('every truncation of every message kind is a typed error, never a crash or a partial message', () => {
  const frames = [
    begin(1n, T0, 2),
    commit(1n, 2n, T0),
    relation(1, 'public', 't', 'd', [{ name: 'id', oid: 23, key: true }]),
    insert(1, ['1', null, { binary: Buffer.from([1]) }]),
    update(1, ['2'], { kind: 'K', cells: ['1'] }),
    del(1, 'K', ['1']),
    truncate([1, 2]),
    new FrameWriter().char('Y').uint32(1).cstring('s').cstring('t').build(),
  ];
  for (const f of frames) {
    for (let len = 0; len < f.length; len++) {
      assert.throws(
        () => decodePgoutput(f.subarray(0, len)),
        (e: unknown) => e instanceof PgoutputError && (e.reason === 'truncated' || e.reason === 'malformed' || e.reason === 'unknown-tag'),
        `tag ${String.fromCharCode(f[0] ?? 0)} cut at ${len}`,
      );
    }
  }
});

test('trailing bytes after a complete message are an error', () => {
  const f = Buffer.concat([commit(1n, 2n, T0), Buffer.from([0])]);
  assert.throws(
    () => decodePgoutput(f),
    (e: unknown) => e instanceof PgoutputError && e.reason === 'malformed',
  );
});

test('decodes a message that is a view into a larger buffer (non-zero byteOffset)', () => {
  const msg = insert(44, ['12', 'abc']);
  const big = Buffer.concat([Buffer.alloc(37, 0xee), msg, Buffer.alloc(11, 0xee)]);
  const view = big.subarray(37, 37 + msg.length);
  assert.deepEqual(decodePgoutput(view), { tag: 'insert', relationOid: 44, newTuple: ['12', 'abc'] });
});

test('binary cells are copies, not views of the frame', () => {
  const f = insert(1, [{ binary: Buffer.from([9, 9]) }]);
  const m = decodePgoutput(f);
  f.fill(0);
  assert.ok(m.tag === 'insert');
  assert.deepEqual(m.newTuple[0], new Uint8Array([9, 9]));
});

test('bad tuple kinds and markers are malformed', () => {
  const badKind = new FrameWriter().char('I').uint32(1).char('N').int16(1).char('q').build();
  assert.throws(
    () => decodePgoutput(badKind),
    (e: unknown) => e instanceof PgoutputError && e.reason === 'malformed',
  );
  const badMarker = tuple(new FrameWriter().char('I').uint32(1).char('K'), ['1']).build();
  assert.throws(
    () => decodePgoutput(badMarker),
    (e: unknown) => e instanceof PgoutputError && e.reason === 'malformed',
  );
  const badIdent = relation(1, 's', 't', 'z', []);
  assert.throws(
    () => decodePgoutput(badIdent),
    (e: unknown) => e instanceof PgoutputError && e.reason === 'malformed',
  );
});

test('empty input is a typed error', () => {
  assert.throws(
    () => decodePgoutput(Buffer.alloc(0)),
    (e: unknown) => e instanceof PgoutputError && e.reason === 'truncated',
  );
});
