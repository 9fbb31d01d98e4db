/**
 * The Dockerfile, checked against the code without a container engine: two stages (build with every
 * dependency, runtime with production ones), a non-root user, the ports the daemon listens on, the
 * command of package.json's "start" under tini, files that exist, and a HEALTHCHECK that really
 * asks /healthz of the daemon's metrics server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { MetricsHttpServer } from '../../../core/metrics/http-server.js';
import { healthVerdict, readyVerdict } from '../../../core/metrics/readiness.js';
import { SHUTDOWN_SIGNALS } from '../../../core/runtime/signals.js';
import { RuntimeState } from '../../../core/runtime/state.js';
import { createTestLogger } from '../../../core/testing/index.js';
import { httpGet } from '../../helpers/http.js';
import { startImageDaemon } from './image-daemon.js';
import { copyOf, dockerIgnored, envOf, execForm, parseDockerfile, type Instruction, type Stage } from './dockerfile.js';
import { PROCESS_VARIABLES, repoFile, REPO_ROOT, settingProblems, settingValue, unknownVariables } from './repo.js';

const stages = parseDockerfile(repoFile('Dockerfile'));
const ignore = repoFile('.dockerignore');
const pkg = JSON.parse(repoFile('package.json')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
/** The image holds the product as npm pack ships it: package.json's build:package compiles tsconfig.build.json. */
const tsconfig = JSON.parse(repoFile('tsconfig.build.json')) as { compilerOptions: { outDir: string }; include: string[] };

const runtime = stages.at(-1) as Stage;
const build = stages.find((s) => s.name === 'build');
const all = (s: Stage, keyword: string): Instruction[] => s.instructions.filter((i) => i.keyword === keyword);
const last = (s: Stage, keyword: string): Instruction | undefined => all(s, keyword).at(-1);
const runs = (s: Stage): string[] => all(s, 'RUN').map((i) => i.args);
const workdir = (s: Stage): string => last(s, 'WORKDIR')?.args ?? '/';
const runtimeEnv = new Map(all(runtime, 'ENV').flatMap((i) => envOf(i.args)));

