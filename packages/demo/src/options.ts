/** `dbmazz demo` flags (pure parsing; the defaults are what `npm run demo` does). */
import { intFlag, readFlags, stringFlag } from 'dbmazz/tools';

export interface DemoOptions {
  /** Changes per second the traffic generator aims at. */
  readonly rate: number;
  /** Seconds of traffic; undefined = until Ctrl-C. */
  readonly durationS: number | undefined;
  /** Orders seeded (customers: a tenth of it, order items: two per order on average). */
  readonly orders: number;
  /** Changes per generated transaction. */
  readonly txSize: number;
  /** Bytes of the TOAST-sized `customers.profile` column. */
  readonly profileBytes: number;
  /** GRPC_AUTH_TOKEN for the daemon (the dashboard's buttons then need it too). */
  readonly token: string | undefined;
  /** Preferred ports (0 = any free one); taken when free, else a free one is used. */
  readonly grpcPort: number;
  readonly metricsPort: number;
  /** Plain log lines even on a terminal. */
  readonly plain: boolean;
  /** Longest wait (s) for the daemon to catch up at the end before validating anyway. */
  readonly catchUpTimeoutS: number;
}

export const DEFAULT_OPTIONS: DemoOptions = {
  rate: 3000,
  durationS: undefined,
  orders: 50_000,
  txSize: 50,
  profileBytes: 3000,
  token: undefined,
  grpcPort: 50051,
  metricsPort: 9187,
  plain: false,
  catchUpTimeoutS: 180,
};

export const DEMO_USAGE = `usage: dbmazz demo [options]      (npm run demo -- [options])

Starts a throwaway PostgreSQL and the StarRocks emulator, creates and seeds orders, order_items and
customers, runs dbmazz with the environment printed below, generates traffic, and at the end (Ctrl-C
or --duration) drains, validates every target table against its source and cleans everything up.

  --rate N            changes per second of generated traffic (default ${DEFAULT_OPTIONS.rate})
  --duration T        traffic time: 90, 90s, 5m, 1h (default: until Ctrl-C)
  --orders N          orders to seed; customers = N/10, order items = 2N (default ${DEFAULT_OPTIONS.orders})
  --tx-size N         changes per transaction (default ${DEFAULT_OPTIONS.txSize})
  --profile-bytes N   size of the TOAST-sized customers.profile column (default ${DEFAULT_OPTIONS.profileBytes})
  --token T           set GRPC_AUTH_TOKEN (gRPC calls and the dashboard's buttons then need it)
  --grpc-port P       gRPC port, when free (default ${DEFAULT_OPTIONS.grpcPort}; 0 = any)
  --metrics-port P    metrics and dashboard HTTP port, when free (default ${DEFAULT_OPTIONS.metricsPort}; 0 = any)
  --plain             plain log lines instead of the live view (the default when stdout is not a terminal)
  --catch-up-timeout S  longest wait for dbmazz to catch up at the end (default ${DEFAULT_OPTIONS.catchUpTimeoutS})
  -h, --help          this text

Exit code: 0 when every target table equals its source, 1 when not (or on an error), 2 for bad options,
130 when stopped by a second Ctrl-C.
`;

/** Pure: "90", "90s", "5m", "1h", "1.5m" → seconds. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h)?$/i.exec(text.trim());
  if (m === null || m[1] === undefined) return undefined;
  const unit = (m[2] ?? 's').toLowerCase();
  const seconds = Number(m[1]) * (unit === 'h' ? 3600 : unit === 'm' ? 60 : 1);
  return seconds > 0 && Number.isFinite(seconds) ? seconds : undefined;
}

type Parsed = { readonly ok: true; readonly options: DemoOptions } | { readonly ok: false; readonly help: boolean; readonly error: string };

const FLAGS = {
  rate: { type: 'string' },
  duration: { type: 'string' },
  orders: { type: 'string' },
  'tx-size': { type: 'string' },
  'profile-bytes': { type: 'string' },
  token: { type: 'string' },
  'grpc-port': { type: 'string' },
  'metrics-port': { type: 'string' },
  'catch-up-timeout': { type: 'string' },
  plain: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type NumberOption = 'rate' | 'orders' | 'txSize' | 'profileBytes' | 'grpcPort' | 'metricsPort' | 'catchUpTimeoutS';
const INT_FLAGS: readonly [string, NumberOption, number, number][] = [
  ['rate', 'rate', 1, 1_000_000],
  ['orders', 'orders', 10, 10_000_000],
  ['tx-size', 'txSize', 1, 10_000],
  ['profile-bytes', 'profileBytes', 0, 60_000],
  ['grpc-port', 'grpcPort', 0, 65535],
  ['metrics-port', 'metricsPort', 0, 65535],
  ['catch-up-timeout', 'catchUpTimeoutS', 1, 86_400],
];

/** Pure: flags → options, or the problem. Accepts `--flag value` and `--flag=value` (node:util parseArgs). */
export function parseDemoArgs(argv: readonly string[]): Parsed {
  const flags = readFlags(argv, FLAGS);
  if (typeof flags === 'string') return fail(flags);
  if (flags.values['help'] === true) return { ok: false, help: true, error: '' };
  const o: { -readonly [K in keyof DemoOptions]: DemoOptions[K] } = { ...DEFAULT_OPTIONS };
  if (flags.values['plain'] === true) o.plain = true;
  for (const [flag, key, min, max] of INT_FLAGS) {
    const n = intFlag(flags, flag, min, max);
    if (typeof n === 'string') return fail(n);
    if (n !== undefined) o[key] = n;
  }
  const duration = stringFlag(flags, 'duration');
  if (duration !== undefined) {
    const d = parseDuration(duration);
    if (d === undefined) return fail('--duration needs a positive time such as 60, 90s, 5m or 1h');
    o.durationS = d;
  }
  const token = stringFlag(flags, 'token');
  if (token !== undefined) {
    if (token === '' || /\s/.test(token)) return fail('--token needs a value without spaces');
    o.token = token;
  }
  return { ok: true, options: o };
}

function fail(error: string): Parsed {
  return { ok: false, help: false, error };
}
