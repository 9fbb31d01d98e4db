/**
 * The Helm chart (deploy/helm/dbmazz) and its rendered example (deploy/kubernetes/example.yaml),
 * checked against the code: probes on the daemon's real /readyz and /healthz, ports and variables
 * that are settings, passwords from a Secret, a grace period that covers a drain, memory from the
 * documented bound, pipelines that do not share a slot or a table, Prometheus scraping; and the
 * example against the chart's templates and values (there is no helm binary here to render them).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_MAX_BUFFERED_BYTES } from '../../../core/config/core-settings.js';
import { parseTables } from '../../../core/config/tables.js';
import { SHUTDOWN_GRACE_MS } from '../../../core/control/server.js';
import { MetricsHttpServer } from '../../../core/metrics/http-server.js';
import { healthVerdict, readyVerdict } from '../../../core/metrics/readiness.js';
import { tableKey } from '../../../core/model/table.js';
import { RuntimeState } from '../../../core/runtime/state.js';
import { createTestLogger } from '../../../core/testing/index.js';
import { httpGet } from '../../helpers/http.js';
import { KNOWN_SETTINGS, passwordInValue, PROCESS_VARIABLES, repoFile, REPO_ROOT, settingProblems, settingValue, unknownVariables } from './repo.js';
import { at, list, mergeValues, num, record, text, type Json } from './tree.js';

const CHART = 'deploy/helm/dbmazz';
const EXAMPLE = 'deploy/kubernetes/example.yaml';
const docs: Json[] = parseAllDocuments(repoFile(EXAMPLE))
  .map((d) => d.toJS() as Json)
  .filter((d) => d !== null && d !== undefined);
const ofKind = (kind: string): Json[] => docs.filter((d) => at(d, 'kind') === kind);
const nameOf = (d: Json): string => text(at(d, 'metadata', 'name'), 'metadata.name');
const values = mergeValues(parse(repoFile(`${CHART}/values.yaml`)) as Json, parse(repoFile('deploy/kubernetes/example-values.yaml')) as Json);

interface EnvEntry {
  readonly value?: string;
  readonly secret?: { readonly name: string; readonly key: string };
}

interface Pod {
  readonly deployment: string;
  readonly spec: Json;
  readonly container: Json;
  readonly env: ReadonlyMap<string, EnvEntry>;
  readonly ports: ReadonlyMap<string, number>;
}

function podOf(d: Json): Pod {
  const spec = at(d, 'spec', 'template', 'spec');
  const containers = list(at(spec, 'containers'), 'containers');
  assert.equal(containers.length, 1, `${nameOf(d)}: one container`);
  const container = containers[0];
  const env = new Map<string, EnvEntry>();
  for (const e of list(at(container, 'env'), 'env')) {
    const name = text(at(e, 'name'), 'env name');
    assert.ok(!env.has(name), `${nameOf(d)}: ${name} set once`);
    const ref = at(e, 'valueFrom', 'secretKeyRef');
    env.set(
      name,
      ref === undefined
        ? { value: text(at(e, 'value'), `${name} value`) }
        : { secret: { name: text(at(ref, 'name'), 'secret name'), key: text(at(ref, 'key'), 'secret key') } },
    );
  }
  const ports = new Map(
    list(at(container, 'ports'), 'ports').map((p) => [text(at(p, 'name'), 'port name'), num(at(p, 'containerPort'), 'containerPort')] as const),
  );
  return { deployment: nameOf(d), spec, container, env, ports };
}

const pods = ofKind('Deployment').map(podOf);
/** The environment the daemon sees, with a placeholder for values from the Secret. */
function plainEnv(pod: Pod): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, e] of pod.env) out[name] = e.value ?? (name === 'SOURCE_URL' ? 'postgres://u:secret@db:5432/app' : 'from-a-secret');
  return out;
}

/** Kubernetes quantities: 250m, 1, 192Mi, 1Gi, 500M. */
function quantity(q: Json, what: string): number {
  const s = typeof q === 'number' ? String(q) : text(q, what);
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|k|M|G)?$/.exec(s);
  assert.ok(m, `${what}: a quantity, got ${s}`);
  const unit = { m: 1e-3, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, k: 1e3, M: 1e6, G: 1e9, '': 1 }[m[2] ?? ''] ?? NaN;
  return Number(m[1]) * unit;
}

