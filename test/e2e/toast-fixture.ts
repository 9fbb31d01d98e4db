/**
 * Large (TOASTed) values for the TOAST end-to-end tests: incompressible random text (with multi-byte
 * characters), jsonb documents and bytes far over PostgreSQL's 2 kB TOAST threshold, and the
 * comparison of PostgreSQL with the emulator through SHA-256 digests.
 */
import { createHash } from 'node:crypto';
import { inTransaction, startPostgres, type PgHarness, normJson } from 'dbmazz-postgres-sandbox';
import { startStarRocksEmulator, type StarRocksEmulator } from 'dbmazz-starrocks-emulator';
import { killDaemons, type DaemonProcess } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonEnv, SR_PASSWORD, startStreaming } from './daemon-env.js';
import { rng } from './shop-fixture.js';

export const TOAST_DB = 'toastdb';

/** Random characters: ASCII, Latin-1, CJK, an emoji (a surrogate pair), quotes, backslash, controls. */
const ALPHABET = [
  ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?-_/()[]{}',
  'é',
  'ß',
  'ü',
  '日',
  '本',
  '語',
  '😀',
  '"',
  '\\',
  '\t',
  '\n',
  "'",
];

/** ~`bytes` UTF-8 bytes of random text that pglz cannot compress (so it is stored out of line). */
export function randomText(rand: () => number, bytes: number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < bytes) {
    const c = ALPHABET[Math.floor(rand() * ALPHABET.length)] ?? 'x';
    parts.push(c);
    n += Buffer.byteLength(c, 'utf8');
  }
  return parts.join('');
}

export function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

export function randomDoc(rand: () => number, bytes: number): string {
  return JSON.stringify({ kind: 'large', text: randomText(rand, bytes), nested: { a: [1, 2.5, { b: 'ü', c: null, d: true }], n: -0.001 } });
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256')
    .update(typeof data === 'string' ? Buffer.from(data, 'utf8') : data)
    .digest('hex');
}

export interface Digest {
  readonly title: string | null;
  readonly n: string | null;
  readonly body: string | null;
  readonly doc: string | null;
  readonly blob: string | null;
}

/** PostgreSQL side: the digests of every row of `table`, by id. */
export async function pgDigests(pg: PgHarness, table: string): Promise<Map<string, Digest>> {
  const r = await pg.query<{ id: string; title: string | null; n: string | null; body: string | null; doc: string | null; blob: string | null }>(
    `SELECT id::text AS id, title, n::text AS n,
            encode(sha256(convert_to(body, 'UTF8')), 'hex') AS body, doc::text AS doc, encode(sha256(blob), 'hex') AS blob
       FROM ${table} ORDER BY id`,
  );
  return new Map(
    r.rows.map((row) => [row.id, { title: row.title, n: row.n, body: row.body, doc: row.doc === null ? null : sha256(normJson(row.doc)), blob: row.blob }]),
  );
}

export interface SrDigest extends Digest {
  readonly deleted: boolean;
  readonly opType: string | null;
}

/** Emulator side: the same digests from the stored values, by id. */
export function srDigests(em: StarRocksEmulator, table: string): Map<string, SrDigest> {
  const out = new Map<string, SrDigest>();
  for (const row of em.rows(TOAST_DB, table)) {
    const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
    const body = row['body'];
    const doc = row['doc'];
    const blob = row['blob'];
    out.set(String(row['id']), {
      title: str(row['title']),
      n: str(row['n']),
      body: typeof body === 'string' ? sha256(body) : null,
      doc: typeof doc === 'string' ? sha256(normJson(doc)) : null,
      blob: Buffer.isBuffer(blob) ? sha256(blob) : null,
      deleted: row['dbmazz_is_deleted'] === true,
      opType: str(row['dbmazz_op_type']),
    });
  }
  return out;
}

export const PG_TABLE = (name: string): string => `CREATE TABLE public.${name} (
  id bigint PRIMARY KEY,
  title text,
  n integer NOT NULL DEFAULT 0,
  body text,
  doc jsonb,
  blob bytea)`;

/** VARCHAR(1048576) and VARBINARY(1048576): the largest values StarRocks 3.x takes (docs/starrocks-protocol.md §8.2). */
export const SR_TABLE = (name: string): string => `CREATE TABLE ${name} (
  id BIGINT NOT NULL, title STRING, n INT, body VARCHAR(1048576), doc JSON, blob VARBINARY(1048576)
) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 2 PROPERTIES ("replication_num" = "1")`;

/** Sum of the out-of-line (TOAST) storage of a table, bytes. */
export async function toastBytes(pg: PgHarness, table: string): Promise<number> {
  const r = await pg.query<{ size: string }>(`SELECT pg_relation_size(reltoastrelid)::text AS size FROM pg_class WHERE oid = '${table}'::regclass`);
  return Number(r.rows[0]?.size ?? '0');
}

/**
 * Compares the live rows of PostgreSQL with the emulator (every digest equal, not deleted) and checks
 * that every key in `deleted` is soft-deleted in StarRocks with its last known values (`lastKnown`).
 * Returns a diff text, '' when equal.
 */
