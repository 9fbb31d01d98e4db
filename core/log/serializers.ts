/** Error serialization for logs: CdcError code, message, hint and retry; the cause's message only. */
import { CdcError } from '../errors/errors.js';
import { ConnectorError } from '../plugin/connector-errors.js';
import { scrubText } from '../config/mask.js';

export interface SerializedError {
  readonly type: string;
  readonly message: string;
  readonly code?: string;
  readonly hint?: string;
  readonly retry?: string;
  readonly cause?: string;
  readonly stack?: string;
  /** Errors about one connector (core/plugin/connector-errors.ts): which one, and where its code failed. */
  readonly connector?: string;
  readonly causeStack?: string;
}

/** A ConnectorError names its connector; the stack of what the connector threw is its author's lead. */
function connectorFields(err: CdcError, scrub: (t: string) => string): { connector?: string; causeStack?: string } {
  if (!(err instanceof ConnectorError)) return {};
  const cause = (err as { cause?: unknown }).cause;
  const stack = cause instanceof Error && !(cause instanceof CdcError) ? cause.stack : undefined;
  return { connector: `${err.connector.kind} '${err.connector.type}'`, ...(stack ? { causeStack: scrub(stack) } : {}) };
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return code ? `${code}: ${cause.message}` : cause.message;
  }
  return typeof cause === 'string' ? cause : undefined;
}

/**
 * Never serializes the error's own fields (a driver error may hold the connection config). An Error
 * becomes a `SerializedError`; anything else is returned as it is.
 */
export function errorSerializer(secrets: readonly string[]): (err: unknown) => unknown {
  const scrub = (t: string): string => scrubText(t, secrets);
  return (err: unknown) => {
    if (!(err instanceof Error)) return err;
    const cause = causeText((err as { cause?: unknown }).cause);
    const base = {
      type: err.name,
      message: scrub(err.message),
      ...(cause !== undefined ? { cause: scrub(cause) } : {}),
    };
    if (err instanceof CdcError) {
      return { ...base, code: err.code, retry: err.retry, ...(err.hint ? { hint: scrub(err.hint) } : {}), ...connectorFields(err, scrub) };
    }
    return { ...base, ...(err.stack ? { stack: scrub(err.stack) } : {}) };
  };
}
