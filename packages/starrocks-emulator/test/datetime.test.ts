/**
 * DATE/DATETIME text as a Stream Load CASTs it (datetime.ts, docs/starrocks-protocol.md §8.3). Sources read:
 * - be/src/exprs/cast_expr.cpp `cast_from_string_to_datetime_fn` → `TimestampValue::from_string`
 *   (be/src/types/timestamp_value.cpp) → `date::from_string_to_datetime` + `timestamp::check`;
 * - be/src/runtime/time_types.cpp, 3.x: `from_string_to_datetime` trims spaces, takes a 10-character
 *   date or `is_standard_datetime_format` (exactly date + spaces/T + `HH:MM:SS`) the fixed way, else
 *   `date::from_string` on the untrimmed text; 4.x: fixed date, `T`/spaces, `HH:MM:SS`, then `Z` or
 *   `.ffffff`, else `date::from_string` (be/test/runtime/time_types_test.cpp,
 *   timestamp_simd_parsing_test.cpp: `01:60:00`, `24:00:00` invalid; `T…Z` valid);
 * - `date::from_string`: digits-or-`T` run decides the compact format, each field read to the next
 *   delimiter (seconds: all their digits), only punctuation between fields and whitespace only after
 *   the day and the fraction (`allow_space_mask = 4 | 64`), the text after the seconds ignored.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDateTimeText } from '../src/datetime.js';

const dt = (s: string): string | null => parseDateTimeText(s)?.datetime ?? null;

describe('DATE/DATETIME text (StarRocks CAST from VARCHAR)', () => {
  it('canonical and ISO shapes; fraction scaled, truncated to 6 digits; trailing zone text ignored', () => {
    assert.equal(dt('2024-01-02 03:04:05'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-01-02 03:04:05.123456'), '2024-01-02 03:04:05.123456');
    assert.equal(dt('2024-01-02 03:04:05.12'), '2024-01-02 03:04:05.120000');
    assert.equal(dt('2024-01-02 03:04:05.1234567'), '2024-01-02 03:04:05.123456');
    assert.equal(dt('2024-01-02T03:04:05Z'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-01-02T03:04:05.5+08:00'), '2024-01-02 03:04:05.500000');
    assert.equal(dt('2024-01-02 03:04:05 UTC'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-01-02 03:04:05.'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-01-02'), '2024-01-02 00:00:00');
    assert.equal(dt('2024/01/02'), '2024-01-02 00:00:00');
  });

  it('a seconds field of 3+ digits is not two digits and text (StarRocks reads 567 as the seconds)', () => {
    assert.equal(dt('2024-01-02 12:34:567'), null);
    assert.equal(dt('2024-01-02 12:34:057'), null); // StarRocks: 57 seconds; rejected here (stricter)
    assert.equal(dt('2024-1-2 12:34:567'), null);
  });

  it('ASCII whitespace around the text is trimmed, and a newline is whitespace (is_space 9..13)', () => {
    assert.equal(dt(' 2024-01-02 03:04:05\n'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-01-02\n03:04:05'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-01-02 03:04:05\nX'), '2024-01-02 03:04:05'); // ignored like any text after the seconds
    assert.equal(dt('\t2024-01-02\r'), '2024-01-02 00:00:00');
  });

  it('separators are ASCII punctuation (C ispunct), not any character', () => {
    assert.equal(dt('2024\u201401\u201402'), null); // em dash
    assert.equal(dt('2024\u000101\u000102'), null);
    assert.equal(dt('2024-01-02\u00a003:04:05'), null); // no-break space is not is_space
    // The generic parser stops at the first character that is neither punctuation nor space after the
    // day and ignores the rest (the date alone is read), as for `2024-1-2abc`.
    assert.equal(dt('2024-1-2\u00a03:4:5'), '2024-01-02 00:00:00');
    assert.equal(dt('2024x01x02'), null); // StarRocks takes any non-digit in the fixed shape; stricter here
    assert.equal(dt('2024--1//2'), '2024-01-02 00:00:00'); // runs of punctuation
  });

  it('times other than HH:MM:SS after a fixed-width date: versions disagree → rejected', () => {
    assert.equal(dt('2024-01-02 03:04'), null); // 3.x 03:04:00, 4.x date only
    assert.equal(dt('2024-01-02 3:4:5'), null);
    assert.equal(dt('2024-01-02 03'), null);
    assert.equal(dt('2024-01-02abc'), null);
    assert.equal(dt('2024-01-02 25:00:00'), null);
    assert.equal(dt('2024-01-02 01:60:00'), null);
  });

  it('the generic parser (`date::from_string`): short fields, two-digit years, compact forms', () => {
    assert.equal(dt('2024-1-2 3:4:5'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-1-2 3:4'), '2024-01-02 03:04:00');
    assert.equal(dt('2024-1-2 03'), '2024-01-02 03:00:00');
    assert.equal(dt('24-01-02'), '2024-01-02 00:00:00');
    assert.equal(dt('70-01-02'), '1970-01-02 00:00:00');
    assert.equal(dt('20240102'), '2024-01-02 00:00:00');
    assert.equal(dt('240102'), '2024-01-02 00:00:00');
    assert.equal(dt('20240102030405'), '2024-01-02 03:04:05');
    assert.equal(dt('20240102030405.25'), '2024-01-02 03:04:05.250000');
    assert.equal(dt('240102030405'), '2024-01-02 03:04:05');
    assert.equal(dt('2024-1-2 25:00:00'), null);
    assert.equal(dt('2024-1-2 3:4:60'), null);
  });

  it('whitespace inside the generic form: only after the day and the fraction; compact text untrimmed', () => {
    assert.equal(dt('2024-1-2 3:4 '), null); // a space after the minutes
    assert.equal(dt('2024-1-2 3:4:5 '), '2024-01-02 03:04:05');
    assert.equal(dt('2024 -1-2'), null);
    assert.equal(dt('20240102 '), null); // not compact with the space: an 8-digit field > 999999
    assert.equal(dt(' 20240102'), '2024-01-02 00:00:00');
  });

  it('ranges: year ≤ 9999, real days, leap years', () => {
    assert.equal(dt('0000-01-01'), '0000-01-01 00:00:00');
    assert.equal(dt('9999-12-31 23:59:59.999999'), '9999-12-31 23:59:59.999999');
    assert.equal(dt('2024-02-29'), '2024-02-29 00:00:00');
    assert.equal(dt('2023-02-29'), null);
    assert.equal(dt('2024-00-10'), null);
    assert.equal(dt('2024-1-0'), null);
    assert.equal(dt('12345-01-01'), null);
    assert.equal(dt('yesterday'), null);
    assert.equal(dt(''), null);
    assert.equal(parseDateTimeText('2024-01-02 23:59:59')?.date, '2024-01-02');
  });
});
