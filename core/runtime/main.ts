/**
 * The `dbmazz` command: `--help`, `--version`, `starrocks-emulator ...`, `demo ...`, `resnapshot ...`
 * (a client of a running daemon), or (no arguments) the daemon.
 * Resolves with the exit code once the command is done (the emulator serves until it is stopped).
 */
import { readFileSync } from 'node:fs';
import { BUILTIN_CONNECTORS } from '../../connectors/index.js';
import { createAppContainer } from '../di/container.js';
import { TOKENS } from '../di/tokens.js';
import { CdcError } from '../errors/errors.js';
import type { ConnectorLoader } from '../plugin/loader.js';
import { runDaemon, type DaemonIo } from './bootstrap.js';
import { EXIT_CONFIG, EXIT_FATAL, EXIT_OK } from './daemon.js';
import { collectHelpGroups, renderHelp } from './help.js';

export interface CliIo extends DaemonIo {
  readonly stdout: NodeJS.WritableStream;
}

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}

async function help(io: CliIo): Promise<number> {
  try {
    const container = createAppContainer({ cwd: io.cwd, builtins: io.builtins ?? BUILTIN_CONNECTORS });
    const loader = container.resolve<ConnectorLoader>(TOKENS.Loader);
    const { groups, env, notes } = await collectHelpGroups(loader, io.env, io.cwd);
    io.stdout.write(renderHelp({ version: packageVersion(), groups, env, notes }));
    return EXIT_OK;
  } catch (err) {
    io.stderr.write(`dbmazz: ${err instanceof CdcError ? err.operatorMessage : String(err)}\n`);
    return EXIT_FATAL;
  }
}

/**
 * The demo and the emulator are packages of their own (packages/demo, packages/starrocks-emulator),
 * not part of the daemon's package: a clone links them (npm workspaces), an installation needs them
 * installed next to dbmazz. Their names are variables so that the daemon's build does not follow the
 * imports; their shapes are declared here.
 */
const DEMO_PACKAGE = 'dbmazz-demo';
const EMULATOR_PACKAGE = 'dbmazz-starrocks-emulator';

interface DemoModule {
  runDemoCli(argv: readonly string[], io: Pick<CliIo, 'stdout' | 'stderr' | 'signals'>): Promise<number>;
}
interface EmulatorModule {
  runEmulatorCli(argv: string[]): Promise<number>;
}

async function optionalPackage<T>(name: string, command: string, io: Pick<CliIo, 'stderr'>): Promise<T | undefined> {
  try {
    return (await import(name)) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    const missing = String((err as Error).message).includes(`'${name}'`);
    io.stderr.write(
      missing
        ? `dbmazz ${command}: the package ${name} is not installed next to dbmazz. Install it (npm install ${name}), or run from a clone of the repository: git clone, npm ci, npm run build, then npx dbmazz ${command}.\n`
        : `dbmazz ${command}: the package ${name} is installed but not built (${(err as Error).message}). In a clone, run npm run build first.\n`,
    );
    return undefined;
  }
}

/** Runs the demo (packages/demo): PostgreSQL, the emulator and the daemon, traffic, validation, cleanup. */
async function demo(argv: readonly string[], io: CliIo): Promise<number> {
  const m = await optionalPackage<DemoModule>(DEMO_PACKAGE, 'demo', io);
  return m ? m.runDemoCli(argv, { stdout: io.stdout, stderr: io.stderr, signals: io.signals }) : EXIT_CONFIG;
}

/** Runs the emulator; it resolves with its exit code once it was stopped (SIGINT/SIGTERM). */
async function emulator(argv: readonly string[], io: CliIo): Promise<number> {
  const m = await optionalPackage<EmulatorModule>(EMULATOR_PACKAGE, 'starrocks-emulator', io);
  return m ? m.runEmulatorCli([...argv]) : EXIT_CONFIG;
}

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      return runDaemon(io);
    case '--help':
    case '-h':
    case 'help':
      return help(io);
    case '--version':
    case '-v':
    case 'version':
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT_OK;
    case 'starrocks-emulator':
      return emulator(rest, io);
    case 'demo':
      return demo(rest, io);
    case 'resnapshot': {
      const { runResnapshotCli } = await import('./resnapshot-cli.js');
      return runResnapshotCli(rest, { env: io.env, cwd: io.cwd, stdout: io.stdout, stderr: io.stderr });
    }
    default:
      io.stderr.write(`dbmazz: unknown argument '${command}'. Run \`dbmazz --help\` for usage.\n`);
      return EXIT_CONFIG;
  }
}
