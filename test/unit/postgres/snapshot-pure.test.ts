/**
 * The pure parts of the snapshot engine: MVCC snapshot visibility on the 32-bit xid circle, the
 * touch tracker's conflict rule, key texts, the chunk SQL, and a read's rows decoded as they arrive.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalValue, TemporalValue, type TableSchema } from '../../../core/index.js';
import { committedVisible, parsePgSnapshot, xidPrecedes } from '../../../connectors/postgres/snapshot/pg-snapshot.js';
import { TouchTracker } from '../../../connectors/postgres/snapshot/tracker.js';
import { keyText } from '../../../connectors/postgres/snapshot/key-text.js';
import { chunkQuery, copyStatement, keysQuery, sqlLiteral } from '../../../connectors/postgres/snapshot/chunk-sql.js';
import { CellDecodeError, ChunkRows } from '../../../connectors/postgres/snapshot/chunk-rows.js';
import { TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';
import { decodeTextValue } from '../../../connectors/postgres/codec/text-values.js';
import { youngGenerationMayGrow } from '../../../connectors/postgres/snapshot/young-generation.js';

const schema = (keys: string[]): TableSchema => ({
  id: { schema: 'Sales', name: 'or"ders' },
  columns: [
    { name: 'id', typeName: 'int8', typeOid: 20, typeModifier: -1, isKey: keys.includes('id'), family: 'int8' },
    { name: 'b', typeName: 'text', typeOid: 25, typeModifier: -1, isKey: keys.includes('b'), family: 'text' },
  ],
  keyColumns: keys,
  version: 1,
});

describe('pg_current_snapshot visibility', () => {
  it('parses xid8 text and tests committed transactions against xmin, xmax and the in-progress list', () => {
    const s = parsePgSnapshot('100:110:102,105');
    assert.equal(committedVisible(s, 99), true);
    assert.equal(committedVisible(s, 100), true, 'xmin itself committed → visible when not listed');
    assert.equal(committedVisible(s, 102), false);
    assert.equal(committedVisible(s, 105), false);
    assert.equal(committedVisible(s, 109), true);
    assert.equal(committedVisible(s, 110), false, 'xmax and later are not visible');
    assert.equal(committedVisible(s, 4000), false);
  });
  it('compares 64-bit ids by their 32-bit value on the wraparound circle', () => {
    // epoch 1: 2^32 + 5 is xid 5; xid 4294967290 (just before wraparound) precedes it.
    const s = parsePgSnapshot(`${2 ** 32 + 5}:${2 ** 32 + 9}:${2 ** 32 + 7}`);
    assert.equal(committedVisible(s, 4294967290), true);
    assert.equal(committedVisible(s, 7), false);
    assert.equal(committedVisible(s, 8), true);
    assert.equal(xidPrecedes(4294967290, 3), true);
    assert.throws(() => parsePgSnapshot('1:2'), /pg_current_snapshot/);
  });
});

/** A transaction `xid` streamed: it touched `keys` ([table, key]) and committed at `commitLsn`. */
function streamed(t: TouchTracker, xid: number, commitLsn: bigint, keys: readonly (readonly [string, string])[]): void {
  t.begin(xid);
  for (const [table, key] of keys) t.touch(table, key);
  t.commit(commitLsn);
}

