/**
 * Assembly of the StarRocks emulator: one FE HTTP server, N BE HTTP servers, the MySQL-protocol
 * server (from the SQL helper's mysql-server.ts) and the shared in-memory catalog.
 */
import { makeAdminHandler } from './admin-api.js';
import { type BeServer, startBeServer } from './be-server.js';
import { Catalog, type StoredValue } from './catalog.js';
import { type FaultSpec, FaultInjector, type ActiveFault } from './faults.js';
import { type FeServer, startFeServer } from './fe-server.js';
import { LoadEngine, type LoadLogEntry } from './load-engine.js';
import { TxnApi } from './txn-api.js';

export interface StarRocksEmulatorOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  /** FE HTTP port (0 = free). */
  feHttpPort?: number;
  /** First BE HTTP port; BE i listens on port + i (0 = a free port for each). */
  beHttpPort?: number;
  /** Number of BEs (default 1). */
  bes?: number;
  /** MySQL-protocol port (0 = free). */
  mysqlPort?: number;
  user?: string;
  password?: string;
  /** How long an ADD COLUMN job stays RUNNING (ms; default 0 → finishes almost at once, still async). */
  schemaChangeMs?: number;
  /** JSON Stream Load size limit in bytes (default 104857600, §1.5). */
  jsonMaxBytes?: number;
  logger?: (line: string) => void;
}

export interface EmulatorFaults {
  inject(spec: FaultSpec): number;
  clear(id?: number): void;
  list(): readonly ActiveFault[];
  /** Shortcut for `catalog.settings.schemaChangeMs`. */
  schemaChangeRunningMs(ms: number): void;
}

export interface StarRocksEmulator {
  readonly host: string;
  readonly feHttpUrl: string;
  readonly feHttpPort: number;
  readonly beHttpPorts: readonly number[];
  /** MySQL port, or -1 when the MySQL server is not part of this build. */
  readonly mysqlPort: number;
  readonly catalog: Catalog;
  readonly faults: EmulatorFaults;
  rows(db: string, table: string): Record<string, StoredValue>[];
  loads(): readonly LoadLogEntry[];
  clearLoads(): void;
  /** Run one SQL statement without a client (SQL helper's executor). */
  sql(statement: string, db?: string): Promise<unknown>;
  close(): Promise<void>;
}

type MysqlStarter = (opts: { catalog: Catalog; host: string; port: number; user: string; password: string }) => Promise<{ port: number; close(): Promise<void> }>;
type SqlExecutor = (catalog: Catalog, session: { db: string | null }, sql: string) => Promise<unknown>;

/** Optional modules of the SQL helper, loaded by a computed specifier so the build works without them. */
async function optionalExport(spec: string, name: string): Promise<unknown> {
  try {
    const mod: unknown = await import(spec);
    if (typeof mod === 'object' && mod !== null && name in mod) return (mod as Record<string, unknown>)[name];
  } catch (e) {
    if (!(e instanceof Error && 'code' in e && (e as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND')) throw e;
  }
  return undefined;
}

export async function startStarRocksEmulator(opts: StarRocksEmulatorOptions = {}): Promise<StarRocksEmulator> {
  const host = opts.host ?? '127.0.0.1';
  const advertisedHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const log = opts.logger ?? (() => undefined);
  const catalog = new Catalog({
    user: opts.user ?? 'root',
    password: opts.password ?? '',
    settings: {
      ...(opts.schemaChangeMs !== undefined ? { schemaChangeMs: opts.schemaChangeMs } : {}),
      ...(opts.jsonMaxBytes !== undefined ? { jsonMaxBytes: opts.jsonMaxBytes } : {}),
    },
  });
  const beCount = Math.max(1, opts.bes ?? 1);
  const bePorts: number[] = [];
  const engine = new LoadEngine(catalog, { now: () => Date.now(), beAddress: (i) => `${advertisedHost}:${bePorts[i] ?? 0}` });
  const txn = new TxnApi(engine, beCount);
  const injector = new FaultInjector();

  const executeSql = (await optionalExport(new URL('./sql/executor.js', import.meta.url).href, 'executeSql')) as SqlExecutor | undefined;
  const startMysql = (await optionalExport(new URL('./mysql-server.js', import.meta.url).href, 'startMysqlServer')) as MysqlStarter | undefined;
  const sql = executeSql ? (statement: string, db?: string): Promise<unknown> => executeSql(catalog, { db: db ?? null }, statement) : null;

  const bes: BeServer[] = [];
  let fe: FeServer | null = null;
  let mysql: { port: number; close(): Promise<void> } | null = null;
  let closed: Promise<void> | null = null;

  const closeAll = async (): Promise<void> => {
    txn.close();
    await Promise.all([...(fe ? [fe.close()] : []), ...bes.map((b) => b.close()), ...(mysql ? [mysql.close()] : [])]);
  };

  try {
    for (let i = 0; i < beCount; i++) {
      const p = opts.beHttpPort ? opts.beHttpPort + i : 0;
      const be = await startBeServer({ index: i, engine, txn, faults: injector, log }, host, p);
      bes.push(be);
      bePorts.push(be.port);
    }
    fe = await startFeServer(
      {
        catalog,
        engine,
        txn,
        advertisedHost,
        bePorts: () => bePorts,
        admin: makeAdminHandler({ catalog, engine, faults: injector, sql }),
        log,
      },
      host,
      opts.feHttpPort ?? 0,
    );
    if (startMysql) {
      mysql = await startMysql({ catalog, host, port: opts.mysqlPort ?? 0, user: catalog.user, password: catalog.password });
    } else log('starrocks-emulator: mysql-server.ts is not part of this build; no MySQL port');
  } catch (e) {
    await closeAll();
    throw e;
  }
  const feServer = fe;
  log(`starrocks-emulator: fe_http=${feServer.port} be_http=${bePorts.join(',')} mysql=${mysql?.port ?? -1}`);

  return {
    host: advertisedHost,
    feHttpUrl: `http://${advertisedHost}:${feServer.port}`,
    feHttpPort: feServer.port,
    beHttpPorts: bePorts,
    mysqlPort: mysql?.port ?? -1,
    catalog,
    faults: {
      inject: (spec) => injector.inject(spec),
      clear: (id) => injector.clear(id),
      list: () => injector.list(),
      schemaChangeRunningMs: (ms) => {
        catalog.settings.schemaChangeMs = ms;
      },
    },
    rows(db, table) {
      const t = catalog.getTable(db, table);
      if (!t) throw new Error(`no table ${db}.${table}`);
      return t.rowObjects();
    },
    loads: () => engine.loads(),
    clearLoads: () => engine.clearLoads(),
    sql(statement, db) {
      if (!sql) return Promise.reject(new Error('the SQL executor (test/starrocks-emulator/sql/executor.ts) is not part of this build'));
      return sql(statement, db);
    },
    close() {
      closed ??= closeAll();
      return closed;
    },
  };
}
