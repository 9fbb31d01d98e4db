/**
 * Throwaway PostgreSQL clusters for tests, the demo and benchmarks.
 *
 * `startPostgres()` runs `initdb` into a temp dir, configures logical replication, picks a free port on
 * 127.0.0.1 and starts the server with `pg_ctl`. When the process runs as root, the server runs as the
 * `postgres` user. Binaries come from `PG_BIN` or the newest `/usr/lib/postgresql/<v>/bin`.
 * With `TEST_DATABASE_URL` set, an existing server is used instead (stop/start are then unavailable).
 * Every cluster is stopped and removed when the process exits, even when a test failed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, appendFileSync, chownSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface StartPostgresOptions {
  /** Extra postgresql.conf settings, e.g. `{ wal_level: 'replica' }`. */
  readonly settings?: Readonly<Record<string, string>>;
}

export interface PgHarness {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly database: string;
  /** True when this harness owns the server (false with TEST_DATABASE_URL). */
  readonly owned: boolean;
  /** Data directory (owned clusters only). */
  readonly dataDir: string | undefined;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** A new connected client; the caller ends it. */
  connect(database?: string): Promise<pg.Client>;
  /** A URL for another database of the same server (created if missing). */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl stop -m fast` (simulates an outage). */
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stop and remove everything. Idempotent. */
  close(): Promise<void>;
}

const live = new Set<{ dataDir: string; bin: string; uid: number | undefined }>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanup = (): void => {
    for (const c of live) {
      spawnSync(join(c.bin, 'pg_ctl'), ['-D', c.dataDir, 'stop', '-m', 'immediate'], {
        stdio: 'ignore',
        ...(c.uid === undefined ? {} : { uid: c.uid, gid: c.uid }),
      });
      rmSync(c.dataDir, { recursive: true, force: true });
    }
    live.clear();
  };
  process.on('exit', cleanup);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanup();
      process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    });
  }
}

/** Finds the PostgreSQL server binaries; the error says how to install them. */
export function findPgBin(): string {
  const fromEnv = process.env['PG_BIN'];
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'initdb'))) throw new Error(`PG_BIN=${fromEnv} has no initdb`);
    return fromEnv;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) {
    throw new Error(
      'No PostgreSQL server binaries found under /usr/lib/postgresql/*/bin. ' +
        'Install them with `apt-get install postgresql` (or set PG_BIN, or TEST_DATABASE_URL for an existing server).',
    );
  }
  return join(root, newest, 'bin');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function postgresUid(): number | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const out = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const uid = Number(out.stdout.trim());
  if (out.status !== 0 || !Number.isInteger(uid)) {
    throw new Error('Running as root but there is no `postgres` user to run the server as (apt-get install postgresql creates it).');
  }
  return uid;
}

function run(cmd: string, args: string[], uid: number | undefined, timeoutMs = 120_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
      cwd: tmpdir(),
      ...(uid === undefined ? {} : { uid, gid: uid }),
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${output}`));
    });
  });
}

function makeHarness(base: {
  host: string;
  port: number;
  user: string;
  database: string;
  owned: boolean;
  dataDir: string | undefined;
  control: { stop(): Promise<void>; start(): Promise<void>; close(): Promise<void> } | undefined;
}): PgHarness {
  const urlFor = (db: string): string => `postgres://${base.user}@${base.host}:${base.port}/${db}`;
  let pool: pg.Pool | undefined;
  const getPool = (): pg.Pool => {
    if (!pool) {
      pool = new pg.Pool({ connectionString: urlFor(base.database), max: 4 });
      // Idle clients error out when the server is stopped on purpose (outage tests).
      pool.on('error', () => undefined);
    }
    return pool;
  };
  const endPool = async (): Promise<void> => {
    const p = pool;
    pool = undefined;
    if (p) await p.end().catch(() => undefined);
  };
  const unsupported = (): Promise<void> => Promise.reject(new Error('stop/start are not available with TEST_DATABASE_URL (the server is not ours)'));
  let closed = false;
  return {
    url: urlFor(base.database),
    host: base.host,
    port: base.port,
    user: base.user,
    database: base.database,
    owned: base.owned,
    dataDir: base.dataDir,
    query: (sql, params) => getPool().query(sql, params),
    async connect(database) {
      const c = new pg.Client({ connectionString: urlFor(database ?? base.database) });
      await c.connect();
      return c;
    },
    async createDatabase(name) {
      const exists = await getPool().query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (exists.rowCount === 0) await getPool().query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      return urlFor(name);
    },
    async stop() {
      if (!base.control) return unsupported();
      await endPool();
      await base.control.stop();
    },
    async start() {
      if (!base.control) return unsupported();
      await base.control.start();
    },
    async restart() {
      await this.stop();
      await this.start();
    },
    async close() {
      if (closed) return;
      closed = true;
      await endPool();
      await base.control?.close();
    },
  };
}

