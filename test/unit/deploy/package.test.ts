/**
 * The npm package holds the product: `npm pack` ships the compiled core/ and connectors/ (the
 * conformance kit `dbmazz/testing` included), proto/, docs/ and the README; never tests, the emulator,
 * the demo, the benchmark or the examples. `prepack` builds it with tsconfig.build.json, and a daemon
 * built that way refuses the clone-only commands with a clear message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, repoFile } from './repo.js';

const pkg = JSON.parse(repoFile('package.json')) as {
  scripts: Record<string, string>;
  files: string[];
  main: string;
  bin: Record<string, string>;
  exports: Record<string, string>;
};

test('npm pack lists the product only: no test, emulator, demo, bench or example file', () => {
  const out = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const files = (JSON.parse(out.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
  assert.ok(files.includes('dist/core/runtime/cli.js') && files.includes('dist/connectors/index.js'), 'the daemon is packed (build first)');
  assert.ok(files.includes('dist/core/metrics/assets/dashboard.js'), 'the dashboard assets are packed');
  assert.ok(files.includes('dist/core/testing/index.js'), 'the conformance kit (dbmazz/testing) is packed');
  const allowed = /^(dist\/(core|connectors)\/|proto\/|docs\/|README\.md$|package\.json$|LICENSE)/;
  assert.deepEqual(
    files.filter((f) => !allowed.test(f)),
    [],
    'only the product',
  );
  assert.deepEqual(
    files.filter((f) => /\.test\.|\/starrocks-emulator\/|^dist\/(test|demo|bench|examples)\//.test(f)),
    [],
    'no test, emulator or demo',
  );
  for (const entry of [pkg.main, ...Object.values(pkg.bin), ...Object.values(pkg.exports).filter((e) => e.endsWith('.js'))]) {
    assert.ok(files.includes(entry.replace(/^\.\//, '')), `${entry} (main, bin or exports) is packed`);
  }
});

test('prepack builds the package from core/ and connectors/ only, and that daemon refuses clone-only commands', () => {
  assert.match(pkg.scripts['prepack'] ?? '', /npm run build:package/);
  assert.match(pkg.scripts['build:package'] ?? '', /tsc -p tsconfig\.build\.json/);
  const build = JSON.parse(repoFile('tsconfig.build.json')) as { include: string[] };
  assert.deepEqual(build.include, ['core/**/*.ts', 'connectors/**/*.ts']);
  // Built the way prepack builds it (into a scratch directory inside the repository, so that
  // node_modules resolves), the compiled tree has nothing from test/, demo/ or bench/.
  const dir = mkdtempSync(join(REPO_ROOT, '.pack-check-'));
  try {
    const tsc = spawnSync(
      process.execPath,
      [
        join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
        '-p',
        join(REPO_ROOT, 'tsconfig.build.json'),
        '--outDir',
        dir,
        '--declaration',
        'false',
        '--sourceMap',
        'false',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
    const ls = spawnSync('find', [dir, '-maxdepth', '1', '-mindepth', '1', '-printf', '%f\n'], { encoding: 'utf8' });
    assert.deepEqual(ls.stdout.trim().split('\n').sort(), ['connectors', 'core']);
    for (const command of ['starrocks-emulator', 'demo']) {
      const r = spawnSync(process.execPath, ['--import', 'reflect-metadata', join(dir, 'core', 'runtime', 'cli.js'), command], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 30_000,
      });
      assert.equal(r.status, 2, `${command}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`dbmazz ${command}: not part of the installed package\\. The StarRocks emulator and the demo run from a clone`));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
