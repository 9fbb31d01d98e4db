/**
 * The demo's three tables, in PostgreSQL and in StarRocks, and how to compare them. `customers.profile`
 * is the TOAST-sized column: STORAGE EXTERNAL keeps it out of line (uncompressed) once a row is over
 * ~2 kB, so an UPDATE that touches only the small columns sends it as "unchanged TOAST" and dbmazz
 * must write a partial update that keeps the stored profile.
 */
import type { ColumnCheck } from 'dbmazz-postgres-sandbox';

export const DEMO_DB = 'demo';
export const DEMO_TABLES = ['orders', 'order_items', 'customers'] as const;
export type DemoTable = (typeof DEMO_TABLES)[number];

export const PG_DDL: readonly string[] = [
  `CREATE TABLE customers (
     id bigint PRIMARY KEY,
     email text NOT NULL,
     name text,
     tier varchar(16) NOT NULL,
     visits integer NOT NULL DEFAULT 0,
     last_seen_at timestamptz,
     profile text,
     created_at timestamptz NOT NULL DEFAULT now())`,
  `ALTER TABLE customers ALTER COLUMN profile SET STORAGE EXTERNAL`,
  `CREATE TABLE orders (
     id bigint PRIMARY KEY,
     customer_id bigint NOT NULL,
     status varchar(16) NOT NULL,
     total numeric(12,2) NOT NULL,
     currency varchar(3) NOT NULL,
     note text,
     created_at timestamptz NOT NULL DEFAULT now(),
     updated_at timestamptz NOT NULL DEFAULT now())`,
  `CREATE TABLE order_items (
     order_id bigint NOT NULL,
     line_no integer NOT NULL,
     sku varchar(32) NOT NULL,
     qty smallint NOT NULL,
     price numeric(10,2) NOT NULL,
     PRIMARY KEY (order_id, line_no))`,
];

const PROPS = 'PROPERTIES ("replication_num" = "1")';

export const SR_DDL: readonly string[] = [
  `CREATE TABLE customers (
     id BIGINT NOT NULL, email STRING, name STRING, tier VARCHAR(16), visits INT, last_seen_at DATETIME,
     profile STRING, created_at DATETIME
   ) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 4 ${PROPS}`,
  `CREATE TABLE orders (
     id BIGINT NOT NULL, customer_id BIGINT, status VARCHAR(16), total DECIMAL(12,2), currency VARCHAR(3),
     note STRING, created_at DATETIME, updated_at DATETIME
   ) PRIMARY KEY (id) DISTRIBUTED BY HASH(id) BUCKETS 4 ${PROPS}`,
  `CREATE TABLE order_items (
     order_id BIGINT NOT NULL, line_no INT NOT NULL, sku VARCHAR(32), qty SMALLINT, price DECIMAL(10,2)
   ) PRIMARY KEY (order_id, line_no) DISTRIBUTED BY HASH(order_id) BUCKETS 4 ${PROPS}`,
];

export interface DemoTableSpec {
  readonly name: DemoTable;
  /** Key columns with their PostgreSQL types (for keyset paging). */
  readonly key: readonly { readonly name: string; readonly type: string }[];
  readonly cols: readonly ColumnCheck[];
}

/** timestamptz reaches StarRocks DATETIME in UTC (docs/starrocks.md, type mapping). */
const utc = (name: string): ColumnCheck => ({ name, pgExpr: `("${name}" AT TIME ZONE 'UTC')::text` });

export const TABLE_SPECS: readonly DemoTableSpec[] = [
  {
    name: 'orders',
    key: [{ name: 'id', type: 'bigint' }],
    cols: [
      { name: 'id' },
      { name: 'customer_id' },
      { name: 'status' },
      { name: 'total' },
      { name: 'currency' },
      { name: 'note' },
      utc('created_at'),
      utc('updated_at'),
    ],
  },
  {
    name: 'order_items',
    key: [
      { name: 'order_id', type: 'bigint' },
      { name: 'line_no', type: 'integer' },
    ],
    cols: [{ name: 'order_id' }, { name: 'line_no' }, { name: 'sku' }, { name: 'qty' }, { name: 'price' }],
  },
  {
    name: 'customers',
    key: [{ name: 'id', type: 'bigint' }],
    cols: [
      { name: 'id' },
      { name: 'email' },
      { name: 'name' },
      { name: 'tier' },
      { name: 'visits' },
      utc('last_seen_at'),
      { name: 'profile' },
      utc('created_at'),
    ],
  },
];

/** Order items per order: 1 to 3, from the id (the seed and the traffic use the same rule). */
export function linesOf(orderId: number): number {
  return 1 + (orderId % 3);
}

/**
 * SQL text of a profile of about `bytes` bytes for the customer id in `idExpr`; `salt` makes a
 * rewritten profile differ from the previous one.
 */
export function profileSql(idExpr: string, bytes: number, salt: string): string {
  const unit = `'Customer ' || ${idExpr} || ' (${salt}) prefers fast replication and exact copies. '`;
  return `left(repeat(${unit}, ${Math.max(1, Math.ceil(bytes / 40))}), ${bytes})`;
}
