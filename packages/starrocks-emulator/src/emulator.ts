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
import { startMysqlServer } from './mysql-server.js';
import { disposeSchemaChanges } from './schema-change.js';
import { type SqlResult, executeSql } from './sql/executor.js';
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
  /** Label retention (§4.2): seconds a finished label is kept (default 259200 = 3 days). */
  labelKeepMaxSecond?: number;
  /** Label retention (§4.2): max retained txns per database (default 1000). */
  labelKeepMaxNum?: number;
  logger?: (line: string) => void;
}

export interface EmulatorFaults {
  inject(spec: FaultSpec): number;
  clear(id?: number): void;
  list(): readonly ActiveFault[];
  /**
   * Loads a `slow` fault holds now. A fault is taken when the request arrives, before its body: a
   * client frozen before it sent the whole body would hold nothing, so wait for this before freezing it.
   */
  holding(): number;
  /** Shortcut for `catalog.settings.schemaChangeMs`. */
  schemaChangeRunningMs(ms: number): void;
}

export interface StarRocksEmulator {
  readonly host: string;
  readonly feHttpUrl: string;
  readonly feHttpPort: number;
  readonly beHttpPorts: readonly number[];
  readonly mysqlPort: number;
  readonly catalog: Catalog;
  readonly faults: EmulatorFaults;
  rows(db: string, table: string): Record<string, StoredValue>[];
  loads(): readonly LoadLogEntry[];
  clearLoads(): void;
  /** Run one SQL statement without a client (the SQL helper's `executeSql`; errors are `SqlError`). */
  sql(statement: string, db?: string): Promise<SqlResult>;
  close(): Promise<void>;
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
      ...(opts.labelKeepMaxSecond !== undefined ? { labelKeepMaxSecond: opts.labelKeepMaxSecond } : {}),
      ...(opts.labelKeepMaxNum !== undefined ? { labelKeepMaxNum: opts.labelKeepMaxNum } : {}),
    },
  });
  const beCount = Math.max(1, opts.bes ?? 1);
  const bePorts: number[] = [];
  const engine = new LoadEngine(catalog, { now: () => Date.now(), beAddress: (i) => `${advertisedHost}:${bePorts[i] ?? 0}` });
  const txn = new TxnApi(engine, beCount);
  const injector = new FaultInjector();

  const sql = (statement: string, db?: string): Promise<SqlResult> => executeSql(catalog, { db: db ?? null, user: catalog.user }, statement);

  const bes: BeServer[] = [];
  let fe: FeServer | null = null;
  let mysql: { port: number; close(): Promise<void> } | null = null;
  let closed: Promise<void> | null = null;

  const closeAll = async (): Promise<void> => {
    txn.close();
    disposeSchemaChanges(catalog);
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
    mysql = await startMysqlServer({
      catalog,
      host,
      port: opts.mysqlPort ?? 0,
      user: catalog.user,
      // Read at each login, so a password changed by the test applies to new connections.
      get password() {
        return catalog.password;
      },
    });
  } catch (e) {
    await closeAll();
    throw e;
  }
  const feServer = fe;
  const mysqlPort = mysql?.port ?? -1;
  log(`starrocks-emulator: fe_http=${feServer.port} be_http=${bePorts.join(',')} mysql=${mysqlPort}`);

  return {
    host: advertisedHost,
    feHttpUrl: `http://${advertisedHost}:${feServer.port}`,
    feHttpPort: feServer.port,
    beHttpPorts: bePorts,
    mysqlPort,
    catalog,
    faults: {
      inject: (spec) => injector.inject(spec),
      clear: (id) => injector.clear(id),
      list: () => injector.list(),
      holding: () => injector.holding(),
      schemaChangeRunningMs: (ms) => {
        catalog.settings.schemaChangeMs = ms;
      },
    },
    rows(db, table) {
      const t = catalog.getTable(db, table);
      if (!t) throw new Error(`no table ${db}.${table}`);
      return t.rowObjects();
    },
    loads: () => [...engine.loads()],
    clearLoads: () => engine.clearLoads(),
    sql,
    close() {
      closed ??= closeAll();
      return closed;
    },
  };
}
