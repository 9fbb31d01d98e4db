/**
 * The one root pino logger and its children. JSON lines by default; human-readable (pino-pretty, in
 * process, synchronous) when LOG_FORMAT=pretty or, with `auto`, when stdout is a terminal. Secret paths
 * are redacted and errors serialize as code/message/hint with secrets scrubbed.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/core-settings.js';
import { MASK } from '../config/mask.js';
import { errorSerializer } from './serializers.js';

export type { Logger } from 'pino';

export interface RootLoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go; default stdout (fd 1). */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** Whether the destination is a terminal (for `auto`); default `process.stdout.isTTY`. */
  readonly isTty?: boolean;
  /** Secret values to scrub from error messages. */
  readonly secrets?: readonly string[];
  /** Canonical names of secret settings, redacted wherever they appear as keys. */
  readonly secretKeys?: readonly string[];
  readonly base?: Record<string, unknown>;
}

const GENERIC_SECRET_KEYS = ['password', 'passwd', 'secret', 'token', 'authorization', 'Authorization'];

export function redactPaths(secretKeys: readonly string[]): string[] {
  const keys = [...new Set([...GENERIC_SECRET_KEYS, ...secretKeys])];
  return keys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
}

export function usePretty(format: LogFormat, isTty: boolean): boolean {
  return format === 'pretty' || (format === 'auto' && isTty);
}

export function createRootLogger(opts: RootLoggerOptions): Logger {
  const isTty = opts.isTty ?? process.stdout.isTTY === true;
  const secrets = opts.secrets ?? [];
  const options: pino.LoggerOptions = {
    level: opts.level,
    base: { name: 'dbmazz', ...(opts.base ?? {}) },
    redact: { paths: redactPaths(opts.secretKeys ?? []), censor: MASK },
    serializers: { err: errorSerializer(secrets), error: errorSerializer(secrets) },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (usePretty(opts.format, isTty)) {
    // Loaded only for pretty output (a terminal, LOG_FORMAT=pretty): JSON lines never need it.
    const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    const pretty = pinoPretty({
      colorize: isTty,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,name',
      ...(opts.destination ? { destination: opts.destination } : { destination: 1 }),
    });
    return pino(options, pretty);
  }
  const dest = opts.destination ?? pino.destination({ dest: 1, sync: true });
  return pino(options, dest);
}

/** A child bound to a component (and optionally connector/slot), as every module logs. */
export function childLogger(root: Logger, component: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ component, ...bindings });
}
