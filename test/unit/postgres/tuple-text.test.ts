import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNCHANGED } from '../../../core/index.js';
import { BufferReader, WHOLE_MESSAGE_TEXT_MAX } from '../../../connectors/postgres/replication/buffer-reader.js';
import { decodePgoutput } from '../../../connectors/postgres/replication/pgoutput-decoder.js';
import { XLOG_DATA_HEADER, xlogDataStart } from '../../../connectors/postgres/replication/xlog.js';
import { insert, keepalive, xlogData } from './frames.js';

/** Text cells as the decoder reads them equal the general UTF-8 decoding of their bytes. */
const CELLS = [
  '',
  'a',
  '12345',
  '123456789012', // 12: the longest cell taken from the message's Latin-1 string
  '1234567890123', // 13: decoded on its own
  '2024-01-02 03:04:05.123456+00',
  'é',
  'naïve',
  '€',
  'grüße, 東京',
  '😀 emoji',
  '\u0000\u007f',
  'ÿ',
  'x'.repeat(3000),
  `${'x'.repeat(2000)}é`,
];

test('text cells decode to exactly the UTF-8 text of their bytes, short or long, ASCII or not', () => {
  const msg = decodePgoutput(insert(1, CELLS));
  assert.ok(msg.tag === 'insert');
  assert.deepEqual(msg.newTuple, CELLS);
  for (const c of CELLS) {
    const one = decodePgoutput(insert(1, [c, null, 'u', c]));
    assert.ok(one.tag === 'insert');
    assert.deepEqual(one.newTuple, [c, null, UNCHANGED, c], `cell ${JSON.stringify(c.slice(0, 20))}`);
  }
});

test('a message larger than the whole-message limit decodes every cell on its own, with the same result', () => {
  const cells = ['id 1', 'é', 'y'.repeat(WHOLE_MESSAGE_TEXT_MAX), 'short', 'ü'];
  const msg = decodePgoutput(insert(1, cells));
  assert.ok(msg.tag === 'insert');
  assert.deepEqual(msg.newTuple, cells);
});

test('invalid UTF-8 decodes as Buffer#toString does (replacement characters), short or long', () => {
  for (const bytes of [Buffer.from([0xc3]), Buffer.from([0x61, 0xff, 0x62]), Buffer.concat([Buffer.alloc(20, 0x61), Buffer.from([0xe2, 0x82])])]) {
    const buf = Buffer.concat([Buffer.from([0, 0, 0, bytes.length]), bytes]);
    const r = new BufferReader(buf);
    assert.equal(r.text(r.int32()), bytes.toString('utf8'));
  }
});

test('an XLogData frame is decoded in place: walStart from its header, the message after it', () => {
  const data = insert(7, ['1', 'note']);
  const frame = xlogData(0x1_2345_6789n, 0x2_0000_0000n, data);
  assert.equal(xlogDataStart(frame), 0x1_2345_6789n);
  assert.deepEqual(decodePgoutput(frame, XLOG_DATA_HEADER), decodePgoutput(data));
  assert.equal(xlogDataStart(keepalive(5n, false)), undefined);
  assert.equal(xlogDataStart(frame.subarray(0, XLOG_DATA_HEADER - 1)), undefined);
});

test('reader integers read as Buffer does, signs included', () => {
  const buf = Buffer.alloc(10);
  buf.writeInt16BE(-2, 0);
  buf.writeInt32BE(-123456789, 2);
  buf.writeUInt32BE(0xfedcba98, 6);
  const r = new BufferReader(buf);
  assert.equal(r.int16(), -2);
  assert.equal(r.int32(), -123456789);
  assert.equal(r.uint32(), 0xfedcba98);
  assert.equal(r.remaining, 0);
});
