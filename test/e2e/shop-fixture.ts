/**
 * A small shop schema used by the end-to-end tests: four tables with different key shapes (bigint,
 * composite, uuid, and a reserved-word table with a column named `order`) and many column types, plus
 * a workload generator of inserts, updates, deletes and primary-key changes.
 */
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { inTransaction, type PgHarness, pgRows, srRows, type ColumnCheck, type Row } from 'dbmazz-postgres-sandbox';
import type { StarRocksEmulator } from 'dbmazz-starrocks-emulator';

export const SR_DB = 'shop';

export const PG_DDL = [
  `CREATE TABLE public.orders (
     id bigint PRIMARY KEY,
     customer_id bigint NOT NULL,
     total numeric(12,2) NOT NULL,
     status varchar(32) NOT NULL,
     note text,
     created_at timestamp(6) NOT NULL,
     updated_at timestamptz,
     paid boolean NOT NULL DEFAULT false,
     qty integer,
     weight double precision,
     payload jsonb,
     ship_date date)`,
  `CREATE TABLE public.order_items (
     order_id bigint NOT NULL,
     line_no integer NOT NULL,
     sku text NOT NULL,
     qty smallint NOT NULL,
     price numeric(10,2),
     PRIMARY KEY (order_id, line_no))`,
  `CREATE TABLE public.customers (
     id uuid PRIMARY KEY,
     email text NOT NULL,
     name text,
     score real,
     tags text[])`,
  `CREATE TABLE public."group" (
     id integer PRIMARY KEY,
     "order" text,
     "select" integer)`,
];

export const SR_DDL = [
  `CREATE TABLE orders (
     id BIGINT NOT NULL, customer_id BIGINT, total DECIMAL(12,2), status VARCHAR(32), note STRING,
     created_at DATETIME, updated_at DATETIME, paid BOOLEAN, qty INT, weight DOUBLE, payload JSON, ship_date DATE
   ) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 4 PROPERTIES ("replication_num" = "1")`,
  `CREATE TABLE order_items (
     order_id BIGINT NOT NULL, line_no INT NOT NULL, sku STRING, qty SMALLINT, price DECIMAL(10,2)
   ) PRIMARY KEY (order_id, line_no) DISTRIBUTED BY HASH(order_id) PROPERTIES ("replication_num" = "1")`,
  `CREATE TABLE customers (
     id VARCHAR(36) NOT NULL, email STRING, name STRING, score FLOAT, tags ARRAY<STRING>
   ) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")`,
  `CREATE TABLE \`group\` (
     id INT NOT NULL, \`order\` STRING, \`select\` INT
   ) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) PROPERTIES ("replication_num" = "1")`,
];

export interface TableSpec {
  readonly pg: string;
  readonly sr: string;
  readonly key: readonly string[];
  readonly cols: readonly ColumnCheck[];
}

export const TABLES: readonly TableSpec[] = [
  {
    pg: 'public.orders',
    sr: 'orders',
    key: ['id'],
    cols: [
      { name: 'id' },
      { name: 'customer_id' },
      { name: 'total' },
      { name: 'status' },
      { name: 'note' },
      { name: 'created_at' },
      { name: 'updated_at', pgExpr: `("updated_at" AT TIME ZONE 'UTC')::text` },
      { name: 'paid' },
      { name: 'qty' },
      { name: 'weight' },
      { name: 'payload', json: true },
      { name: 'ship_date' },
    ],
  },
  {
    pg: 'public.order_items',
    sr: 'order_items',
    key: ['order_id', 'line_no'],
    cols: [{ name: 'order_id' }, { name: 'line_no' }, { name: 'sku' }, { name: 'qty' }, { name: 'price' }],
  },
  {
    pg: 'public.customers',
    sr: 'customers',
    key: ['id'],
    cols: [{ name: 'id' }, { name: 'email' }, { name: 'name' }, { name: 'score' }, { name: 'tags', pgExpr: 'array_to_json("tags")::text', json: true }],
  },
  {
    pg: 'public."group"',
    sr: 'group',
    key: ['id'],
    cols: [{ name: 'id' }, { name: 'order' }, { name: 'select' }],
  },
];

