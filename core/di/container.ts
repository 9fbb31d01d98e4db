/**
 * The only module that touches tsyringe's container. Two phases: what is known before configuration
 * (environment, built-ins, registry, loader), then, once the configuration is valid, what depends on
 * it (logger, runtime state, daemon). Nothing below the composition root resolves from a container.
 */
import { container as globalContainer, instanceCachingFactory, type DependencyContainer } from 'tsyringe';
import type { DbmazzConfig } from '../config/load-config.js';
import { createRootLogger, type Logger, type RootLoggerOptions } from '../log/logger.js';
import { ConnectorLoader, createRegistry } from '../plugin/loader.js';
import type { ConnectorRegistry } from '../plugin/registry.js';
import { RuntimeState } from '../runtime/state.js';
import { Daemon } from '../runtime/daemon.js';
import { TOKENS } from './tokens.js';

export interface ContainerInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly builtins: readonly unknown[];
}

export type LogOutput = Pick<RootLoggerOptions, 'destination' | 'isTty'>;

export function createAppContainer(input: ContainerInput): DependencyContainer {
  const c = globalContainer.createChildContainer();
  c.register(TOKENS.Environment, { useValue: input.env });
  c.register(TOKENS.WorkingDirectory, { useValue: input.cwd });
  c.register(TOKENS.BuiltinConnectors, { useValue: input.builtins });
  c.register(TOKENS.Registry, {
    useFactory: instanceCachingFactory((d) => createRegistry(d.resolve<readonly unknown[]>(TOKENS.BuiltinConnectors))),
  });
  c.register(TOKENS.Loader, {
    useFactory: instanceCachingFactory(
      (d) => new ConnectorLoader(d.resolve<ConnectorRegistry>(TOKENS.Registry), d.resolve<string>(TOKENS.WorkingDirectory)),
    ),
  });
  return c;
}

/** Secret setting names of every selected group, for the logger's redact paths. */
function secretKeys(config: DbmazzConfig): string[] {
  return [...config.source.manifest.settings, ...config.sink.manifest.settings].filter((s) => s.secret).map((s) => s.env);
}

export function provideConfiguredServices(c: DependencyContainer, config: DbmazzConfig, output: LogOutput): void {
  c.register(TOKENS.Config, { useValue: config });
  c.register(TOKENS.LogOutput, { useValue: output });
  c.register(TOKENS.RootLogger, {
    useFactory: instanceCachingFactory((d): Logger => {
      const cfg = d.resolve<DbmazzConfig>(TOKENS.Config);
      const out = d.resolve<LogOutput>(TOKENS.LogOutput);
      return createRootLogger({
        level: cfg.core.logLevel,
        format: cfg.core.logFormat,
        secrets: cfg.secrets,
        secretKeys: secretKeys(cfg),
        base: { slot: cfg.pipelineId },
        ...(out.destination ? { destination: out.destination } : {}),
        ...(out.isTty !== undefined ? { isTty: out.isTty } : {}),
      });
    }),
  });
  c.register(TOKENS.RuntimeState, { useFactory: instanceCachingFactory(() => new RuntimeState()) });
  c.register(TOKENS.Daemon, { useClass: Daemon });
}
