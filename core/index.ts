/**
 * The public API of dbmazz core: everything a connector package imports. Connectors import this
 * module only, never each other and never core internals.
 */
export * from './model/lsn.js';
export * from './model/value.js';
export * from './model/table.js';
export * from './model/change-record.js';
export * from './model/row-block.js';
export * from './model/codes.js';
export * from './errors/errors.js';
export * from './plugin/capabilities.js';
export * from './plugin/settings.js';
export * from './plugin/source.js';
export * from './plugin/sink.js';
export * from './plugin/manifest.js';
export * from './plugin/connector-metrics.js';
export { connectorContext, DISCARDED_METRICS } from './plugin/context.js';
export type { Clock, TimerHandle } from './pipeline/clock.js';
export { parseTables, DEFAULT_SCHEMA } from './config/tables.js';