export async function createSchemas(pg: PgHarness, em: StarRocksEmulator): Promise<void> {
  for (const ddl of PG_DDL) await pg.query(ddl);
  await em.sql(`CREATE DATABASE IF NOT EXISTS ${SR_DB}`);
  for (const ddl of SR_DDL) await em.sql(ddl, SR_DB);
}

/** Deterministic pseudo-random numbers (tests must be reproducible). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Generates transactions against the shop tables and remembers every key it ever wrote. */
export class ShopWorkload {
  readonly everOrders = new Set<string>();
  readonly everItems = new Set<string>();
  readonly everCustomers = new Set<string>();
  readonly everGroups = new Set<string>();
  private nextOrder = 1n;
  private nextGroup = 1;
  private readonly live: bigint[] = [];
  private readonly customers: string[] = [];
  private readonly rand: () => number;

  constructor(
    private readonly pg: PgHarness,
    seed = 42,
  ) {
    this.rand = rng(seed);
  }

  private pick<T>(xs: readonly T[]): T | undefined {
    return xs.length === 0 ? undefined : xs[Math.floor(this.rand() * xs.length)];
  }

  /** One transaction with a mix of changes; several of them touch the same key. */
  async transaction(size = 20): Promise<void> {
    await inTransaction(this.pg, async (c) => {
      for (let i = 0; i < size; i++) {
        const r = this.rand();
        if (r < 0.45 || this.live.length < 5) await this.insertOrder(c.query.bind(c));
        else if (r < 0.75) {
          const id = this.pick(this.live);
          if (id !== undefined) {
            await c.query(
              `UPDATE orders SET status = $2, total = total + 1.25, qty = coalesce(qty, 0) + 1,
                             updated_at = now(), payload = jsonb_set(coalesce(payload, '{}'), '{n}', to_jsonb($3::int)) WHERE id = $1`,
              [id.toString(), this.pick(['paid', 'shipped', 'returned']) ?? 'paid', Math.floor(this.rand() * 1000)],
            );
            // A second change of the same key inside the same transaction.
            await c.query('UPDATE orders SET paid = NOT paid WHERE id = $1', [id.toString()]);
            await c.query('UPDATE order_items SET qty = qty + 1 WHERE order_id = $1', [id.toString()]);
          }
        } else if (r < 0.85) {
          const idx = Math.floor(this.rand() * this.live.length);
          const id = this.live[idx];
          if (id !== undefined) {
            this.live.splice(idx, 1);
            await c.query('DELETE FROM order_items WHERE order_id = $1', [id.toString()]);
            await c.query('DELETE FROM orders WHERE id = $1', [id.toString()]);
          }
        } else if (r < 0.93) {
          const id = randomUUID();
          this.customers.push(id);
          this.everCustomers.add(id);
          await c.query('INSERT INTO customers VALUES ($1, $2, $3, $4, $5)', [
            id,
            `${id.slice(0, 8)}@example.com`,
            this.rand() < 0.2 ? null : `Customer ${id.slice(0, 4)} “ünïcødé” 🚀`,
            Math.round(this.rand() * 1000) / 8,
            ['vip', this.rand() < 0.5 ? null : 'new', 'a "quoted", tag'],
          ]);
          const other = this.pick(this.customers);
          if (other) await c.query(`UPDATE customers SET name = name || '!' WHERE id = $1`, [other]);
        } else {
          const g = this.nextGroup++;
          this.everGroups.add(String(g));
          await c.query(`INSERT INTO "group" VALUES ($1, $2, $3)`, [g, `order-${g}`, g * 2]);
          if (g % 3 === 0) {
            // Primary-key change: the old key is soft-deleted, the new key written.
            await c.query(`UPDATE "group" SET id = id + 100000, "select" = "select" + 1 WHERE id = $1`, [g]);
            this.everGroups.add(String(g + 100000));
          }
        }
      }
    });
  }