export async function diffToast(pg: PgHarness, em: StarRocksEmulator, table: string, lastKnown: ReadonlyMap<string, Digest>): Promise<string> {
  const source = await pgDigests(pg, table);
  const target = srDigests(em, table);
  const problems: string[] = [];
  for (const [id, s] of source) {
    const t = target.get(id);
    if (!t) problems.push(`${table} ${id}: missing in StarRocks`);
    else if (t.deleted) problems.push(`${table} ${id}: deleted in StarRocks, live in PostgreSQL`);
    else {
      for (const k of ['title', 'n', 'body', 'doc', 'blob'] as const) {
        if (t[k] !== s[k]) problems.push(`${table} ${id}.${k}: StarRocks ${t[k]} != PostgreSQL ${s[k]}`);
      }
    }
  }
  for (const [id, t] of target) {
    if (source.has(id)) continue;
    if (!t.deleted) problems.push(`${table} ${id}: live in StarRocks, absent in PostgreSQL`);
    const known = lastKnown.get(id);
    if (known) {
      for (const k of ['body', 'doc', 'blob'] as const) {
        if (t[k] !== known[k]) problems.push(`${table} ${id}.${k} (deleted): StarRocks ${t[k]} != last known ${known[k]}`);
      }
    }
  }
  return problems.slice(0, 20).join('\n');
}

export { rng };

export const KB = 1024;

type Q = (sql: string, params?: unknown[]) => Promise<unknown>;

/**
 * PostgreSQL, the emulator and the dbmazz CLI for the TOAST tests: `docs` (default replica identity)
 * and `docs_full` (REPLICA IDENTITY FULL) with the same statements applied to both in each transaction.
 */
export class ToastRig {
  static readonly TABLES = ['docs', 'docs_full'] as const;
  readonly rand: () => number;
  /** Values a deleted or moved-away key had last, per table (StarRocks keeps them on soft delete). */
  readonly lastKnown = new Map<string, Map<string, Digest>>(ToastRig.TABLES.map((t) => [t, new Map()]));
  daemon: DaemonProcess | undefined;

  private constructor(
    readonly pg: PgHarness,
    readonly em: StarRocksEmulator,
    seed: number,
  ) {
    this.rand = rng(seed);
  }

  static async start(seed: number): Promise<ToastRig> {
    const pg = await startPostgres();
    const em = await startStarRocksEmulator({ password: SR_PASSWORD });
    const rig = new ToastRig(pg, em, seed);
    for (const t of ToastRig.TABLES) await pg.query(PG_TABLE(t));
    await pg.query('ALTER TABLE public.docs_full REPLICA IDENTITY FULL');
    await em.sql(`CREATE DATABASE ${TOAST_DB}`);
    for (const t of ToastRig.TABLES) await em.sql(SR_TABLE(t), TOAST_DB);
    rig.daemon = await startStreaming(
      pg,
      daemonEnv(pg, em, TOAST_DB, ToastRig.TABLES.join(','), { FLUSH_SIZE: '200', FLUSH_INTERVAL_MS: '300', LOG_LEVEL: 'debug' }),
    );
    return rig;
  }

  async close(): Promise<void> {
    await killDaemons(this.daemon);
    await this.em.close();
    await this.pg.close();
  }

  /** Parameters of an INSERT (id, title, body, doc, blob) with fresh random large values. */
  row(id: number, bodyBytes: number, docBytes: number, blobBytes: number): unknown[] {
    return [id, `title ${id}`, randomText(this.rand, bodyBytes), randomDoc(this.rand, docBytes), randomBytes(this.rand, blobBytes)];
  }

  /** Runs `fn` in one transaction, once per table (the same statements on both tables). */
  async tx(fn: (q: Q, table: string) => Promise<void>): Promise<void> {
    await inTransaction(this.pg, async (c) => {
      for (const t of ToastRig.TABLES) await fn((sql, params) => c.query(sql, params), t);
    });
  }

  /** Records the current PostgreSQL digests of `ids` as their last known values. */
  async remember(ids: readonly number[]): Promise<void> {
    for (const t of ToastRig.TABLES) {
      const d = await pgDigests(this.pg, t);
      for (const id of ids) {
        const v = d.get(String(id));
        if (v) this.lastKnown.get(t)?.set(String(id), v);
      }
    }
  }

  async converge(what: string): Promise<void> {
    let diff = '';
    await waitFor(
      async () => {
        const parts: string[] = [];
        for (const t of ToastRig.TABLES) parts.push(await diffToast(this.pg, this.em, t, this.lastKnown.get(t) ?? new Map()));
        diff = parts.filter((p) => p !== '').join('\n');
        return diff === '';
      },
      { timeoutMs: 90_000, intervalMs: 300, message: () => `${what}: tables never converged:\n${diff}\n--- daemon ---\n${this.daemon?.output().slice(-3000)}` },
    );
  }
}
