import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type StarRocksEmulator, startStarRocksEmulator } from '../src/emulator.js';
import { createPk, load } from './helpers.js';
import { basicAuth, streamLoad } from '../src/stream-load-client.js';

describe('fault injection', () => {
  let emu: StarRocksEmulator;
  before(async () => {
    emu = await startStarRocksEmulator();
    createPk(emu);
    createPk(emu, 'd', 'other');
  });
  after(() => emu.close());
  beforeEach(() => emu.faults.clear());

  const state = async (label: string): Promise<string> => {
    const res = await fetch(`${emu.feHttpUrl}/api/d/get_load_state?label=${label}`, { headers: { Authorization: basicAuth('root', '') } });
    return String(((await res.json()) as Record<string, unknown>)['state']);
  };
  const row = (id: number): string => JSON.stringify({ id, v: 'x', n: 1 });
  const has = (id: number): boolean => emu.rows('d', 't').some((r) => r['id'] === BigInt(id));

  it('http500 / http503 for the next load only, then normal again', async () => {
    emu.faults.inject({ kind: 'http503' });
    const a = await load(emu, 't', row(1), { label: 'f1' });
    assert.equal(a.be?.status, 503);
    assert.equal(await state('f1'), 'UNKNOWN', 'no txn was begun');
    assert.equal((await load(emu, 't', row(1), { label: 'f1' })).json['Status'], 'Success');
    emu.faults.inject({ kind: 'http500', times: 2 });
    assert.equal((await load(emu, 't', row(2))).be?.status, 500);
    assert.equal((await load(emu, 't', row(2))).be?.status, 500);
    assert.equal((await load(emu, 't', row(2))).json['Status'], 'Success');
  });

  it('table filter and probability', async () => {
    emu.faults.inject({ kind: 'http500', table: 'other', times: 5 });
    assert.equal((await load(emu, 't', row(3))).json['Status'], 'Success');
    assert.equal((await load(emu, 'other', row(3))).be?.status, 500);
    emu.faults.clear();
    emu.faults.inject({ kind: 'http500', probability: 0 });
    assert.equal((await load(emu, 't', row(3))).json['Status'], 'Success');
    emu.faults.clear();
    emu.faults.inject({ kind: 'http500', probability: 1, times: 2 });
    assert.equal((await load(emu, 't', row(3))).be?.status, 500);
    assert.equal((await load(emu, 't', row(3))).be?.status, 500);
    assert.equal((await load(emu, 't', row(3))).json['Status'], 'Success');
  });

  it('dropMidBody: the connection dies mid-body; nothing applied; label ABORTED', async () => {
    emu.faults.inject({ kind: 'dropMidBody', afterBytes: 10 });
    const body = Array.from({ length: 200 }, (_, i) => row(1000 + i)).join('\n');
    await assert.rejects(load(emu, 't', body, { label: 'f-drop' }));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await state('f-drop'), 'ABORTED');
    assert.equal(has(1000), false);
  });

  it('hang: the client gives up; label RUNNING while hanging, ABORTED after', async () => {
    emu.faults.inject({ kind: 'hang' });
    const pending = streamLoad({ feUrl: emu.feHttpUrl, db: 'd', table: 't', body: row(20), headers: { format: 'json', label: 'f-hang' }, timeoutMs: 400 });
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(await state('f-hang'), 'PREPARE');
    const retry = await load(emu, 't', row(20), { label: 'f-hang' });
    assert.equal(retry.json['ExistingJobStatus'], 'RUNNING');
    await assert.rejects(pending, /client timeout/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await state('f-hang'), 'ABORTED');
    assert.equal(has(20), false);
  });

  it('hang with commit: applied, label FINISHED, the client never gets an answer', async () => {
    emu.faults.inject({ kind: 'hang', commit: true, hangMs: 200 });
    await assert.rejects(load(emu, 't', row(21), { label: 'f-hang2' }), /socket hang up|ECONNRESET/);
    assert.equal(has(21), true);
    assert.equal(await state('f-hang2'), 'VISIBLE');
  });

  it('slow: applied and answered after delayMs; a later load finishes first; a client giving up aborts it', async () => {
    emu.faults.inject({ kind: 'slow', delayMs: 300 });
    const finished: string[] = [];
    const slow = load(emu, 't', row(40), { label: 'f-slow' }).then((r) => {
      finished.push('slow');
      return r;
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(emu.faults.holding(), 1, 'held, its whole body received');
    assert.equal(await state('f-slow'), 'PREPARE');
    assert.equal(has(40), false, 'not applied while waiting');
    const fast = await load(emu, 't', row(41), { label: 'f-fast' });
    finished.push('fast');
    assert.equal(fast.json['Status'], 'Success');
    assert.equal((await slow).json['Status'], 'Success');
    assert.deepEqual(finished, ['fast', 'slow']);
    assert.equal(emu.faults.holding(), 0);
    assert.equal(has(40), true);
    assert.equal(await state('f-slow'), 'VISIBLE');
    emu.faults.inject({ kind: 'slow', delayMs: 1000 });
    const given = streamLoad({ feUrl: emu.feHttpUrl, db: 'd', table: 't', body: row(42), headers: { format: 'json', label: 'f-slow2' }, timeoutMs: 200 });
    await assert.rejects(given, /client timeout/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await state('f-slow2'), 'ABORTED');
    assert.equal(emu.faults.holding(), 0, 'released when the client gives up');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(has(42), false, 'an aborted slow load is never applied');
  });

  it('fail / tooManyVersions: Status Fail with the message; label reusable', async () => {
    emu.faults.inject({ kind: 'fail', message: 'boom' });
    const a = await load(emu, 't', row(30), { label: 'f-fail' });
    assert.equal(a.json['Status'], 'Fail');
    assert.equal(a.json['Message'], 'boom');
    assert.equal(has(30), false);
    emu.faults.inject({ kind: 'tooManyVersions' });
    const b = await load(emu, 't', row(30), { label: 'f-fail' });
    assert.match(
      String(b.json['Message']),
      /^Failed to load data into tablet \d+, because of too many versions, current\/limit: 1001\/1000\. You can reduce the loading job concurrency/,
    );
    assert.equal((await load(emu, 't', row(30), { label: 'f-fail' })).json['Status'], 'Success');
  });

  it('publishTimeout: committed, label VISIBLE, Status Publish Timeout', async () => {
    emu.faults.inject({ kind: 'publishTimeout' });
    const r = await load(emu, 't', row(40), { label: 'f-pub' });
    assert.equal(r.json['Status'], 'Publish Timeout');
    assert.match(String(r.json['Message']), /^Publish timeout\. The data will be visible after a while/);
    assert.equal(has(40), true);
    assert.equal(await state('f-pub'), 'VISIBLE');
  });

  it('commitThenDrop: applied and FINISHED, the socket dies without a reply', async () => {
    emu.faults.inject({ kind: 'commitThenDrop' });
    await assert.rejects(load(emu, 't', row(50), { label: 'f-ctd' }));
    assert.equal(has(50), true);
    const retry = await load(emu, 't', row(50), { label: 'f-ctd' });
    assert.equal(retry.json['Status'], 'Label Already Exists');
    assert.equal(retry.json['ExistingJobStatus'], 'FINISHED');
    assert.equal(emu.loads().at(-2)?.fault, 'commitThenDrop');
  });

  it('admin HTTP endpoint: inject, list, clear, settings; schemaChangeRunningMs', async () => {
    const post = await fetch(`${emu.feHttpUrl}/__emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'fail', message: 'via http', table: 't' }) });
    assert.equal(post.status, 200);
    const { id } = (await post.json()) as { id: number };
    assert.ok(id > 0);
    const list = (await (await fetch(`${emu.feHttpUrl}/__emulator/faults`)).json()) as unknown[];
    assert.equal(list.length, 1);
    assert.equal((await load(emu, 't', row(60))).json['Message'], 'via http');
    const bad = await fetch(`${emu.feHttpUrl}/__emulator/faults`, { method: 'POST', body: '{"kind":"meteor"}' });
    assert.equal(bad.status, 400);
    await bad.arrayBuffer();
    await fetch(`${emu.feHttpUrl}/__emulator/faults`, { method: 'POST', body: '{"kind":"http500","times":9}' }).then((r) => r.arrayBuffer());
    const del = await fetch(`${emu.feHttpUrl}/__emulator/faults`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    await del.arrayBuffer();
    assert.equal(emu.faults.list().length, 0);
    const s = await fetch(`${emu.feHttpUrl}/__emulator/settings`, { method: 'POST', body: '{"schemaChangeMs": 1234}' });
    assert.equal(((await s.json()) as Record<string, unknown>)['schemaChangeMs'], 1234);
    assert.equal(emu.catalog.settings.schemaChangeMs, 1234);
    emu.faults.schemaChangeRunningMs(0);
    assert.equal(emu.catalog.settings.schemaChangeMs, 0);
    const rows = await fetch(`${emu.feHttpUrl}/__emulator/rows?db=d&table=t`);
    assert.match(await rows.text(), /"id":40,/);
  });
});
