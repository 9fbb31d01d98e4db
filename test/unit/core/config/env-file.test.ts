import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnvironment, parseEnvFile } from '../../../../core/config/env-file.js';

test('parses KEY=value lines, export, comments, quotes and escapes', () => {
  const { vars, problems } = parseEnvFile(
    [
      '# a comment',
      '',
      'TABLES=orders, items',
      'export FLUSH_SIZE=500',
      'SINK_URL = http://fe:8030   # inline comment',
      "SINGLE='literal # not a comment \\n'",
      'DOUBLE="line1\\nline2 \\"q\\""',
      'MULTI="first',
      'second"',
      'HASH=a#b',
      'EMPTY=',
    ].join('\n'),
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(vars, {
    TABLES: 'orders, items',
    FLUSH_SIZE: '500',
    SINK_URL: 'http://fe:8030',
    SINGLE: 'literal # not a comment \\n',
    DOUBLE: 'line1\nline2 "q"',
    MULTI: 'first\nsecond',
    HASH: 'a#b',
    EMPTY: '',
  });
});

test('reports bad lines by number without echoing them', () => {
  const { problems } = parseEnvFile('GOOD=1\nthis is not an assignment hunter2\nQ="unterminated', 'my.env');
  assert.deepEqual(problems, ['my.env line 2: expected KEY=value', 'my.env line 3: Q has an unterminated double quote']);
  assert.ok(!problems.join('\n').includes('hunter2'));
});

test('the real environment wins over .env, which fills in the rest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dbmazz-env-'));
  try {
    writeFileSync(join(dir, '.env'), 'FLUSH_SIZE=500\nTABLES=orders\n');
    const loaded = loadEnvironment({ FLUSH_SIZE: '42' }, dir);
    assert.equal(loaded.env['FLUSH_SIZE'], '42');
    assert.equal(loaded.env['TABLES'], 'orders');
    assert.equal(loaded.file, join(dir, '.env'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('DBMAZZ_ENV_FILE names the file (relative to cwd); a missing named file is a problem, a missing ./.env is not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dbmazz-env-'));
  try {
    writeFileSync(join(dir, 'prod.env'), 'TABLES=a\n');
    writeFileSync(join(dir, '.env'), 'TABLES=from-default\n');
    assert.equal(loadEnvironment({ DBMAZZ_ENV_FILE: 'prod.env' }, dir).env['TABLES'], 'a');
    const missing = loadEnvironment({ DBMAZZ_ENV_FILE: 'nope.env' }, dir);
    assert.equal(missing.problems.length, 1);
    assert.match(missing.problems[0] ?? '', /^DBMAZZ_ENV_FILE: cannot read '.*nope\.env' \(ENOENT\)$/);
    const empty = mkdtempSync(join(tmpdir(), 'dbmazz-env-'));
    assert.deepEqual(loadEnvironment({}, empty), { env: {}, file: undefined, problems: [] });
    rmSync(empty, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
