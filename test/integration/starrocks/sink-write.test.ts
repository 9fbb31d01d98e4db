import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RowBlock, TableSchema, Value } from '../../../core/index.js';
import { CdcError, DecimalValue, JsonText, SpecialNumber, TemporalValue, UNCHANGED } from '../../../core/index.js';
import type { StarRocksSink } from '../../../connectors/starrocks/index.js';
import { column, del, ins, tableSchema, upd } from '../../unit/starrocks/fixtures.js';
import type { Harness } from './harness.js';
import { batch, DB, rowsById, signal, startHarness } from './harness.js';

describe('StarRocks sink writes (emulator)', () => {
  let h: Harness;
  let sink: StarRocksSink;
  const docs = tableSchema('docs', [column('id', 'int8', true), column('title', 'text'), column('body', 'text'), column('n', 'int4')]);
  const SYNCED = new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123));

  before(async () => {
    h = await startHarness();
    await h.create(`${DB}.docs (id BIGINT NOT NULL, title STRING, body STRING, n INT) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    sink = h.sink({}, { now: () => SYNCED });
    await sink.setup([docs]);
  });
  after(async () => {
    await h.close();
  });

  /** A block of snapshot rows of `docs` (id, title; body 'b', n 1). */
  const blockOf = (version: bigint, read: string, rows: readonly (readonly [bigint, string])[]): RowBlock => {
    const values = (i: number): Value[] => {
      const [id, title] = rows[i] ?? [0n, ''];
      return [id, title, 'b', 1];
    };
    return {
      schema: docs,
      length: rows.length,
      version,
      commitTimeMicros: 5n,
      snapshotRead: read,
      bytes: 0,
      values: (i, out) => {
        out.length = 0;
        out.push(...values(i));
      },
      value: (i, c) => values(i)[c] ?? null,
      record: (i) => ({ ...ins(docs, version, values(i)), ordinal: i, snapshotRead: read }),
    };
  };

  function doc(id: number): Record<string, unknown> | undefined {
    return rowsById(h, 'docs').get(String(id));
  }

  it('inserts full rows with the audit columns', async () => {
    const res = await sink.write(batch(docs, [ins(docs, 100n, [1n, 't1', 'big body', 1]), ins(docs, 101n, [2n, 't2', 'b2', 2])]), signal());
    assert.equal(res.rowsWritten, 2);
    assert.equal(res.loads, 1);
    assert.ok(res.bytesWritten > 0);
    assert.deepEqual(doc(1), {
      id: 1n,
      title: 't1',
      body: 'big body',
      n: 1n,
      dbmazz_op_type: 0n,
      dbmazz_is_deleted: false,
      dbmazz_synced_at: '2024-05-06 07:08:09.123000',
      dbmazz_cdc_version: 100n,
    });
    const load = h.emu.loads().at(-1);
    assert.equal(load?.headers['merge_condition'], 'dbmazz_cdc_version');
    assert.equal(load?.headers['partial_update'], undefined);
  });

  it('a partial update keeps the unchanged (TOAST) values', async () => {
    await sink.write(batch(docs, [upd(docs, 110n, [1n, 't1-new', UNCHANGED, 10])]), signal());
    const row = doc(1);
    assert.equal(row?.['title'], 't1-new');
    assert.equal(row?.['body'], 'big body');
    assert.equal(row?.['n'], 10n);
    assert.equal(row?.['dbmazz_op_type'], 1n);
    assert.equal(row?.['dbmazz_cdc_version'], 110n);
    const load = h.emu.loads().at(-1);
    assert.equal(load?.headers['partial_update'], 'true');
    assert.equal(load?.headers['partial_update_mode'], 'row');
    assert.equal(load?.headers['columns'], '`id`,`title`,`n`,`dbmazz_op_type`,`dbmazz_is_deleted`,`dbmazz_synced_at`,`dbmazz_cdc_version`');
  });

  it('rows with different unchanged columns go into separate loads, none nulls a value', async () => {
    await sink.write(batch(docs, [ins(docs, 120n, [3n, 't3', 'b3', 3]), ins(docs, 121n, [4n, 't4', 'b4', 4])]), signal());
    const res = await sink.write(
      batch(docs, [upd(docs, 130n, [3n, UNCHANGED, 'b3-new', 30]), upd(docs, 131n, [4n, 't4-new', UNCHANGED, UNCHANGED])]),
      signal(),
    );
    assert.equal(res.loads, 2);
    assert.deepEqual([doc(3)?.['title'], doc(3)?.['body'], doc(3)?.['n']], ['t3', 'b3-new', 30n]);
    assert.deepEqual([doc(4)?.['title'], doc(4)?.['body'], doc(4)?.['n']], ['t4-new', 'b4', 4n]);
  });

  it('a delete is a soft delete that keeps the last values', async () => {
    await sink.write(batch(docs, [del(docs, 140n, [2n, null, null, null])]), signal());
    assert.deepEqual(doc(2), {
      id: 2n,
      title: 't2',
      body: 'b2',
      n: 2n,
      dbmazz_op_type: 2n,
      dbmazz_is_deleted: true,
      dbmazz_synced_at: '2024-05-06 07:08:09.123000',
      dbmazz_cdc_version: 140n,
    });
  });

  it('delete then re-insert in one batch ends live', async () => {
    await sink.write(batch(docs, [del(docs, 150n, [3n, null, null, null]), ins(docs, 151n, [3n, 'again', 'b', 1])]), signal());
    assert.equal(doc(3)?.['dbmazz_is_deleted'], false);
    assert.equal(doc(3)?.['title'], 'again');
  });

  it('merge_condition: an older change never overwrites a newer row (replay beyond the label window)', async () => {
    await sink.write(batch(docs, [ins(docs, 500n, [9n, 'new', 'b', 5])]), signal());
    // An older change of the same key, in a different batch (different label).
    await sink.write(batch(docs, [upd(docs, 400n, [9n, 'old', 'b', 4])]), signal());
    assert.equal(doc(9)?.['title'], 'new');
    assert.equal(doc(9)?.['dbmazz_cdc_version'], 500n);
    // An older soft delete does not win either.
    await sink.write(batch(docs, [del(docs, 450n, [9n, null, null, null])]), signal());
    assert.equal(doc(9)?.['dbmazz_is_deleted'], false);
    // Ties apply (same version replayed, in a batch cut differently: another label).
    await sink.write(batch(docs, [upd(docs, 500n, [9n, 'same-version', 'b', 5]), ins(docs, 501n, [10n, 'other', 'b', 1])]), signal());
    assert.equal(doc(9)?.['title'], 'same-version');
  });

  it('a key change soft-deletes the old key and writes the new one', async () => {
    await sink.write(batch(docs, [ins(docs, 600n, [20n, 'k', 'kb', 1])]), signal());
    await sink.write(batch(docs, [upd(docs, 610n, [21n, 'k', 'kb', 1], { oldKey: [20n] })]), signal());
    assert.equal(doc(20)?.['dbmazz_is_deleted'], true);
    assert.equal(doc(20)?.['title'], 'k');
    assert.equal(doc(21)?.['dbmazz_is_deleted'], false);
    assert.equal(doc(21)?.['body'], 'kb');
  });

  it("key change with unchanged TOAST values: filled from a before-image, or else from the old key's stored row", async () => {
    await sink.write(batch(docs, [ins(docs, 620n, [30n, 't', 'toasted', 1]), ins(docs, 621n, [40n, 't', 'toasted', 1])]), signal());
    // REPLICA IDENTITY FULL: the before-image carries the unchanged value.
    await sink.write(batch(docs, [upd(docs, 630n, [31n, 't2', UNCHANGED, 2], { oldKey: [30n], before: [30n, 't', 'toasted', 1] })]), signal());
    assert.equal(doc(31)?.['body'], 'toasted');
    assert.equal(doc(30)?.['dbmazz_is_deleted'], true);
    // Default replica identity: the value is not in the change; the sink takes it from the old key's row in StarRocks.
    await sink.write(batch(docs, [upd(docs, 640n, [41n, 't2', UNCHANGED, 2], { oldKey: [40n] })]), signal());
    assert.equal(doc(41)?.['title'], 't2');
    assert.equal(doc(41)?.['body'], 'toasted');
    assert.equal(doc(40)?.['body'], 'toasted');
    assert.equal(doc(40)?.['dbmazz_is_deleted'], true);
  });

  it('a non-ASCII column name (`prénom`) travels in the columns header as UTF-8 and matches its column', async () => {
    await h.create(`${DB}.clients (id BIGINT NOT NULL, \`prénom\` STRING, notes STRING) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`);
    const c = tableSchema('clients', [column('id', 'int8', true), column('prénom', 'text'), column('notes', 'text')]);
    const s2 = h.sink();
    await s2.setup([c]);
    await s2.write(batch(c, [ins(c, 800n, [1n, 'Zoé', 'long notes']), ins(c, 801n, [2n, 'Hélène', 'n2'])]), signal());
    // A partial update (notes unchanged) lists `prénom` among the load's columns.
    await s2.write(batch(c, [upd(c, 810n, [1n, 'Zoë', UNCHANGED])]), signal());
    const rows = rowsById(h, 'clients');
    assert.equal(rows.get('1')?.['prénom'], 'Zoë');
    assert.equal(rows.get('1')?.['notes'], 'long notes');
    assert.equal(rows.get('2')?.['prénom'], 'Hélène');
    const last = h.emu.loads().at(-1);
    assert.equal(last?.status, 'Success');
    assert.equal(last?.headers['partial_update'], 'true');
    assert.match(last?.headers['columns'] ?? '', /^`id`,`prénom`,/);
  });

  it('round-trips bigint, 38-digit decimals, JSON, unicode, µs timestamps, bytes and arrays', async () => {
    await h.create(
      `${DB}.types (id BIGINT NOT NULL, big LARGEINT, dec DECIMAL(38, 10), j JSON, s STRING, ts DATETIME, d DATE, bin VARBINARY, arr ARRAY<INT>, f DOUBLE, flag BOOLEAN) PRIMARY KEY(id) DISTRIBUTED BY HASH(id)`,
    );
    const t: TableSchema = tableSchema('types', [
      column('id', 'int8', true),
      column('big', 'numeric'),
      column('dec', 'numeric'),
      column('j', 'json'),
      column('s', 'text'),
      column('ts', 'timestamptz'),
      column('d', 'date'),
      column('bin', 'bytea'),
      { ...column('arr', 'array'), elementFamily: 'int4' },
      column('f', 'float8'),
      column('flag', 'boolean'),
    ]);
    const s2 = h.sink();
    await s2.setup([t]);
    const text = 'tab\t "quote" \\ nl\n é 日本 😀 \u0001';
    await s2.write(
      batch(t, [
        ins(t, 700n, [
          9223372036854775807n,
          new DecimalValue('170141183460469231731687303715884105727'),
          new DecimalValue('1234567890123456789012345678.1234567891'),
          new JsonText('{"a": 12345678901234567890, "b": [true, null]}'),
          text,
          new TemporalValue('timestamptz', '2024-01-02 03:04:05.123456'),
          new TemporalValue('date', '2024-02-29'),
          new Uint8Array([0, 1, 2, 0xff]),
          [1, null, 3],
          1.5,
          true,
        ]),
        ins(t, 701n, [
          1n,
          null,
          null,
          null,
          null,
          new TemporalValue('timestamp', 'infinity'),
          new TemporalValue('date', '-infinity'),
          null,
          [],
          new SpecialNumber('NaN'),
          false,
        ]),
        ins(t, 702n, [2n, null, null, null, null, null, null, new Uint8Array(0), null, null, null]),
      ]),
      signal(),
    );
    const rows = new Map(h.emu.rows(DB, 'types').map((r) => [String(r['id']), r]));
    const a = rows.get('9223372036854775807');
    assert.equal(a?.['big'], 170141183460469231731687303715884105727n);
    assert.equal(a?.['dec'], '1234567890123456789012345678.1234567891');
    assert.equal(a?.['j'], '{"a":12345678901234567890,"b":[true,null]}');
    assert.equal(a?.['s'], text);
    assert.equal(a?.['ts'], '2024-01-02 03:04:05.123456');
    assert.equal(a?.['d'], '2024-02-29');
    assert.deepEqual(a?.['bin'], Buffer.from([0, 1, 2, 0xff]));
    assert.deepEqual(a?.['arr'], [1n, null, 3n]);
    assert.equal(a?.['f'], 1.5);
    assert.equal(a?.['flag'], true);
    const b = rows.get('1');
    assert.equal(b?.['ts'], null);
    assert.equal(b?.['d'], null);
    assert.equal(b?.['f'], null);
    // An empty bytea stays an empty VARBINARY (to_binary(…, 'hex') of '' is empty; 'encode64' would give NULL).
    assert.deepEqual(rows.get('2')?.['bin'], Buffer.alloc(0));
    assert.ok(h.logs.some((l) => /without a StarRocks representation/.test(l.msg) && l['count'] === 3));
  });

  it('a block of snapshot rows: one load that sets the audit columns in its header; an older block loses, a newer change wins', async () => {
    const V = 0xa000n;
    const write = (block: RowBlock) => sink.write({ ...batch(docs, [], { first: block.version, last: block.version }), rows: block }, signal());
    h.emu.clearLoads();
    const res = await write(
      blockOf(V, 'docs:7:a', [
        [700n, 'snap'],
        [701n, 'snap'],
      ]),
    );
    assert.equal(res.rowsWritten, 2);
    const load = h.emu.loads().at(-1);
    assert.equal(load?.status, 'Success');
    assert.equal(
      load?.headers['columns'],
      `\`id\`,\`title\`,\`body\`,\`n\`,\`dbmazz_op_type\`=0,\`dbmazz_is_deleted\`=false,\`dbmazz_synced_at\`='2024-05-06 07:08:09.123000',\`dbmazz_cdc_version\`=${V}`,
    );
    assert.deepEqual(doc(700), {
      id: 700n,
      title: 'snap',
      body: 'b',
      n: 1n,
      dbmazz_op_type: 0n,
      dbmazz_is_deleted: false,
      dbmazz_synced_at: '2024-05-06 07:08:09.123000',
      dbmazz_cdc_version: V,
    });
    // A change after the copy, then a stale copy of the same rows (an older version): the change stays.
    await sink.write(batch(docs, [upd(docs, V + 1n, [701n, 'changed', 'b', 2])]), signal());
    await write(
      blockOf(V - 1n, 'docs:7:b', [
        [700n, 'stale'],
        [701n, 'stale'],
        [702n, 'stale'],
      ]),
    );
    assert.equal(h.emu.loads().at(-1)?.status, 'Success');
    assert.deepEqual(
      [700, 701, 702].map((id) => [doc(id)?.['title'], doc(id)?.['dbmazz_cdc_version']]),
      [
        ['snap', V],
        ['changed', V + 1n],
        ['stale', V - 1n],
      ],
    );
  });

  it('a large block is encoded in slices: aborted between two, nothing is sent; not aborted, one load of every row', async () => {
    const V = 0xb000n;
    const rows = Array.from({ length: 2500 }, (_, i) => [BigInt(10_000 + i), `r${i}`] as const);
    const write = (s: AbortSignal) => sink.write({ ...batch(docs, [], { first: V, last: V }), rows: blockOf(V, 'docs:8:a', rows) }, s);
    h.emu.clearLoads();
    const stop = new AbortController();
    const aborted = write(stop.signal);
    // Queued before the encoder's first yield (2500 rows are three slices of 1000).
    setImmediate(() => stop.abort(new Error('stop now')));
    // The encoder stops between two slices (not only the HTTP client, which refuses an aborted signal too).
    await assert.rejects(aborted, (e: unknown) => e instanceof CdcError && e.message === 'load aborted' && e.retry === 'retry');
    assert.equal(h.emu.loads().length, 0, 'no Stream Load was sent');
    assert.equal(doc(10_000), undefined);
    const res = await write(signal());
    assert.equal(res.rowsWritten, 2500);
    assert.deepEqual(
      h.emu.loads().map((l) => l.status),
      ['Success'],
    );
    assert.equal(doc(12_499)?.['title'], 'r2499');
  });

  it('snapshot rows: two chunk reads at the same version, positions and count both land (no shared label)', async () => {
    // Two chunks of one table injected at one version V: rows (V, 0) and (V, 1) each, told apart only
    // by their read id. The second load would be skipped as "Label Already Exists" under a shared label.
    const V = 0x9000n;
    const chunk = (read: string, ids: readonly bigint[]) =>
      ids.map((id, ordinal) => ({ ...ins(docs, V, [id, `from ${read}`, 'b', 1]), ordinal, snapshotRead: read }));
    const first = chunk('docs:1:run', [500n, 501n]);
    const second = chunk('docs:2:run', [502n, 503n]);
    h.emu.clearLoads();
    await sink.write(batch(docs, first), signal());
    await sink.write(batch(docs, first), signal()); // a retry of the same batch: the same label, skipped
    await sink.write(batch(docs, second), signal());
    const loads = h.emu.loads().map((l) => [l.label, l.status]);
    assert.equal(loads.length, 3);
    assert.equal(loads[1]?.[0], loads[0]?.[0], 'a retry keeps its label');
    assert.deepEqual(
      loads.map((l) => l[1]),
      ['Success', 'Label Already Exists', 'Success'],
    );
    for (const id of [500, 501, 502, 503]) {
      assert.equal(doc(id)?.['title'], `from docs:${id < 502 ? 1 : 2}:run`);
      assert.equal(doc(id)?.['dbmazz_cdc_version'], V);
    }
  });
});
