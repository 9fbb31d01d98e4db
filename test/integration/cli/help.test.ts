import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_CONNECTORS } from '../../../connectors/index.js';
import { CORE_SETTINGS } from '../../../core/config/core-settings.js';
import { displayDefault } from '../../../core/config/describe.js';
import type { SettingSpec } from '../../../core/plugin/settings.js';
import { FIXTURE_PACKAGE, REPO_ROOT, installFixture, tempDir } from '../../fixtures/external-connector/install.js';
import { runCli } from './run-cli.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function specLine(out: string, spec: SettingSpec): string {
  const line = out.split('\n').find((l) => l.startsWith(`  ${spec.env}  `) || l === `  ${spec.env}`);
  assert.ok(line !== undefined, `--help does not list ${spec.env}`);
  return line;
}

function assertListed(out: string, spec: SettingSpec): void {
  const line = specLine(out, spec);
  if (spec.aliases && spec.aliases.length > 0) assert.ok(line.includes(`(alias: ${spec.aliases.join(', ')})`), line);
  if (spec.required) assert.ok(line.includes('[required]'), line);
  else if (spec.default !== undefined) {
    const d = displayDefault(spec);
    assert.ok(line.includes(`[default: ${d === '' ? '""' : d}]`), line);
  }
  if (spec.secret) assert.ok(line.includes('[secret]'), line);
  // The description follows on the next lines.
  const words = spec.description.split(/\s+/).slice(0, 3).join(' ');
  assert.ok(out.includes(words), `${spec.env}: description missing`);
}

test('--help lists every variable (core and built-in connectors) with its default and alias', async () => {
  const r = await runCli(['--help'], {});
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^dbmazz \d+\.\d+\.\d+/);
  for (const spec of [...CORE_SETTINGS, ...BUILTIN_CONNECTORS.flatMap((m) => m.settings)]) assertListed(r.stdout, spec);
  assert.match(r.stdout, /DBMAZZ_ENV_FILE/);
  assert.match(r.stdout, /Exit codes: 0 .* 1 .* 2 .* 130 /);
});

test('--help masks secrets: the password in SOURCE_URL and SINK_PASSWORD never appear', async () => {
  const r = await runCli(['-h'], {
    SOURCE_URL: 'postgres://replicator:pgS3cretPw@pg-host:5432/shop',
    STARROCKS_PASS: 'srS3cretPw',
    SINK_URL: 'http://root:urlS3cretPw@fe:8030',
  });
  assert.equal(r.code, 0);
  for (const secret of ['pgS3cretPw', 'srS3cretPw', 'urlS3cretPw']) assert.ok(!(r.stdout + r.stderr).includes(secret), secret);
  assert.match(r.stdout, /^ {6}Set: postgres:\/\/replicator:\*{4}@pg-host:5432\/shop$/m);
  assert.match(r.stdout, /^ {6}Set \(as STARROCKS_PASS\): \*{4}$/m);
  assert.match(r.stdout, /^ {6}Set: http:\/\/root:\*{4}@fe:8030$/m);
});

test('--help also lists the variables of an external connector that SOURCE_TYPE / SINK_TYPE select', async () => {
  const d = tempDir('dbmazz-help-');
  dirs.push(d);
  installFixture(d);
  const r = await runCli(['--help'], { SOURCE_TYPE: FIXTURE_PACKAGE, SINK_TYPE: FIXTURE_PACKAGE, FIXTURE_TOKEN: 'tokS3cret' }, d);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Source 'fixture-source' \\(external, SOURCE_TYPE=${FIXTURE_PACKAGE}\\)`, 'm'));
  assert.match(r.stdout, new RegExp(`^Sink 'fixture-sink' \\(external, SINK_TYPE=${FIXTURE_PACKAGE}\\)`, 'm'));
  assert.match(r.stdout, /^ {2}SOURCE_FIXTURE_ROWS {2}\[default: 3\]$/m);
  assert.match(r.stdout, /^ {2}SINK_FIXTURE_FILE {2}\[required\]$/m);
  assert.match(r.stdout, /^ {2}SINK_FIXTURE_TOKEN {2}\(alias: FIXTURE_TOKEN\) {2}\[default: ""\] {2}\[secret\]$/m);
  assert.match(r.stdout, /^ {6}Set \(as FIXTURE_TOKEN\): \*{4}$/m);
  assert.ok(!r.stdout.includes('tokS3cret'));
  // The built-ins are still listed.
  assert.match(r.stdout, /^ {2}SINK_URL /m);
});

test('--help with an unknown SINK_TYPE still prints, with a note', async () => {
  const r = await runCli(['--help'], { SINK_TYPE: 'snowflake' });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Notes:\n {2}SINK_TYPE 'snowflake' is not a known sink\. Known sinks: starrocks\./m);
});

test('--version prints the version of package.json; an unknown argument exits 2', async () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const flag of ['--version', '-v']) {
    const r = await runCli([flag], {});
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${pkg.version}\n`);
  }
  const bad = await runCli(['--frobnicate'], {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown argument '--frobnicate'/);
});