describe('TouchTracker', () => {
  it('reports keys of streamed transactions the chunk cannot see, forgets the ones it saw', () => {
    const t = new TouchTracker();
    t.track('public.t');
    streamed(t, 50, 10n, [
      ['public.t', 'a'],
      ['public.other', 'x'],
    ]);
    streamed(t, 60, 20n, [['public.t', 'b']]);
    assert.equal(t.openTransactions, 2);
    // The read saw 50 (committed before) but 60 was still in progress for it.
    const c = t.conflicts('public.t', parsePgSnapshot('55:61:60'), new Set(['a', 'b', 'c']));
    assert.deepEqual([...c.keys], ['b']);
    assert.equal(c.whole, false);
    assert.equal(t.openTransactions, 1, '50 is forgotten: every later read sees it');
    const later = t.conflicts('public.t', parsePgSnapshot('70:70:'), new Set(['b']));
    assert.deepEqual([...later.keys], []);
    assert.equal(t.openTransactions, 0);
  });
  it("a transaction one table's read saw still conflicts with another table's chunk read before it (placed in the same step)", () => {
    const t = new TouchTracker();
    t.track('public.a');
    t.track('public.b');
    streamed(t, 60, 600n, [
      ['public.a', 'k'],
      ['public.b', 'j'],
    ]);
    // b's chunk was read after 60 committed, a's before; both are placed now, b's first.
    assert.deepEqual([...t.conflicts('public.b', parsePgSnapshot('61:61:'), new Set(['j'])).keys], []);
    const a = t.conflicts('public.a', parsePgSnapshot('55:61:60'), new Set(['k']));
    assert.deepEqual([...a.keys], ['k'], "b's read seeing 60 says nothing of a's older read");
    assert.equal(a.oldestInvisibleCommit, 600n);
    assert.equal(t.openTransactions, 1);
    t.conflicts('public.a', parsePgSnapshot('61:61:'), new Set(['k']));
    assert.equal(t.openTransactions, 0, 'forgotten once every table it touched had a read that saw it');
  });
  it('untracking a table forgets the transactions that touched only it', () => {
    const t = new TouchTracker();
    t.track('public.a');
    t.track('public.b');
    streamed(t, 60, 600n, [['public.a', 'k']]);
    streamed(t, 61, 610n, [
      ['public.a', 'k'],
      ['public.b', 'j'],
    ]);
    t.untrack('public.a');
    assert.equal(t.openTransactions, 1);
    assert.deepEqual([...t.conflicts('public.b', parsePgSnapshot('55:62:60,61'), new Set(['j', 'k'])).keys], ['j']);
  });
  it("reports the oldest commit the chunk cannot see among the table's streamed transactions, for the sweep to spare", () => {
    const t = new TouchTracker();
    t.track('public.t');
    streamed(t, 50, 500n, [['public.t', 'a']]);
    // A new key, not in the chunk: its row is written at 600, below the chunk's placement, and no read
    // holds it, so a sweep below the placement would remove a row the source has.
    streamed(t, 60, 600n, [['public.t', 'new']]);
    streamed(t, 61, 700n, [['public.t', 'other']]);
    streamed(t, 62, 300n, [['public.u', 'z']]);
    // The read saw 50; 60, 61 and 62 were still finishing their commits for it.
    const c = t.conflicts('public.t', parsePgSnapshot('55:63:60,61,62'), new Set(['a', 'b']));
    assert.deepEqual([...c.keys], []);
    assert.equal(c.oldestInvisibleCommit, 600n, 'not 500 (seen), not 300 (another table)');
    assert.equal(t.conflicts('public.t', parsePgSnapshot('70:70:'), new Set(['a'])).oldestInvisibleCommit, undefined, 'a later read sees them all');
  });
  it('a transaction with too many keys makes the whole chunk conflict; untracked tables record nothing', () => {
    const t = new TouchTracker(3);
    t.track('public.t');
    t.begin(10);
    for (const k of ['1', '2', '3', '4']) t.touch('public.t', k);
    t.touch('public.u', 'z');
    t.commit(30n);
    assert.equal(t.conflicts('public.t', parsePgSnapshot('5:9:'), new Set(['9'])).whole, true);
    assert.equal(t.conflicts('public.u', parsePgSnapshot('5:9:'), new Set(['z'])).keys.size, 0);
  });
  it('a transaction streamed before tracking began (or by a previous run) that the read cannot see conflicts whole, also at or above xmax', () => {
    // A commit waiting for a synchronous standby is still in the process array: a snapshot taken
    // meanwhile has it neither below xmin nor in its in-progress list when it is the newest xid.
    const t = new TouchTracker();
    streamed(t, 725, 40n, []);
    t.track('public.t');
    assert.equal(t.conflicts('public.t', parsePgSnapshot('725:725:'), new Set(['a'])).whole, true, 'xid 725 at xmax: not visible');
    assert.equal(t.conflicts('public.t', parsePgSnapshot('726:726:'), new Set(['a'])).whole, false, 'visible once it finished');
    const r = new TouchTracker();
    r.streamedBeforeStart([900]);
    r.track('public.t');
    assert.equal(r.conflicts('public.t', parsePgSnapshot('900:900:'), new Set(['a'])).whole, true, 'a previous run streamed it');
    assert.equal(r.conflicts('public.t', parsePgSnapshot('890:905:900'), new Set(['a'])).whole, true);
    assert.equal(r.conflicts('public.t', parsePgSnapshot('901:901:'), new Set(['a'])).whole, false);
  });
  it('a streamed transaction from before tracking began, still in progress for the read, conflicts whole', () => {
    const t = new TouchTracker();
    streamed(t, 20, 40n, []);
    t.track('public.t');
    streamed(t, 21, 50n, []);
    assert.equal(t.conflicts('public.t', parsePgSnapshot('20:22:20'), new Set(['a'])).whole, true);
    assert.equal(t.conflicts('public.t', parsePgSnapshot('21:22:21'), new Set(['a'])).whole, false, '21 touched nothing tracked');
  });
});