test('two stages on a node 20 slim image: build runs npm ci and npm run build:package, the runtime installs production dependencies only', () => {
  assert.ok(build, 'a stage named build');
  assert.notEqual(runtime, build, 'the runtime stage is the last one, not the build stage');
  for (const s of [build, runtime]) assert.match(s.image, /^node:20[.\d]*-[a-z-]*slim$/, `${s.name ?? 'runtime'} stage base image`);
  const b = runs(build);
  for (const s of [build, runtime]) {
    const lock = s.instructions.findIndex((i) => i.keyword === 'COPY' && copyOf(i.args).sources.includes('package-lock.json'));
    const install = s.instructions.findIndex((i) => i.keyword === 'RUN' && /\bnpm ci\b/.test(i.args));
    assert.ok(lock >= 0 && lock < install, `${s.name ?? 'runtime'} stage: package-lock.json is copied before npm ci`);
  }
  const ci = b.findIndex((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit=dev'));
  const compile = b.findIndex((r) => /\bnpm run build:package\b/.test(r));
  assert.ok(ci >= 0 && compile > ci, `build stage: npm ci (with dev dependencies), then npm run build:package; RUNs: ${b.join(' | ')}`);
  assert.match(pkg.scripts['build:package'] ?? '', /tsc -p tsconfig\.build\.json/, 'package.json builds the package with tsconfig.build.json');
  const r = runs(runtime);
  assert.ok(
    r.some((x) => /\bnpm ci\b.*--omit=dev/.test(x)),
    `runtime stage: npm ci --omit=dev; RUNs: ${r.join(' | ')}`,
  );
  assert.ok(
    !r.some((x) => /\bnpm (install|i|run build)\b/.test(x) || (/\bnpm ci\b/.test(x) && !x.includes('--omit=dev'))),
    'the runtime stage installs no dev dependency and builds nothing',
  );
});

test('the runtime runs as a non-root user', () => {
  const user = last(runtime, 'USER')?.args.trim();
  assert.ok(user !== undefined && user !== '', 'USER is set in the runtime stage');
  assert.doesNotMatch(user, /^(root|0)(:.*)?$/, `USER ${user}`);
});

test('every variable set is a known, valid setting, and the exposed ports are the ones the daemon listens on', () => {
  assert.deepEqual(unknownVariables(runtimeEnv.keys()), [], 'ENV names that are neither a setting nor a documented process variable');
  const configuration = repoFile('docs/configuration.md');
  for (const v of runtimeEnv.keys()) if (PROCESS_VARIABLES.includes(v)) assert.ok(configuration.includes(v), `${v} is explained in docs/configuration.md`);
  const env = Object.fromEntries(runtimeEnv);
  // Only the image's own values: the required settings come from the user at `docker run`.
  const own = settingProblems(env).filter((p) => !/required/.test(p));
  assert.deepEqual(own, [], 'the ENV values are valid settings');
  const ports = ['GRPC_PORT', 'METRICS_PORT'].map((name) => {
    const v = settingValue(env, name);
    assert.ok(v !== undefined, `${name} has a value in the image (its own default or ENV): the server is on`);
    return Number(v);
  });
  const exposed = all(runtime, 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map((p) => Number(p.replace(/\/tcp$/, ''))));
  assert.deepEqual([...exposed].sort(), [...ports].sort(), 'EXPOSE lists exactly the gRPC and metrics ports');
  for (const host of ['GRPC_HOST', 'METRICS_HOST']) assert.equal(settingValue(env, host), '0.0.0.0', `${host}: reachable from outside the container`);
});

test('the command is package.json "start" in exec form under tini, so SIGTERM reaches node and drains', () => {
  const cmd = execForm(last(runtime, 'CMD')?.args ?? '');
  assert.ok(cmd, 'CMD in exec form (a shell form would put /bin/sh between the signal and node)');
  assert.deepEqual(cmd, (pkg.scripts['start'] ?? '').split(/\s+/), 'CMD is package.json "start"');
  const entry = execForm(last(runtime, 'ENTRYPOINT')?.args ?? '');
  assert.ok(entry, 'ENTRYPOINT in exec form');
  assert.match(entry[0] ?? '', /(^|\/)tini$/, 'tini as PID 1');
  assert.equal(entry.at(-1), '--', 'tini -- <command>');
  assert.ok(
    runs(runtime).some((r) => /apt-get install .*\btini\b/.test(r)),
    'tini is installed in the runtime stage',
  );
  const stop = last(runtime, 'STOPSIGNAL')?.args.trim();
  if (stop !== undefined) assert.ok((SHUTDOWN_SIGNALS as readonly string[]).includes(stop), `STOPSIGNAL ${stop} is one the daemon drains on`);
  for (const [i, a] of cmd.entries())
    if (a === '--import') assert.ok(pkg.dependencies[cmd[i + 1] ?? ''] !== undefined, `--import ${cmd[i + 1]}: a production dependency`);
  // The daemon's entry point, as compiled, is what the command runs.
  const script = cmd.find((a) => a.endsWith('.js'));
  assert.ok(script !== undefined && existsSync(join(REPO_ROOT, script)), `${script} exists after npm run build`);
});

test('every file copied exists and is not excluded by .dockerignore; the build copies every compiled directory, the runtime what the daemon reads', () => {
  assert.ok(build);
  const built = new Set<string>();
  for (const s of [build, runtime]) {
    for (const i of all(s, 'COPY')) {
      const c = copyOf(i.args);
      for (const src of c.sources) {
        if (c.from === undefined) {
          assert.ok(existsSync(join(REPO_ROOT, src)), `COPY ${src}: exists in the repository`);
          assert.equal(dockerIgnored(ignore, src), false, `COPY ${src}: not excluded by .dockerignore`);
          if (s === build) built.add(posix.join(workdir(build), c.sources.length > 1 ? posix.join(c.dest, src) : c.dest));
        } else {
          assert.equal(c.from, build.name, `COPY --from=${c.from} names the build stage`);
          const produced = posix.join(workdir(build), tsconfig.compilerOptions.outDir);
          assert.ok(src === produced || built.has(posix.normalize(src)), `COPY --from=build ${src}: the build's output (${produced}) or a file it copied`);
        }
      }
    }
  }
  // tsc compiles every directory of tsconfig "include": each must be in the build context.
  const dirs = new Set(tsconfig.include.map((g) => g.split('/')[0] ?? g));
  for (const d of dirs) assert.ok(built.has(posix.join(workdir(build), d)), `the build stage copies ${d}/ (tsconfig include)`);
  assert.ok(
    ['tsconfig.build.json', 'tsconfig.base.json', 'package-lock.json'].every((f) => built.has(posix.join(workdir(build), f))),
    'tsconfig.build.json, the tsconfig it extends and the lock file',
  );
  // At run time the daemon reads package.json (version, "type": "module") and proto/ next to dist/.
  const runtimeCopies = all(runtime, 'COPY').map((i) => copyOf(i.args));
  const has = (name: string): boolean => runtimeCopies.some((c) => c.sources.some((src) => posix.basename(src) === name));
  for (const name of ['package.json', 'package-lock.json', 'proto', 'dist']) assert.ok(has(name), `the runtime stage copies ${name}`);
  assert.equal(workdir(runtime), workdir(build), 'both stages work in the same directory');
  for (const ignored of ['node_modules', 'dist', '.git']) assert.ok(dockerIgnored(ignore, ignored), `.dockerignore excludes ${ignored}`);
});

/** Every .js file under `dir`. */
function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

test("production dependencies are enough: the daemon's compiled code imports no dev dependency", () => {
  const builtins = new Set(builtinModules);
  const missing = new Set<string>();
  for (const dir of ['core', 'connectors']) {
    for (const file of jsFiles(join(REPO_ROOT, tsconfig.compilerOptions.outDir, dir))) {
      const code = readFileSync(file, 'utf8');
      for (const m of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"./][^'"]*)['"]/g)) {
        const spec = m[1] ?? '';
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec);
        if (spec.startsWith('node:') || builtins.has(name)) continue;
        if (pkg.dependencies[name] === undefined) missing.add(`${name} (${file.slice(REPO_ROOT.length + 1)})`);
      }
    }
  }
  assert.deepEqual([...missing], [], 'imported by the daemon but not in package.json "dependencies" (npm ci --omit=dev leaves it out)');
});

