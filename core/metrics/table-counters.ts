/**
 * Per-table counters for the dashboard, read from the Prometheus registry (the counters the observed
 * connectors already feed), so the hot path does no extra work: events by operation, batches and rows
 * loaded, load time and failed loads.
 */

/** The part of a prom-client Registry read here. */
export interface MetricsRegistryView {
  getSingleMetric(name: string): { get(): Promise<{ values: readonly MetricPoint[] }> } | undefined;
}

interface MetricPoint {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number | undefined>>;
  readonly metricName?: string;
}

export interface TableCounters {
  readonly table: string;
  inserts: number;
  updates: number;
  deletes: number;
  truncates: number;
  batches: number;
  rows: number;
  /** Sum of successful load durations, seconds. */
  loadSeconds: number;
  loads: number;
  failures: number;
}

const empty = (table: string): TableCounters => ({
  table,
  inserts: 0,
  updates: 0,
  deletes: 0,
  truncates: 0,
  batches: 0,
  rows: 0,
  loadSeconds: 0,
  loads: 0,
  failures: 0,
});

async function points(registry: MetricsRegistryView, name: string): Promise<readonly MetricPoint[]> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) return [];
  return (await metric.get()).values;
}

/** Counters of every table in `tables` (zeros until something happened), plus any other table seen. */
export async function tableCounters(registry: MetricsRegistryView, tables: readonly string[]): Promise<TableCounters[]> {
  const byTable = new Map<string, TableCounters>(tables.map((t) => [t, empty(t)]));
  const of = (p: MetricPoint): TableCounters | undefined => {
    const table = p.labels['table'];
    if (typeof table !== 'string') return undefined;
    let c = byTable.get(table);
    if (c === undefined) byTable.set(table, (c = empty(table)));
    return c;
  };
  const [events, batches, rows, durations, failures] = await Promise.all([
    points(registry, 'dbmazz_events_total'),
    points(registry, 'dbmazz_batches_loaded_total'),
    points(registry, 'dbmazz_rows_loaded_total'),
    points(registry, 'dbmazz_load_duration_seconds'),
    points(registry, 'dbmazz_load_failures_total'),
  ]);
  for (const p of events) {
    const c = of(p);
    if (c === undefined) continue;
    switch (p.labels['operation']) {
      case 'insert':
        c.inserts += p.value;
        break;
      case 'update':
        c.updates += p.value;
        break;
      case 'delete':
        c.deletes += p.value;
        break;
      case 'truncate':
        c.truncates += p.value;
        break;
    }
  }
  for (const p of batches) {
    const c = of(p);
    if (c) c.batches += p.value;
  }
  for (const p of rows) {
    const c = of(p);
    if (c) c.rows += p.value;
  }
  for (const p of durations) {
    const c = of(p);
    if (c === undefined) continue;
    if (p.metricName?.endsWith('_sum') === true) c.loadSeconds += p.value;
    else if (p.metricName?.endsWith('_count') === true) c.loads += p.value;
  }
  for (const p of failures) {
    const c = of(p);
    if (c) c.failures += p.value;
  }
  return [...byTable.values()];
}