async function withServer(fn: (port: number, state: RuntimeState) => Promise<void>): Promise<void> {
  const state = new RuntimeState();
  const server = await MetricsHttpServer.start({
    host: '127.0.0.1',
    port: 0,
    logger: createTestLogger('silent').logger,
    metrics: async () => '# TYPE dbmazz_healthy gauge\ndbmazz_healthy 1\n',
    contentType: 'text/plain; version=0.0.4',
    health: () => healthVerdict(state),
    ready: () => readyVerdict(state, 0),
  });
  try {
    await fn(server.port, state);
  } finally {
    await server.close();
  }
}

test('the example has a Deployment per pipeline: 2 replicas (one streams, one stands by), Recreate, and no PodDisruptionBudget', () => {
  assert.ok(pods.length >= 2, 'the example shows several pipelines');
  // Only the active pod is ever ready: a budget protecting it would block draining its node.
  assert.deepEqual(ofKind('PodDisruptionBudget'), [], 'no PodDisruptionBudget');
  for (const d of ofKind('Deployment')) {
    assert.equal(at(d, 'spec', 'replicas'), 2, `${nameOf(d)}: an active pod and a standby`);
    // A standby is never ready: a RollingUpdate would wait for the new pods forever.
    assert.equal(at(d, 'spec', 'strategy', 'type'), 'Recreate', `${nameOf(d)}: Recreate`);
  }
});

test("probes ask the daemon's real metrics server: readiness gets the /readyz verdict, liveness the /livez one (alive while reconnecting and as a standby), on METRICS_PORT", async () => {
  for (const pod of pods) {
    const metricsPort = Number(settingValue(plainEnv(pod), 'METRICS_PORT'));
    const probe = (kind: string): { path: string; port: number } => {
      const get = at(pod.container, kind, 'httpGet');
      const port = at(get, 'port');
      return { path: text(at(get, 'path'), `${kind} path`), port: typeof port === 'string' ? (pod.ports.get(port) ?? NaN) : num(port, `${kind} port`) };
    };
    const readiness = probe('readinessProbe');
    const liveness = probe('livenessProbe');
    assert.equal(readiness.port, metricsPort, `${pod.deployment}: readiness on METRICS_PORT`);
    assert.equal(liveness.port, metricsPort, `${pod.deployment}: liveness on METRICS_PORT`);
    await withServer(async (port, state) => {
      const status = async (path: string): Promise<number> => (await httpGet(port, path)).status;
      // Setting up (as a standby does): healthy, not ready.
      assert.equal(await status(readiness.path), 503, `${pod.deployment}: ${readiness.path} is not ready while setting up`);
      assert.equal(await status(liveness.path), 200, `${pod.deployment}: ${liveness.path} is alive while setting up`);
      state.setStage('CDC', 'Replicating');
      assert.equal(await status(readiness.path), 200, `${pod.deployment}: ${readiness.path} is ready while replicating`);
      // Reconnecting (an error recorded): not ready, but alive: the kubelet must not restart it.
      state.beginOutage('PostgreSQL unreachable; reconnecting', Date.now());
      assert.equal(await status(readiness.path), 503, `${pod.deployment}: ${readiness.path} is not ready while reconnecting`);
      assert.equal(await status(liveness.path), 200, `${pod.deployment}: ${liveness.path} stays alive while reconnecting`);
      assert.equal(await status('/healthz'), 503, '/healthz reports the error');
      // A hot standby: never ready (a rollout must not wait for it), always alive.
      state.endOutage();
      state.setStandby({ detail: "replication slot 'dbmazz_slot' is held by PID 42" });
      assert.equal(await status(readiness.path), 503, `${pod.deployment}: a standby is not ready`);
      assert.equal(await status(liveness.path), 200, `${pod.deployment}: a standby is alive`);
    });
    assert.equal(liveness.path, '/livez', `${pod.deployment}: liveness on /livez, not /healthz (which fails while reconnecting)`);
    const failure =
      num(at(pod.container, 'livenessProbe', 'failureThreshold'), 'failureThreshold') *
      num(at(pod.container, 'livenessProbe', 'periodSeconds'), 'periodSeconds');
    assert.ok(failure >= 60, `${pod.deployment}: liveness tolerates a reconnection of a minute or more (${failure} s)`);
  }
});

