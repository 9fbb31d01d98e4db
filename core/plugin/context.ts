/**
 * A ConnectorContext for a connector's own tests (the runtime builds the real one from its DI
 * container): the system clock, metrics that are dropped and a silent logger unless given.
 */
import pino from 'pino';
import { systemClock } from '../pipeline/clock.js';
import type { ConnectorMetrics } from './connector-metrics.js';
import type { ConnectorContext } from './manifest.js';

/** Metrics that record nothing. */
export const DISCARDED_METRICS: ConnectorMetrics = {
  counter: () => ({ inc: () => undefined }),
  gauge: () => ({ set: () => undefined }),
};

export function connectorContext(partial: Partial<ConnectorContext> = {}): ConnectorContext {
  return {
    logger: partial.logger ?? pino({ level: 'silent' }),
    tables: partial.tables ?? [],
    pipelineId: partial.pipelineId ?? 'dbmazz',
    clock: partial.clock ?? systemClock,
    metrics: partial.metrics ?? DISCARDED_METRICS,
    settings: partial.settings ?? {},
  };
}