/** Starts a throwaway cluster (or wraps TEST_DATABASE_URL). */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PgHarness> {
  const external = process.env['TEST_DATABASE_URL'];
  if (external) {
    const u = new URL(external);
    return makeHarness({
      host: u.hostname,
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username || 'postgres'),
      database: u.pathname.replace(/^\//, '') || 'postgres',
      owned: false,
      dataDir: undefined,
      control: undefined,
    });
  }
  const bin = findPgBin();
  const uid = postgresUid();
  const dataDir = mkdtempSync(join(tmpdir(), 'dbmazz-pg-'));
  if (uid !== undefined) chownSync(dataDir, uid, uid);
  installExitHook();
  const entry = { dataDir, bin, uid };
  live.add(entry);
  const port = await freePort();
  await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], uid);
  const conf: Record<string, string> = {
    listen_addresses: "'127.0.0.1'",
    port: String(port),
    unix_socket_directories: `'${dataDir}'`,
    wal_level: 'logical',
    max_replication_slots: '20',
    max_wal_senders: '20',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '64MB',
    max_connections: '100',
    log_min_messages: 'warning',
    ...Object.fromEntries(Object.entries(opts.settings ?? {}).map(([k, v]) => [k, /^[\w.-]+$/.test(v) ? v : `'${v}'`])),
  };
  appendFileSync(
    join(dataDir, 'postgresql.conf'),
    Object.entries(conf)
      .map(([k, v]) => `${k} = ${v}\n`)
      .join(''),
  );
  const logFile = join(dataDir, 'server.log');
  const start = (): Promise<void> =>
    run(join(bin, 'pg_ctl'), ['-D', dataDir, '-l', logFile, '-w', '-t', '60', 'start'], uid).catch((e: unknown) => {
      const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
      throw new Error(`${e instanceof Error ? e.message : String(e)}\nserver log:\n${log}`);
    });
  const stop = (): Promise<void> => run(join(bin, 'pg_ctl'), ['-D', dataDir, '-w', '-t', '60', 'stop', '-m', 'fast'], uid);
  let running = false;
  await start();
  running = true;
  return makeHarness({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    database: 'postgres',
    owned: true,
    dataDir,
    control: {
      async stop() {
        await stop();
        running = false;
      },
      async start() {
        await start();
        running = true;
      },
      async close() {
        if (running) await stop().catch(() => run(join(bin, 'pg_ctl'), ['-D', dataDir, 'stop', '-m', 'immediate'], uid));
        running = false;
        rmSync(dataDir, { recursive: true, force: true });
        live.delete(entry);
      },
    },
  });
}

/** Runs `fn` in one transaction on a new client (BEGIN … COMMIT, ROLLBACK when it throws); the client is ended either way. */
export async function inTransaction<T>(pgh: Pick<PgHarness, 'connect'>, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = await pgh.connect();
  try {
    await c.query('BEGIN');
    const result = await fn(c);
    await c.query('COMMIT');
    return result;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    await c.end();
  }
}
