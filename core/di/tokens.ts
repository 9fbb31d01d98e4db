/**
 * Injection tokens. Symbols, never classes, so no module has to import a decorated class to name a
 * dependency (style §4.1/4.2/4.5): every constructor parameter says `@inject(TOKEN)`.
 */
export const TOKENS = {
  /** The process environment (before .env merging): `Readonly<Record<string, string | undefined>>`. */
  Environment: Symbol('dbmazz.Environment'),
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
  /** Logger options that are not configuration: `{ destination?, isTty? }`. */
  LogOutput: Symbol('dbmazz.LogOutput'),
  /** The root pino `Logger`. */
  RootLogger: Symbol('dbmazz.RootLogger'),
  /** The one `RuntimeState`. */
  RuntimeState: Symbol('dbmazz.RuntimeState'),
  /** The `Daemon` (source, sink and lifecycle). */
  Daemon: Symbol('dbmazz.Daemon'),
} as const;