test('pods run as a non-root user, without privileges, on a read-only root filesystem (the daemon writes no file)', () => {
  for (const pod of pods) {
    assert.equal(at(pod.spec, 'securityContext', 'runAsNonRoot'), true, `${pod.deployment}: runAsNonRoot`);
    // The Dockerfile's USER is the image's `node` user (uid 1000): a name the kubelet cannot check by itself.
    assert.ok(num(at(pod.spec, 'securityContext', 'runAsUser'), 'runAsUser') > 0, `${pod.deployment}: a numeric non-root runAsUser`);
    assert.equal(at(pod.container, 'securityContext', 'allowPrivilegeEscalation'), false);
    assert.equal(at(pod.container, 'securityContext', 'readOnlyRootFilesystem'), true);
    assert.deepEqual(at(pod.container, 'securityContext', 'capabilities', 'drop'), ['ALL']);
  }
});

test("container ports are the daemon's ports, and it listens on every interface", () => {
  for (const pod of pods) {
    const env = plainEnv(pod);
    assert.deepEqual(
      [...pod.ports.entries()].sort(),
      [
        ['grpc', Number(settingValue(env, 'GRPC_PORT'))],
        ['metrics', Number(settingValue(env, 'METRICS_PORT'))],
      ],
      pod.deployment,
    );
    for (const host of ['GRPC_HOST', 'METRICS_HOST']) assert.equal(settingValue(env, host), '0.0.0.0', `${pod.deployment}: ${host}`);
  }
});

test('every variable is a known setting with a valid value, the required ones are set, and passwords come from a Secret', () => {
  const configuration = repoFile('docs/configuration.md');
  for (const pod of pods) {
    assert.deepEqual(unknownVariables(pod.env.keys()), [], `${pod.deployment}: variables that are not settings`);
    for (const v of pod.env.keys()) if (PROCESS_VARIABLES.includes(v)) assert.ok(configuration.includes(v), `${v} is explained in docs/configuration.md`);
    assert.deepEqual(settingProblems(plainEnv(pod)), [], `${pod.deployment}: the daemon would accept this configuration`);
    for (const [name, e] of pod.env) {
      const spec = KNOWN_SETTINGS.get(name);
      const why = spec === undefined || e.value === undefined ? undefined : passwordInValue(spec, e.value);
      assert.equal(why, undefined, `${pod.deployment}: ${name} is ${why ?? ''} in plain text: take it from a Secret (secretKeyRef)`);
    }
    // SOURCE_URL carries PostgreSQL's password in practice: it comes from the Secret.
    assert.ok(pod.env.get('SOURCE_URL')?.secret !== undefined, `${pod.deployment}: SOURCE_URL from a Secret`);
  }
});

test('terminationGracePeriodSeconds covers a drain: a Stream Load in flight until its timeout and reply grace, then the control API closing', () => {
  for (const pod of pods) {
    const loadTimeoutMs = Number(settingValue(plainEnv(pod), 'SINK_LOAD_TIMEOUT_MS'));
    // The sink waits for a load reply SINK_LOAD_TIMEOUT_MS + 10 % (at most 5 s): connectors/starrocks/sink.ts.
    const needed = Math.ceil((loadTimeoutMs + Math.min(5000, loadTimeoutMs / 10) + SHUTDOWN_GRACE_MS) / 1000);
    const grace = num(at(pod.spec, 'terminationGracePeriodSeconds'), 'terminationGracePeriodSeconds');
    assert.ok(grace >= needed, `${pod.deployment}: terminationGracePeriodSeconds ${grace} < ${needed} s`);
  }
});

