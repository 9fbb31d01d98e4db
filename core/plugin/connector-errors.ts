/**
 * Errors about one connector: they name it (kind, type and where it was loaded from) and keep what it
 * threw as `cause`, whose stack the log serializer prints (`causeStack`), so a connector author sees
 * the failing line of their own code.
 */
import { CdcError, type CdcErrorOptions, type ErrorCode } from '../errors/errors.js';
import type { ConnectorKind } from './registry.js';

/** Which connector: `the sink 'jsonl' (SINK_TYPE './sink-jsonl' (/srv/sink-jsonl/index.js))`. */
export interface ConnectorName {
  readonly kind: ConnectorKind;
  readonly type: string;
  /** Where its manifest came from (the registry's origin), when known. */
  readonly origin?: string;
}

export function describeConnector(c: ConnectorName): string {
  const origin = c.origin !== undefined && !c.origin.startsWith('built-in') ? ` from ${c.origin}` : '';
  return `the ${c.kind} '${c.type}'${origin}`;
}

export class ConnectorError extends CdcError {
  constructor(
    readonly connector: ConnectorName,
    opts: CdcErrorOptions,
  ) {
    super(opts);
    this.name = 'ConnectorError';
  }
}

/** `create()` threw. A bug or a setting the manifest did not check: not retried. */
export class ConnectorCreateError extends ConnectorError {
  constructor(connector: ConnectorName, cause: unknown) {
    super(connector, {
      code: 'CONNECTOR_INVALID',
      message: `${describeConnector(connector)}: create() threw: ${cause instanceof Error ? cause.message : String(cause)}`,
      hint:
        cause instanceof CdcError && cause.hint !== undefined
          ? cause.hint
          : 'This is a bug in the connector, or a setting its manifest should validate; the stack of the error is logged as causeStack.',
      cause,
    });
    this.name = 'ConnectorCreateError';
  }
}

/** What `create()` returned is not a usable Source / Sink: every missing or mistyped member at once. */
export class InvalidConnectorInstanceError extends ConnectorError {
  constructor(
    connector: ConnectorName,
    readonly problems: readonly string[],
  ) {
    super(connector, {
      code: 'CONNECTOR_INVALID',
      message: `${describeConnector(connector)}: create() returned something that is not a ${connector.kind}: ${problems.join('; ')}.`,
      hint: `Return an object implementing the ${connector.kind === 'source' ? 'Source' : 'Sink'} interface of 'dbmazz' (see docs/writing-a-connector.md).`,
    });
    this.name = 'InvalidConnectorInstanceError';
  }
}

/** A startup call (validateConnection, setup, start, ...) did not settle in CONNECTOR_STARTUP_TIMEOUT_MS. */
export class StartupTimeoutError extends ConnectorError {
  constructor(
    connector: ConnectorName,
    readonly call: string,
    readonly timeoutMs: number,
    code: ErrorCode,
  ) {
    super(connector, {
      code,
      message: `${describeConnector(connector)} did not finish ${call}() within ${timeoutMs} ms (CONNECTOR_STARTUP_TIMEOUT_MS).`,
      hint: `Check that its server is reachable and not blocked (e.g. a lock, or a replication slot waiting for long transactions); raise CONNECTOR_STARTUP_TIMEOUT_MS if ${call}() legitimately takes longer.`,
      retry: 'retry',
    });
    this.name = 'StartupTimeoutError';
  }
}

/** A stop (SIGTERM/SIGINT, gRPC Stop) arrived while a startup call was still running. */
export class StartupCancelledError extends ConnectorError {
  constructor(
    connector: ConnectorName,
    readonly call: string,
    reason: string,
    code: ErrorCode,
  ) {
    super(connector, {
      code,
      message: `startup cancelled (${reason}) while waiting for ${describeConnector(connector)} to finish ${call}(); nothing was replicated.`,
    });
    this.name = 'StartupCancelledError';
  }
}
