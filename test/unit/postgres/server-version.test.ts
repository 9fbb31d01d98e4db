import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CdcError } from '../../../core/index.js';
import { checkServerVersion, MIN_SERVER_VERSION_NUM } from '../../../connectors/postgres/setup.js';

const target = '127.0.0.1:5432/app';

test('PostgreSQL 13 and later pass the version check', () => {
  assert.equal(MIN_SERVER_VERSION_NUM, 130000);
  for (const [num, text] of [
    ['130000', '13.0'],
    ['130016', '13.16'],
    ['150018', '15.18 (Debian 15.18-0+deb12u1)'],
    ['170002', '17.2'],
    ['180000', '18devel'],
  ]) {
    assert.doesNotThrow(() => checkServerVersion(num ?? '', text ?? '', target));
  }
});

test('older servers are refused with the version found, the minimum and what to do', () => {
  for (const [num, text] of [
    ['120017', '12.17'],
    ['110022', '11.22'],
    ['100023', '10.23'],
    ['90624', '9.6.24'],
  ]) {
    assert.throws(
      () => checkServerVersion(num ?? '', text ?? '', target),
      (e: unknown) =>
        e instanceof CdcError &&
        e.code === 'SOURCE_SETUP' &&
        e.retry === 'never' &&
        e.message.startsWith(`PostgreSQL ${text} (server_version_num ${num}) at ${target} is too old: dbmazz needs PostgreSQL 13 or later`) &&
        /publish_via_partition_root/.test(e.message) &&
        e.hint === 'Upgrade PostgreSQL to 13 or later; nothing was changed.',
    );
  }
  assert.throws(() => checkServerVersion('', '', target), /too old/, 'an unreadable version is not taken for a new one');
});
