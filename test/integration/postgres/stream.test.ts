import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue, UNCHANGED, type ChangeRecord, type SourceEvent } from '../../../core/index.js';
import type { PostgresSource } from '../../../connectors/postgres/index.js';
import { inTransaction, startPostgres, type PgHarness } from 'dbmazz-postgres-sandbox';
import { Collector, createSource } from './helpers.js';

const col = (r: ChangeRecord, name: string): unknown => {
  const i = r.schema.columns.findIndex((c) => c.name === name);
  const cells = r.op === 'delete' ? r.before : r.after;
  return cells[i];
};

describe('PostgreSQL source streaming', () => {
  let pg: PgHarness;
  let src: PostgresSource;
  const c = new Collector();

  before(async () => {
    pg = await startPostgres();
    // Database defaults that would change pgoutput's text output: the source's session overrides them.
    for (const s of [
      "DateStyle = 'SQL, DMY'",
      "IntervalStyle = 'iso_8601'",
      "TimeZone = 'Asia/Kolkata'",
      "bytea_output = 'escape'",
      'extra_float_digits = 0',
    ]) {
      await pg.query(`ALTER DATABASE postgres SET ${s}`);
    }
    await pg.query("CREATE TYPE mood AS ENUM ('sad', 'happy')");
    await pg.query('CREATE DOMAIN posint8 AS int8 CHECK (VALUE > 0)');
    await pg.query(`CREATE TABLE typed (
      id bigint PRIMARY KEY, i2 smallint, i4 int, i8 bigint, num numeric, f4 real, f8 double precision, b bool,
      t text, vc varchar(10), bp char(3), j json, jb jsonb, u uuid, d date, tm time, ttz timetz, ts timestamp,
      tstz timestamptz, iv interval, by bytea, m money, arr int[], tarr text[], md mood, dom posint8, nul text)`);
    await pg.query('CREATE TABLE kv (k int PRIMARY KEY, v text, big text)');
    await pg.query('ALTER TABLE kv ALTER COLUMN big SET STORAGE EXTERNAL'); // TOAST without compression
    await pg.query('CREATE TABLE kv_full (k int PRIMARY KEY, v text, big text)');
    await pg.query('ALTER TABLE kv_full ALTER COLUMN big SET STORAGE EXTERNAL');
    await pg.query('CREATE TABLE evolving (id int PRIMARY KEY, a text)');
    await pg.query('CREATE TABLE not_selected (id int PRIMARY KEY)');
    src = createSource(pg, { slot: 'stream', tables: ['typed', 'kv', 'kv_full', 'evolving'], replicaIdentityFull: false });
    await src.validateConnection();
    await src.setup();
    await pg.query('ALTER TABLE kv_full REPLICA IDENTITY FULL');
    // A table a user added to the publication: its changes are not ours.
    await pg.query('ALTER PUBLICATION stream_pub ADD TABLE not_selected');
    c.onEvent = (ev) => {
      if (ev.kind === 'commit' || ev.kind === 'idle') src.acknowledge(ev.position);
    };
    await src.start(c.handler);
  });
  after(async () => {
    await src?.close();
    await pg?.close();
  });

  const nextChanges = async (n: number, fn: () => Promise<unknown>): Promise<ChangeRecord[]> => {
    const from = c.changes().length;
    await fn();
    await c.waitForChanges(from + n);
    return c.changes().slice(from);
  };

  it('INSERT of every supported type arrives with full fidelity', async () => {
    const [r] = await nextChanges(1, () =>
      pg.query(`INSERT INTO typed VALUES (
        1, -32768, 2147483647, 9223372036854775807, 1234567890123456789012345678901234567890.0123456789, 'NaN', '-Infinity', true,
        'héllo', 'abc', 'ab', '{"a": 1.00000000000000000001}', '{"b": [1, 2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
        '0044-03-15 BC', '23:59:59.999999', '12:00:00.5+05:30', '2024-01-02 03:04:05.123456',
        '2024-03-01 00:15:00.123456+05:30', '1 year 2 mons 3 days 04:05:06.789', '\\xdeadbeef', 1234.56,
        '{1,NULL,3}', '{"a b","c\\"d",NULL}', 'happy', 9007199254740993, NULL)`),
    );
    assert.ok(r && r.op === 'insert');
    assert.deepEqual(r.schema.id, { schema: 'public', name: 'typed' });
    assert.equal(col(r, 'id'), 1n);
    assert.equal(col(r, 'i2'), -32768);
    assert.equal(col(r, 'i4'), 2147483647);
    assert.equal(col(r, 'i8'), 9223372036854775807n);
    assert.deepEqual(col(r, 'num'), new DecimalValue('1234567890123456789012345678901234567890.0123456789'));
    assert.deepEqual(col(r, 'f4'), new SpecialNumber('NaN'));
    assert.deepEqual(col(r, 'f8'), new SpecialNumber('-Infinity'));
    assert.equal(col(r, 'b'), true);
    assert.equal(col(r, 't'), 'héllo');
    assert.equal(col(r, 'vc'), 'abc');
    assert.equal(col(r, 'bp'), 'ab ');
    assert.deepEqual(col(r, 'j'), new JsonText('{"a": 1.00000000000000000001}'));
    assert.deepEqual(col(r, 'jb'), new JsonText('{"b": [1, 2]}'));
    assert.equal(col(r, 'u'), 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    assert.deepEqual(col(r, 'd'), new TemporalValue('date', '0044-03-15 BC'));
    assert.deepEqual(col(r, 'tm'), new TemporalValue('time', '23:59:59.999999'));
    assert.deepEqual(col(r, 'ttz'), new TemporalValue('timetz', '12:00:00.5+05:30'));
    assert.deepEqual(col(r, 'ts'), new TemporalValue('timestamp', '2024-01-02 03:04:05.123456'));
    assert.deepEqual(col(r, 'tstz'), new TemporalValue('timestamptz', '2024-02-29 18:45:00.123456'));
    assert.deepEqual(col(r, 'iv'), new TemporalValue('interval', '1 year 2 mons 3 days 04:05:06.789'));
    assert.deepEqual(col(r, 'by'), new Uint8Array([0xde, 0xad, 0xbe, 0xef]));
    assert.deepEqual(col(r, 'm'), new DecimalValue('1234.56'));
    assert.deepEqual(col(r, 'arr'), [1, null, 3]);
    assert.deepEqual(col(r, 'tarr'), ['a b', 'c"d', null]);
    assert.equal(col(r, 'md'), 'happy');
    assert.equal(col(r, 'dom'), 9007199254740993n);
    assert.equal(col(r, 'nul'), null);
    assert.ok(r.commitTimeMicros > 1_600_000_000_000_000n && r.commitTimeMicros < 4_000_000_000_000_000n, 'µs since the Unix epoch');
    assert.ok(r.lsn <= r.commitLsn);
  });

  it('UPDATE and DELETE; one transaction shares commitLsn, each record has its own increasing LSN', async () => {
    const from = c.events.length;
    const recs = await nextChanges(4, async () => {
      await pg.query('INSERT INTO kv VALUES (1, $1, NULL)', ['one']);
      await inTransaction(pg, async (cl) => {
        await cl.query("UPDATE kv SET v = 'uno' WHERE k = 1");
        await cl.query("INSERT INTO kv VALUES (2, 'two', NULL)");
        await cl.query('DELETE FROM kv WHERE k = 2');
      });
    });
    assert.deepEqual(
      recs.map((r) => r.op),
      ['insert', 'update', 'insert', 'delete'],
    );
    const [, u, , d] = recs;
    assert.ok(u?.op === 'update' && d?.op === 'delete');
    assert.deepEqual(u.after, [1, 'uno', null]);
    assert.equal(u.oldKey, undefined);
    assert.deepEqual(d.before, [2, null, null], 'default identity: key only');
    assert.equal(d.fullBefore, false);
    const tx = recs.slice(1);
    assert.ok(tx.every((r) => r.commitLsn === u.commitLsn));
    assert.ok(tx[0] && tx[1] && tx[2] && tx[0].lsn < tx[1].lsn && tx[1].lsn < tx[2].lsn);
    await c.waitForCommits(c.commits().length);
    const commit = c.events
      .slice(from)
      .filter((e): e is Extract<SourceEvent, { kind: 'commit' }> => e.kind === 'commit')
      .at(-1);
    assert.ok(commit && commit.commitLsn === u.commitLsn && commit.position > commit.commitLsn);
    // The commit event comes after the transaction's records.
    const idx = c.events.indexOf(commit);
    assert.ok(c.events.slice(0, idx).some((e) => e.kind === 'change' && e.record === d));
  });

  it('a primary key change gives oldKey', async () => {
    const [r] = await nextChanges(1, () => pg.query('UPDATE kv SET k = 10 WHERE k = 1'));
    assert.ok(r?.op === 'update');
    assert.deepEqual(r.oldKey, [1]);
    assert.equal(col(r, 'k'), 10);
  });

  it("an unchanged TOAST value ('u') arrives as UNCHANGED", async () => {
    await nextChanges(1, () => pg.query("INSERT INTO kv VALUES (20, 'a', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)))"));
    const [r] = await nextChanges(1, () => pg.query("UPDATE kv SET v = 'b' WHERE k = 20"));
    assert.ok(r?.op === 'update');
    assert.equal(col(r, 'v'), 'b');
    assert.equal(col(r, 'big'), UNCHANGED);
  });

  it('default identity: a key change of a row with an unchanged TOAST value gives oldKey and UNCHANGED (no old row)', async () => {
    await nextChanges(1, () => pg.query("INSERT INTO kv VALUES (30, 'a', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)))"));
    const [r] = await nextChanges(1, () => pg.query('UPDATE kv SET k = 31 WHERE k = 30'));
    assert.ok(r?.op === 'update');
    assert.deepEqual(r.oldKey, [30]);
    assert.equal(col(r, 'k'), 31);
    assert.equal(col(r, 'big'), UNCHANGED);
    assert.equal(r.before, undefined);
  });

  it('with REPLICA IDENTITY FULL the unchanged TOAST value is filled from the old row, also on a key change', async () => {
    const [ins] = await nextChanges(1, () =>
      pg.query("INSERT INTO kv_full VALUES (1, 'a', (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 400)))"),
    );
    assert.ok(ins?.op === 'insert');
    const big = col(ins, 'big');
    assert.equal(typeof big, 'string');
    assert.ok((big as string).length > 8000);
    const [u] = await nextChanges(1, () => pg.query("UPDATE kv_full SET k = 2, v = 'b' WHERE k = 1"));
    assert.ok(u?.op === 'update');
    assert.deepEqual(u.oldKey, [1]);
    assert.equal(col(u, 'big'), big);
    assert.deepEqual(u.before, [1, 'a', big]);
    const [d] = await nextChanges(1, () => pg.query('DELETE FROM kv_full WHERE k = 2'));
    assert.ok(d?.op === 'delete' && d.fullBefore);
    assert.deepEqual(d.before, [2, 'b', big]);
  });

  it('TRUNCATE gives a truncate event for the selected tables only', async () => {
    const from = c.events.length;
    await pg.query('TRUNCATE kv, not_selected');
    const ev = await c.waitFor((e) => e.kind === 'truncate' && c.events.indexOf(e) >= from);
    assert.ok(ev.kind === 'truncate');
    assert.deepEqual(ev.tables, [{ schema: 'public', name: 'kv' }]);
    assert.ok(ev.lsn <= ev.commitLsn);
  });

  it('changes of a table the user added to the publication are not emitted', async () => {
    const before = c.changes().length;
    await pg.query('INSERT INTO not_selected VALUES (1)');
    await pg.query("INSERT INTO kv VALUES (99, 'marker', NULL)");
    await c.waitFor((e) => e.kind === 'change' && e.record.schema.id.name === 'kv' && col(e.record, 'k') === 99);
    assert.ok(
      c
        .changes()
        .slice(before)
        .every((r) => r.schema.id.name !== 'not_selected'),
    );
  });

  it('ALTER TABLE ADD COLUMN mid-stream: a schema event (with the previous schema) before the first record with it', async () => {
    await nextChanges(1, () => pg.query("INSERT INTO evolving VALUES (1, 'x')"));
    const from = c.events.length;
    await pg.query('ALTER TABLE evolving ADD COLUMN n numeric');
    await nextChanges(1, () => pg.query("INSERT INTO evolving VALUES (2, 'y', 2.5)"));
    const evs = c.events.slice(from);
    const si = evs.findIndex((e) => e.kind === 'schema');
    const ri = evs.findIndex((e) => e.kind === 'change');
    assert.ok(si >= 0 && si < ri, 'schema event first');
    const s = evs[si];
    const r = evs[ri];
    assert.ok(s?.kind === 'schema' && r?.kind === 'change');
    assert.deepEqual(
      s.previous?.columns.map((x) => x.name),
      ['id', 'a'],
    );
    assert.deepEqual(
      s.schema.columns.map((x) => x.name),
      ['id', 'a', 'n'],
    );
    assert.equal(s.schema.columns[2]?.family, 'numeric');
    assert.ok(s.previous && s.schema.version > s.previous.version);
    assert.equal(r.record.schema, s.schema);
    assert.deepEqual(r.record.op === 'insert' && r.record.after, [2, 'y', new DecimalValue('2.5')]);
  });

  it('idle events follow keepalives and status() reports the confirmed position', async () => {
    const ev = await c.waitFor((e) => e.kind === 'idle');
    assert.ok(ev.kind === 'idle' && ev.position > 0n);
    const st = src.status();
    assert.ok(st.receivedPosition >= st.confirmedPosition);
    assert.ok(st.confirmedPosition > 0n);
    const server = await src.serverPosition?.();
    assert.ok(server !== undefined && server >= st.confirmedPosition);
  });
});
