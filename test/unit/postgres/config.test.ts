import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { CdcError, ConfigError, connectorContext, type Settings } from '../../../core/index.js';
import { clientConfig, maskUrl, parseConfig, POSTGRES_SETTINGS, REPLICATION_SESSION_OPTIONS } from '../../../connectors/postgres/config.js';
import { toSourceError } from '../../../connectors/postgres/errors.js';
import { postgresSource } from '../../../connectors/postgres/index.js';

const ctx = connectorContext({ logger: pino({ level: 'silent' }), tables: [{ schema: 'public', name: 'orders' }], pipelineId: 'dbmazz_slot' });
const settings = (over: Record<string, unknown> = {}): Settings => ({
  SOURCE_URL: 'postgres://app:p%40ss@db.example:6543/shop?replication=database&sslmode=disable',
  SOURCE_SLOT_NAME: 'dbmazz_slot',
  SOURCE_PUBLICATION_NAME: 'dbmazz_pub',
  SOURCE_STATUS_INTERVAL_MS: 10000,
  SOURCE_CONNECT_TIMEOUT_MS: 30000,
  SOURCE_REPLICA_IDENTITY_FULL: false,
  ...over,
});

test('manifest: type, kind, settings with seed aliases and defaults', () => {
  assert.equal(postgresSource.type, 'postgres');
  assert.equal(postgresSource.kind, 'source');
  const byEnv = new Map(POSTGRES_SETTINGS.map((s) => [s.env, s]));
  assert.deepEqual(byEnv.get('SOURCE_URL')?.aliases, ['DATABASE_URL']);
  assert.equal(byEnv.get('SOURCE_URL')?.required, true);
  assert.equal(byEnv.get('SOURCE_URL')?.url, true);
  assert.deepEqual(byEnv.get('SOURCE_SLOT_NAME')?.aliases, ['SLOT_NAME']);
  assert.equal(byEnv.get('SOURCE_SLOT_NAME')?.default, 'dbmazz_slot');
  assert.deepEqual(byEnv.get('SOURCE_PUBLICATION_NAME')?.aliases, ['PUBLICATION_NAME']);
  assert.equal(byEnv.get('SOURCE_PUBLICATION_NAME')?.default, 'dbmazz_pub');
  assert.equal(byEnv.get('SOURCE_STATUS_INTERVAL_MS')?.default, 1000);
  const src = postgresSource.create(settings(), ctx);
  assert.equal(src.type, 'postgres');
  assert.deepEqual(src.capabilities, { unchangedColumns: true, keyChanges: true, transactions: true });
});

test('?replication=database is stripped for normal connections; the replication client gets its session options', () => {
  const cfg = parseConfig(settings(), ctx);
  assert.ok(!cfg.url.includes('replication='));
  assert.ok(cfg.url.includes('sslmode=disable'));
  assert.equal(cfg.target, 'db.example:6543/shop');
  const q = clientConfig(cfg, 'query') as Record<string, unknown>;
  assert.equal(q['replication'], undefined);
  const r = clientConfig(cfg, 'replication') as Record<string, unknown>;
  assert.equal(r['replication'], 'database');
  assert.equal(r['options'], REPLICATION_SESSION_OPTIONS);
  assert.match(String(r['options']), /TimeZone=UTC/);
  const withOpts = parseConfig(settings({ SOURCE_URL: 'postgres://u@h/db?options=-c%20search_path%3Dx' }), ctx);
  assert.equal((clientConfig(withOpts, 'replication') as Record<string, unknown>)['options'], `-c search_path=x ${REPLICATION_SESSION_OPTIONS}`);
});

test('bad URL, slot or publication names are ConfigErrors that never show the password', () => {
  assert.throws(() => parseConfig(settings({ SOURCE_URL: 'mysql://u:secret@h/db' }), ctx), ConfigError);
  assert.throws(() => parseConfig(settings({ SOURCE_URL: 'not a url secret' }), ctx), ConfigError);
  assert.throws(() => parseConfig(settings({ SOURCE_SLOT_NAME: 'Bad-Slot' }), ctx), /SOURCE_SLOT_NAME/);
  assert.throws(() => parseConfig(settings({ SOURCE_SLOT_NAME: 'x'.repeat(64) }), ctx), /SOURCE_SLOT_NAME/);
  assert.throws(() => parseConfig(settings({ SOURCE_PUBLICATION_NAME: 'a b' }), ctx), /SOURCE_PUBLICATION_NAME/);
  try {
    parseConfig(settings({ SOURCE_URL: 'mysql://u:secret@h/db' }), ctx);
  } catch (e) {
    assert.ok(e instanceof Error && !e.message.includes('secret'));
  }
});

test('maskUrl hides the password', () => {
  assert.equal(maskUrl('postgres://app:secret@h:5432/db?x=1'), 'postgres://app:****@h:5432/db?x=1');
  assert.equal(maskUrl('postgres://app@h/db'), 'postgres://app@h/db');
  assert.ok(!maskUrl('postgres://a:se cret@h/db').includes('cret'));
});

test('error classification: connection loss retries, auth/privilege/config do not', () => {
  const sql = (code: string): CdcError => toSourceError(Object.assign(new Error('x'), { code }), 'do it');
  assert.equal(sql('28P01').retry, 'never');
  assert.equal(sql('28P01').code, 'SOURCE_CONNECTION');
  assert.equal(sql('42501').retry, 'never');
  assert.equal(sql('42501').code, 'SOURCE_SETUP');
  assert.equal(sql('55000').retry, 'never');
  assert.equal(sql('53400').retry, 'never');
  assert.equal(sql('3D000').retry, 'never');
  assert.equal(sql('57P01').retry, 'retry');
  assert.equal(sql('08006').retry, 'retry');
  assert.equal(sql('53300').retry, 'retry');
  assert.equal(sql('55006').retry, 'retry');
  assert.equal(sql('ECONNREFUSED').retry, 'retry');
  assert.equal(sql('EPIPE').retry, 'retry');
  assert.match(sql('42501').message, /SQLSTATE 42501/);
  assert.doesNotMatch(sql('EPIPE').message, /SQLSTATE/);
  assert.equal(toSourceError(new Error('Connection terminated unexpectedly'), 'x').retry, 'retry');
  const already = new CdcError({ code: 'SOURCE_SETUP', message: 'm' });
  assert.equal(toSourceError(already, 'x'), already);
  assert.ok(sql('28P01').hint);
});
