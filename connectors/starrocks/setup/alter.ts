/**
 * Runs one schema-change `ALTER TABLE` (ADD COLUMN / MODIFY COLUMN) and waits until the change is
 * visible in information_schema, which happens when the job is FINISHED (docs/starrocks-protocol.md §7.3): a load
 * planned earlier would silently ignore a new column, so no row carrying it may be sent before.
 * - Only one schema change per table runs at a time: while another one runs the statement fails with
 *   `A schema change operation is in progress …` (or, older, `… state is not NORMAL …`); it is retried
 *   every poll interval until SINK_DDL_TIMEOUT_MS.
 * - The jobs the statement started are told from earlier ones by their JobId (listed before the
 *   statement), so an older FINISHED job never stands for ours; a CANCELLED one fails with its message.
 * - Without a job (fast schema evolution v2 applies the change synchronously) visibility alone decides.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectorContext } from '../../../core/index.js';
import { CdcError } from '../../../core/index.js';
import type { Query } from './mysql.js';
import { mysqlError, SqlError } from './mysql.js';
import { parseAlterJobs, showAlterJobsStatement } from './sql.js';

export interface DdlOptions {
  readonly db: string;
  readonly pollIntervalMs: number;
  readonly ddlTimeoutMs: number;
  readonly logger: ConnectorContext['logger'];
  readonly now?: () => number;
}

export interface SchemaChangeSpec {
  readonly table: string;
  readonly sql: string;
  /** For messages, e.g. `adding columns a, b`. */
  readonly what: string;
  /** True once information_schema shows the change. */
  readonly visible: () => Promise<boolean>;
  /** An `already exists` error means another writer added a column first: return `exists`, do not fail. */
  readonly existsIsOk?: boolean;
}

const IN_PROGRESS = /schema change operation is in progress|state is not normal/i;
const ALREADY_EXISTS = /already exists|duplicate column/i;
const ACTIVE = new Set(['PENDING', 'WAITING_TXN', 'RUNNING', 'FINISHED_REWRITING']);

async function jobsOf(query: Query, db: string, table: string): Promise<{ jobId: string; state: string; msg: string }[]> {
  try {
    return parseAlterJobs(await query(showAlterJobsStatement(db, table)));
  } catch (err) {
    throw mysqlError(err, `checking the schema changes of ${db}.${table}`);
  }
}

/** `applied`: the change is visible; `exists`: the statement failed because a column already exists. */
export async function runSchemaChange(query: Query, o: DdlOptions, spec: SchemaChangeSpec): Promise<'applied' | 'exists'> {
  const now = o.now ?? Date.now;
  const fq = `${o.db}.${spec.table}`;
  const deadline = now() + o.ddlTimeoutMs;
  const earlier = new Set((await jobsOf(query, o.db, spec.table)).map((j) => j.jobId));
  for (;;) {
    try {
      await query(spec.sql);
      break;
    } catch (err) {
      const msg = err instanceof SqlError ? err.message : String(err);
      if (spec.existsIsOk === true && ALREADY_EXISTS.test(msg)) return 'exists';
      if (!IN_PROGRESS.test(msg)) throw mysqlError(err, `${spec.what} in ${fq}`);
      if (now() >= deadline) {
        throw new CdcError({
          code: 'SINK_SETUP',
          retry: 'retry',
          message: `Another schema change on ${fq} did not finish within ${o.ddlTimeoutMs} ms (SINK_DDL_TIMEOUT_MS): ${msg}`,
        });
      }
      o.logger.info({ table: fq }, 'a schema change is in progress on the target table; waiting');
      await sleep(o.pollIntervalMs);
    }
  }
  for (;;) {
    if (await spec.visible()) return 'applied';
    const ours = (await jobsOf(query, o.db, spec.table)).filter((j) => !earlier.has(j.jobId));
    const cancelled = ours.find((j) => j.state === 'CANCELLED');
    if (cancelled && !ours.some((j) => ACTIVE.has(j.state))) {
      throw new CdcError({
        code: 'SINK_SCHEMA',
        message: `StarRocks cancelled the schema change ${spec.what} in ${fq}: ${cancelled.msg || 'no reason given'}`,
        hint: 'See SHOW ALTER TABLE COLUMN on the FE, fix the cause (or apply the change yourself), then restart the pipeline.',
      });
    }
    if (now() >= deadline) {
      const state = ours.map((j) => j.state).join(', ') || 'no job';
      throw new CdcError({
        code: 'SINK_SETUP',
        retry: 'retry',
        message: `The schema change ${spec.what} in ${fq} is not visible after ${o.ddlTimeoutMs} ms (SINK_DDL_TIMEOUT_MS; job state: ${state})`,
      });
    }
    await sleep(o.pollIntervalMs);
  }
}
