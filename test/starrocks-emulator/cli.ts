/**
 * `dbmazz starrocks-emulator` command:
 *   --fe-http-port P --be-http-port P2 [--bes N] --mysql-port P3 [--user U --password X]
 *   [--schema-change-ms MS] [--host H]
 * Prints one line `starrocks-emulator ready fe_http=… be_http=… mysql=…` and serves until SIGINT/SIGTERM.
 * Never writes to disk.
 */
import { startStarRocksEmulator, type StarRocksEmulatorOptions } from './emulator.js';

export interface EmulatorCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE =
  'usage: dbmazz starrocks-emulator --fe-http-port P --be-http-port P2 [--bes N] --mysql-port P3 [--user U] [--password X] [--schema-change-ms MS] [--host H]';

/** Parse the flags; returns options or an error text. */
export function parseEmulatorArgs(argv: readonly string[]): StarRocksEmulatorOptions | string {
  const o: StarRocksEmulatorOptions = {};
  const num = (flag: string, v: string | undefined, min: number, max: number): number | string => {
    if (v === undefined || !/^\d+$/.test(v) || Number(v) < min || Number(v) > max) return `${flag} needs an integer between ${min} and ${max}`;
    return Number(v);
  };
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] ?? '';
    const eq = raw.indexOf('=');
    const flag = raw.startsWith('--') && eq > 0 ? raw.slice(0, eq) : raw;
    const value = raw.startsWith('--') && eq > 0 ? raw.slice(eq + 1) : argv[++i];
    let n: number | string;
    switch (flag) {
      case '--fe-http-port':
        if (typeof (n = num(flag, value, 0, 65535)) === 'string') return n;
        o.feHttpPort = n;
        break;
      case '--be-http-port':
        if (typeof (n = num(flag, value, 0, 65535)) === 'string') return n;
        o.beHttpPort = n;
        break;
      case '--mysql-port':
        if (typeof (n = num(flag, value, 0, 65535)) === 'string') return n;
        o.mysqlPort = n;
        break;
      case '--bes':
        if (typeof (n = num(flag, value, 1, 64)) === 'string') return n;
        o.bes = n;
        break;
      case '--schema-change-ms':
        if (typeof (n = num(flag, value, 0, 86_400_000)) === 'string') return n;
        o.schemaChangeMs = n;
        break;
      case '--user':
        if (value === undefined) return '--user needs a value';
        o.user = value;
        break;
      case '--password':
        if (value === undefined) return '--password needs a value';
        o.password = value;
        break;
      case '--host':
        if (value === undefined) return '--host needs a value';
        o.host = value;
        break;
      default:
        return `unknown option ${raw}`;
    }
  }
  return o;
}

export async function runEmulatorCli(argv: string[], io: EmulatorCliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }): Promise<number> {
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