/** Runs the HEALTHCHECK command with the image's environment, METRICS_PORT pointing at `port`. */
function runHealthcheck(port: number): Promise<number> {
  const hc = last(runtime, 'HEALTHCHECK')?.args ?? '';
  const cmd = execForm(hc.replace(/^(?:--\S+\s+)*CMD\s+/, ''));
  assert.ok(cmd, `HEALTHCHECK CMD in exec form: ${hc}`);
  const [file = '', ...args] = cmd;
  assert.equal(file, 'node', 'the health check runs node (no curl in a slim image)');
  return new Promise((resolve) => {
    execFile(process.execPath, args, { env: { ...Object.fromEntries(runtimeEnv), METRICS_PORT: String(port) }, timeout: 30_000 }, (err) => {
      resolve(err === null ? 0 : typeof err.code === 'number' ? err.code : -1);
    });
  });
}

test('HEALTHCHECK asks /livez of the real metrics server: alive → 0 (reconnecting and standby included), a stuck event loop → 1', async () => {
  assert.match(last(runtime, 'HEALTHCHECK')?.args ?? '', /\/livez/);
  let stuck = false;
  const state = new RuntimeState();
  const server = await MetricsHttpServer.start({
    host: '127.0.0.1',
    port: 0,
    logger: createTestLogger('silent').logger,
    metrics: async () => '',
    contentType: 'text/plain',
    health: () => healthVerdict(state),
    ready: () => readyVerdict(state, 0),
    live: () => (stuck ? { ok: false, reason: 'the event loop is 12000 ms late' } : { ok: true, reason: 'runs' }),
  });
  try {
    assert.equal(await runHealthcheck(server.port), 0, 'alive (stage INIT, no error): exit 0');
    state.beginOutage('PostgreSQL unreachable', Date.now());
    assert.equal(await runHealthcheck(server.port), 0, 'reconnecting: still alive, exit 0');
    stuck = true;
    assert.equal(await runHealthcheck(server.port), 1, 'a stuck event loop: exit 1');
  } finally {
    await server.close();
  }
  assert.equal(await runHealthcheck(server.port), 1, 'nothing listening: exit 1');
});

test("the image's command, run with its ENV, starts the daemon: /metrics, /healthz and /readyz answer, and SIGTERM ends it", async () => {
  const d = await startImageDaemon();
  let exit: number | NodeJS.Signals | null;
  try {
    const metrics = await httpGet(d.metricsPort, '/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^dbmazz_healthy [01]$/m);
    for (const path of ['/healthz', '/readyz']) {
      const answer = await httpGet(d.metricsPort, path);
      assert.ok(answer.status === 200 || answer.status === 503, `${path}: ${answer.status}`);
      assert.match(answer.body, /"status":"(ok|unavailable)"/);
    }
    // Never ready: the source is unreachable, nothing replicates.
    assert.equal((await httpGet(d.metricsPort, '/readyz')).status, 503);
  } finally {
    exit = await d.stop();
  }
  assert.equal(typeof exit, 'number', `the daemon exits by itself on SIGTERM (not killed by the signal): ${String(exit)}`);
  assert.ok(
    d.lines.some((l) => l.includes('SIGTERM')),
    'the daemon handled the SIGTERM',
  );
});
