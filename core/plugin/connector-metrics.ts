/**
 * Metrics a connector may export next to the daemon's own (ConnectorContext.metrics). Names are given
 * without prefix and exported as `dbmazz_<kind>_<type>_<name>` (e.g. `dbmazz_sink_jsonl_fsyncs_total`
 * for the sink `jsonl`), on the same /metrics endpoint (METRICS_PORT). Asking twice for one name returns
 * the same metric, so a connector created again after a reconnection keeps counting.
 */
export type MetricLabels = Readonly<Record<string, string>>;

export interface ConnectorCounter {
  /** Adds `value` (default 1) to the series of `labels`. */
  inc(labels?: MetricLabels, value?: number): void;
}

export interface ConnectorGauge {
  set(value: number, labels?: MetricLabels): void;
}

export interface ConnectorMetrics {
  /** `name`: lower case, digits and `_` (a counter's should end in `_total`); `labelNames` fixed per metric. */
  counter(name: string, help: string, labelNames?: readonly string[]): ConnectorCounter;
  gauge(name: string, help: string, labelNames?: readonly string[]): ConnectorGauge;
}
