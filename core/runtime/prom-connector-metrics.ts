/**
 * ConnectorMetrics over the daemon's prom-client registry: one metric per full name, shared by every
 * connector instance of the process (a reconnection creates new connectors that keep the counts).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { ConnectorCounter, ConnectorGauge, ConnectorMetrics, MetricLabels } from '../plugin/connector-metrics.js';
import type { ConnectorKind } from '../plugin/registry.js';

const METRIC_NAME = /^[a-z_][a-z0-9_]*$/;
const created = new WeakMap<Registry, Map<string, Counter | Gauge>>();

function metricsOf(registry: Registry): Map<string, Counter | Gauge> {
  let m = created.get(registry);
  if (m === undefined) created.set(registry, (m = new Map<string, Counter | Gauge>()));
  return m;
}

/** `type` as part of a metric name: lower case, anything else `_`. */
export function metricPrefix(kind: ConnectorKind, type: string): string {
  return `dbmazz_${kind}_${type.toLowerCase().replace(/[^a-z0-9_]/g, '_')}_`;
}

export function promConnectorMetrics(registry: Registry, kind: ConnectorKind, type: string): ConnectorMetrics {
  const prefix = metricPrefix(kind, type);
  const get = <M extends Counter | Gauge>(what: 'counter' | 'gauge', name: string, make: (fullName: string) => M): M => {
    if (!METRIC_NAME.test(name)) throw new TypeError(`the ${kind} '${type}': metric name '${name}' must be lower case letters, digits and _`);
    const fullName = prefix + name;
    const metrics = metricsOf(registry);
    const existing = metrics.get(fullName);
    if (existing !== undefined) {
      const isCounter = existing instanceof Counter;
      if (isCounter !== (what === 'counter'))
        throw new TypeError(`the ${kind} '${type}': metric '${fullName}' already exists as a ${isCounter ? 'counter' : 'gauge'}`);
      return existing as M;
    }
    const metric = make(fullName);
    metrics.set(fullName, metric);
    return metric;
  };
  return {
    counter(name, help, labelNames = []): ConnectorCounter {
      const c = get('counter', name, (n) => new Counter({ name: n, help, labelNames: [...labelNames], registers: [registry] }));
      return { inc: (labels?: MetricLabels, value = 1) => (labels === undefined ? c.inc(value) : c.inc(labels, value)) };
    },
    gauge(name, help, labelNames = []): ConnectorGauge {
      const g = get('gauge', name, (n) => new Gauge({ name: n, help, labelNames: [...labelNames], registers: [registry] }));
      return { set: (value: number, labels?: MetricLabels) => (labels === undefined ? g.set(value) : g.set(labels, value)) };
    },
  };
}
