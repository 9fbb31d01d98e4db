import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mayHoldUnsupportedNumber, unsupportedJsonNumber } from '../../../connectors/starrocks/json-numbers.js';
import { mulberry32 } from '../../helpers/random.js';

describe('JSON numbers StarRocks JSON columns refuse', () => {
  it('finds integer tokens outside int64/uint64 and reals beyond a double, never inside strings', () => {
    const cases: [string, string | undefined][] = [
      ['{"a": 18446744073709551615}', undefined],
      ['{"a": 18446744073709551616}', '18446744073709551616'],
      ['[-9223372036854775808, 1]', undefined],
      ['[-9223372036854775809]', '-9223372036854775809'],
      [`{"x": 1${'0'.repeat(400)}}`, `1${'0'.repeat(400)}`],
      [`{"x": 1${'0'.repeat(300)}.5}`, undefined],
      [`{"x": -1${'0'.repeat(400)}.5}`, `-1${'0'.repeat(400)}.5`],
      ['{"x": 12345678901234567.5}', undefined],
      ['{"s": "18446744073709551616", "t": "a\\"18446744073709551616"}', undefined],
      ['{"k": 1, "s": "v1", "tags": [1, 1]}', undefined],
      ['1', undefined],
    ];
    for (const [doc, want] of cases) {
      assert.equal(unsupportedJsonNumber(doc), want, doc.slice(0, 60));
      assert.equal(mayHoldUnsupportedNumber(doc, 0, doc.length), doc.length >= 19 && /[-0-9][-0-9.eE+]{18}/.test(doc.replace(/"(?:[^"\\]|\\.)*"/g, '""')));
    }
  });

  it('a document without a long number token holds none StarRocks refuses; bytes and text agree', () => {
    const random = mulberry32(7);
    const pieces = [
      '{"a": ',
      '[',
      ']',
      '}',
      ', ',
      '"s"',
      '"1234567890123456789012"',
      '"\\"x"',
      '-',
      '1',
      '0',
      '.',
      'e',
      '+',
      '99999999999999999999',
      '12345678901234567890',
      '-9223372036854775809',
      '1e400',
    ];
    for (let n = 0; n < 2000; n++) {
      let doc = '';
      const len = 1 + Math.floor(random() * 12);
      for (let i = 0; i < len; i++) doc += pieces[Math.floor(random() * pieces.length)];
      const bytes = Buffer.from(`xx${doc}yy`, 'latin1');
      const may = mayHoldUnsupportedNumber(doc, 0, doc.length);
      assert.equal(mayHoldUnsupportedNumber(bytes, 2, bytes.length - 2), may, doc);
      if (!may) assert.equal(unsupportedJsonNumber(doc), undefined, doc);
    }
  });
});
