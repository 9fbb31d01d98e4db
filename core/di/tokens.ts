/**
 * Injection tokens. Symbols, never classes, so no module has to import a decorated class to name a
 * dependency (docs/stack-traps.md §4.1/4.2/4.5): every constructor parameter says `@inject(TOKEN)`.
 *
 * Daemon-wide (the app container) unless marked "per pipeline": those are registered in the child
 * container the runtime opens for each pipeline (each startup or reconnection attempt), or resolved
 * there so that each pipeline gets its own instance.
 */
export const TOKENS = {
  /** The working directory: where `.env` and external connector packages are looked up. */
  WorkingDirectory: Symbol('dbmazz.WorkingDirectory'),
  /** The built-in manifests (`connectors/index.ts`). */
  BuiltinConnectors: Symbol('dbmazz.BuiltinConnectors'),
  /** `ConnectorRegistry` with the built-ins registered. */
  Registry: Symbol('dbmazz.Registry'),
  /** `ConnectorLoader` over the registry and working directory. */
  Loader: Symbol('dbmazz.Loader'),
  /** Validated `DbmazzConfig`. */
  Config: Symbol('dbmazz.Config'),
  /** The root pino `Logger`. */
  RootLogger: Symbol('dbmazz.RootLogger'),
  /** The one `RuntimeState`. */
  RuntimeState: Symbol('dbmazz.RuntimeState'),
  /** The `Clock` of the pipelines, the reconnection backoff and the connectors (`systemClock`). */
  Clock: Symbol('dbmazz.Clock'),
  /** `PipelineScopes`: opens the child container of one pipeline. */
  PipelineScopes: Symbol('dbmazz.PipelineScopes'),
  /** The `Daemon` (source, sink and lifecycle). */
  Daemon: Symbol('dbmazz.Daemon'),
  /** Per pipeline: the tables it replicates (`readonly TableId[]`; ReloadConfig may change them between pipelines). */
  PipelineTables: Symbol('dbmazz.PipelineTables'),
  /** Per pipeline, when metrics are served: the prom-client `Registry` connector metrics join. */
  MetricsRegistry: Symbol('dbmazz.MetricsRegistry'),
  /** Per pipeline: the `ConnectorContext` handed to the source's / sink's `create()`. */
  SourceContext: Symbol('dbmazz.SourceContext'),
  SinkContext: Symbol('dbmazz.SinkContext'),
  /** Per pipeline: the `Source` / `Sink` instance (created from the manifest and checked). */
  Source: Symbol('dbmazz.Source'),
  Sink: Symbol('dbmazz.Sink'),
} as const;
