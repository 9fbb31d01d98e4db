/**
 * Per-connection state the executor reads. Only `db` is required; the MySQL server fills the rest.
 */
export interface SqlSession {
  db: string | null;
  user?: string;
  host?: string;
  connectionId?: number;
}

/** `current_version()` (StarRocks 3.x style) and the MySQL-compatible `VERSION()` / `@@version`. */
export const STARROCKS_VERSION = '3.3.9-emulator';
export const MYSQL_COMPAT_VERSION = '8.0.33';

type VarValue = string | number | bigint;

/**
 * Session/global variables answered by `SELECT @@x` and `SHOW VARIABLES` (defaults of a 3.x FE;
 * `SET` statements are accepted and ignored, so these never change).
 */
export const SYSTEM_VARIABLES: ReadonlyMap<string, VarValue> = new Map<string, VarValue>([
  ['auto_increment_increment', 1],
  ['autocommit', 1],
  ['character_set_client', 'utf8'],
  ['character_set_connection', 'utf8'],
  ['character_set_database', 'utf8'],
  ['character_set_results', 'utf8'],
  ['character_set_server', 'utf8'],
  ['collation_connection', 'utf8_general_ci'],
  ['collation_database', 'utf8_general_ci'],
  ['collation_server', 'utf8_general_ci'],
  ['init_connect', ''],
  ['interactive_timeout', 3600],
  ['language', '/starrocks/share/english/'],
  ['license', 'Elastic License 2.0'],
  ['lower_case_table_names', 0],
  ['max_allowed_packet', 33554432],
  ['net_buffer_length', 16384],
  ['net_write_timeout', 60],
  ['performance_schema', 0],
  ['query_cache_size', 1048576],
  ['query_cache_type', 0],
  ['query_timeout', 300],
  ['sql_mode', 'ONLY_FULL_GROUP_BY'],
  ['sql_select_limit', 9223372036854775807n],
  ['system_time_zone', 'UTC'],
  ['time_zone', 'Asia/Shanghai'],
  ['transaction_isolation', 'REPEATABLE-READ'],
  ['transaction_read_only', 0],
  ['tx_isolation', 'REPEATABLE-READ'],
  ['tx_read_only', 0],
  ['version', MYSQL_COMPAT_VERSION],
  ['version_comment', STARROCKS_VERSION],
  ['wait_timeout', 28800],
]);
