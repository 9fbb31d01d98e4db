/** Test harness for the SQL side: a Catalog + the MySQL server on 127.0.0.1:0 + mysql2 clients. */
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { Catalog } from '../src/catalog.js';
import { startMysqlServer } from '../src/mysql-server.js';
import { disposeSchemaChanges } from '../src/schema-change.js';

export interface SqlHarness {
  readonly catalog: Catalog;
  readonly port: number;
  connect(opts?: { database?: string; password?: string; user?: string }): Promise<mysql.Connection>;
  close(): Promise<void>;
}

export const USER = 'root';
export const PASSWORD = 's3cret';

export async function startHarness(opts: { schemaChangeMs?: number } = {}): Promise<SqlHarness> {
  const catalog = new Catalog({ user: USER, password: PASSWORD, settings: { schemaChangeMs: opts.schemaChangeMs ?? 0 } });
  const server = await startMysqlServer({ catalog, host: '127.0.0.1', port: 0, user: USER, password: PASSWORD });
  const clients: mysql.Connection[] = [];
  return {
    catalog,
    port: server.port,
    async connect(o = {}) {
      const c = await mysql.createConnection({
        host: '127.0.0.1',
        port: server.port,
        user: o.user ?? USER,
        password: o.password ?? PASSWORD,
        ...(o.database !== undefined ? { database: o.database } : {}),
      });
      clients.push(c);
      return c;
    },
    async close() {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      disposeSchemaChanges(catalog);
      await server.close();
    },
  };
}

interface MysqlErrorLike {
  readonly errno?: number;
  readonly sqlState?: string;
  readonly message: string;
}

/** Expect a MySQL error with this errno whose message equals `message` (string) or matches it (RegExp). */
export async function expectSqlError(p: Promise<unknown>, errno: number, message: string | RegExp, sqlState?: string): Promise<void> {
  let err: MysqlErrorLike | undefined;
  try {
    await p;
  } catch (e) {
    err = e as MysqlErrorLike;
  }
  assert.ok(err, 'expected a MySQL error');
  assert.equal(err.errno, errno, `errno of: ${err.message}`);
  if (typeof message === 'string') assert.equal(err.message, message);
  else assert.match(err.message, message);
  if (sqlState !== undefined) assert.equal(err.sqlState, sqlState);
}

export type Row = Record<string, unknown>;

export async function rows(c: mysql.Connection, sql: string, values?: unknown[]): Promise<Row[]> {
  const [r] = values ? await c.query(sql, values) : await c.query(sql);
  assert.ok(Array.isArray(r), `expected rows from ${sql}`);
  return r as Row[];
}

export async function arrays(c: mysql.Connection, sql: string): Promise<unknown[][]> {
  const [r] = await c.query({ sql, rowsAsArray: true });
  assert.ok(Array.isArray(r));
  return r as unknown[][];
}

/** Poll `fn` until it returns a truthy value or `ms` elapse. */
export async function waitFor<T>(fn: () => Promise<T>, ms = 5000, stepMs = 20): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export const PK_TABLE_DDL =
  'CREATE TABLE `t1` (\n' +
  '  `id` BIGINT NOT NULL COMMENT "primary key",\n' +
  '  `name` VARCHAR(64) NULL DEFAULT "anon" COMMENT "",\n' +
  '  `score` DECIMAL(10, 2) NULL COMMENT "",\n' +
  '  `flag` BOOLEAN NULL COMMENT "",\n' +
  '  `ts` DATETIME NULL DEFAULT CURRENT_TIMESTAMP COMMENT "",\n' +
  '  `doc` JSON NULL COMMENT ""\n' +
  ') ENGINE=OLAP\n' +
  'PRIMARY KEY (`id`)\n' +
  'COMMENT "people"\n' +
  'DISTRIBUTED BY HASH (`id`) BUCKETS 1\n' +
  'PROPERTIES ("replication_num" = "1")';
