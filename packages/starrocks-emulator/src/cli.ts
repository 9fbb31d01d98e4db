/**
 * The emulator's command line (`dbmazz-starrocks-emulator`, also run by `dbmazz starrocks-emulator` from a clone):
 *   --fe-http-port P --be-http-port P2 [--bes N] --mysql-port P3 [--user U --password X]
 *   [--schema-change-ms MS] [--host H]
 * Prints one line `starrocks-emulator ready fe_http=… be_http=… mysql=…` and serves until SIGINT/SIGTERM.
 * Never writes to disk.
 */
import { parseArgs } from 'node:util';
import { startStarRocksEmulator, type StarRocksEmulatorOptions } from './emulator.js';

export interface EmulatorCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE =
  'usage: dbmazz-starrocks-emulator --fe-http-port P --be-http-port P2 [--bes N] --mysql-port P3 [--user U] [--password X] [--schema-change-ms MS] [--host H]';

/** Integer flags: the option each one sets and its range. */
const INT_FLAGS: Readonly<Record<string, readonly [keyof StarRocksEmulatorOptions, number, number]>> = {
  'fe-http-port': ['feHttpPort', 0, 65535],
  'be-http-port': ['beHttpPort', 0, 65535],
  'mysql-port': ['mysqlPort', 0, 65535],
  bes: ['bes', 1, 64],
  'schema-change-ms': ['schemaChangeMs', 0, 86_400_000],
};
const TEXT_FLAGS: readonly ('user' | 'password' | 'host')[] = ['user', 'password', 'host'];

/**
 * Parse the flags (`--flag value` or `--flag=value`, through `node:util` `parseArgs` tokens); returns
 * the options or the first problem as one line. The emulator is its own package: it shares no code
 * with the daemon.
 */
export function parseEmulatorArgs(argv: readonly string[]): StarRocksEmulatorOptions | string {
  const options = Object.fromEntries([...Object.keys(INT_FLAGS), ...TEXT_FLAGS].map((name) => [name, { type: 'string' as const }]));
  const { tokens } = parseArgs({
    args: [...argv],
    options: { ...options, help: { type: 'boolean', short: 'h' } },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const o: Record<string, number | string> = {};
  for (const t of tokens) {
    if (t.kind === 'positional') return `unexpected argument ${t.value}`;
    if (t.kind !== 'option' || t.name === 'help') continue;
    const range = INT_FLAGS[t.name];
    if (range === undefined && !(TEXT_FLAGS as readonly string[]).includes(t.name)) return `unknown option ${t.rawName}`;
    if (t.value === undefined) return `${t.rawName} needs a value`;
    if (range === undefined) {
      o[t.name] = t.value;
      continue;
    }
    const [key, min, max] = range;
    const n = /^\d+$/.test(t.value) ? Number(t.value) : NaN;
    if (!(n >= min && n <= max)) return `--${t.name} needs an integer between ${min} and ${max}`;
    o[key] = n;
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
