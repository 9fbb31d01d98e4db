import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binaryFormatOf, toBinary } from '../src/binary-format.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const bytes = (...xs: number[]): Buffer => Buffer.from(xs);

describe('to_binary as StarRocks evaluates it (be/src/exprs/binary_functions.*)', () => {
  it('format names: only hex, encode64 and utf8 exist, case-insensitive; anything else is hex', () => {
    assert.equal(binaryFormatOf('hex'), 'hex');
    assert.equal(binaryFormatOf('HEX'), 'hex');
    assert.equal(binaryFormatOf('encode64'), 'encode64');
    assert.equal(binaryFormatOf('ENCODE64'), 'encode64');
    assert.equal(binaryFormatOf('Encode64'), 'encode64');
    assert.equal(binaryFormatOf('utf8'), 'utf8');
    assert.equal(binaryFormatOf('UTF8'), 'utf8');
    // Not StarRocks names: silently hex (no error).
    assert.equal(binaryFormatOf('base64'), 'hex');
    assert.equal(binaryFormatOf('utf-8'), 'hex');
    assert.equal(binaryFormatOf(' encode64'), 'hex');
    assert.equal(binaryFormatOf(''), 'hex');
    // A NULL or non-constant format argument leaves the default.
    assert.equal(binaryFormatOf(null), 'hex');
  });

  it('hex (unhex): both cases; empty, odd-length or non-hex input gives an EMPTY binary, never NULL', () => {
    assert.deepEqual(toBinary(b('0aFF10'), 'hex'), bytes(0x0a, 0xff, 0x10));
    assert.deepEqual(toBinary(b('abab'), 'hex'), bytes(0xab, 0xab));
    assert.deepEqual(toBinary(b(''), 'hex'), Buffer.alloc(0));
    assert.deepEqual(toBinary(b('abc'), 'hex'), Buffer.alloc(0));
    assert.deepEqual(toBinary(b('zz'), 'hex'), Buffer.alloc(0));
    assert.deepEqual(toBinary(b('00 1'), 'hex'), Buffer.alloc(0));
    // base64 text read as hex: empty — what 'base64' did on a real StarRocks.
    assert.deepEqual(toBinary(b('AQID'), 'hex'), Buffer.alloc(0));
    // ... unless the base64 text happens to be hex digits: wrong bytes, silently.
    assert.deepEqual(toBinary(b('0123'), 'hex'), bytes(0x01, 0x23));
  });

  it('encode64 (from_base64 / base64_decode2): padding optional, whitespace skipped, invalid → NULL, empty → NULL', () => {
    assert.deepEqual(toBinary(b('U1RBUlJPQ0tT'), 'encode64'), b('STARROCKS'));
    assert.deepEqual(toBinary(b('YWJhYg=='), 'encode64'), b('abab'));
    assert.deepEqual(toBinary(b('AQI='), 'encode64'), bytes(1, 2));
    assert.deepEqual(toBinary(b('AQI'), 'encode64'), bytes(1, 2), 'no padding needed');
    assert.deepEqual(toBinary(b('AQ ID\r\n'), 'encode64'), bytes(1, 2, 3), 'space, CR, LF, tab are skipped');
    assert.deepEqual(toBinary(b('QUJDR'), 'encode64'), b('ABC'), 'bits of an incomplete group are dropped');
    assert.deepEqual(toBinary(b('QUJD\u0000ZZZZ'), 'encode64'), b('ABC'), 'decoding stops at NUL');
    assert.deepEqual(toBinary(b('===='), 'encode64'), Buffer.alloc(0));
    assert.equal(toBinary(b(''), 'encode64'), null, 'from_base64 of an empty string is NULL');
    assert.equal(toBinary(b('AQ*D'), 'encode64'), null);
    assert.equal(toBinary(b('AQ-_'), 'encode64'), null, 'the URL-safe alphabet is invalid');
    assert.equal(toBinary(Buffer.from('AQé', 'utf8'), 'encode64'), null, 'a byte >= 0x80 is invalid');
    assert.equal(toBinary(b('A=QI'), 'encode64'), null, "'=' at group position 1, not last, not followed by '='");
    // Quirk of base64_decode2: the last digit '9' has value 61 == '=', so a 4n+1-digit input ending in
    // '9' returns an empty binary instead of the decoded bytes.
    assert.deepEqual(toBinary(b('QUJD9'), 'encode64'), Buffer.alloc(0));
  });

  it('utf8: the bytes unchanged', () => {
    assert.deepEqual(toBinary(Buffer.from('é\u0000x', 'utf8'), 'utf8'), Buffer.from('é\u0000x', 'utf8'));
    assert.deepEqual(toBinary(b(''), 'utf8'), Buffer.alloc(0));
  });
});
