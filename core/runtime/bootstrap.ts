/**
 * The composition root: configuration → logger → registry → runtime state → daemon, which opens one
 * child container per pipeline for its source and sink. The only place (with core/di/) that touches
 * the DI container. No connection is opened before the whole configuration is valid.
 */
import { BUILTIN_CONNECTORS } from '../../connectors/index.js';
import { loadConfig, type DbmazzConfig } from '../config/load-config.js';
import { scrubText } from '../config/mask.js';
import { configSummary } from '../config/summary.js';
import { createAppContainer, provideConfiguredServices, type LogOutput } from '../di/container.js';
import { TOKENS } from '../di/tokens.js';
import { CdcError, ConfigError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { ConnectorLoader } from '../plugin/loader.js';
import { EXIT_CONFIG, EXIT_FATAL, type Daemon } from './daemon.js';
import { controlSettingProblems } from '../control/settings.js';
import { capabilityWarnings } from '../plugin/compatibility.js';
import type { SignalTarget } from './signals.js';

export interface DaemonIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly stderr: NodeJS.WritableStream;
  readonly signals: SignalTarget;
  readonly logOutput?: LogOutput;
  /** Defaults to connectors/index.ts. */
  readonly builtins?: readonly unknown[];
}

/** Prints every configuration problem on its own line. */
export function formatConfigProblems(problems: readonly string[]): string {
  const n = problems.length;
  return [
    `dbmazz: invalid configuration (${n} problem${n === 1 ? '' : 's'}); nothing was started:`,
    ...problems.map((p) => `  ${p}`),
    'Run `dbmazz --help` to see every variable with its default and alias.',
    '',
  ].join('\n');
}

export async function runDaemon(io: DaemonIo): Promise<number> {
  const container = createAppContainer({ cwd: io.cwd, builtins: io.builtins ?? BUILTIN_CONNECTORS });
  let config: DbmazzConfig;
  try {
    config = await loadConfig({ env: io.env, cwd: io.cwd, loader: container.resolve<ConnectorLoader>(TOKENS.Loader) });
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(formatConfigProblems(err.problems));
      return EXIT_CONFIG;
    }
    // A built-in connector failing its manifest check is a bug in dbmazz, not a configuration problem.
    const text = err instanceof CdcError ? err.operatorMessage : String(err);
    io.stderr.write(`dbmazz: ${scrubText(text, [])}\n`);
    return EXIT_FATAL;
  }
  // GRPC_TLS_* must name readable files, as a pair (issue 5); checked before anything starts.
  const controlProblems = controlSettingProblems(config.coreSettings, io.cwd);
  if (controlProblems.length > 0) {
    io.stderr.write(formatConfigProblems(controlProblems));
    return EXIT_CONFIG;
  }
  provideConfiguredServices(container, config, io.logOutput ?? {});
  const logger = container.resolve<Logger>(TOKENS.RootLogger);
  logger.info(
    { component: 'config', config: configSummary(config), ...(config.envFile ? { envFile: config.envFile } : {}) },
    `configuration loaded${config.envFile ? ` (with ${config.envFile})` : ''}`,
  );
  for (const warning of capabilityWarnings(config.source.manifest, config.sink.manifest)) logger.warn({ component: 'config' }, warning);
  return container.resolve<Daemon>(TOKENS.Daemon).run(io.signals);
}
