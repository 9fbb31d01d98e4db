/**
 * The only module that touches tsyringe's container (core/di). Three levels:
 * - before configuration (createAppContainer): working directory, built-ins, registry, loader;
 * - once the configuration is valid (provideConfiguredServices): config, logger, runtime state, clock,
 *   the daemon, and the recipes for a pipeline's connectors and their ConnectorContext;
 * - per pipeline (PipelineScopes.open): a child container holding that pipeline's tables, in which
 *   the source, the sink and their contexts are resolved, one instance each per child.
 * A test overrides any registration of the app container (e.g. TOKENS.Clock or TOKENS.Sink) before the
 * daemon runs; pipelines then resolve the override. Nothing below the composition root resolves from a
 * container: the daemon receives PipelineScopes, connectors receive a plain ConnectorContext.
 */
import { Registry } from 'prom-client';
import { container as globalContainer, instanceCachingFactory, instancePerContainerCachingFactory, type DependencyContainer } from 'tsyringe';
import type { ConnectorSelection, DbmazzConfig } from '../config/load-config.js';
import { childLogger, createRootLogger, type Logger, type RootLoggerOptions } from '../log/logger.js';
import type { TableId } from '../model/table.js';
import { systemClock, type Clock } from '../pipeline/clock.js';
import { createSink, createSource } from '../plugin/instance-check.js';
import { ConnectorLoader, createRegistry } from '../plugin/loader.js';
import type { ConnectorContext, SinkManifest, SourceManifest } from '../plugin/manifest.js';
import type { ConnectorRegistry } from '../plugin/registry.js';
import type { Sink } from '../plugin/sink.js';
import type { Source } from '../plugin/source.js';
import { promConnectorMetrics } from '../runtime/prom-connector-metrics.js';
import { RuntimeState } from '../runtime/state.js';
import { Daemon } from '../runtime/daemon.js';
import { TOKENS } from './tokens.js';

export interface ContainerInput {
  readonly cwd: string;
  readonly builtins: readonly unknown[];
}

export type LogOutput = Pick<RootLoggerOptions, 'destination' | 'isTty'>;

/** One pipeline's connectors, resolved in its own child container. */
export interface PipelineScope {
  readonly clock: Clock;
  /** The pipeline's source (created on first call, then the same instance). */
  source(): Source;
  sink(): Sink;
}

export interface PipelineScopeInput {
  readonly tables: readonly TableId[];
  /** The daemon's metrics registry; connector metrics are dropped without one. */
  readonly metrics?: Registry;
}

export interface PipelineScopes {
  open(input: PipelineScopeInput): PipelineScope;
}

export function createAppContainer(input: ContainerInput): DependencyContainer {
  const c = globalContainer.createChildContainer();
  c.register(TOKENS.WorkingDirectory, { useValue: input.cwd });
  c.register(TOKENS.BuiltinConnectors, { useValue: input.builtins });
  c.register(TOKENS.Registry, {
    useFactory: instanceCachingFactory((d) => createRegistry(d.resolve<readonly unknown[]>(TOKENS.BuiltinConnectors))),
  });
  c.register(TOKENS.Loader, {
    useFactory: instanceCachingFactory((d) => new ConnectorLoader(d.resolve<ConnectorRegistry>(TOKENS.Registry), d.resolve<string>(TOKENS.WorkingDirectory))),
  });
  return c;
}

/** Secret setting names of every selected group, for the logger's redact paths. */
function secretKeys(config: DbmazzConfig): string[] {
  return [...config.source.manifest.settings, ...config.sink.manifest.settings].filter((s) => s.secret).map((s) => s.env);
}

/** The context of one connector, from the pipeline container `d`. */
function contextFor(d: DependencyContainer, selection: ConnectorSelection<SourceManifest | SinkManifest>): ConnectorContext {
  const { kind, type } = selection.manifest;
  const registry = d.isRegistered(TOKENS.MetricsRegistry, true) ? d.resolve<Registry>(TOKENS.MetricsRegistry) : new Registry();
  return {
    logger: childLogger(d.resolve<Logger>(TOKENS.RootLogger), kind, { connector: type }),
    tables: d.resolve<readonly TableId[]>(TOKENS.PipelineTables),
    pipelineId: d.resolve<DbmazzConfig>(TOKENS.Config).pipelineId,
    clock: d.resolve<Clock>(TOKENS.Clock),
    metrics: promConnectorMetrics(registry, kind, type),
    settings: selection.settings,
  };
}

/** Opens a child container of `parent` per pipeline. */
function pipelineScopes(parent: DependencyContainer): PipelineScopes {
  return {
    open(input) {
      const child = parent.createChildContainer();
      child.register(TOKENS.PipelineTables, { useValue: input.tables });
      if (input.metrics !== undefined) child.register(TOKENS.MetricsRegistry, { useValue: input.metrics });
      return {
        clock: child.resolve<Clock>(TOKENS.Clock),
        source: () => child.resolve<Source>(TOKENS.Source),
        sink: () => child.resolve<Sink>(TOKENS.Sink),
      };
    },
  };
}

export function provideConfiguredServices(c: DependencyContainer, config: DbmazzConfig, output: LogOutput): void {
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.RootLogger, {
    useFactory: instanceCachingFactory((d): Logger => {
      const cfg = d.resolve<DbmazzConfig>(TOKENS.Config);
      return createRootLogger({
        level: cfg.core.logLevel,
        format: cfg.core.logFormat,
        secrets: cfg.secrets,
        secretKeys: secretKeys(cfg),
        base: { slot: cfg.pipelineId },
        ...(output.destination ? { destination: output.destination } : {}),
        ...(output.isTty !== undefined ? { isTty: output.isTty } : {}),
      });
    }),
  });
  c.register(TOKENS.RuntimeState, { useFactory: instanceCachingFactory(() => new RuntimeState()) });
  c.register(TOKENS.Clock, { useValue: systemClock });
  c.register(TOKENS.PipelineScopes, { useFactory: instanceCachingFactory((d) => pipelineScopes(d)) });
  // Resolved in a pipeline's child container: one context and one instance per pipeline.
  c.register(TOKENS.SourceContext, { useFactory: instancePerContainerCachingFactory((d) => contextFor(d, d.resolve<DbmazzConfig>(TOKENS.Config).source)) });
  c.register(TOKENS.SinkContext, { useFactory: instancePerContainerCachingFactory((d) => contextFor(d, d.resolve<DbmazzConfig>(TOKENS.Config).sink)) });
  c.register(TOKENS.Source, {
    useFactory: instancePerContainerCachingFactory((d) => {
      const { manifest, settings, origin } = d.resolve<DbmazzConfig>(TOKENS.Config).source;
      return createSource(manifest, settings, d.resolve<ConnectorContext>(TOKENS.SourceContext), origin);
    }),
  });
  c.register(TOKENS.Sink, {
    useFactory: instancePerContainerCachingFactory((d) => {
      const { manifest, settings, origin } = d.resolve<DbmazzConfig>(TOKENS.Config).sink;
      return createSink(manifest, settings, d.resolve<ConnectorContext>(TOKENS.SinkContext), origin);
    }),
  });
  c.register(TOKENS.Daemon, { useClass: Daemon });
}
