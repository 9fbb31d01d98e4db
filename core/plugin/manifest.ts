import type { Logger } from 'pino';
import type { SinkCapabilities, SourceCapabilities } from './capabilities.js';
import type { Clock } from '../pipeline/clock.js';
import type { ConnectorMetrics } from './connector-metrics.js';
import type { Settings, SettingSpec } from './settings.js';
import type { Sink } from './sink.js';
import type { Source } from './source.js';
import type { TableId } from '../model/table.js';

/** The plugin API version this core implements. A manifest declaring another version is rejected. */
export const PLUGIN_API_VERSION = 1;

/**
 * What the runtime gives a connector besides its settings, resolved for each pipeline from the
 * runtime's DI container (docs/architecture.md, "Dependency injection"): plain values, no decorators.
 * Tests of a connector build one with `connectorContext()`.
 */
export interface ConnectorContext {
  /** A child of the daemon's logger bound to `{ component: kind, connector: type }`. */
  readonly logger: Logger;
  /** Tables selected with `TABLES`, parsed (schema defaults to `public`). */
  readonly tables: readonly TableId[];
  /** Identifies the pipeline (the slot name), used e.g. for load labels. */
  readonly pipelineId: string;
  /** Time as the runtime sees it (timers, backoff): use it instead of `setTimeout` / `Date.now` to be testable with a fake clock. */
  readonly clock: Clock;
  /** Metrics exported with the daemon's on /metrics, named `dbmazz_<kind>_<type>_<name>`. */
  readonly metrics: ConnectorMetrics;
  /** This connector's validated settings (the same object `create()` receives first). */
  readonly settings: Settings;
}

interface ManifestBase {
  readonly apiVersion: typeof PLUGIN_API_VERSION;
  /** Type name selected with SOURCE_TYPE / SINK_TYPE. */
  readonly type: string;
  readonly description: string;
  readonly version?: string;
  /** Settings this connector reads from the environment. */
  readonly settings: readonly SettingSpec[];
  /**
   * Optional configuration check that needs more than one setting, or TABLES: returns one problem
   * text per problem (empty when fine), reported with every other configuration problem (exit 2).
   * Called only when this connector's own settings are valid. Pure: contacts nothing.
   */
  checkConfig?(settings: Settings, tables: readonly TableId[]): readonly string[];
}

export interface SourceManifest extends ManifestBase {
  readonly kind: 'source';
  readonly capabilities: SourceCapabilities;
  create(settings: Settings, ctx: ConnectorContext): Source;
}

export interface SinkManifest extends ManifestBase {
  readonly kind: 'sink';
  readonly capabilities: SinkCapabilities;
  create(settings: Settings, ctx: ConnectorContext): Sink;
}

export type ConnectorManifest = SourceManifest | SinkManifest;

/** Identity helpers that give connector authors type inference. */
export function defineSource(m: SourceManifest): SourceManifest {
  return m;
}

export function defineSink(m: SinkManifest): SinkManifest {
  return m;
}
