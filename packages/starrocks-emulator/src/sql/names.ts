/**
 * Name checks of StarRocks' `FeNameFormat` (3.x) and the resolution of `[db.]name` against a session.
 * - database: `^[a-zA-Z][\w<special>]{0,255}$|^_[a-zA-Z0-9][\w<special>]{0,254}$`, special = -~!@#$%^&<>=+
 * - table: `^[^\0]{1,1024}$`
 * - column (shared-nothing): `^[^\0=<>!*]{1,1024}$`, not `__starrocks_shadow_*`, not `__op`/`__row`
 *   (case-insensitive): `Column name [__op] is a system reserved name. Please choose a different one.`
 */
import type { QualifiedName } from './ast.js';
import { analysisError, noDatabaseSelected, type SqlError } from './errors.js';
import type { SqlSession } from './session.js';

const SPECIAL = '\\-~!@#$%^&<>=+';
const DB_NAME = new RegExp(`^[a-zA-Z][\\w${SPECIAL}]{0,255}$|^_[a-zA-Z0-9][\\w${SPECIAL}]{0,254}$`);
const TABLE_NAME = /^[^\0]{1,1024}$/;
const COLUMN_NAME = /^[^\0=<>!*]{1,1024}$/;
const RESERVED_COLUMNS = ['__op', '__row'];

export const INFORMATION_SCHEMA = 'information_schema';

export function checkDbName(name: string): void {
  if (!DB_NAME.test(name)) throw analysisError(`Incorrect database name '${name}'`);
}

export function checkTableName(name: string): void {
  if (!TABLE_NAME.test(name)) throw analysisError(`Incorrect table name '${name}'`);
}

export function checkColumnName(name: string): void {
  if (!COLUMN_NAME.test(name) || name.startsWith('__starrocks_shadow_')) throw analysisError(`Incorrect column name '${name}'`);
  if (RESERVED_COLUMNS.includes(name.toLowerCase())) throw analysisError(`Column name [${name}] is a system reserved name. Please choose a different one.`);
}

/** The database of `[db.]name`: the qualifier, else the session's, else "No database selected". */
export function resolveDb(q: QualifiedName, session: SqlSession): string {
  const db = q.db ?? session.db;
  if (db === null) throw noDatabaseSelected();
  return db;
}

export function isInformationSchema(db: string): boolean {
  return db.toLowerCase() === INFORMATION_SCHEMA;
}

/** Analyzer errors come back as 1064/HY000 in 3.2/3.3 (issue #39179: `ERROR 1064 (HY000): Getting analyzing error. Detail message: Unknown table 'zhou.aaa'.`). */
export function unknownDatabase(db: string): SqlError {
  return analysisError(`Unknown database '${db}'`);
}

export function unknownTable(name: string): SqlError {
  return analysisError(`Unknown table '${name}'`);
}
