/**
 * Typed errors shared by core and connectors. Every error says what to do (`hint`) and whether the
 * runtime may retry it. The brand makes `instanceof` work across duplicate installs of core.
 */
const BRAND = Symbol.for('dbmazz.error.CdcError');

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONNECTOR_UNKNOWN'
  | 'CONNECTOR_INVALID'
  | 'SOURCE_CONNECTION'
  | 'SOURCE_SETUP'
  | 'SOURCE_PROTOCOL'
  | 'SINK_CONNECTION'
  | 'SINK_AUTH'
  | 'SINK_SETUP'
  | 'SINK_SCHEMA'
  | 'SINK_DATA'
  | 'SINK_LOAD'
  | 'SINK_TIMEOUT'
  | 'INTERNAL';

/** `retry`: transient, try again with backoff. `never`: stop the pipeline with a stage error. */
export type RetryDirective = 'retry' | 'never';

export interface CdcErrorOptions {
  readonly code: ErrorCode;
  readonly message: string;
  readonly retry?: RetryDirective;
  readonly hint?: string;
  readonly cause?: unknown;
  /** Server-provided delay before retrying, in ms. */
  readonly retryAfterMs?: number;
}

export class CdcError extends Error {
  readonly code: ErrorCode;
  readonly retry: RetryDirective;
  readonly hint: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(opts: CdcErrorOptions) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'CdcError';
    this.code = opts.code;
    this.retry = opts.retry ?? 'never';
    this.hint = opts.hint;
    this.retryAfterMs = opts.retryAfterMs;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Only CdcError itself uses the brand; subclasses keep the normal prototype check.
    if (this !== CdcError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** The operator-facing text: message plus the hint. */
  get operatorMessage(): string {
    return this.hint ? `${this.message} ${this.hint}` : this.message;
  }
}

export function isRetriable(err: unknown): boolean {
  return err instanceof CdcError ? err.retry === 'retry' : false;
}

/** Wraps anything thrown into a CdcError (unknown errors are INTERNAL and not retried). */
export function toCdcError(err: unknown, fallback: ErrorCode = 'INTERNAL'): CdcError {
  if (err instanceof CdcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CdcError({ code: fallback, message, cause: err });
}

/** Bad configuration: every problem at once, one line each. */
export class ConfigError extends CdcError {
  constructor(readonly problems: readonly string[]) {
    super({ code: 'CONFIG_INVALID', message: `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}` });
    this.name = 'ConfigError';
  }
}