  private async insertOrder(q: (sql: string, params: unknown[]) => Promise<unknown>): Promise<void> {
    const id = 9_007_199_254_740_000n + this.nextOrder++; // beyond 2^53: must survive exactly
    this.live.push(id);
    this.everOrders.add(id.toString());
    const micros = Math.floor(this.rand() * 1_000_000)
      .toString()
      .padStart(6, '0');
    await q(`INSERT INTO orders VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
      id.toString(),
      Math.floor(this.rand() * 1e6),
      (Math.floor(this.rand() * 1e8) / 100).toFixed(2),
      'new',
      this.rand() < 0.3 ? null : `note for ${id}: tab\t"quote" \\ backslash\nnewline`,
      `2024-02-29 23:59:59.${micros}`,
      `2024-06-01 12:00:00.${micros}+05:30`,
      this.rand() < 0.5,
      Math.floor(this.rand() * 100),
      this.rand() * 1000,
      JSON.stringify({ items: [1, 2, 3], nested: { ok: true, s: 'ü' } }),
      this.rand() < 0.2 ? null : '2024-12-31',
    ]);
    const lines = 1 + Math.floor(this.rand() * 3);
    for (let l = 1; l <= lines; l++) {
      this.everItems.add(`${id}|${l}`);
      await q('INSERT INTO order_items VALUES ($1, $2, $3, $4, $5)', [id.toString(), l, `SKU-${l}`, l, '9.99']);
    }
  }
}

function keyOf(row: Row, key: readonly string[]): string {
  return key.map((k) => row[k] ?? '').join('|');
}

/**
 * Checks that each StarRocks table equals its PostgreSQL table: every live row equal and not deleted,
 * every other key that was ever written present with dbmazz_is_deleted = true. Returns a diff text or ''.
 */
export async function diffShop(pg: PgHarness, em: StarRocksEmulator, w: ShopWorkload): Promise<string> {
  const problems: string[] = [];
  const ever: Record<string, Set<string>> = {
    orders: w.everOrders,
    order_items: w.everItems,
    customers: w.everCustomers,
    group: w.everGroups,
  };
  for (const t of TABLES) {
    const source = await pgRows(pg, t.pg, t.key, t.cols);
    const target = srRows(em.rows(SR_DB, t.sr), t.cols);
    const live = new Map(source.map((r) => [keyOf(r, t.key), r]));
    const seen = new Set<string>();
    for (const s of target) {
      const k = keyOf(s.row, t.key);
      seen.add(k);
      const src = live.get(k);
      if (src) {
        if (s.deleted) problems.push(`${t.sr} ${k}: deleted in StarRocks but live in PostgreSQL`);
        else {
          try {
            assert.deepEqual(s.row, src);
          } catch {
            problems.push(`${t.sr} ${k}: ${JSON.stringify(s.row)} != ${JSON.stringify(src)}`);
          }
        }
      } else if (!s.deleted) problems.push(`${t.sr} ${k}: live in StarRocks, absent in PostgreSQL`);
      else if (s.opType !== '2') problems.push(`${t.sr} ${k}: deleted row with dbmazz_op_type ${s.opType}`);
      if (s.version === null || BigInt(s.version) <= 0n) problems.push(`${t.sr} ${k}: bad dbmazz_cdc_version ${s.version}`);
    }
    for (const k of live.keys()) if (!seen.has(k)) problems.push(`${t.sr} ${k}: missing in StarRocks`);
    const everSet = ever[t.sr];
    if (everSet) {
      for (const k of everSet) if (!seen.has(k)) problems.push(`${t.sr} ${k}: written once, not in StarRocks`);
      if (target.length !== everSet.size) problems.push(`${t.sr}: ${target.length} rows in StarRocks, ${everSet.size} keys ever written`);
    }
  }
  return problems.slice(0, 20).join('\n');
}
