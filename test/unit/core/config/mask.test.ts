import { test } from 'node:test';
import assert from 'node:assert/strict';
import { displayValue, maskUrl, scrubText, secretParts } from '../../../../core/config/mask.js';
import type { SettingSpec } from '../../../../core/plugin/settings.js';

test('maskUrl hides the password and keeps everything else', () => {
  assert.equal(maskUrl('postgres://user:s3cret@host:5432/db'), 'postgres://user:****@host:5432/db');
  assert.equal(maskUrl('postgres://user@host/db'), 'postgres://user@host/db');
  assert.equal(maskUrl('http://fe:8030'), 'http://fe:8030');
  assert.equal(maskUrl('postgres://u:p@ss@host/db'), 'postgres://u:****@host/db');
  assert.equal(maskUrl('postgres://u:pa/ss@host/db'), 'postgres://u:****@host/db');
  assert.equal(maskUrl('postgres://host/db?user=u&password=s3cret&sslmode=require'), 'postgres://host/db?user=u&password=****&sslmode=require');
});

test('displayValue: secrets as ****, URLs masked, lists joined', () => {
  const secret: SettingSpec = { env: 'SINK_PASSWORD', type: 'string', secret: true, description: '' };
  const url: SettingSpec = { env: 'SOURCE_URL', type: 'string', url: true, description: '' };
  const list: SettingSpec = { env: 'TABLES', type: 'list', description: '' };
  assert.equal(displayValue(secret, 'hunter2'), '****');
  assert.equal(displayValue(url, 'postgres://a:hunter2@h/db'), 'postgres://a:****@h/db');
  assert.equal(displayValue(list, ['a', 'b']), 'a,b');
  assert.deepEqual(secretParts(url, 'postgres://a:p%40ss@h/db'), ['p%40ss', 'p@ss']);
});

test('scrubText removes known secrets and URL passwords from free text', () => {
  const text = 'connect to postgres://app:hunter2@db:5432/x failed; password hunter2 rejected; token abc123';
  assert.equal(scrubText(text, ['hunter2', 'abc123']), 'connect to postgres://app:****@db:5432/x failed; password **** rejected; token ****');
});