test('resources: memory requested covers MAX_BUFFERED_BYTES + ~100 MiB (docs/performance.md), the limit is above, CPU is requested', () => {
  for (const pod of pods) {
    const bound = Number(settingValue(plainEnv(pod), 'MAX_BUFFERED_BYTES') ?? DEFAULT_MAX_BUFFERED_BYTES);
    const request = quantity(at(pod.container, 'resources', 'requests', 'memory'), 'memory request');
    const limit = quantity(at(pod.container, 'resources', 'limits', 'memory'), 'memory limit');
    assert.ok(
      request >= bound + 100 * 1024 ** 2,
      `${pod.deployment}: memory request ${request / 1024 ** 2} MiB < MAX_BUFFERED_BYTES ${bound / 1024 ** 2} MiB + 100 MiB`,
    );
    assert.ok(limit >= request, `${pod.deployment}: memory limit ≥ request`);
    assert.ok(quantity(at(pod.container, 'resources', 'requests', 'cpu'), 'cpu request') > 0, `${pod.deployment}: CPU requested`);
  }
});

test('pipelines: each has its own slot and publication, and a table belongs to one pipeline only', () => {
  const slots = new Map<string, string>();
  const publications = new Map<string, string>();
  const tables = new Map<string, string>();
  for (const pod of pods) {
    const env = plainEnv(pod);
    for (const [setting, seen] of [
      ['SOURCE_SLOT_NAME', slots],
      ['SOURCE_PUBLICATION_NAME', publications],
    ] as const) {
      const v = settingValue(env, setting) ?? '';
      assert.equal(seen.get(v), undefined, `${pod.deployment} and ${seen.get(v)} share ${setting}=${v}`);
      seen.set(v, pod.deployment);
    }
    const parsed = parseTables((env['TABLES'] ?? '').split(','));
    assert.deepEqual(parsed.problems, []);
    for (const t of parsed.tables) {
      const key = tableKey(t);
      assert.equal(tables.get(key), undefined, `${key} is in ${pod.deployment} and ${tables.get(key)}`);
      tables.set(key, pod.deployment);
    }
  }
});

test('Prometheus: pods are annotated for /metrics on the metrics port; a ServiceMonitor scrapes every pod, the standby included', async () => {
  for (const d of ofKind('Deployment')) {
    const pod = podOf(d);
    const a = record(at(d, 'spec', 'template', 'metadata', 'annotations'), 'annotations');
    assert.equal(a['prometheus.io/scrape'], 'true');
    assert.equal(Number(a['prometheus.io/port']), Number(settingValue(plainEnv(pod), 'METRICS_PORT')), `${pod.deployment}: prometheus.io/port`);
    await withServer(async (port) => {
      const answer = await httpGet(port, text(a['prometheus.io/path'], 'prometheus.io/path'));
      assert.equal(answer.status, 200, 'the annotated path is served');
      assert.match(answer.type, /^text\/plain/, 'in the Prometheus text format');
    });
  }
  const monitors = ofKind('ServiceMonitor');
  assert.equal(monitors.length, 1);
  const selector = record(at(monitors[0], 'spec', 'selector', 'matchLabels'), 'ServiceMonitor selector');
  const selected = ofKind('Service').filter((s) => Object.entries(selector).every(([k, v]) => at(s, 'metadata', 'labels', k) === v));
  assert.equal(selected.length, pods.length, 'one metrics Service per pipeline');
  for (const endpoint of list(at(monitors[0], 'spec', 'endpoints'), 'endpoints')) {
    assert.equal(at(endpoint, 'path'), '/metrics');
    for (const s of selected) {
      assert.equal(at(s, 'spec', 'publishNotReadyAddresses'), true, `${nameOf(s)}: the standby (not ready) is scraped too`);
      assert.ok(
        list(at(s, 'spec', 'ports'), 'ports').some((p) => at(p, 'name') === at(endpoint, 'port')),
        `${nameOf(s)} has the port ${String(at(endpoint, 'port'))}`,
      );
    }
  }
});

test("Services select one pipeline's pods and target named container ports", () => {
  for (const s of ofKind('Service')) {
    const selector = record(at(s, 'spec', 'selector'), 'selector');
    const targets = ofKind('Deployment').filter((d) => Object.entries(selector).every(([k, v]) => at(d, 'spec', 'template', 'metadata', 'labels', k) === v));
    assert.equal(targets.length, 1, `${nameOf(s)} selects the pods of exactly one Deployment`);
    const pod = podOf(targets[0]);
    for (const p of list(at(s, 'spec', 'ports'), 'ports'))
      assert.ok(pod.ports.has(text(at(p, 'targetPort'), 'targetPort')), `${nameOf(s)}: targetPort ${String(at(p, 'targetPort'))}`);
  }
});

