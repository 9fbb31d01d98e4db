/**
 * `dbmazz starrocks-emulator` command:
 *   --fe-http-port P --be-http-port P2 [--bes N] --mysql-port P3 [--user U --password X]
 *   [--schema-change-ms MS] [--host H]
 * Prints one line `starrocks-emulator ready fe_http=… be_http=… mysql=…` and serves until SIGINT/SIGTERM.
 * Never writes to disk.
 */
import { intFlag, readFlags, stringFlag } from '../../core/config/cli-flags.js';
import { startStarRocksEmulator, type StarRocksEmulatorOptions } from './emulator.js';

export interface EmulatorCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE =
  'usage: dbmazz starrocks-emulator --fe-http-port P --be-http-port P2 [--bes N] --mysql-port P3 [--user U] [--password X] [--schema-change-ms MS] [--host H]';

const FLAGS = {
  'fe-http-port': { type: 'string' },
  'be-http-port': { type: 'string' },
  'mysql-port': { type: 'string' },
  bes: { type: 'string' },
  'schema-change-ms': { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  host: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const INT_FLAGS: readonly [string, keyof StarRocksEmulatorOptions, number, number][] = [
  ['fe-http-port', 'feHttpPort', 0, 65535],
  ['be-http-port', 'beHttpPort', 0, 65535],
  ['mysql-port', 'mysqlPort', 0, 65535],
  ['bes', 'bes', 1, 64],
  ['schema-change-ms', 'schemaChangeMs', 0, 86_400_000],
];

/** Parse the flags; returns options or an error text. */
export function parseEmulatorArgs(argv: readonly string[]): StarRocksEmulatorOptions | string {
  const flags = readFlags(argv, FLAGS);
  if (typeof flags === 'string') return flags;
  const o: Record<string, number | string> = {};
  for (const [flag, key, min, max] of INT_FLAGS) {
    const n = intFlag(flags, flag, min, max);
    if (typeof n === 'string') return n;
    if (n !== undefined) o[key] = n;
  }
  for (const key of ['user', 'password', 'host'] as const) {
    const v = stringFlag(flags, key);
    if (v !== undefined) o[key] = v;
  }
  return o;
}

export async function runEmulatorCli(
  argv: string[],
  io: EmulatorCliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) },
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(USAGE);
    return 0;
  }
  const opts = parseEmulatorArgs(argv);
  if (typeof opts === 'string') {
    io.err(`starrocks-emulator: ${opts}`);
    io.err(USAGE);
    return 2;
  }
  let emu;
  try {
    emu = await startStarRocksEmulator({ ...opts, logger: (l) => io.err(l) });
  } catch (e) {
    io.err(`starrocks-emulator: cannot start: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const started = emu;
  io.out(`starrocks-emulator ready fe_http=${started.feHttpPort} be_http=${started.beHttpPorts.join(',')} mysql=${started.mysqlPort}`);
  return await new Promise<number>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void started.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
