import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timestamptzToUtc, timestamptzToUtcGeneral, utcTimestampText } from '../../../connectors/postgres/codec/temporal.js';

/** The fast path either declines or gives exactly what the general conversion gives. */
function agree(text: string): string | undefined {
  const fast = utcTimestampText(text);
  const general = timestamptzToUtcGeneral(text);
  if (fast !== undefined) assert.equal(fast, general, `fast path differs for '${text}'`);
  assert.equal(timestamptzToUtc(text), general, `timestamptzToUtc differs for '${text}'`);
  return fast;
}

test('the +00 fast path strips the offset, keeping every fractional digit', () => {
  assert.equal(agree('2024-01-02 03:04:05+00'), '2024-01-02 03:04:05');
  assert.equal(agree('2024-01-02 03:04:05.1+00'), '2024-01-02 03:04:05.1');
  assert.equal(agree('2024-01-02 03:04:05.123456+00'), '2024-01-02 03:04:05.123456');
  assert.equal(agree('2024-01-02 03:04:05.000001+00'), '2024-01-02 03:04:05.000001');
  assert.equal(agree('0001-01-01 00:00:00+00'), '0001-01-01 00:00:00');
  assert.equal(agree('9999-12-31 23:59:59.999999+00'), '9999-12-31 23:59:59.999999');
  assert.equal(agree('2024-02-29 12:00:00+00'), '2024-02-29 12:00:00'); // leap day
  assert.equal(agree('2000-02-29 12:00:00+00'), '2000-02-29 12:00:00'); // divisible by 400
});

test('the fast path declines what only the general conversion handles, which then gives the same as before', () => {
  const declined = [
    // BC, year 0, more than 4 digits
    '0044-03-15 12:00:00+00 BC',
    '0001-01-01 00:00:00+00 BC',
    '0000-01-01 00:00:00+00',
    '294276-12-31 23:59:59.999999+00',
    '12345-01-01 00:00:00+00',
    // other offsets: hours, minutes, seconds
    '2024-03-01 00:15:00.123456+05:30',
    '2024-12-31 22:30:00.000001-03',
    '1900-01-01 00:00:00+05:53:28',
    '2024-01-01 00:00:00-00',
    '2024-01-01 00:00:00+01',
    '2024-01-01 00:00:00+00:00',
    '2024-01-01 00:00:00+0000',
    // fields the general path normalises: 24:00:00, minute/second 60, invalid dates
    '2024-01-01 24:00:00+00',
    '2024-01-01 23:60:00+00',
    '2024-01-01 23:59:60+00',
    '2023-02-29 00:00:00+00',
    '1900-02-29 00:00:00+00',
    '2024-02-30 00:00:00+00',
    '2024-04-31 00:00:00+00',
    '2024-13-01 00:00:00+00',
    '2024-00-10 00:00:00+00',
    '2024-01-00 00:00:00+00',
    // malformed
    '2024-01-01 00:00:00.+00',
    '2024-01-01 00:00:00.1234567+00',
    '2024-01-01T00:00:00+00',
    '2024-01-01 00:00:00.12a4+00',
    '2024-1-01 00:00:00+00',
    '2024-01-01 00:00:0x+00',
    '２０２４-01-01 00:00:00+00',
    'infinity',
    '-infinity',
    '',
    'garbage',
  ];
  for (const text of declined) assert.equal(agree(text), undefined, `fast path took '${text}'`);
  assert.equal(timestamptzToUtc('2024-01-01 24:00:00+00'), '2024-01-02 00:00:00');
  assert.equal(timestamptzToUtc('2023-02-29 00:00:00+00'), '2023-03-01 00:00:00');
  assert.equal(timestamptzToUtc('0000-01-01 00:00:00+00'), '0001-01-01 00:00:00 BC');
  assert.equal(timestamptzToUtc('infinity'), 'infinity');
});

test('fast and general conversions agree on every day of four centuries and on sampled times', () => {
  let taken = 0;
  for (let year = 1; year <= 2400; year += year < 1590 ? 97 : 1) {
    for (let month = 1; month <= 12; month++) {
      for (let day = 27; day <= 31; day++) {
        const y = String(year).padStart(4, '0');
        const mm = String(month).padStart(2, '0');
        const hh = String((year + day) % 24).padStart(2, '0');
        const frac = ['', '.5', '.123456', '.000010'][(year + month + day) % 4];
        const text = `${y}-${mm}-${day} ${hh}:${String(day + 20).padStart(2, '0')}:0${day % 10}${frac}+00`;
        if (agree(text) !== undefined) taken += 1;
      }
    }
  }
  assert.ok(taken > 10_000, `the fast path took ${taken} inputs`);
});