test('the example is the chart rendered with example-values.yaml: a Deployment and two Services per pipeline, with the values', () => {
  const pipelines = list(at(values, 'pipelines'), 'pipelines');
  const release = 'dbmazz';
  assert.deepEqual(ofKind('Deployment').map(nameOf).sort(), pipelines.map((p) => `${release}-${text(at(p, 'name'), 'name')}`).sort());
  assert.deepEqual(
    ofKind('Service').map(nameOf).sort(),
    pipelines.flatMap((p) => [`${release}-${text(at(p, 'name'), 'name')}`, `${release}-${text(at(p, 'name'), 'name')}-metrics`]).sort(),
  );
  assert.equal(ofKind('ServiceMonitor').length, at(values, 'serviceMonitor', 'enabled') === true ? 1 : 0);
  for (const p of pipelines) {
    const name = `${release}-${text(at(p, 'name'), 'name')}`;
    const d = ofKind('Deployment').find((x) => nameOf(x) === name);
    const pod = podOf(d);
    const expected = new Map<string, EnvEntry>([
      ['GRPC_HOST', { value: '0.0.0.0' }],
      ['GRPC_PORT', { value: String(at(values, 'ports', 'grpc')) }],
      ['METRICS_HOST', { value: '0.0.0.0' }],
      ['METRICS_PORT', { value: String(at(values, 'ports', 'metrics')) }],
    ]);
    for (const [k, v] of Object.entries({ ...record(at(values, 'env'), 'env'), ...record(at(p, 'env') ?? {}, 'pipeline env') }))
      expected.set(k, { value: String(v) });
    const secretName = text(at(p, 'secretName') ?? at(values, 'secretName'), 'secretName');
    for (const [k, key] of Object.entries(record(at(values, 'secretEnv'), 'secretEnv'))) expected.set(k, { secret: { name: secretName, key: text(key, k) } });
    assert.deepEqual(new Map([...pod.env].sort()), new Map([...expected].sort()), `${name}: env`);
    assert.equal(at(d, 'spec', 'replicas'), at(values, 'replicas'), `${name}: replicas`);
    assert.equal(at(pod.spec, 'terminationGracePeriodSeconds'), at(values, 'terminationGracePeriodSeconds'), `${name}: grace`);
    assert.deepEqual(at(pod.container, 'resources'), at(p, 'resources') ?? at(values, 'resources'), `${name}: resources`);
    assert.equal(at(pod.container, 'image'), `${text(at(values, 'image', 'repository'), 'repository')}:${text(at(values, 'image', 'tag'), 'tag')}`);
    assert.deepEqual([...pod.ports.values()].sort(), [num(at(values, 'ports', 'grpc'), 'grpc'), num(at(values, 'ports', 'metrics'), 'metrics')].sort());
  }
  const monitor = ofKind('ServiceMonitor')[0];
  if (monitor !== undefined) {
    for (const [k, v] of Object.entries(record(at(values, 'serviceMonitor', 'labels'), 'labels'))) assert.equal(at(monitor, 'metadata', 'labels', k), v);
    assert.equal(at(monitor, 'spec', 'endpoints', 0, 'interval'), at(values, 'serviceMonitor', 'interval'));
  }
});

const TEMPLATES = readdirSync(join(REPO_ROOT, CHART, 'templates')).filter((f) => f.endsWith('.yaml'));

