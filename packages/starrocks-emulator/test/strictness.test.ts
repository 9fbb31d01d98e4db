/**
 * Issue 9, "the emulator must be as strict as StarRocks": one test per behaviour, each citing the
 * StarRocks source it follows (see also docs/starrocks-emulator.md, "Fidelity choices (loads)").
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { col, createPk, createTable, load, ndjson, plainRows } from './helpers.js';
import { waitFor } from './sql-harness.js';
import { txnRequest } from '../src/stream-load-client.js';

describe('emulator strictness (issue 9)', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator({ schemaChangeMs: 300 });
    createTable(emu, 'd', 'bin', [col('id', 'INT', { key: true }), col('b', 'VARBINARY(3)'), col('nb', 'VARBINARY', { nullable: false, default: '' })]);
    createTable(emu, 'd', 'str', [col('id', 'INT', { key: true }), col('s', 'VARCHAR(3)'), col('ns', 'VARCHAR(3)', { nullable: false, default: 'x' })]);
    createTable(emu, 'd', 'num', [col('id', 'INT', { key: true }), col('dec', 'DECIMAL(5,2)'), col('i', 'INT'), col('big', 'BIGINT')]);
    createTable(emu, 'd', 'js', [col('id', 'INT', { key: true }), col('j', 'JSON'), col('s', 'VARCHAR(100)')]);
    createPk(emu);
  });
  after(() => emu.close());

  const bin = (id: number): unknown => emu.rows('d', 'bin').find((r) => r['id'] === BigInt(id))?.['b'];
  const row = (table: string, id: number): Record<string, unknown> | undefined => plainRows(emu, table).find((r) => r['id'] === id);

  describe('to_binary in a columns mapping', () => {
    it("'base64' is not a StarRocks format: it decodes as hex, so base64 text loads an EMPTY binary without an error", async () => {
      const r = await load(emu, 'bin', '{"id":1,"h":"AQID"}', { columns: "id, h, b = to_binary(h, 'base64')" });
      assert.equal(r.json['Status'], 'Success');
      assert.equal(r.json['NumberFilteredRows'], 0);
      assert.deepEqual(bin(1), Buffer.alloc(0));
    });

    it("'encode64' (any case) decodes base64; invalid or empty input is NULL, even in strict mode", async () => {
      const ok = await load(
        emu,
        'bin',
        ndjson([
          { id: 2, h: 'AQID' },
          { id: 3, h: '' },
          { id: 4, h: 'A*ID' },
        ]),
        { columns: "id, h, b = to_binary(h, 'ENCODE64')", strict_mode: 'true' },
      );
      assert.equal(ok.json['Status'], 'Success');
      assert.equal(ok.json['NumberFilteredRows'], 0, 'strict mode does not apply to computed columns (FileScanner::materialize)');
      assert.deepEqual(bin(2), Buffer.from([1, 2, 3]));
      assert.equal(bin(3), null);
      assert.equal(bin(4), null);
    });

    it('hex: non-hex text is an empty binary, not an error; NULL format or none → hex', async () => {
      const r = await load(
        emu,
        'bin',
        ndjson([
          { id: 5, h: 'zz' },
          { id: 6, h: 'A0b1' },
        ]),
        { columns: 'id, h, b = to_binary(h, NULL)' },
      );
      assert.equal(r.json['Status'], 'Success');
      assert.deepEqual(bin(5), Buffer.alloc(0));
      assert.deepEqual(bin(6), Buffer.from([0xa0, 0xb1]));
      await load(emu, 'bin', '{"id":7,"h":""}', { columns: 'id, h, b = to_binary(h)' });
      assert.deepEqual(bin(7), Buffer.alloc(0), "unhex('') is an empty string, not NULL");
    });

    it('a NULL result into a NOT NULL column filters the row; a result longer than the column is filtered in any mode', async () => {
      const nn = await load(emu, 'bin', '{"id":8,"h":"!!"}', { columns: "id, h, nb = to_binary(h, 'encode64')" });
      assert.equal(nn.json['Status'], 'Fail');
      assert.equal(nn.json['Message'], 'too many filtered rows');
      // VARBINARY(3) and 4 bytes computed by the mapping: OlapTableSink::_validate_data filters the row.
      const long = await load(emu, 'bin', '{"id":9,"h":"01020304"}', { columns: 'id, h, b = to_binary(h)' });
      assert.equal(long.json['Status'], 'Fail');
      assert.equal(long.json['Message'], 'too many filtered rows');
      const ratio = await load(emu, 'bin', '{"id":9,"h":"01020304"}', { columns: 'id, h, b = to_binary(h)', max_filter_ratio: '1' });
      assert.equal(ratio.json['NumberFilteredRows'], 1);
      assert.equal(bin(9), undefined);
    });
  });

  describe('VARCHAR(n): bytes; a plain column is read with its own type, a computed value meets the table sink', () => {
    it('a plain over-long field is a reader error: NULL in non-strict mode (row kept), filtered in strict mode', async () => {
      // be/src/formats/json/binary_column.cpp "Value length is beyond the capacity" + nullable_column.cpp
      // invalid_as_null = !strict_mode; StarRocks issues #33606, #67522 report the same NULL.
      const r = await load(emu, 'str', '{"id":1,"s":"éé"}', { columns: 'id, s' });
      assert.equal(r.json['Status'], 'Success');
      assert.equal(r.json['NumberFilteredRows'], 0);
      assert.equal(row('str', 1)?.['s'], null, '"éé" is 4 UTF-8 bytes, VARCHAR(3) holds 3');
      await load(emu, 'str', '{"id":2,"s":"ééé"}', { columns: 'id, s' });
      const strict = await load(emu, 'str', '{"id":3,"s":"éé"}', { columns: 'id, s', strict_mode: 'true' });
      assert.equal(strict.json['Message'], 'too many filtered rows');
      const notNull = await load(emu, 'str', '{"id":3,"s":"a","ns":"abcd"}');
      assert.equal(notNull.json['Message'], 'too many filtered rows', 'NULL into NOT NULL filters');
    });

    it('an over-long value computed by a mapping is filtered in any mode: the load fails at max_filter_ratio 0', async () => {
      const r = await load(emu, 'str', '{"id":4,"tmp":"abcd"}', { columns: 'id, tmp, s = tmp' });
      assert.equal(r.json['Status'], 'Fail');
      assert.equal(r.json['Message'], 'too many filtered rows');
      const k = await load(emu, 'str', '{"id":5}', { columns: "id, s = 'éé'" });
      assert.equal(k.json['Message'], 'too many filtered rows');
      assert.equal(row('str', 4), undefined);
      assert.equal((await load(emu, 'str', '{"id":6}', { columns: "id, s = 'é'" })).json['Status'], 'Success');
    });
  });

  describe('DECIMAL(p,s) from a load', () => {
    it('extra fraction digits are rounded half away from zero; integer overflow is NULL (filtered in strict mode)', async () => {
      const r = await load(
        emu,
        'num',
        ndjson([
          { id: 1, dec: 1.235 },
          { id: 2, dec: '-1.235' },
          { id: 3, dec: 1234.5 },
          { id: 4, dec: '1.5e1' },
        ]),
      );
      assert.equal(r.json['Status'], 'Success');
      assert.equal(r.json['NumberFilteredRows'], 0);
      assert.equal(row('num', 1)?.['dec'], '1.24');
      assert.equal(row('num', 2)?.['dec'], '-1.24');
      assert.equal(row('num', 3)?.['dec'], null);
      assert.equal(row('num', 4)?.['dec'], '15.00');
      const strict = await load(emu, 'num', '{"id":5,"dec":1234.5}', { strict_mode: 'true' });
      assert.equal(strict.json['Message'], 'too many filtered rows');
      const strictRound = await load(emu, 'num', '{"id":5,"dec":1.235}', { strict_mode: 'true' });
      assert.equal(strictRound.json['Status'], 'Success', 'rounding is not an error, not even in strict mode');
    });

    it('only the first p significant digits take part in the rounding (string_to_decimal)', async () => {
      const r = await load(
        emu,
        'num',
        ndjson([
          { id: 6, dec: 999.995 },
          { id: 7, dec: 99.995 },
        ]),
      );
      assert.equal(r.json['Status'], 'Success');
      assert.equal(row('num', 6)?.['dec'], '999.99', '6 digits into DECIMAL(5,2): the last is dropped, not rounded');
      assert.equal(row('num', 7)?.['dec'], '100.00');
    });
  });

  describe('JSON numbers into integer columns (be/src/formats/json/numeric_column.cpp)', () => {
    it('a double is truncated when inside the range, NULL when outside — compared as a double', async () => {
      const r = await load(
        emu,
        'num',
        '[{"id":10,"i":1.9e3},{"id":11,"i":-7.99},{"id":12,"i":2147483647.5},{"id":13,"i":-2147483648.9},{"id":14,"i":"2147483647.5"},{"id":15,"big":9007199254740993.5},{"id":16,"big":9.3e18},{"id":17,"i":2147483647}]',
        { strip_outer_array: 'true' },
      );
      assert.equal(r.json['Status'], 'Success');
      assert.equal(r.json['NumberFilteredRows'], 0);
      assert.equal(row('num', 10)?.['i'], 1900);
      assert.equal(row('num', 11)?.['i'], -7);
      assert.equal(row('num', 12)?.['i'], null, '2147483647.5 > INT max as a double: overflow, although its truncation fits');
      assert.equal(row('num', 13)?.['i'], null);
      assert.equal(row('num', 14)?.['i'], null, 'a string is parsed as int, then as a double with the same check');
      assert.equal(emu.rows('d', 'num').find((x) => x['id'] === 15n)?.['big'], 9007199254740994n, 'the double, not the decimal text');
      assert.equal(row('num', 16)?.['big'], null);
      assert.equal(row('num', 17)?.['i'], 2147483647);
    });
  });

  describe('JSON columns', () => {
    it('keys come out sorted by UTF-8 bytes, printed with ": " and ", " over MySQL', async () => {
      const doc = '{"b":1,"a":{"d":[2,{"z":0,"y":1}],"c":3},"\u00e9":0,"\ufb01":1,"\ud83d\ude00":2,"z":0,"aa":1,"":5}';
      assert.equal((await load(emu, 'js', `{"id":1,"j":${doc}}`)).json['Status'], 'Success');
      // UTF-8 byte order: "" < a < aa < b < z < é (C3 A9) < ﬁ (EF AC 81) < 😀 (F0 9F 98 80); UTF-16
      // order would put 😀 (D83D) before ﬁ (FB01).
      const sorted = '{"":5,"a":{"c":3,"d":[2,{"y":1,"z":0}]},"aa":1,"b":1,"z":0,"\u00e9":0,"\ufb01":1,"\ud83d\ude00":2}';
      assert.equal(emu.rows('d', 'js')[0]?.['j'], sorted);
      const res = await emu.sql('SELECT j FROM js WHERE id = 1', 'd');
      assert.ok(res.kind === 'rows');
      assert.equal(
        res.rows[0]?.[0],
        '{"": 5, "a": {"c": 3, "d": [2, {"y": 1, "z": 0}]}, "aa": 1, "b": 1, "z": 0, "\u00e9": 0, "\ufb01": 1, "\ud83d\ude00": 2}',
      );
      assert.equal((await load(emu, 'js', '2\t{"y": 1, "x": 2}\tz\n', { format: 'csv' })).json['Status'], 'Success');
      assert.equal(emu.rows('d', 'js').find((x) => x['id'] === 2n)?.['j'], '{"x":2,"y":1}', 'JSON text (CSV) is stored sorted too');
    });

    it('a value simdjson cannot read (bad escape) loads NULL and keeps the row; strict mode filters it', async () => {
      const body = '{"id":3,"j":{"a":"x\\sy"},"s":"ok"}\n{"id":4,"j":"\\ud800","s":"\\q"}\n{"id":5,"j":[1],"s":{"k":"\\s"},"unused":"\\s"}';
      const r = await load(emu, 'js', body);
      assert.equal(r.json['Status'], 'Success');
      assert.equal(r.json['NumberFilteredRows'], 0);
      assert.deepEqual(row('js', 3), { id: 3, j: null, s: 'ok' });
      assert.deepEqual(row('js', 4), { id: 4, j: null, s: null }, 'a lone surrogate and an unknown escape alike');
      assert.deepEqual(
        row('js', 5),
        { id: 5, j: '[1]', s: '{"k":"\\s"}' },
        'an object read as text is minified, not unescaped; an unread key is never unescaped',
      );
      const strict = await load(emu, 'js', '{"id":6,"j":{"a":"\\s"}}', { strict_mode: 'true' });
      assert.equal(strict.json['Message'], 'too many filtered rows');
      const badKey = await load(emu, 'js', '{"id":7,"\\s":1}');
      assert.equal(badKey.json['Message'], 'too many filtered rows', 'every key of the row is unescaped: a bad key fails the row');
      const syntax = await load(emu, 'js', '{"id":8,"j":{"a":1}');
      assert.equal(syntax.json['Message'], 'Unrecognized json format, stop json loader.', 'a structural error still fails the load');
    });
  });

  describe('columns with only mappings', () => {
    it("`columns: __op='delete'` with CSV: the fields are the table's columns", async () => {
      const up = await load(emu, 't', '1\ta\t1\t10\n2\tb\t2\t20\n', { format: 'csv' });
      assert.equal(up.json['NumberLoadedRows'], 2);
      const del = await load(emu, 't', '1\ta\t1\t10\n', { format: 'csv', columns: "__op='delete'" });
      assert.equal(del.json['Status'], 'Success');
      assert.deepEqual(
        plainRows(emu, 't').map((r) => r['id']),
        [2],
      );
      const konst = await load(emu, 't', '3\tc\t3\t30\n', { format: 'csv', columns: "v = 'const'" });
      assert.equal(konst.json['Status'], 'Success');
      assert.equal(row('t', 3)?.['v'], 'const', 'a mapping overrides the field of the same column');
    });

    it('__op literals: strings upsert/delete (any case), integers 0/1; other strings and literals are refused', async () => {
      assert.equal((await load(emu, 't', '{"id":3}', { columns: "id, __op='DELETE'" })).json['Status'], 'Success');
      assert.equal(row('t', 3), undefined);
      const str = await load(emu, 't', '{"id":2}', { columns: "id, __op='1'" });
      assert.equal(str.json['Message'], 'load op type string not supported: 1');
      const bool = await load(emu, 't', '{"id":2}', { columns: 'id, __op=TRUE' });
      assert.equal(bool.json['Message'], 'const load op type column should only be upsert(0)/delete(1)');
      assert.equal((await load(emu, 't', '{"id":2}', { columns: 'id, __op=1' })).json['Status'], 'Success');
      assert.deepEqual(plainRows(emu, 't'), []);
    });
  });

  describe('ADD COLUMN while loads run', () => {
    it('rows loaded or committed while the job runs get the DEFAULT once it finishes', async () => {
      await emu.sql(
        'CREATE TABLE d.sc (id BIGINT NOT NULL, v VARCHAR(10)) PRIMARY KEY(id) DISTRIBUTED BY HASH(id) BUCKETS 1 PROPERTIES ("replication_num" = "1")',
      );
      await load(emu, 'sc', '{"id":1,"v":"a"}');
      const op = (o: string, label: string, extra: Record<string, string> = {}, body?: string) =>
        txnRequest(emu.feHttpUrl, o, { label, db: 'd', table: 'sc', ...extra }, body);
      await op('begin', 'sc1');
      await op('load', 'sc1', { format: 'json' }, '{"id":2,"v":"b"}');
      await emu.sql('ALTER TABLE d.sc ADD COLUMN c INT NOT NULL DEFAULT "5"');
      await load(emu, 'sc', '{"id":3,"v":"c","c":9}'); // the job is running: "c" is not a column yet
      await load(emu, 'sc', '{"id":1,"v":"a2"}', { partial_update: 'true', columns: 'id,v' });
      await waitFor(async () => {
        const res = await emu.sql('SHOW ALTER TABLE COLUMN FROM d');
        return res.kind === 'rows' && res.rows.at(-1)?.[9] === 'FINISHED';
      });
      assert.equal((await op('commit', 'sc1')).json['Status'], 'OK', 'planned before the job finished, committed after');
      assert.deepEqual(plainRows(emu, 'sc'), [
        { id: 1, v: 'a2', c: 5 },
        { id: 2, v: 'b', c: 5 },
        { id: 3, v: 'c', c: 5 },
      ]);
    });
  });
});