describe('key texts', () => {
  it('are equal exactly for equal keys, of any value kind', () => {
    const a = keyText([1n, 'x', new DecimalValue('1.50')], [0, 1, 2]);
    assert.equal(a, keyText([1n, 'x', new DecimalValue('1.50')], [0, 1, 2]));
    assert.notEqual(a, keyText([1n, 'x', new DecimalValue('1.5')], [0, 1, 2]));
    assert.notEqual(keyText(['a|', 'b'], [0, 1]), keyText(['a', '|b'], [0, 1]), 'no ambiguity from separators');
    assert.notEqual(keyText(['1'], [0]), keyText([1n], [0]));
    assert.equal(keyText([new TemporalValue('date', '2020-01-01')], [0]), keyText([new TemporalValue('date', '2020-01-01')], [0]));
  });
});

describe('chunk SQL', () => {
  it('keyset pagination on the key columns, quoted, never OFFSET', () => {
    assert.equal(chunkQuery(schema(['id']), undefined, 100).text, 'SELECT "id", "b" FROM "Sales"."or""ders" ORDER BY "id" LIMIT 100');
    const next = chunkQuery(schema(['id', 'b']), ['5', 'x'], 10);
    assert.equal(next.text, 'SELECT "id", "b" FROM "Sales"."or""ders" WHERE ("id", "b") > ($1, $2) ORDER BY "id", "b" LIMIT 10');
    assert.deepEqual(next.values, ['5', 'x']);
    assert.doesNotMatch(next.text, /OFFSET/);
    assert.throws(() => chunkQuery(schema([]), undefined, 10), /no key/);
  });
  it('reads exact keys again', () => {
    const q = keysQuery(schema(['id', 'b']), [
      ['1', 'a'],
      ['2', 'b'],
    ]);
    assert.equal(q.text, 'SELECT "id", "b" FROM "Sales"."or""ders" WHERE ("id", "b") IN (($1, $2), ($3, $4))');
    assert.deepEqual(q.values, ['1', 'a', '2', 'b']);
    assert.equal(keysQuery(schema(['id']), [['7']]).text, 'SELECT "id", "b" FROM "Sales"."or""ders" WHERE "id" IN ($1)');
  });
});

describe('COPY statements of snapshot reads', () => {
  it('writes parameters as escape string literals, leaving quoted identifiers alone', () => {
    assert.equal(sqlLiteral("it's \\ x"), "E'it''s \\\\ x'");
    const q = { text: 'SELECT "$1", "a""$2" FROM t WHERE ("k", "$3") > ($1, $2) LIMIT 5', values: ["o'k", 'b\\s'] };
    assert.equal(copyStatement(q), `COPY (SELECT "$1", "a""$2" FROM t WHERE ("k", "$3") > (E'o''k', E'b\\\\s') LIMIT 5) TO STDOUT`);
    assert.throws(() => copyStatement({ text: 'SELECT $3', values: ['a'] }), /no value for parameter \$3/);
    assert.throws(() => sqlLiteral('a\u0000b'), /NUL/);
  });
});

