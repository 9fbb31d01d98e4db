import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSettings } from '../../../../core/config/read-settings.js';
import { defineSettings } from '../../../../core/plugin/settings.js';

const settings = defineSettings({
  dir: { env: 'SINK_X_DIR', type: 'string', required: true, description: 'Directory' },
  batch: { env: 'SINK_X_BATCH', type: 'integer', default: 10, description: 'Rows per file' },
  tags: { env: 'SINK_X_TAGS', type: 'list', description: 'Tags' },
  dryRun: { env: 'SINK_X_DRY_RUN', type: 'boolean', default: false, description: 'Dry run' },
});

test('defineSettings: the specs go to the manifest, read() returns typed fields from validated settings', () => {
  assert.deepEqual(
    settings.specs.map((s) => s.env),
    ['SINK_X_DIR', 'SINK_X_BATCH', 'SINK_X_TAGS', 'SINK_X_DRY_RUN'],
  );
  const validated = readSettings(settings.specs, { SINK_X_DIR: '/data', SINK_X_TAGS: 'a,b' });
  assert.deepEqual(validated.problems, []);
  const s = settings.read(validated.settings);
  // Typed: these assignments do not compile when the declaration changes type or optionality.
  const dir: string = s.dir;
  const batch: number = s.batch;
  const tags: readonly string[] | undefined = s.tags;
  const dryRun: boolean = s.dryRun;
  assert.deepEqual({ dir, batch, tags, dryRun }, { dir: '/data', batch: 10, tags: ['a', 'b'], dryRun: false });
});

test('defineSettings: an optional setting left unset is undefined; a wrong type names the variable', () => {
  const s = settings.read({ SINK_X_DIR: '/d', SINK_X_BATCH: 5, SINK_X_DRY_RUN: true });
  assert.equal(s.tags, undefined);
  assert.equal(s.batch, 5);
  assert.throws(() => settings.read({ SINK_X_DIR: '/d', SINK_X_BATCH: '5' }), /setting SINK_X_BATCH is not an integer/);
  assert.throws(() => settings.read({}), /setting SINK_X_DIR is required but missing/);
});

test('defineSettings: a string setting with schema.enum reads as the union of its members, and another value names the variable', () => {
  const MODES = ['fast', 'safe'] as const;
  const modes = defineSettings({
    mode: { env: 'SINK_X_MODE', type: 'string', default: 'safe', schema: { enum: [...MODES] }, description: 'Mode' },
    other: { env: 'SINK_X_OTHER', type: 'string', schema: { enum: ['a', 'b'] }, description: 'Optional enum' },
  });
  const s = modes.read({ SINK_X_MODE: 'fast' });
  // Typed: `mode` is 'fast' | 'safe' (assigning it to a wider string works, a narrower union would not compile).
  const mode: (typeof MODES)[number] = s.mode;
  const other: 'a' | 'b' | undefined = s.other;
  assert.deepEqual({ mode, other }, { mode: 'fast', other: undefined });
  assert.equal(modes.read({}).mode, 'safe');
  assert.throws(() => modes.read({ SINK_X_MODE: 'sometimes' }), /setting SINK_X_MODE is not one of fast, safe/);
});
