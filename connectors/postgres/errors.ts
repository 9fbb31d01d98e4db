/**
 * SQLSTATE and socket errors → CdcError with a retry directive and an operator hint. Connection loss
 * and server restarts are retried; authentication, privilege and configuration problems are not.
 * Messages name `host:port/db` only: the URL (with its password) never appears.
 */
import { CdcError, type ErrorCode, type RetryDirective } from '../../core/index.js';

interface Classified {
  readonly code: ErrorCode;
  readonly retry: RetryDirective;
  readonly hint: string;
}

const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

const RETRY_CONNECTION: Classified = {
  code: 'SOURCE_CONNECTION',
  retry: 'retry',
  hint: 'The connection to PostgreSQL was lost or refused; it is retried. Check that the server is up and reachable.',
};

function fieldOf(err: unknown, key: string): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const v = (err as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

function classifySqlState(state: string): Classified {
  switch (state) {
    case '28P01':
    case '28000':
      return {
        code: 'SOURCE_CONNECTION',
        retry: 'never',
        hint: 'Check the user and password in SOURCE_URL and that pg_hba.conf allows this host for the database.',
      };
    case '3D000':
      return { code: 'SOURCE_CONNECTION', retry: 'never', hint: 'Check the database name in SOURCE_URL.' };
    case '42501':
      return {
        code: 'SOURCE_SETUP',
        retry: 'never',
        hint: 'Grant the missing privilege (see docs/postgres.md, "Privileges"), or create the object once as its owner.',
      };
    case '55006':
      return {
        code: 'SOURCE_CONNECTION',
        retry: 'retry',
        hint: 'The replication slot is in use by another connection (another dbmazz, or one not yet closed); it is retried.',
      };
    case '53400':
      return {
        code: 'SOURCE_SETUP',
        retry: 'never',
        hint: 'Raise max_replication_slots / max_wal_senders in postgresql.conf (restart needed) or drop unused slots.',
      };
    case '55000':
      return {
        code: 'SOURCE_SETUP',
        retry: 'never',
        hint: 'A server prerequisite is missing: logical replication needs wal_level = logical (restart needed).',
      };
    case '42704':
      return {
        code: 'SOURCE_SETUP',
        retry: 'never',
        hint: 'The replication slot or publication does not exist; run setup again (it creates them).',
      };
    case '57P01':
    case '57P02':
    case '57P03':
    case '57014':
    case '40001':
    case '40P01':
      return RETRY_CONNECTION;
    default:
      if (state.startsWith('08') || state.startsWith('53')) return RETRY_CONNECTION;
      return { code: 'SOURCE_PROTOCOL', retry: 'never', hint: 'PostgreSQL refused the request; see the message.' };
  }
}

/** Wraps anything a pg client threw. `doing` says what was attempted, e.g. `connect to 127.0.0.1:5432/db`. */
export function toSourceError(err: unknown, doing: string): CdcError {
  if (err instanceof CdcError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = fieldOf(err, 'code');
  const sqlState = code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E') ? code : undefined;
  let c: Classified;
  if (sqlState !== undefined) {
    c = classifySqlState(sqlState);
  } else if ((code !== undefined && SOCKET_CODES.has(code)) || /connection terminated|timeout expired|socket|ended unexpectedly/i.test(message)) {
    c = RETRY_CONNECTION;
  } else if (code !== undefined && /CERT|SSL|TLS/.test(code)) {
    c = { code: 'SOURCE_CONNECTION', retry: 'never', hint: 'TLS failed: check sslmode and certificates in SOURCE_URL.' };
  } else {
    c = { code: 'SOURCE_CONNECTION', retry: 'retry', hint: RETRY_CONNECTION.hint };
  }
  const state = sqlState ? ` (SQLSTATE ${sqlState})` : '';
  return new CdcError({ code: c.code, retry: c.retry, hint: c.hint, message: `PostgreSQL: failed to ${doing}: ${message}${state}`, cause: err });
}

/** A setup/configuration problem the operator must fix. */
export function setupError(message: string, hint: string): CdcError {
  return new CdcError({ code: 'SOURCE_SETUP', retry: 'never', message, hint });
}