describe('ChunkRows', () => {
  const reg = new TypeRegistry();
  // int8, text, timestamptz, numeric, int4[], an unknown type (text): a composite key (text, int8).
  const types = [20, 25, 1184, 1700, 1007, 99999].map((oid) => reg.lookup(oid));
  const keyIndexes = [1, 0];
  const cells: (string | null)[][] = [
    ['1', "it's \\ ü", '2024-01-01 10:00:00.123456+02', '1.50', '{1,NULL,3}', 'x'],
    ['2', 'b', '2024-01-01 00:00:00+00', null, null, null],
    ['-9223372036854775808', '', '1999-12-31 23:59:59.999999+00', 'NaN', '{}', ''],
  ];

  it('decodes each row with the stream decoder, keeps the key texts as printed, computes key texts on demand', () => {
    const rows = new ChunkRows(types, keyIndexes);
    for (const c of cells) rows.cells([...c]);
    assert.equal(rows.length, 3);
    const expected = cells.map((c) => c.map((t, i) => (t === null ? null : decodeTextValue(t, types[i] ?? reg.lookup(25)))));
    assert.deepEqual(
      cells.map((_, r) => cells[0]?.map((_c, c) => rows.value(r, c))),
      expected,
    );
    assert.deepEqual(rows.rawKey(0), ["it's \\ ü", '1']);
    assert.deepEqual(rows.rawKey(2), ['', '-9223372036854775808']);
    assert.deepEqual(rows.lastRawKey(), ['', '-9223372036854775808']);
    const texts = expected.map((v) => keyText(v, keyIndexes));
    assert.deepEqual(rows.keyTexts(), texts);
    assert.equal(rows.keyTextSet().has(texts[1] ?? ''), true);
    assert.equal(rows.keyTextSet().has(keyText([3n, 'b'], [1, 0])), false);
    assert.equal(new ChunkRows(types, keyIndexes).lastRawKey(), undefined);
  });

  /** A row as COPY text prints it: tab between cells, `\\N` for NULL, backslash escapes. */
  const copyLine = (row: readonly (string | null)[]): string =>
    `${row
      .map((c) =>
        c === null
          ? '\\N'
          : c
              .replace(/\\/g, '\\\\')
              .replace(/\t/g, '\\t')
              .replace(/\n/g, '\\n')
              .replace(/\r/g, '\\r')
              .replace(/\x08/g, '\\b')
              .replace(/\f/g, '\\f')
              .replace(/\v/g, '\\v'),
      )
      .join('\t')}\n`;

  it('reads COPY text (escapes, NULLs, rows split across messages) into the same values as text cells', () => {
    const odd: (string | null)[][] = [
      ...cells,
      ['3', 'tab\there\nnew\r\x08\f\v \\N \\', '2024-01-01 00:00:00+00', '-0.5', '{5,"6"}', '\\N'],
      ['4', 'N', '2024-01-01 00:00:00+00', null, '{}', '\\'],
    ];
    const text = Buffer.from(odd.map(copyLine).join(''), 'utf8');
    // Buffers sized from an expected size (the table's previous chunk): too small, exact, far too large.
    const sizes = [undefined, { rows: 1, bytes: 8 }, { rows: odd.length, bytes: text.length }, { rows: 10_000, bytes: 1 << 20 }];
    // Messages of `cut` bytes, or (0) one message per row as COPY sends them (rows without a backslash
    // are then copied whole).
    for (const [cut, expect] of [0, 1, 7, 64, text.length].flatMap((c) => sizes.map((e) => [c, e] as const))) {
      const copied = new ChunkRows(types, keyIndexes, expect);
      if (cut === 0) for (const row of odd) copied.copyData(Buffer.from(copyLine(row), 'utf8'));
      else for (let p = 0; p < text.length; p += cut) copied.copyData(text.subarray(p, p + cut));
      copied.end();
      const fromCells = new ChunkRows(types, keyIndexes);
      for (const c of odd) fromCells.cells(c);
      assert.equal(copied.length, odd.length);
      for (let r = 0; r < odd.length; r++) {
        for (let c = 0; c < types.length; c++)
          assert.deepEqual(copied.value(r, c), fromCells.value(r, c), `row ${r} column ${c}, messages of ${cut} bytes, expected ${JSON.stringify(expect)}`);
        assert.deepEqual(copied.rawKey(r), fromCells.rawKey(r));
      }
      assert.deepEqual(copied.keyTexts(), fromCells.keyTexts());
      const block = copied.block({
        schema: { id: { schema: 'public', name: 't' } } as TableSchema,
        version: 7n,
        commitTimeMicros: 1n,
        snapshotRead: 'r1',
        keep: [4, 1],
      });
      assert.equal(block.length, 2);
      const rec = block.record(0);
      assert.equal(rec.ordinal, 0);
      assert.equal(rec.commitLsn, 7n);
      assert.equal(rec.snapshotRead, 'r1');
      assert.deepEqual(rec.after, [4n, 'N', copied.value(4, 2), null, [], '\\']);
    }
    // The buffers grown while reading are trimmed to the rows at the end (the chunk is kept until durable).
    const many = new ChunkRows(types, keyIndexes);
    const line = Buffer.from(copyLine(['1', 'a'.repeat(100), '2024-01-01 00:00:00+00', '1', '{}', 'x']));
    for (let i = 0; i < 700; i++) many.copyData(line);
    const grown = many.bytes;
    many.end();
    assert.ok(many.bytes < grown && many.bytes < line.length * 700 + 700 * 6 * 8 + 1024, `${grown} → ${many.bytes} bytes`);
    assert.deepEqual(many.value(699, 1), 'a'.repeat(100));
    assert.equal(many.length, 700);
    // Sized for far more rows than came: trimmed too.
    const fewer = new ChunkRows(types, keyIndexes, { rows: 10_000, bytes: line.length * 10_000 });
    const sized = fewer.bytes;
    for (let i = 0; i < 700; i++) fewer.copyData(line);
    fewer.end();
    assert.ok(sized > line.length * 10_000 && fewer.bytes < line.length * 700 + 700 * 6 * 8 + 1024, `${sized} → ${fewer.bytes} bytes`);
    assert.equal(fewer.textBytes, many.textBytes);
    assert.deepEqual(fewer.value(699, 1), 'a'.repeat(100));

    const bad = new ChunkRows(types, keyIndexes);
    assert.throws(() => bad.copyData(Buffer.from('1\tx\n')), /COPY row has 2 cells, expected 6/);
    assert.throws(() => bad.copyData(Buffer.from('1\tx\t2024-01-01 00:00:00+00\t1\t{}\ty\tz\n')), /more than 6 cells/);
    bad.copyData(Buffer.from('1\tx'));
    assert.throws(() => bad.end(), /ended inside a row/);
    assert.throws(
      () => new ChunkRows(types, keyIndexes).copyData(Buffer.from('x1\ta\t2024-01-01 00:00:00+00\t1\t{}\t\n')),
      (e: unknown) => e instanceof CellDecodeError && e.column === 0,
    );
  });

  it('a cell that cannot be decoded names its column', () => {
    const rows = new ChunkRows(types, keyIndexes);
    assert.throws(
      () => rows.cells(['x1', 'a', '2024-01-01 00:00:00+00', '1', '{}', '']),
      (e: unknown) => e instanceof CellDecodeError && e.column === 0 && /int8|integer/.test(e.message),
    );
  });
});

describe('young generation of a one-off copy', () => {
  it('grows unless the operator sized it (a flag of the family on the command line or in NODE_OPTIONS)', () => {
    assert.equal(youngGenerationMayGrow([]), true);
    assert.equal(youngGenerationMayGrow(['--inspect', '--import', '--max-old-space-size=512']), true);
    for (const f of ['--max-semi-space-size=8', '--min_semi_space_size=4', '--semi-space-growth-factor=1', '--max-heap-size=300']) {
      assert.equal(youngGenerationMayGrow(['--inspect', f]), false, f);
    }
  });
});