test("the chart's templates: every line they write is in the rendered example, every value they read exists", () => {
  const example = repoFile(EXAMPLE).split('\n');
  const chartValues = parse(repoFile(`${CHART}/values.yaml`)) as Json;
  const valuesText = repoFile(`${CHART}/values.yaml`);
  const pipelineKeys = new Set(list(at(values, 'pipelines'), 'pipelines').flatMap((p) => Object.keys(record(p, 'pipeline'))));
  assert.ok(TEMPLATES.length >= 3);
  for (const file of TEMPLATES) {
    const template = repoFile(`${CHART}/templates/${file}`);
    for (const line of template.split('\n')) {
      const t = line.trim();
      if (t === '' || t.startsWith('{{')) continue; // control actions and included blocks
      const pattern = new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{\\\{.*?\\\}\\\}/g, '.+')}$`);
      assert.ok(
        example.some((l) => pattern.test(l)),
        `${file}: no line of ${EXAMPLE} is\n${line}`,
      );
    }
    for (const m of template.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
      const path = (m[1] ?? '').slice(1).split('.');
      assert.notEqual(at(chartValues, ...path), undefined, `${file}: .Values.${path.join('.')} is not in values.yaml`);
    }
    for (const m of template.matchAll(/\$p\.([A-Za-z_][A-Za-z0-9_]*)/g)) {
      const key = m[1] ?? '';
      assert.ok(
        pipelineKeys.has(key) || valuesText.includes(`\`${key}\``),
        `${file}: a pipeline's ${key} is neither used by a pipeline nor documented in values.yaml`,
      );
    }
  }
});

test('values.yaml: every variable is a known setting, none holds a password, pipelines have their own slot', () => {
  const chartValues = parse(repoFile(`${CHART}/values.yaml`)) as Json;
  const names = [
    ...Object.keys(record(at(chartValues, 'env'), 'env')),
    ...Object.keys(record(at(chartValues, 'secretEnv'), 'secretEnv')),
    ...list(at(chartValues, 'pipelines'), 'pipelines').flatMap((p) => Object.keys(record(at(p, 'env'), 'pipeline env'))),
  ];
  assert.deepEqual(unknownVariables(names), []);
  for (const [name, value] of Object.entries(record(at(chartValues, 'env'), 'env'))) {
    const spec = KNOWN_SETTINGS.get(name);
    const why = spec === undefined ? undefined : passwordInValue(spec, String(value));
    assert.equal(why, undefined, `values.yaml env sets ${name}, ${why ?? ''}, in plain text: use secretEnv`);
  }
  for (const name of Object.keys(record(at(chartValues, 'secretEnv'), 'secretEnv'))) {
    const spec = KNOWN_SETTINGS.get(name);
    assert.ok(spec !== undefined && (spec.secret === true || spec.url === true), `secretEnv ${name}: a setting that holds a password`);
  }
  for (const p of list(at(chartValues, 'pipelines'), 'pipelines')) assert.notEqual(at(p, 'env', 'SOURCE_SLOT_NAME'), undefined, 'each pipeline names its slot');
});

test("docs/scaling.md's values for N pipelines: known settings, own slots and publications, disjoint tables, enough memory", () => {
  const doc = repoFile('docs/scaling.md');
  const block = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] ?? '').find((b) => /^pipelines:/m.test(b));
  assert.ok(block !== undefined, 'docs/scaling.md shows the pipelines values');
  const doced = mergeValues(parse(repoFile(`${CHART}/values.yaml`)) as Json, parse(block) as Json);
  const seen = new Map<string, string>();
  for (const p of list(at(doced, 'pipelines'), 'pipelines')) {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...record(at(doced, 'env'), 'env'), ...record(at(p, 'env'), 'pipeline env') })) env[k] = String(v);
    assert.deepEqual(unknownVariables(Object.keys(env)), []);
    assert.deepEqual(settingProblems({ ...env, SOURCE_URL: 'postgres://u:p@db:5432/app' }), []);
    const keys = [
      `slot ${settingValue(env, 'SOURCE_SLOT_NAME') ?? ''}`,
      `publication ${settingValue(env, 'SOURCE_PUBLICATION_NAME') ?? ''}`,
      ...parseTables((env['TABLES'] ?? '').split(',')).tables.map((t) => `table ${tableKey(t)}`),
    ];
    for (const k of keys) {
      assert.equal(seen.get(k), undefined, `${k} is in two pipelines`);
      seen.set(k, text(at(p, 'name'), 'name'));
    }
    const resources = at(p, 'resources') ?? at(doced, 'resources');
    const bound = Number(settingValue(env, 'MAX_BUFFERED_BYTES'));
    assert.ok(quantity(at(resources, 'requests', 'memory'), 'memory') >= bound + 100 * 1024 ** 2, `${String(at(p, 'name'))}: memory request`);
  }
});
