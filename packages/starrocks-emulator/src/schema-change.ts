/**
 * Asynchronous ALTER TABLE ADD COLUMN / MODIFY COLUMN jobs (docs/starrocks-protocol.md §7.3).
 *
 * `submit` returns at once with a PENDING job; the job moves to WAITING_TXN and RUNNING on the next
 * turns of the event loop and to FINISHED `catalog.settings.schemaChangeMs` after submission. Only then
 * are the columns added to the table (`Catalog.addColumns`: existing rows get the DEFAULT or NULL) or
 * retyped (`Catalog.modifyColumns`: existing values converted; a value that does not convert cancels
 * the job with its message), so loads, SELECT, DESC and information_schema see the change only once the
 * job is FINISHED. While a job is
 * active the table is in state SCHEMA_CHANGE and a second ALTER is rejected by the executor.
 * Timers are unref'd: a pending job never keeps the process alive; `dispose()` cancels them all.
 */

/** How often a running job looks at `schemaChangeMs` again. */
const RECHECK_MS = 50;
import type { Catalog, ModifiedColumn, NewColumn, Table } from './catalog.js';

export type SchemaChangeState = 'PENDING' | 'WAITING_TXN' | 'RUNNING' | 'FINISHED' | 'CANCELLED';

export interface SchemaChangeJob {
  readonly jobId: number;
  readonly dbName: string;
  readonly tableName: string;
  readonly tableId: number;
  readonly indexId: number;
  readonly transactionId: number;
  /** `<new schema version>:<schema hash>`, as SHOW ALTER TABLE COLUMN prints it. */
  readonly schemaVersion: string;
  readonly createTime: Date;
  finishTime: Date | null;
  state: SchemaChangeState;
  msg: string;
  readonly timeoutSeconds: number;
  /** ADD COLUMN: the columns to add (empty for a MODIFY COLUMN job). */
  readonly columns: readonly NewColumn[];
  /** MODIFY COLUMN: the new column definitions (empty for an ADD COLUMN job). */
  readonly modifications: readonly ModifiedColumn[];
}

/** FE `alter_table_timeout_second` default. */
export const ALTER_TABLE_TIMEOUT_SECOND = 86400;

type Timer = ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate>;

export class SchemaChangeManager {
  readonly #jobs: SchemaChangeJob[] = [];
  readonly #timers = new Set<Timer>();
  readonly #tables = new Map<SchemaChangeJob, Table>();

  constructor(readonly catalog: Catalog) {}

  /** Jobs of one database (all states), oldest first. */
  jobs(dbName: string): readonly SchemaChangeJob[] {
    return this.#jobs.filter((j) => j.dbName === dbName);
  }

  /** The unfinished job of a table, if any. */
  activeJob(table: Table): SchemaChangeJob | undefined {
    return this.#jobs.find((j) => this.#tables.get(j) === table && (j.state === 'PENDING' || j.state === 'WAITING_TXN' || j.state === 'RUNNING'));
  }

  submit(table: Table, columns: readonly NewColumn[], now: Date = new Date(), modifications: readonly ModifiedColumn[] = []): SchemaChangeJob {
    const jobId = this.catalog.nextObjectId();
    const indexId = this.catalog.nextObjectId();
    const job: SchemaChangeJob = {
      jobId,
      dbName: table.dbName,
      tableName: table.name,
      tableId: table.id,
      indexId,
      transactionId: this.catalog.nextTxnId(),
      schemaVersion: `${table.schemaVersion + 1}:${(Math.imul(indexId, 2654435761) >>> 1) % 2147483647}`,
      createTime: now,
      finishTime: null,
      state: 'PENDING',
      msg: '',
      timeoutSeconds: ALTER_TABLE_TIMEOUT_SECOND,
      columns: [...columns],
      modifications: [...modifications],
    };
    this.#jobs.push(job);
    this.#tables.set(job, table);
    table.state = 'SCHEMA_CHANGE';
    this.#later(() => {
      job.state = 'WAITING_TXN';
      this.#later(() => {
        job.state = 'RUNNING';
        // The setting is read again while the job runs: lowering it (admin API, tests) ends a long job.
        const tick = (): void => {
          if (job.state !== 'RUNNING') return;
          const remaining = job.createTime.getTime() + this.catalog.settings.schemaChangeMs - Date.now();
          if (remaining <= 0) this.#finish(job);
          else this.#later(tick, Math.min(remaining, RECHECK_MS));
        };
        tick();
      });
    });
    return job;
  }

  /** Cancel the active jobs of a dropped table (or of every table of a dropped database). */
  cancelFor(dbName: string, tableName: string | null, msg: string): void {
    for (const j of this.#jobs) {
      if (j.dbName !== dbName || (tableName !== null && j.tableName !== tableName)) continue;
      if (j.state === 'FINISHED' || j.state === 'CANCELLED') continue;
      j.state = 'CANCELLED';
      j.msg = msg;
      j.finishTime = new Date();
      const t = this.#tables.get(j);
      if (t) t.state = 'NORMAL';
    }
  }

  dispose(): void {
    for (const t of this.#timers) {
      clearTimeout(t as ReturnType<typeof setTimeout>);
      clearImmediate(t as ReturnType<typeof setImmediate>);
    }
    this.#timers.clear();
  }

  #later(fn: () => void, ms?: number): void {
    const run = (): void => {
      this.#timers.delete(timer);
      fn();
    };
    const timer: Timer = ms === undefined || ms <= 0 ? setImmediate(run) : setTimeout(run, ms);
    timer.unref();
    this.#timers.add(timer);
  }

  #finish(job: SchemaChangeJob): void {
    if (job.state !== 'RUNNING') return;
    const table = this.#tables.get(job);
    const live = table ? this.catalog.getTable(job.dbName, job.tableName) : undefined;
    job.finishTime = new Date();
    if (!table || live !== table) {
      job.state = 'CANCELLED';
      job.msg = 'table does not exist';
      return;
    }
    try {
      if (job.modifications.length > 0) this.catalog.modifyColumns(table, job.modifications);
      else this.catalog.addColumns(table, job.columns, job.finishTime);
      job.state = 'FINISHED';
    } catch (e) {
      job.state = 'CANCELLED';
      job.msg = e instanceof Error ? e.message : String(e);
    } finally {
      table.state = 'NORMAL';
    }
  }
}

const MANAGERS = new WeakMap<Catalog, SchemaChangeManager>();

/** The schema-change manager of a catalog (created on first use). */
export function schemaChangesOf(catalog: Catalog): SchemaChangeManager {
  let m = MANAGERS.get(catalog);
  if (!m) {
    m = new SchemaChangeManager(catalog);
    MANAGERS.set(catalog, m);
  }
  return m;
}

/** Cancel the timers of a catalog's schema-change jobs (emulator shutdown). */
export function disposeSchemaChanges(catalog: Catalog): void {
  MANAGERS.get(catalog)?.dispose();
}
