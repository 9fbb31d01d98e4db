/**
 * Errors the SQL side of the emulator returns as MySQL ERR packets.
 *
 * StarRocks' FE sends error code 1064 / SQLSTATE HY000 unless the failing path set an ErrorCode
 * (`MysqlErrPacket`: "TODO(zhaochun): Now 1064"), so 1064 is the default here too. Message shapes:
 * - parser: `Getting syntax error at line L, column C. Detail message: <detail>` (C is 0-based, §7.2);
 * - analyzer: `Getting analyzing error. Detail message: <detail>.` (SemanticException appends the dot);
 * - DDL execution (DdlException): the bare message.
 */

export class SqlError extends Error {
  override readonly name = 'SqlError';
  constructor(
    readonly code: number,
    readonly sqlState: string,
    message: string,
  ) {
    super(message);
  }
}

export function isSqlError(e: unknown): e is SqlError {
  return e instanceof SqlError;
}

/** Parser error at a token position (line 1-based, column 0-based like ANTLR). */
export function syntaxError(line: number, column: number, detail: string): SqlError {
  return new SqlError(1064, 'HY000', `Getting syntax error at line ${line}, column ${column}. Detail message: ${detail}`);
}

/** Analyzer (SemanticException) error. */
export function analysisError(detail: string): SqlError {
  return new SqlError(1064, 'HY000', `Getting analyzing error. Detail message: ${detail}.`);
}

/** DDL execution error (DdlException): message as is. */
export function ddlError(message: string): SqlError {
  return new SqlError(1064, 'HY000', message);
}

/** `USE db` on a missing database: ERR_BAD_DB_ERROR with its own code. */
export function unknownDatabaseOnUse(db: string): SqlError {
  return new SqlError(1049, '42000', `Unknown database '${db}'`);
}

export function noDatabaseSelected(): SqlError {
  return new SqlError(1046, '3D000', 'No database selected');
}

export function unknownSystemVariable(name: string): SqlError {
  return new SqlError(1193, 'HY000', `Unknown system variable '${name}'`);
}

/** A statement StarRocks has but the emulator does not implement. */
export function unsupportedStatement(what: string): SqlError {
  return new SqlError(
    1064,
    'HY000',
    `StarRocks emulator: unsupported statement: ${what}. Supported: SELECT (simple), SHOW, DESC, USE, SET, ` +
      'CREATE/DROP DATABASE, CREATE/DROP/TRUNCATE TABLE, ALTER TABLE ADD COLUMN.',
  );
}

/** Wrong password (ERR_AUTHENTICATION_FAIL, 3.4+ wording without the host part). */
export function accessDenied(user: string, usingPassword: boolean): SqlError {
  return new SqlError(1045, '28000', `Access denied for user '${user}' (using password: ${usingPassword ? 'YES' : 'NO'})`);
}
