/** Installs an example package of examples/ into a temporary directory, as `npm install` would. */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { installLocalPackage, REPO_ROOT, tempDir } from '../../fixtures/external-connector/install.js';

export interface Installed {
  readonly dir: string;
  /** The package folder inside `dir`/node_modules. */
  readonly pkg: string;
}

/** `examples/<folder>` as `<temp>/node_modules/<name>` (package.json and its build), dbmazz linked. */
export function installExample(folder: string, name: string, dirs: string[], into?: string): Installed {
  const source = join(REPO_ROOT, 'examples', folder);
  if (!existsSync(join(source, 'dist', 'src', 'index.js')))
    throw new Error(`examples/${folder} is not built: run \`npm run build:examples\` (after \`npm run build\`)`);
  const dir = into ?? tempDir('dbmazz-example-');
  if (into === undefined) dirs.push(dir);
  const skipped = ['src', 'test', 'node_modules'].map((d) => join(source, d));
  const pkg = installLocalPackage(dir, source, name, (src) => !skipped.some((d) => src === d || src.startsWith(`${d}/`)));
  return { dir, pkg };
}

/** Runs the package's compiled node:test suite in a fresh test runner; its TAP output and exit code. */
export function runPackageTests({ dir, pkg }: Installed): { readonly status: number | null; readonly output: string; readonly files: number } {
  const tests = join(pkg, 'dist', 'test');
  const files = readdirSync(tests)
    .filter((f) => f.endsWith('.test.js'))
    .map((f) => join(tests, f));
  // Not a child of this runner (NODE_TEST_CONTEXT would make it skip the files).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_TEST_CONTEXT'));
  const run = spawnSync(process.execPath, ['--test', ...files], { cwd: dir, env, encoding: 'utf8', timeout: 300_000 });
  return { status: run.status, output: `${run.stdout}\n${run.stderr}`, files: files.length };
}
