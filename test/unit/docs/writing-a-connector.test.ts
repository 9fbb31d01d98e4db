/**
 * Every code block of docs/writing-a-connector.md is real: a TypeScript or JSON block is preceded by
 * `<!-- snippet: <file>[#<region>] -->` and must equal that file (or its `// #region <name>` ...
 * `// #endregion <name>` part) of the example packages, which are compiled and tested. Run with
 * UPDATE_DOCS=1 to copy the current code into the guide. Relative links must point at files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from '../../fixtures/external-connector/install.js';

const GUIDE = join(REPO_ROOT, 'docs', 'writing-a-connector.md');
const BLOCK = /<!-- snippet: ([^\s#]+)(?:#([\w-]+))? -->\n```(\w+)\n([\s\S]*?)```/g;

function region(file: string, name: string | undefined): string {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  if (name === undefined) return text;
  const start = text.indexOf(`// #region ${name}\n`);
  const end = text.indexOf(`// #endregion ${name}`);
  assert.ok(start >= 0 && end > start, `${file} has no region '${name}'`);
  return text.slice(start + `// #region ${name}\n`.length, end);
}

test('every TypeScript and JSON block of the guide is the code of a compiled, tested example', () => {
  const doc = readFileSync(GUIDE, 'utf8');
  const updated = doc.replace(
    BLOCK,
    (_all, file: string, name: string | undefined, lang: string) =>
      `<!-- snippet: ${file}${name === undefined ? '' : `#${name}`} -->\n\`\`\`${lang}\n${region(file, name)}\`\`\``,
  );
  if (process.env['UPDATE_DOCS'] === '1') {
    writeFileSync(GUIDE, updated);
    return;
  }
  assert.equal(doc, updated, 'docs/writing-a-connector.md is out of date: run this test with UPDATE_DOCS=1 and commit the result');
  const blocks = [...doc.matchAll(/```(\w*)\n/g)].filter((_m, i) => i % 2 === 0).map((m) => m[1]);
  const snippets = [...doc.matchAll(BLOCK)].length;
  const code = blocks.filter((lang) => lang === 'ts' || lang === 'typescript' || lang === 'json').length;
  assert.ok(snippets >= 8, `only ${snippets} snippets`);
  assert.equal(code, snippets, 'a TypeScript or JSON block has no snippet marker: every code block must come from a compiled example');
});

test('the relative links of the guide point at files of the repository', () => {
  const doc = readFileSync(GUIDE, 'utf8');
  for (const m of doc.matchAll(/\]\(((?!https?:|#)[^)#\s]+)(#[^)]*)?\)/g)) {
    const target = join(dirname(GUIDE), m[1] ?? '');
    assert.ok(existsSync(target), `broken link: ${m[1]}`);
  }
});
