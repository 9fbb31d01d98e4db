/** Command-line flags on node:util parseArgs: one-line errors naming the flag, and the collect-all variant. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intFlag, readAllFlags, readFlags, stringFlag } from '../../../../core/config/cli-flags.js';

const SPEC = { port: { type: 'string' }, plain: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;

test('both --flag value and --flag=value, short aliases, booleans', () => {
  const f = readFlags(['--port', '80', '--plain', '-h'], SPEC);
  assert.ok(typeof f === 'object');
  assert.equal(stringFlag(f, 'port'), '80');
  assert.equal(f.values['plain'], true);
  assert.equal(f.values['help'], true);
  const g = readFlags(['--port=8080'], SPEC);
  assert.ok(typeof g === 'object');
  assert.equal(intFlag(g, 'port', 0, 65535), 8080);
  assert.equal(intFlag(g, 'port', 0, 100), '--port needs an integer between 0 and 100');
  assert.equal(intFlag(g, 'missing', 0, 1), undefined);
});

test('problems are one line naming the flag', () => {
  assert.equal(readFlags(['--nope'], SPEC), 'unknown option --nope');
  assert.equal(readFlags(['--port'], SPEC), '--port needs a value');
  assert.equal(readFlags(['--plain=yes'], SPEC), '--plain takes no value');
  assert.equal(readFlags(['x'], SPEC), 'unexpected argument x');
  const p = readFlags(['--', '-x', 'y'], SPEC, true);
  assert.ok(typeof p === 'object');
  assert.deepEqual(p.positionals, ['-x', 'y'], 'after -- everything is an argument');
});

test('readAllFlags reads on and lists every problem', () => {
  const { flags, problems } = readAllFlags(['--nope', '--port=1', '--plain=1', 'z', '--port'], SPEC);
  assert.deepEqual(problems, ['unknown option --nope', '--plain takes no value', 'unexpected argument z', '--port needs a value']);
  assert.equal(stringFlag(flags, 'port'), '1');
});
