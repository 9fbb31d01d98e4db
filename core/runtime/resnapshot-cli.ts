/**
 * `dbmazz resnapshot TABLE...`: asks a running daemon (CdcSnapshotService/Resnapshot over gRPC) to
 * copy the current rows of the tables again. Where the daemon listens and its token come from the
 * same variables (and .env file) the daemon reads, or from flags. Exit codes: 0 requested, 1 the
 * daemon refused or could not be reached, 2 bad usage (nothing was sent).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { parseTables } from '../config/tables.js';
import { loadEnvironment } from '../config/env-file.js';
import type { Environment } from '../config/read-settings.js';
import type { ResnapshotResponse__Output } from '../control/gen/dbmazz/ResnapshotResponse.js';
import { loadControlProto } from '../control/proto.js';
import { bindAddress } from '../control/server.js';
import { EXIT_CONFIG, EXIT_FATAL, EXIT_OK } from './daemon.js';
import { intFlag, readFlags, stringFlag } from '../config/cli-flags.js';

export const RESNAPSHOT_USAGE = `Usage: dbmazz resnapshot [options] TABLE...

Asks the running daemon to copy the current rows of each TABLE again (gRPC
CdcSnapshotService/Resnapshot), next to the stream, which keeps running. TABLE is written as in
TABLES: schema.table or table (schema public); each must be replicated by the daemon. Use it after
a schema change added a column whose existing values the target lacks, or after the target lost
rows. Progress: GetStatus (snapshots), the dbmazz_snapshot_* metrics, the dashboard and the log.

Options:
  --address HOST:PORT   the daemon's gRPC API [default: GRPC_HOST:GRPC_PORT, else 127.0.0.1:50051]
  --token TOKEN         bearer token [default: GRPC_AUTH_TOKEN]; prefer the variable (a flag is
                        visible to other users in the process list)
  --tls-ca FILE         connect with TLS, trusting the PEM certificate(s) in FILE
                        [default: GRPC_TLS_CERT when set, else plaintext]
  --tls-server-name N   the name to verify in the daemon's certificate (default: the host)
  --timeout SECONDS     give up after this long [default: 60]
  -h, --help            print this help

The variables are read from the environment and the .env file as the daemon reads them.

Exit codes: 0 the re-snapshot was requested, 1 the daemon refused it (the reason is printed: a
table not replicated, the daemon not replicating yet or stopping, a source without snapshots) or
could not be reached, 2 bad usage (nothing was sent).
`;

export interface ResnapshotOptions {
  readonly address: string;
  readonly token: string | undefined;
  /** PEM file of the CA to trust; undefined = plaintext. */
  readonly tlsCaFile: string | undefined;
  readonly tlsServerName: string | undefined;
  readonly timeoutMs: number;
  /** As given (the daemon resolves them); checked for syntax here. */
  readonly tables: readonly string[];
}

export type ParsedResnapshot =
  { readonly ok: true; readonly options: ResnapshotOptions } | { readonly ok: false; readonly help: boolean; readonly error: string };

const fail = (error: string): ParsedResnapshot => ({ ok: false, help: false, error });
const set = (env: Environment, name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);

/** Where a daemon configured by `env` is reached from this host (a wildcard listen address is reached on loopback). */
export function defaultAddress(env: Environment): string {
  const host = set(env, 'GRPC_HOST') ?? '127.0.0.1';
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' || host === '[::]' ? '::1' : host;
  return bindAddress(local, Number(set(env, 'GRPC_PORT') ?? '50051'));
}

