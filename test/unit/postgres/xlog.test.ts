import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLsn } from '../../../core/index.js';
import { decodeServerFrame, decodeStandbyStatus, encodeStandbyStatus, STANDBY_STATUS_LENGTH } from '../../../connectors/postgres/replication/xlog.js';
import { PG_EPOCH_OFFSET_MICROS } from '../../../connectors/postgres/replication/pg-epoch.js';
import { FrameWriter, keepalive, xlogData } from './frames.js';

test('XLogData: walStart, walEnd, send time and the payload', () => {
  const payload = Buffer.from('B-payload');
  const f = decodeServerFrame(xlogData(parseLsn('16/B374D848'), parseLsn('16/B374D900'), payload, 1_700_000_000_000_001n));
  assert.equal(f.tag, 'xlogdata');
  if (f.tag !== 'xlogdata') return;
  assert.equal(f.walStart, parseLsn('16/B374D848'));
  assert.equal(f.walEnd, parseLsn('16/B374D900'));
  assert.equal(f.sendTimeMicros, 1_700_000_000_000_001n);
  assert.deepEqual(f.data, payload);
});

test('XLogData with an empty payload and LSNs above 2^63', () => {
  const f = decodeServerFrame(xlogData(0xffff_ffff_ffff_fff0n, 0xffff_ffff_ffff_ffffn, Buffer.alloc(0)));
  assert.ok(f.tag === 'xlogdata');
  assert.equal(f.walStart, 0xffff_ffff_ffff_fff0n);
  assert.equal(f.data.length, 0);
});

test('keepalive: walEnd, time, replyRequested', () => {
  assert.deepEqual(decodeServerFrame(keepalive(0x1234n, true, 5n)), {
    tag: 'keepalive',
    walEnd: 0x1234n,
    sendTimeMicros: 5n,
    replyRequested: true,
  });
  const f = decodeServerFrame(keepalive(0x1234n, false));
  assert.ok(f.tag === 'keepalive' && f.replyRequested === false);
});

test('unknown and truncated frames are SOURCE_PROTOCOL errors', () => {
  assert.throws(() => decodeServerFrame(Buffer.from('z')), { code: 'SOURCE_PROTOCOL' });
  assert.throws(() => decodeServerFrame(Buffer.alloc(0)), { code: 'SOURCE_PROTOCOL' });
  const k = keepalive(1n, true);
  for (let i = 1; i < k.length; i++) assert.throws(() => decodeServerFrame(k.subarray(0, i)), { code: 'SOURCE_PROTOCOL' });
  const w = xlogData(1n, 2n, Buffer.alloc(0));
  for (let i = 1; i < w.length; i++) assert.throws(() => decodeServerFrame(w.subarray(0, i)), { code: 'SOURCE_PROTOCOL' });
});

test('standby status carries EXACTLY the given LSNs (no +1) in write, flush and apply', () => {
  const lsn = parseLsn('0/16B3748');
  const buf = encodeStandbyStatus({ write: lsn, flush: lsn, apply: lsn, clientTimeMicros: 1_700_000_000_000_000n, replyRequested: false });
  assert.equal(buf.length, STANDBY_STATUS_LENGTH);
  assert.equal(buf[0], 0x72); // 'r'
  assert.equal(buf.readBigUInt64BE(1), 0x16b3748n);
  assert.equal(buf.readBigUInt64BE(9), 0x16b3748n);
  assert.equal(buf.readBigUInt64BE(17), 0x16b3748n);
  assert.equal(buf.readBigInt64BE(25), 1_700_000_000_000_000n - PG_EPOCH_OFFSET_MICROS);
  assert.equal(buf[33], 0);
});

test('standby status: the low half at 0xFFFFFFFF does not carry into the high half', () => {
  const lsn = parseLsn('1/FFFFFFFF');
  const buf = encodeStandbyStatus({ write: lsn, flush: lsn, apply: lsn, clientTimeMicros: 0n, replyRequested: true });
  assert.equal(buf.readUInt32BE(9), 1);
  assert.equal(buf.readUInt32BE(13), 0xffffffff);
  assert.equal(buf[33], 1);
});

test('standby status round trip', () => {
  const s = { write: 10n, flush: 9n, apply: 8n, clientTimeMicros: 946_684_800_000_000n + 77n, replyRequested: true };
  assert.deepEqual(decodeStandbyStatus(encodeStandbyStatus(s)), s);
  assert.throws(() => decodeStandbyStatus(new FrameWriter().char('r').build()), { code: 'SOURCE_PROTOCOL' });
});
