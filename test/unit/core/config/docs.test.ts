import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_CONNECTORS } from '../../../../connectors/index.js';
import { CORE_SETTINGS } from '../../../../core/config/core-settings.js';
import { renderSettingsDoc, replaceGeneratedBlock } from '../../../../core/config/docs-table.js';
import { REPO_ROOT } from '../../../fixtures/external-connector/install.js';

const DOC = join(REPO_ROOT, 'docs', 'configuration.md');
const README = join(REPO_ROOT, 'README.md');

for (const file of [DOC, README]) {
  const name = file === DOC ? 'docs/configuration.md' : 'README.md';
  test(`${name} lists every variable exactly as the SettingSpecs declare it`, () => {
    const doc = readFileSync(file, 'utf8');
    const expected = replaceGeneratedBlock(doc, renderSettingsDoc(CORE_SETTINGS, BUILTIN_CONNECTORS));
    if (process.env['UPDATE_DOCS'] === '1') {
      writeFileSync(file, expected);
      return;
    }
    assert.equal(doc, expected, `${name} is out of date: run this test with UPDATE_DOCS=1 and commit the result`);
  });
}

test('every variable and alias appears in the generated table', () => {
  const doc = readFileSync(DOC, 'utf8');
  for (const spec of [...CORE_SETTINGS, ...BUILTIN_CONNECTORS.flatMap((m) => m.settings)]) {
    for (const name of [spec.env, ...(spec.aliases ?? [])]) assert.ok(doc.includes(`\`${name}\``), `${name} is missing`);
  }
});
