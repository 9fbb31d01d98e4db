import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, trapServer, type Trap } from './run-cli.js';

let pgTrap: Trap;
let feTrap: Trap;
let mysqlTrap: Trap;
const dirs: string[] = [];
function dir(): string {
  const d = mkdtempSync(join(tmpdir(), 'dbmazz-cli-'));
  dirs.push(d);
  return d;
}

before(async () => {
  [pgTrap, feTrap, mysqlTrap] = await Promise.all([trapServer(), trapServer(), trapServer()]);
});
after(async () => {
  await Promise.all([pgTrap.close(), feTrap.close(), mysqlTrap.close()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PG_PASSWORD = 'pgS3cretPw';
const SR_PASSWORD = 'srS3cretPw';
const URL_PASSWORD = 'urlS3cretPw';

/** Valid built-in settings whose every endpoint is a trap. */
function trappedEnv(): Record<string, string> {
  return {
    SOURCE_URL: `postgres://app:${PG_PASSWORD}@127.0.0.1:${pgTrap.port}/shop`,
    SOURCE_CONNECT_TIMEOUT_MS: '1000',
    SINK_URL: `http://root:${URL_PASSWORD}@127.0.0.1:${feTrap.port}`,
    SINK_MYSQL_HOST: '127.0.0.1',
    SINK_PORT: String(mysqlTrap.port),
    SINK_DATABASE: 'analytics',
    SINK_PASSWORD: SR_PASSWORD,
    TABLES: 'orders',
    GRPC_PORT: '0',
  };
}

function assertNoSecrets(text: string): void {
  for (const secret of [PG_PASSWORD, SR_PASSWORD, URL_PASSWORD]) assert.ok(!text.includes(secret), `a secret leaked:\n${text}`);
}

test('every kind of bad value is reported together, one line each, exit code 2', async () => {
  const r = await runCli([], {
    SOURCE_TYPE: 'mysql',
    SINK_TYPE: 'starrocks',
    TABLES: 'orders,,items',
    FLUSH_SIZE: 'abc',
    SINK_URL: `ftp:/root:${URL_PASSWORD}@fe`,
    SINK_USER: 'loader',
    STARROCKS_USER: 'root',
    SINK_PASSWORD: SR_PASSWORD,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines[0], 'dbmazz: invalid configuration (6 problems); nothing was started:');
  assert.deepEqual(lines.slice(1, 7), [
    "  TABLES: 'orders,,items' has an empty item (remove the extra comma) (expected a comma-separated list of tables, e.g. orders,public.order_items)",
    "  FLUSH_SIZE: 'abc' is not a positive integer (expected a positive integer, e.g. 10000)",
    "  SOURCE_TYPE 'mysql' is not a known source. Known sources: postgres. It can also name an installed npm package that exports a dbmazz connector manifest.",
    "  SINK_URL: 'ftp:/root:****@fe' does not have the expected form (expected an http(s) URL such as http://starrocks-fe:8030)",
    '  SINK_DATABASE (or STARROCKS_DB): required, expected a value (Target database; each source table is loaded into the table named by SINK_TABLE_MAP or SINK_TABLE_NAME (default: the source table name))',
    '  SINK_USER and STARROCKS_USER are both set, to different values: set only SINK_USER (STARROCKS_USER is its older name)',
  ]);
  assertNoSecrets(r.stderr);
});

test('an unknown SINK_TYPE lists the known sinks; the PostgreSQL URL is never contacted', async () => {
  const r = await runCli([], { ...trappedEnv(), SINK_TYPE: 'snowflake', DATABASE_URL: `postgres://app:${PG_PASSWORD}@elsewhere/db` });
  assert.equal(r.code, 2);
  assert.match(
    r.stderr,
    /^ {2}SINK_TYPE 'snowflake' is not a known sink\. Known sinks: starrocks\. It can also name an installed npm package that exports a dbmazz connector manifest\.$/m,
  );
  assert.match(r.stderr, /^ {2}SOURCE_URL and DATABASE_URL are both set, to different values/m);
  assertNoSecrets(r.stdout + r.stderr);
  assert.equal(pgTrap.connections(), 0);
});

test('with one bad value no database is touched; with none, the daemon connects (the traps work) and fails with exit 1', async () => {
  const bad = await runCli([], { ...trappedEnv(), FLUSH_SIZE: '0' });
  assert.equal(bad.code, 2, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /^ {2}FLUSH_SIZE: '0' is not a positive integer/m);
  assert.equal(bad.stderr.split('\n').filter((l) => l.startsWith('  ')).length, 1);
  assertNoSecrets(bad.stdout + bad.stderr);
  assert.deepEqual([pgTrap.connections(), feTrap.connections(), mysqlTrap.connections()], [0, 0, 0]);

  const good = await runCli([], { ...trappedEnv(), LOG_FORMAT: 'json' });
  assert.equal(good.code, 1, good.stdout + good.stderr);
  assert.ok(pgTrap.connections() + feTrap.connections() + mysqlTrap.connections() > 0, 'the daemon should have tried to connect');
  const lines = good.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const fatal = lines.find((l) => l['component'] === 'runtime' && l['level'] === 'error');
  assert.ok(fatal, good.stdout);
  assert.equal(fatal['stage'], 'INIT');
  assert.match(String(fatal['msg']), /^Startup failed in stage INIT: /);
  assertNoSecrets(good.stdout + good.stderr);
});

test('.env in the working directory is read; the real environment wins; DBMAZZ_ENV_FILE names another file', async () => {
  const d = dir();
  writeFileSync(join(d, '.env'), `SINK_TYPE=snowflake\nFLUSH_SIZE=abc\nTABLES=orders\n`);
  writeFileSync(join(d, 'other.env'), `SINK_TYPE=from-other-file\nTABLES=orders\n`);
  const fromDotEnv = await runCli([], { SOURCE_URL: 'postgres://h/db', FLUSH_SIZE: '5' }, d);
  assert.equal(fromDotEnv.code, 2);
  assert.match(fromDotEnv.stderr, /SINK_TYPE 'snowflake' is not a known sink/);
  assert.doesNotMatch(fromDotEnv.stderr, /FLUSH_SIZE/);
  const named = await runCli([], { SOURCE_URL: 'postgres://h/db', DBMAZZ_ENV_FILE: 'other.env' }, d);
  assert.match(named.stderr, /SINK_TYPE 'from-other-file' is not a known sink/);
  const missing = await runCli([], { DBMAZZ_ENV_FILE: 'missing.env' }, d);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /DBMAZZ_ENV_FILE: cannot read '.*missing\.env' \(ENOENT\)/);
});

test('seed aliases are accepted in place of the canonical names', async () => {
  const r = await runCli([], {
    DATABASE_URL: `postgres://app:${PG_PASSWORD}@127.0.0.1:${pgTrap.port}/shop`,
    SLOT_NAME: 'Not A Slot',
    STARROCKS_URL: `http://127.0.0.1:${feTrap.port}`,
    STARROCKS_DB: 'analytics',
    STARROCKS_USER: 'root',
    STARROCKS_PASS: SR_PASSWORD,
    TABLES: 'orders',
  });
  assert.equal(r.code, 2);
  // Only the bad slot name is wrong: every alias was read.
  assert.deepEqual(
    r.stderr.split('\n').filter((l) => l.startsWith('  ')),
    ["  SLOT_NAME: 'Not A Slot' does not have the expected form (expected 1-63 characters of a-z, 0-9 and _)"],
  );
  assertNoSecrets(r.stderr);
});

test('two source tables mapped to one StarRocks table: exit 2 naming both, the target and the settings; nothing contacted', async () => {
  const before = [pgTrap.connections(), feTrap.connections(), mysqlTrap.connections()];
  const r = await runCli([], { ...trappedEnv(), TABLES: 'a.orders,b.orders,a.items', FLUSH_SIZE: '0', SINK_TABLE_MAP: 'a.items:orders_a' });
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.deepEqual(
    r.stderr.split('\n').filter((l) => l.startsWith('  ')),
    [
      "  FLUSH_SIZE: '0' is not a positive integer (expected a positive integer, e.g. 10000)",
      "  SINK_TABLE_MAP/SINK_TABLE_NAME: a.orders and b.orders would both be loaded into the StarRocks table 'orders' (one would overwrite the other's rows); give them distinct targets, e.g. SINK_TABLE_NAME={schema}_{table} or SINK_TABLE_MAP=a.orders:a_orders,b.orders:b_orders",
    ],
  );
  assert.deepEqual([pgTrap.connections(), feTrap.connections(), mysqlTrap.connections()], before);

  const fixed = await runCli([], { ...trappedEnv(), TABLES: 'a.orders,b.orders', SINK_TABLE_NAME: '{schema}_{table}', FLUSH_SIZE: '0' });
  assert.equal(fixed.code, 2);
  assert.equal(fixed.stderr.split('\n').filter((l) => l.startsWith('  ')).length, 1, fixed.stderr);

  const bad = await runCli([], { ...trappedEnv(), TABLES: 'a.orders', SINK_TABLE_NAME: '{db}_{table}', SINK_TABLE_MAP: 'a.orders' });
  assert.equal(bad.code, 2);
  assert.deepEqual(
    bad.stderr.split('\n').filter((l) => l.startsWith('  ')),
    [
      "  SINK_TABLE_NAME: '{db}_{table}' has the unknown placeholder {db} (expected {schema} and {table})",
      "  SINK_TABLE_MAP: 'a.orders' has no ':' between the source table and the target name (expected schema.table:target, e.g. sales.orders:sales_orders)",
    ],
  );
  assertNoSecrets(r.stderr + bad.stderr);
});
