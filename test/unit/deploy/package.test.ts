/**
 * Each npm package holds what it is for. `dbmazz` ships the compiled core/ and connectors/ (the
 * conformance kit `dbmazz/testing` and `dbmazz/tools` included), proto/, docs/ and the README; never
 * tests, the emulator, the demo, the benchmark or the examples. The emulator, the demo and the
 * PostgreSQL sandbox are workspace packages (packages/*) that build and ship apart, their tests left
 * out. Installed as a user installs them (packed tarballs in a node_modules outside the repository),
 * the daemon refuses `demo` and `starrocks-emulator` with a clear message until their package is
 * installed next to it, and then runs them.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT, repoFile } from './repo.js';

interface PackageJson {
  name: string;
  scripts: Record<string, string>;
  files: string[];
  main?: string;
  bin?: Record<string, string>;
  exports: Record<string, string | { import: string; types: string }>;
  dependencies?: Record<string, string>;
  workspaces?: string[];
}

const pkg = JSON.parse(repoFile('package.json')) as PackageJson;
const WORKSPACES = ['packages/starrocks-emulator', 'packages/demo', 'packages/postgres-sandbox'] as const;
const scratch: string[] = [];
after(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

/** The files `npm pack` would put in the tarball of the package in `dir` (built beforehand). */
function packList(dir: string): string[] {
  const out = spawnSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: dir, encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  return (JSON.parse(out.stdout) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [];
}

/** Every file an entry point (main, bin, exports) names. */
function entryFiles(p: PackageJson): string[] {
  const exported = Object.values(p.exports).flatMap((e) => (typeof e === 'string' ? [e] : [e.import, e.types]));
  return [...(p.main ? [p.main] : []), ...Object.values(p.bin ?? {}), ...exported.filter((e) => /\.(js|d\.ts)$/.test(e))].map((e) => e.replace(/^\.\//, ''));
}

/** Packs the package in `dir` and unpacks it as `node_modules/<name>` under `root`. */
function install(dir: string, root: string): PackageJson {
  const p = JSON.parse(repoFile(join(dir, 'package.json'))) as PackageJson;
  const dest = mkdtempSync(join(tmpdir(), 'dbmazz-pack-'));
  scratch.push(dest);
  const packed = spawnSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dest, '--json'], { cwd: join(REPO_ROOT, dir), encoding: 'utf8' });
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = join(dest, (JSON.parse(packed.stdout) as { filename: string }[])[0]?.filename ?? '');
  const target = join(root, 'node_modules', p.name);
  mkdirSync(target, { recursive: true });
  const tar = spawnSync('tar', ['-xzf', tarball, '-C', target, '--strip-components=1'], { encoding: 'utf8' });
  assert.equal(tar.status, 0, tar.stderr);
  // Its production dependencies, as npm would install them (their own dependencies resolve from the repository's node_modules).
  for (const dep of Object.keys(p.dependencies ?? {})) {
    const link = join(root, 'node_modules', dep);
    mkdirSync(dirname(link), { recursive: true });
    try {
      symlinkSync(join(REPO_ROOT, 'node_modules', dep), link);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  return p;
}

test('npm pack of dbmazz lists the product only: no test, emulator, demo, sandbox, bench or example file', () => {
  const files = packList(REPO_ROOT);
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
    files.filter((f) => /\.test\.|^dist\/.*(starrocks-emulator|sandbox)|^packages\/|^dist\/(test|demo|bench|examples)\//.test(f)),
    [],
    'no test, emulator or demo',
  );
  for (const entry of entryFiles(pkg).filter((e) => e.endsWith('.js'))) assert.ok(files.includes(entry), `${entry} (main, bin or exports) is packed`);
});

test('the emulator, the demo and the sandbox are workspace packages that ship their sources only, never their tests', () => {
  assert.deepEqual(pkg.workspaces, ['packages/*']);
  for (const dir of WORKSPACES) {
    const p = JSON.parse(repoFile(join(dir, 'package.json'))) as PackageJson;
    assert.match(p.scripts['prepack'] ?? '', /tsc -p tsconfig\.build\.json/, `${p.name}: prepack builds`);
    const build = JSON.parse(repoFile(join(dir, 'tsconfig.build.json'))) as { include: string[] };
    assert.deepEqual(build.include, ['src/**/*.ts'], `${p.name}: the packed build has no test`);
    const files = packList(join(REPO_ROOT, dir));
    assert.deepEqual(
      files.filter((f) => !/^(dist\/src\/|README\.md$|package\.json$)/.test(f) || /\.test\.|\/test\//.test(f)),
      [],
      `${p.name}: only dist/src, package.json and README.md`,
    );
    assert.ok(files.includes('README.md'), `${p.name}: has a README`);
    for (const entry of entryFiles(p)) assert.ok(files.includes(entry), `${p.name}: ${entry} (bin or exports) is packed`);
    assert.equal(p.dependencies?.['dbmazz'], undefined, `${p.name}: dbmazz is at most a peer dependency`);
  }
  const emulator = JSON.parse(repoFile('packages/starrocks-emulator/package.json')) as PackageJson;
  assert.deepEqual(Object.keys(emulator.dependencies ?? {}), ['mysql2'], 'the emulator shares no code with the daemon');
});

test('prepack builds dbmazz from core/ and connectors/ only', () => {
  assert.match(pkg.scripts['prepack'] ?? '', /npm run build:package/);
  assert.match(pkg.scripts['build:package'] ?? '', /tsc -p tsconfig\.build\.json/);
  const build = JSON.parse(repoFile('tsconfig.build.json')) as { include: string[] };
  assert.deepEqual(build.include, ['core/**/*.ts', 'connectors/**/*.ts']);
  // Built the way prepack builds it (into a scratch directory inside the repository, so that
  // node_modules resolves), the compiled tree has nothing from test/, packages/ or bench/.
  const dir = mkdtempSync(join(REPO_ROOT, '.pack-check-'));
  scratch.push(dir);
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
      '--composite',
      'false',
      '--sourceMap',
      'false',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['connectors', 'core']);
});

test('installed from its tarball, dbmazz refuses demo and starrocks-emulator until their package is installed next to it, then runs them', () => {
  const root = mkdtempSync(join(tmpdir(), 'dbmazz-install-'));
  scratch.push(root);
  install('.', root);
  const cli = join(root, 'node_modules', 'dbmazz', 'dist', 'core', 'runtime', 'cli.js');
  const run = (...args: string[]): SpawnSyncReturns<string> =>
    spawnSync(process.execPath, ['--import', 'reflect-metadata', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });

  for (const [command, name] of [
    ['starrocks-emulator', 'dbmazz-starrocks-emulator'],
    ['demo', 'dbmazz-demo'],
  ] as const) {
    const r = run(command, '--help');
    assert.equal(r.status, 2, `${command}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`dbmazz ${command}: the package ${name} is not installed next to dbmazz\\. Install it \\(npm install ${name}\\)`));
  }

  const emulatorPackage = install('packages/starrocks-emulator', root);
  // Its own bin, as `npx dbmazz-starrocks-emulator` runs it.
  const bin = join(root, 'node_modules', emulatorPackage.name, emulatorPackage.bin?.['dbmazz-starrocks-emulator'] ?? 'missing');
  const own = spawnSync(process.execPath, [bin, '--help'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  assert.equal(own.status, 0, own.stderr);
  assert.match(own.stdout, /^usage: dbmazz-starrocks-emulator/);
  const emulator = run('starrocks-emulator', '--help');
  assert.equal(emulator.status, 0, emulator.stderr);
  assert.match(emulator.stdout, /^usage: dbmazz-starrocks-emulator --fe-http-port/);
  const bad = run('starrocks-emulator', '--bes', '0');
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--bes needs an integer between 1 and 64/);

  install('packages/postgres-sandbox', root);
  const demoPackage = install('packages/demo', root);
  const demo = run('demo', '--help');
  assert.equal(demo.status, 0, demo.stderr);
  assert.match(demo.stdout, /dbmazz demo/);
  const demoBin = join(root, 'node_modules', demoPackage.name, demoPackage.bin?.['dbmazz-demo'] ?? 'missing');
  const ownDemo = spawnSync(process.execPath, [demoBin, '--bogus'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  assert.equal(ownDemo.status, 2, ownDemo.stderr);
  assert.match(ownDemo.stderr, /unknown option --bogus/);
});
