/**
 * What the traffic generator knows about the source tables: the live keys (to pick rows to update or
 * delete), the next free ids (keys are never reused, so every deleted key ends as exactly one
 * soft-deleted row in StarRocks), and exact per-table row counts kept from the statements' row
 * counts. Pure bookkeeping; traffic.ts runs the SQL.
 */
import type { DemoTable } from './schema.js';
import { linesOf } from './schema.js';
import type { SeedCounts } from './seed.js';

export type Op = 'newOrder' | 'orderStatus' | 'itemQty' | 'customerSeen' | 'customerProfile' | 'newCustomer' | 'deleteOrder' | 'deleteCustomer';

/** Relative weights of the operations (each one is one to four row changes). */
export const OP_WEIGHTS: Readonly<Record<Op, number>> = {
  newOrder: 18,
  orderStatus: 26,
  itemQty: 12,
  customerSeen: 24,
  customerProfile: 3,
  newCustomer: 4,
  deleteOrder: 10,
  deleteCustomer: 2,
};

export interface TableCounts {
  /** Rows in PostgreSQL now. */
  rows: number;
  /** Rows deleted so far (each one a distinct key). */
  deleted: number;
  inserts: number;
  updates: number;
}

/** One transaction's worth of planned changes. */
export interface TxPlan {
  newCustomers: number[];
  newOrders: { id: number; customerId: number }[];
  newItems: { orderId: number; lineNo: number }[];
  statusOrders: number[];
  itemUpdates: { orderId: number; lineNo: number }[];
  seenCustomers: number[];
  profileCustomers: number[];
  deleteOrders: number[];
  deleteCustomers: number[];
  /** Changes the plan is expected to make. */
  planned: number;
}

export class Workload {
  readonly #liveOrders: number[] = [];
  readonly #liveCustomers: number[] = [];
  #nextOrder: number;
  #nextCustomer: number;
  readonly counts: Record<DemoTable, TableCounts>;
  readonly #ops: [Op, number][];
  readonly #totalWeight: number;

  constructor(
    seeded: SeedCounts,
    private readonly rand: () => number = Math.random,
  ) {
    for (let id = 1; id <= seeded.orders; id++) this.#liveOrders.push(id);
    for (let id = 1; id <= seeded.customers; id++) this.#liveCustomers.push(id);
    this.#nextOrder = seeded.orders + 1;
    this.#nextCustomer = seeded.customers + 1;
    const fresh = (rows: number): TableCounts => ({ rows, deleted: 0, inserts: rows, updates: 0 });
    this.counts = { orders: fresh(seeded.orders), order_items: fresh(seeded.items), customers: fresh(seeded.customers) };
    this.#ops = Object.entries(OP_WEIGHTS) as [Op, number][];
    this.#totalWeight = this.#ops.reduce((s, [, w]) => s + w, 0);
  }

  #op(): Op {
    let r = this.rand() * this.#totalWeight;
    for (const [op, w] of this.#ops) {
      if ((r -= w) < 0) return op;
    }
    return 'orderStatus';
  }

  #pick(xs: readonly number[]): number | undefined {
    return xs.length === 0 ? undefined : xs[Math.floor(this.rand() * xs.length)];
  }

  /** Removes a random element (swap with the last: O(1)). */
  #take(xs: number[]): number | undefined {
    if (xs.length === 0) return undefined;
    const i = Math.floor(this.rand() * xs.length);
    const v = xs[i];
    const last = xs.pop();
    if (i < xs.length && last !== undefined) xs[i] = last;
    return v;
  }

  /** Plans about `size` changes. Deleted keys leave the live lists at once. */
  plan(size: number): TxPlan {
    const p: TxPlan = {
      newCustomers: [],
      newOrders: [],
      newItems: [],
      statusOrders: [],
      itemUpdates: [],
      seenCustomers: [],
      profileCustomers: [],
      deleteOrders: [],
      deleteCustomers: [],
      planned: 0,
    };
    while (p.planned < size) p.planned += this.#planOne(p, this.#op());
    return p;
  }

  #planOne(p: TxPlan, op: Op): number {
    switch (op) {
      case 'newOrder': {
        const id = this.#nextOrder++;
        this.#liveOrders.push(id);
        p.newOrders.push({ id, customerId: this.#pick(this.#liveCustomers) ?? 1 });
        const lines = linesOf(id);
        for (let l = 1; l <= lines; l++) p.newItems.push({ orderId: id, lineNo: l });
        return 1 + lines;
      }
      case 'orderStatus': {
        const id = this.#pick(this.#liveOrders);
        if (id === undefined) return this.#planOne(p, 'newOrder');
        p.statusOrders.push(id);
        return 1;
      }
      case 'itemQty': {
        const id = this.#pick(this.#liveOrders);
        if (id === undefined) return this.#planOne(p, 'newOrder');
        p.itemUpdates.push({ orderId: id, lineNo: 1 + Math.floor(this.rand() * linesOf(id)) });
        return 1;
      }
      case 'customerSeen':
      case 'customerProfile': {
        const id = this.#pick(this.#liveCustomers);
        if (id === undefined) return this.#planOne(p, 'newCustomer');
        (op === 'customerSeen' ? p.seenCustomers : p.profileCustomers).push(id);
        return 1;
      }
      case 'newCustomer': {
        const id = this.#nextCustomer++;
        this.#liveCustomers.push(id);
        p.newCustomers.push(id);
        return 1;
      }
      case 'deleteOrder': {
        // Never delete the last rows (the weights make the tables grow anyway).
        if (this.#liveOrders.length < 10) return this.#planOne(p, 'newOrder');
        const id = this.#take(this.#liveOrders);
        if (id === undefined) return 0;
        p.deleteOrders.push(id);
        return 1 + linesOf(id);
      }
      case 'deleteCustomer': {
        if (this.#liveCustomers.length < 5) return this.#planOne(p, 'newCustomer');
        const id = this.#take(this.#liveCustomers);
        if (id === undefined) return 0;
        p.deleteCustomers.push(id);
        return 1;
      }
    }
  }

  /** Records what a statement did (its row count). */
  record(table: DemoTable, kind: 'insert' | 'update' | 'delete', rows: number): void {
    const c = this.counts[table];
    if (kind === 'insert') {
      c.inserts += rows;
      c.rows += rows;
    } else if (kind === 'delete') {
      c.deleted += rows;
      c.rows -= rows;
    } else c.updates += rows;
  }

  /** Every row change made so far (seed included): what dbmazz must have received. */
  get totalChanges(): number {
    return Object.values(this.counts).reduce((s, c) => s + c.inserts + c.updates + c.deleted, 0);
  }
}
