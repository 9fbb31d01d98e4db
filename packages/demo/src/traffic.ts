/**
 * The traffic generator: transactions of about `txSize` changes (inserts, updates — some touching only
 * the small columns of customers, whose large profile then travels as unchanged TOAST — and deletes)
 * at `rate` changes per second, on one connection (so concurrent transactions never deadlock), until
 * stopped. Each transaction is a handful of set-based statements (unnest / ANY), so a few thousand
 * changes per second cost PostgreSQL and this process little.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { profileSql, type DemoTable } from './schema.js';
import type { TxPlan, Workload } from './workload.js';

export interface TrafficOptions {
  readonly rate: number;
  readonly txSize: number;
  readonly profileBytes: number;
}

export interface TrafficStats {
  /** Changes made (row counts). */
  changes: number;
  transactions: number;
  startedAt: number;
  /** Changes per second over the last few seconds. */
  recentRate: number;
}

/** Longest backlog (seconds of changes) the generator tries to catch up on after falling behind. */
const MAX_BACKLOG_S = 2;

export class TrafficGenerator {
  readonly stats: TrafficStats = { changes: 0, transactions: 0, startedAt: 0, recentRate: 0 };
  #stopping = false;
  #window: { t: number; changes: number }[] = [];
  #salt = 0;

  constructor(
    private readonly db: pg.ClientBase,
    private readonly workload: Workload,
    private readonly opts: TrafficOptions,
  ) {}

  stop(): void {
    this.#stopping = true;
  }

  /** Runs until `stop()` or `until` (ms, Date.now() clock); resolves after the last commit. */
  async run(until: number | undefined): Promise<void> {
    const { rate, txSize } = this.opts;
    let start = Date.now();
    let budgetDone = 0;
    this.stats.startedAt = start;
    while (!this.#stopping && (until === undefined || Date.now() < until)) {
      const now = Date.now();
      let due = (rate * (now - start)) / 1000 - budgetDone;
      if (due > rate * MAX_BACKLOG_S) {
        // Too far behind (PostgreSQL is slower than the rate): forget the backlog instead of bursting.
        start = now - (budgetDone / rate) * 1000 - MAX_BACKLOG_S * 1000;
        due = rate * MAX_BACKLOG_S;
      }
      const size = Math.min(txSize, Math.max(1, Math.floor(due)));
      if (due < Math.min(txSize, rate / 20)) {
        await sleep(Math.max(5, Math.min(100, ((Math.min(txSize, rate / 20) - due) / rate) * 1000)));
        continue;
      }
      const plan = this.workload.plan(size);
      budgetDone += plan.planned;
      const changes = await this.#run(plan);
      this.stats.changes += changes;
      this.stats.transactions++;
      this.#track(Date.now());
    }
  }

  #track(t: number): void {
    this.#window.push({ t, changes: this.stats.changes });
    while (this.#window.length > 2 && (this.#window[0]?.t ?? t) < t - 5000) this.#window.shift();
    const first = this.#window[0];
    if (first !== undefined && t > first.t) this.stats.recentRate = ((this.stats.changes - first.changes) * 1000) / (t - first.t);
  }

  /** One transaction; returns the rows it changed. */
  async #run(p: TxPlan): Promise<number> {
    const w = this.workload;
    const db = this.db;
    const bytes = this.opts.profileBytes;
    // Row counts are recorded once the transaction committed.
    const done: [DemoTable, 'insert' | 'update' | 'delete', number][] = [];
    const exec = async (sql: string, params: unknown[], table: DemoTable, kind: 'insert' | 'update' | 'delete'): Promise<void> => {
      const r = await db.query(sql, params);
      done.push([table, kind, r.rowCount ?? 0]);
    };
    await db.query('BEGIN');
    try {
      if (p.newCustomers.length > 0) {
        await exec(
          `INSERT INTO customers (id, email, name, tier, visits, last_seen_at, profile, created_at)
           SELECT g, 'customer' || g || '@example.com', 'Customer ' || g, 'bronze', 0, now(), ${profileSql('g', bytes, 'v0')}, now()
             FROM unnest($1::bigint[]) g`,
          [p.newCustomers],
          'customers',
          'insert',
        );
      }
      if (p.newOrders.length > 0) {
        await exec(
          `INSERT INTO orders (id, customer_id, status, total, currency, note, created_at, updated_at)
           SELECT o.id, o.c, 'new', round((random() * 500 + 5)::numeric, 2), 'EUR', NULL, now(), now()
             FROM unnest($1::bigint[], $2::bigint[]) AS o(id, c)`,
          [p.newOrders.map((o) => o.id), p.newOrders.map((o) => o.customerId)],
          'orders',
          'insert',
        );
        await exec(
          `INSERT INTO order_items (order_id, line_no, sku, qty, price)
           SELECT i.o, i.l, 'SKU-' || floor(random() * 5000)::int, 1 + floor(random() * 4)::int, round((random() * 100 + 0.5)::numeric, 2)
             FROM unnest($1::bigint[], $2::int[]) AS i(o, l)`,
          [p.newItems.map((i) => i.orderId), p.newItems.map((i) => i.lineNo)],
          'order_items',
          'insert',
        );
      }
      if (p.statusOrders.length > 0) {
        await exec(
          `UPDATE orders SET status = (ARRAY['paid','packed','shipped','delivered'])[1 + floor(random() * 4)::int],
                  total = total + 0.01, updated_at = now()
            WHERE id = ANY($1::bigint[])`,
          [p.statusOrders],
          'orders',
          'update',
        );
      }
      if (p.itemUpdates.length > 0) {
        await exec(
          `UPDATE order_items SET qty = qty % 9 + 1
            WHERE (order_id, line_no) IN (SELECT * FROM unnest($1::bigint[], $2::int[]))`,
          [p.itemUpdates.map((i) => i.orderId), p.itemUpdates.map((i) => i.lineNo)],
          'order_items',
          'update',
        );
      }
      if (p.seenCustomers.length > 0) {
        // Small columns only: the out-of-line profile is sent as unchanged TOAST.
        await exec(`UPDATE customers SET visits = visits + 1, last_seen_at = now() WHERE id = ANY($1::bigint[])`, [p.seenCustomers], 'customers', 'update');
      }
      if (p.profileCustomers.length > 0) {
        const salt = `v${++this.#salt}`;
        await exec(
          `UPDATE customers SET profile = ${profileSql('id', bytes, salt)}, tier = 'silver' WHERE id = ANY($1::bigint[])`,
          [p.profileCustomers],
          'customers',
          'update',
        );
      }
      if (p.deleteOrders.length > 0) {
        await exec(`DELETE FROM order_items WHERE order_id = ANY($1::bigint[])`, [p.deleteOrders], 'order_items', 'delete');
        await exec(`DELETE FROM orders WHERE id = ANY($1::bigint[])`, [p.deleteOrders], 'orders', 'delete');
      }
      if (p.deleteCustomers.length > 0) {
        await exec(`DELETE FROM customers WHERE id = ANY($1::bigint[])`, [p.deleteCustomers], 'customers', 'delete');
      }
      await db.query('COMMIT');
    } catch (err) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    let n = 0;
    for (const [table, kind, rows] of done) {
      w.record(table, kind, rows);
      n += rows;
    }
    return n;
  }
}