const RESNAPSHOT_FLAGS = {
  address: { type: 'string' },
  token: { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-server-name': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Pure: argv (after `resnapshot`) and the environment → what to send, or why not (node:util parseArgs; `--` ends the options). */
export function parseResnapshotArgs(argv: readonly string[], env: Environment, cwd: string): ParsedResnapshot {
  const flags = readFlags(argv, RESNAPSHOT_FLAGS, true);
  if (typeof flags === 'string') return fail(flags);
  if (flags.values['help'] === true) return { ok: false, help: true, error: '' };
  for (const name of ['address', 'token', 'tls-ca', 'tls-server-name', 'timeout']) {
    if (stringFlag(flags, name) === '') return fail(`--${name} needs a value`);
  }
  const address = stringFlag(flags, 'address');
  if (address !== undefined && !/^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/.test(address)) return fail(`--address needs HOST:PORT (got '${address}')`);
  const token = stringFlag(flags, 'token') ?? set(env, 'GRPC_AUTH_TOKEN');
  const ca = stringFlag(flags, 'tls-ca') ?? set(env, 'GRPC_TLS_CERT');
  const tlsCaFile = ca === undefined ? undefined : isAbsolute(ca) ? ca : resolve(cwd, ca);
  const tlsServerName = stringFlag(flags, 'tls-server-name');
  const timeout = intFlag(flags, 'timeout', 1, 86_400);
  if (typeof timeout === 'string') return fail('--timeout needs whole seconds between 1 and 86400');
  const timeoutMs = (timeout ?? 60) * 1000;
  const tables = [...flags.positionals];
  if (tables.length === 0) return fail('name at least one table');
  const { problems } = parseTables(tables, 'TABLE');
  if (problems.length > 0) return fail(problems.join('; '));
  return { ok: true, options: { address: address ?? defaultAddress(env), token, tlsCaFile, tlsServerName, timeoutMs, tables } };
}

function credentials(o: ResnapshotOptions): grpc.ChannelCredentials {
  return o.tlsCaFile === undefined ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(readFileSync(o.tlsCaFile));
}

/** Sends the request; resolves with the answer or rejects with the gRPC error. */
export function requestResnapshot(o: ResnapshotOptions): Promise<ResnapshotResponse__Output> {
  const proto = loadControlProto();
  const channelOptions = o.tlsServerName === undefined ? {} : { 'grpc.ssl_target_name_override': o.tlsServerName };
  const client = new proto.dbmazz.CdcSnapshotService(o.address, credentials(o), channelOptions);
  const metadata = new grpc.Metadata();
  if (o.token !== undefined) metadata.set('authorization', `Bearer ${o.token}`);
  return new Promise<ResnapshotResponse__Output>((resolvePromise, reject) => {
    client.Resnapshot({ tables: [...o.tables] }, metadata, { deadline: Date.now() + o.timeoutMs }, (err, answer) => {
      if (err) reject(err);
      else if (answer === undefined) reject(new Error('no answer'));
      else resolvePromise(answer);
    });
  }).finally(() => client.close());
}

export interface ResnapshotIo {
  readonly env: Environment;
  readonly cwd: string;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/** The gRPC status name (`INVALID_ARGUMENT`) of an error, or undefined when it is not a gRPC error. */
function statusName(err: unknown): string | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'number') return undefined;
  return Object.entries(grpc.status).find(([, v]) => Number(v) === code)?.[0];
}

export async function runResnapshotCli(argv: readonly string[], io: ResnapshotIo): Promise<number> {
  const { env } = loadEnvironment(io.env, io.cwd);
  const parsed = parseResnapshotArgs(argv, env, io.cwd);
  if (!parsed.ok) {
    if (parsed.help) {
      io.stdout.write(RESNAPSHOT_USAGE);
      return EXIT_OK;
    }
    io.stderr.write(`dbmazz resnapshot: ${parsed.error}\nRun \`dbmazz resnapshot --help\` for usage.\n`);
    return EXIT_CONFIG;
  }
  const o = parsed.options;
  try {
    const answer = await requestResnapshot(o);
    io.stdout.write(`${answer.message}\n`);
    return EXIT_OK;
  } catch (err) {
    const name = statusName(err);
    const details = (err as { details?: unknown }).details;
    const text = typeof details === 'string' && details !== '' ? details : err instanceof Error ? err.message : String(err);
    const hint = name === 'UNAVAILABLE' && /connect|ECONNREFUSED|No connection/i.test(text) ? ` (is the daemon running and listening on ${o.address}?)` : '';
    io.stderr.write(`dbmazz resnapshot: ${name === undefined ? '' : `${name}: `}${text}${hint}\n`);
    return EXIT_FATAL;
  }
}
