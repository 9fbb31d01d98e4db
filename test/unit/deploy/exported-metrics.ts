/**
 * The metrics dbmazz exports, read the way Prometheus reads them: the daemon's metrics registry
 * (PipelineMetrics) behind the real metrics HTTP server, GET /metrics, and each family's `# TYPE`.
 */
import { MetricsHttpServer } from '../../../core/metrics/http-server.js';
import { PipelineMetrics } from '../../../core/metrics/pipeline-metrics.js';
import { healthVerdict, readyVerdict } from '../../../core/metrics/readiness.js';
import { RuntimeState } from '../../../core/runtime/state.js';
import { createTestLogger } from '../../../core/testing/index.js';
import { httpGet } from '../../helpers/http.js';

export interface MetricFamily {
  readonly type: string;
  /** Label names the family's series carry (from the registry's definition). */
  readonly labels: readonly string[];
}

export interface ExportedMetrics {
  readonly families: ReadonlyMap<string, MetricFamily>;
  /** The family a sample name belongs to (histogram `_bucket`, `_sum`, `_count` included). */
  familyOf(sample: string): { readonly name: string; readonly family: MetricFamily } | undefined;
  /** Label names a sample of that name carries (`le` for histogram buckets). */
  labelsOf(sample: string): readonly string[];
}

function labelNamesOf(metric: unknown): readonly string[] {
  const v = typeof metric === 'object' && metric !== null ? (metric as { labelNames?: unknown }).labelNames : undefined;
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export async function readExportedMetrics(): Promise<ExportedMetrics> {
  const state = new RuntimeState();
  const metrics = new PipelineMetrics({ state, serverPosition: async () => undefined, slotStatus: async () => undefined });
  const server = await MetricsHttpServer.start({
    host: '127.0.0.1',
    port: 0,
    logger: createTestLogger('silent').logger,
    metrics: () => metrics.metrics(),
    contentType: metrics.registry.contentType,
    health: () => healthVerdict(state),
    ready: () => readyVerdict(state, 0),
  });
  let body: string;
  try {
    const answer = await httpGet(server.port, '/metrics');
    if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
    body = answer.body;
  } finally {
    await server.close();
  }
  const families = new Map<string, MetricFamily>();
  for (const m of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type = ''] = m;
    families.set(name, { type, labels: labelNamesOf(metrics.registry.getSingleMetric(name)) });
  }
  const familyOf = (sample: string): { name: string; family: MetricFamily } | undefined => {
    const direct = families.get(sample);
    if (direct !== undefined) return { name: sample, family: direct };
    const suffix = /^(.*)_(bucket|sum|count)$/.exec(sample);
    const base = suffix?.[1] === undefined ? undefined : families.get(suffix[1]);
    if (base === undefined || suffix?.[1] === undefined) return undefined;
    if (base.type === 'histogram' || (base.type === 'summary' && suffix[2] !== 'bucket')) return { name: suffix[1], family: base };
    return undefined;
  };
  return {
    families,
    familyOf,
    labelsOf(sample) {
      const f = familyOf(sample);
      if (f === undefined) return [];
      return sample.endsWith('_bucket') && f.family.type === 'histogram' ? [...f.family.labels, 'le'] : f.family.labels;
    },
  };
}
