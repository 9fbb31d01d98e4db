/**
 * The FE's MySQL-protocol endpoint (port 9030) for setup: one short-lived connection per use,
 * plain `query` (text protocol, client-side escaping: no server-side prepared statements).
 */
import mysql from 'mysql2/promise';
import { CdcError } from '../../../core/index.js';
import type { SqlRow } from './sql.js';

export interface MysqlOptions {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly connectTimeoutMs: number;
}

export type Query = (sql: string) => Promise<SqlRow[]>;

/** Connects, runs `fn` and always closes the connection. Errors become CdcErrors. */
export async function withMysql<T>(o: MysqlOptions, fn: (query: Query) => Promise<T>): Promise<T> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({
      host: o.host,
      port: o.port,
      user: o.user,
      password: o.password,
      connectTimeout: o.connectTimeoutMs,
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      // StarRocks labels text columns utf8 (charset 33), which mysql2 decodes as CESU-8: a 4-byte
      // UTF-8 character (emoji) would come back as U+FFFD. The bytes are UTF-8: decode them as such.
      typeCast: (field, next) =>
        field.type === 'VAR_STRING' || field.type === 'STRING' || field.type === 'VARCHAR' || field.type === 'JSON' ? field.string('utf8') : next(),
      multipleStatements: false,
    });
  } catch (err) {
    throw mysqlError(err, `connecting to StarRocks at ${o.host}:${o.port} as ${o.user}`);
  }
  // A connection error after connect (server gone) must not crash the process.
  conn.on('error', () => undefined);
  const query: Query = async (sql) => {
    try {
      const [rows] = await conn.query(sql);
      return Array.isArray(rows) ? (rows as SqlRow[]) : [];
    } catch (err) {
      throw new SqlError(err, sql);
    }
  };
  try {
    return await fn(query);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** A failed statement, keeping the server's code and message for the caller to classify. */
export class SqlError extends Error {
  override readonly name = 'SqlError';
  readonly code: string | undefined;
  readonly errno: number | undefined;
  constructor(
    readonly original: unknown,
    readonly sql: string,
  ) {
    const e = original as { message?: unknown; code?: unknown; errno?: unknown };
    super(typeof e?.message === 'string' ? e.message : String(original));
    this.code = typeof e?.code === 'string' ? e.code : undefined;
    this.errno = typeof e?.errno === 'number' ? e.errno : undefined;
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
]);

/** mysql2 / socket error → CdcError. Auth failures are never retried; the password is never shown. */
export function mysqlError(err: unknown, what: string): CdcError {
  if (err instanceof CdcError) return err;
  const e = (err instanceof SqlError ? err.original : err) as { code?: unknown; errno?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : '';
  const errno = typeof e?.errno === 'number' ? e.errno : 0;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (code === 'ER_ACCESS_DENIED_ERROR' || errno === 1045 || /access denied/i.test(message)) {
    return new CdcError({
      code: 'SINK_AUTH',
      retry: 'never',
      message: `StarRocks rejected the login while ${what}: ${message}`,
      hint: 'Check SINK_USER and SINK_PASSWORD.',
      cause: err,
    });
  }
  if (NETWORK_CODES.has(code) || /connect|timeout|closed/i.test(message)) {
    return new CdcError({
      code: 'SINK_CONNECTION',
      retry: 'retry',
      message: `Cannot reach StarRocks while ${what}: ${code ? `${code} ` : ''}${message}`,
      hint: 'Check SINK_URL / SINK_MYSQL_HOST and SINK_PORT (the FE MySQL port, 9030 by default).',
      cause: err,
    });
  }
  return new CdcError({ code: 'SINK_SETUP', retry: 'never', message: `StarRocks error while ${what}: ${message}`, cause: err });
}
