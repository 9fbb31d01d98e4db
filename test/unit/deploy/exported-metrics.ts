/**
 * The metrics dbmazz exports, read the way Prometheus reads them: GET /metrics of a real daemon started
 * as the container image starts it (image-daemon.ts), each family's `# TYPE`. Label names are not in
 * the text format for families without series yet, so they come from the definition of the same
 * metric in the daemon's registry class (PipelineMetrics).
 */
import { PipelineMetrics } from '../../../core/metrics/pipeline-metrics.js';
import { RuntimeState } from '../../../core/runtime/state.js';
import { httpGet } from '../../helpers/http.js';
import { startImageDaemon } from './image-daemon.js';

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
  const daemon = await startImageDaemon();
  let body: string;
  try {
    const answer = await httpGet(daemon.metricsPort, '/metrics');
    if (answer.status !== 200) throw new Error(`GET /metrics answered ${answer.status}`);
    body = answer.body;
  } finally {
    await daemon.stop();
  }
  const definitions = new PipelineMetrics({ state: new RuntimeState(), serverPosition: async () => undefined, serverStatus: async () => undefined }).registry;
  const families = new Map<string, MetricFamily>();
  for (const m of body.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type = ''] = m;
    families.set(name, { type, labels: labelNamesOf(definitions.getSingleMetric(name)) });
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
