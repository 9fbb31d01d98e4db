import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { LabelTable, labelFormatError } from '../src/labels.js';
import { createPk, load } from './helpers.js';
import { basicAuth, txnRequest } from '../src/stream-load-client.js';

describe('labels (docs/starrocks-protocol.md §4)', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator();
    createPk(emu);
  });
  after(() => emu.close());

  const state = async (label: string): Promise<string> => {
    const res = await fetch(`${emu.feHttpUrl}/api/d/get_load_state?label=${label}`, { headers: { Authorization: basicAuth('root', '') } });
    return String(((await res.json()) as Record<string, unknown>)['state']);
  };

  it('format regex ^[-\\w]{1,128}$', () => {
    assert.equal(labelFormatError('abc-DEF_123'), null);
    assert.equal(labelFormatError('x'.repeat(128)), null);
    assert.equal(labelFormatError('x'.repeat(129)), `Label format error. regex: ^[-\\w]{1,128}$, label: ${'x'.repeat(129)}`);
    assert.notEqual(labelFormatError('a.b'), null);
    assert.notEqual(labelFormatError('é'), null);
    assert.notEqual(labelFormatError(''), null);
  });

  it('FINISHED label → Label Already Exists, ExistingJobStatus FINISHED, key order, no data change', async () => {
    assert.equal((await load(emu, 't', '{"id":1,"n":1}', { label: 'L1' })).json['Status'], 'Success');
    const again = await load(emu, 't', '{"id":1,"n":999}', { label: 'L1' });
    assert.equal(again.be?.bodySent, false);
    assert.deepEqual(Object.keys(again.json).slice(0, 5), ['TxnId', 'Label', 'Status', 'ExistingJobStatus', 'Message']);
    assert.equal(again.json['Status'], 'Label Already Exists');
    assert.equal(again.json['ExistingJobStatus'], 'FINISHED');
    assert.equal(again.json['Message'], 'Label [L1] has already been used.');
    assert.equal(again.json['TxnId'], -1);
    assert.equal(emu.rows('d', 't')[0]?.['n'], 1n);
  });

  it('RUNNING label (an open transaction) → ExistingJobStatus RUNNING', async () => {
    const b = await txnRequest(emu.feHttpUrl, 'begin', { label: 'L2', db: 'd', table: 't' });
    assert.equal(b.json['Status'], 'OK');
    assert.equal(await state('L2'), 'PREPARE');
    const r = await load(emu, 't', '{"id":2,"n":1}', { label: 'L2' });
    assert.equal(r.json['Status'], 'Label Already Exists');
    assert.equal(r.json['ExistingJobStatus'], 'RUNNING');
    await txnRequest(emu.feHttpUrl, 'rollback', { label: 'L2', db: 'd' });
    assert.equal(await state('L2'), 'ABORTED');
    assert.equal((await load(emu, 't', '{"id":2,"n":1}', { label: 'L2' })).json['Status'], 'Success', 'ABORTED labels are reusable');
  });

  it('a failed load aborts its label, which is reusable', async () => {
    const f = await load(emu, 't', '{"id":3,"n":"bad"}', { label: 'L3' });
    assert.equal(f.json['Status'], 'Fail');
    assert.equal(await state('L3'), 'ABORTED');
    assert.equal((await load(emu, 't', '{"id":3,"n":1}', { label: 'L3' })).json['Status'], 'Success');
    assert.equal(await state('L3'), 'VISIBLE');
  });

  it('labels are per database', async () => {
    createPk(emu, 'd2');
    assert.equal((await load(emu, 't', '{"id":1,"n":1}', { label: 'L1' }, 'd2')).json['Status'], 'Success');
  });

  it('count-based eviction: beyond labelKeepMaxNum the oldest finished labels are forgotten', async () => {
    createPk(emu, 'ev');
    emu.catalog.settings.labelKeepMaxNum = 3;
    try {
      for (const l of ['E1', 'E2', 'E3', 'E4']) assert.equal((await load(emu, 't', '{"id":1,"n":1}', { label: l }, 'ev')).json['Status'], 'Success');
      const r1 = await load(emu, 't', '{"id":1,"n":1}', { label: 'E1' }, 'ev');
      assert.equal(r1.json['Status'], 'Success', 'E1 was evicted');
      assert.equal((await load(emu, 't', '{"id":1,"n":1}', { label: 'E4' }, 'ev')).json['Status'], 'Label Already Exists');
    } finally {
      emu.catalog.settings.labelKeepMaxNum = 1000;
    }
  });

  it('age-based eviction (label_keep_max_second)', async () => {
    createPk(emu, 'age');
    assert.equal((await load(emu, 't', '{"id":1,"n":1}', { label: 'A1' }, 'age')).json['Status'], 'Success');
    emu.catalog.settings.labelKeepMaxSecond = 0;
    try {
      assert.equal((await load(emu, 't', '{"id":1,"n":1}', { label: 'A1' }, 'age')).json['Status'], 'Success');
    } finally {
      emu.catalog.settings.labelKeepMaxSecond = 259200;
    }
  });

  it('LabelTable unit: running txns are never evicted, eviction is oldest-finished-first', () => {
    const settings = { labelKeepMaxSecond: 100, labelKeepMaxNum: 2 };
    const t = new LabelTable('db', () => settings);
    const a = t.begin({ label: 'a', txnId: 1, table: 't', kind: 'stream_load', now: 0 });
    const b = t.begin({ label: 'b', txnId: 2, table: 't', kind: 'stream_load', now: 0 });
    assert.ok(a.ok && b.ok);
    t.setState(b.record, 'VISIBLE', 1);
    const c = t.begin({ label: 'c', txnId: 3, table: 't', kind: 'stream_load', now: 2 });
    assert.ok(c.ok);
    assert.equal(t.find('a', 3)?.state, 'PREPARE');
    assert.equal(t.find('b', 3), undefined);
    assert.equal(t.find('c', 200)?.state, 'PREPARE');
  });
});
