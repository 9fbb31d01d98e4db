/**
 * dbmazz-postgres-sandbox: throwaway PostgreSQL clusters (initdb + pg_ctl, `wal_level=logical`, a free
 * port, a temp dir) for the tests, the demo and the benchmark, and the comparison of a PostgreSQL table
 * with its StarRocks copy.
 */
export { findPgBin, freePort, inTransaction, startPostgres } from './postgres.js';
export type { PgHarness, StartPostgresOptions } from './postgres.js';
export { normalise, normJson, pgRows, pgRowsQuery, srRows, storedToText } from './compare.js';
export type { ColumnCheck, Row } from './compare.js';
