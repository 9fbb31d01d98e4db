/**
 * Which source wrote a target table. `dbmazz_cdc_version` (merge_condition, replay guard) and load
 * labels are source positions (PostgreSQL LSNs), comparable only within one source: another cluster
 * (dump/restore, an upgrade by logical replication, a new primary that is not a physical clone) starts
 * lower, and StarRocks would then silently drop every update and delete of a key it already holds.
 *
 * So the sink records, per target table, the identity of the source it streams from (Source.identity)
 * in the Primary Key table `dbmazz_source_identity` of SINK_DATABASE (created when missing, written
 * with a Stream Load). At setup, for each target table:
 * - holds rows (MAX(dbmazz_cdc_version) is not NULL) and a different recorded source: a conflict.
 *   SINK_ON_SOURCE_CHANGE=fail (default) stops before anything changes in StarRocks; `truncate`
 *   empties the table (TRUNCATE TABLE) and records the new source.
 * - holds rows and nothing is recorded (written by an older dbmazz): the current source is adopted.
 * - no rows, or no record: the current source is recorded.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ConnectorContext, SourceIdentity, TableId } from '../../core/index.js';
import { CdcError, formatTableId } from '../../core/index.js';
import { CDC_VERSION_COLUMN } from './audit.js';
import { quoteIdent, quoteString } from './identifiers.js';
import type { Query } from './setup/mysql.js';
import { mysqlError } from './setup/mysql.js';
import { columnsQuery, parseColumnRows, type SqlRow } from './setup/sql.js';
import { formatSyncedAt } from './stream-load/body.js';
import type { LoadJob, LoadResult } from './stream-load/loader.js';
import { headerText, streamLoadPath, timeoutSeconds } from './stream-load/request.js';
import { SOURCE_IDENTITY_TABLE } from './table-names.js';
import { isOneOf } from './one-of.js';

export const SOURCE_CHANGE_SETTING = 'SINK_ON_SOURCE_CHANGE';
export const SOURCE_CHANGE_POLICIES = ['fail', 'truncate'] as const;
export type SourceChangePolicy = (typeof SOURCE_CHANGE_POLICIES)[number];

export function isSourceChangePolicy(v: unknown): v is SourceChangePolicy {
  return isOneOf(SOURCE_CHANGE_POLICIES, v);
}

/** What the state table says about one target table. */
export interface RecordedSource {
  readonly id: string;
  readonly description: string;
}

/** One target table as found at setup. */
export interface TargetState {
  readonly source: TableId;
  readonly target: string;
  /** The target holds rows dbmazz wrote (a non-NULL dbmazz_cdc_version). */
  readonly hasRows: boolean;
  readonly recorded: RecordedSource | undefined;
}

/** `keep`: recorded and current agree; `record`: write the current source; `conflict`: rows from another source. */
export type SourceDecision = { readonly kind: 'keep' } | { readonly kind: 'record'; readonly adopt: boolean } | { readonly kind: 'conflict' };

/** Pure: what to do with one target table for the current source. */
export function decideTarget(state: TargetState, current: SourceIdentity): SourceDecision {
  if (state.recorded?.id === current.id) return { kind: 'keep' };
  if (!state.hasRows) return { kind: 'record', adopt: false };
  if (state.recorded === undefined) return { kind: 'record', adopt: true };
  return { kind: 'conflict' };
}

/** The error for target tables written from another source (SINK_ON_SOURCE_CHANGE=fail). */
export function sourceChangedError(db: string, conflicts: readonly TargetState[], current: SourceIdentity): CdcError {
  const lines = conflicts.map(
    (c) => `${db}.${c.target} (source table ${formatTableId(c.source)}) holds rows written from ${c.recorded?.description ?? 'another source'} [${c.recorded?.id ?? '?'}]`,
  );
  return new CdcError({
    code: 'SINK_SCHEMA',
    message:
      `StarRocks target tables were written from another source than the one configured now, ${current.description} [${current.id}]: ${lines.join('; ')}. ` +
      "Their dbmazz_cdc_version values are the other source's positions, so this source's updates and deletes of existing keys would be dropped; nothing was changed.",
    hint:
      `If this is the same data moved to a new server (dump/restore, upgrade), set ${SOURCE_CHANGE_SETTING}=truncate to empty these tables and start over ` +
      '(rows come back only as they change in the source). Otherwise point SOURCE_URL back at the original source, or SINK_DATABASE / SINK_TABLE_MAP at other tables. See docs/operations.md.',
  });
}

/** The state table's DDL (a small Primary Key table; the key is a digest, as table names may be long). */
export function identityTableStatement(db: string, replicationNum: number | undefined): string {
  const props = replicationNum === undefined ? '' : `\nPROPERTIES (${quoteString('replication_num')} = ${quoteString(String(replicationNum))})`;
  return (
    `CREATE TABLE IF NOT EXISTS ${quoteIdent(db)}.${quoteIdent(SOURCE_IDENTITY_TABLE)} (\n` +
    `  ${quoteIdent('table_key')} VARCHAR(64) NOT NULL COMMENT ${quoteString('sha-256 (hex) of table_name')},\n` +
    `  ${quoteIdent('table_name')} VARCHAR(65533) NOT NULL COMMENT ${quoteString('target table in this database')},\n` +
    `  ${quoteIdent('source_id')} VARCHAR(65533) NOT NULL COMMENT ${quoteString('identity of the source that writes it')},\n` +
    `  ${quoteIdent('source_description')} VARCHAR(65533) NULL,\n` +
    `  ${quoteIdent('recorded_at')} DATETIME NULL\n` +
    `) ENGINE=OLAP\nPRIMARY KEY (${quoteIdent('table_key')})\nDISTRIBUTED BY HASH (${quoteIdent('table_key')})${props}`
  );
}

export function tableKeyDigest(table: string): string {
  return createHash('sha256').update(table, 'utf8').digest('hex');
}

/** A short, label-safe tag of a source identity (labels of two sources never meet). */
export function sourceLabelTag(identity: SourceIdentity): string {
  return createHash('sha256').update(identity.id, 'utf8').digest('hex').slice(0, 8);
}

const text = (r: SqlRow, name: string): string => {
  const v = Object.entries(r).find(([k]) => k.toLowerCase() === name)?.[1];
  return v === null || v === undefined ? '' : String(v);
};

export interface IdentityStoreOptions {
  readonly db: string;
  readonly replicationNum: number | undefined;
  readonly labelPrefix: string;
  readonly loadTimeoutMs: number;
  readonly logger: ConnectorContext['logger'];
  /** Sends one Stream Load to the end (the sink's StreamLoader). */
  readonly load: (job: LoadJob) => Promise<LoadResult>;
  readonly now: () => Date;
}

/** The highest dbmazz_cdc_version of a table; undefined when it is empty (or has no such column). */
export async function maxVersion(query: Query, db: string, table: string, versionColumn: string): Promise<bigint | undefined> {
  try {
    const rows = await query(`SELECT MAX(${quoteIdent(versionColumn)}) AS v FROM ${quoteIdent(db)}.${quoteIdent(table)}`);
    const v = rows[0]?.['v'];
    return v === null || v === undefined || v === '' ? undefined : BigInt(String(v));
  } catch (err) {
    throw mysqlError(err, `reading the highest ${versionColumn} of ${db}.${table}`);
  }
}

export class SourceIdentityStore {
  constructor(private readonly o: IdentityStoreOptions) {}

  /** Reads the recorded source and whether rows exist, for each target. Changes nothing. */
  async inspect(query: Query, targets: readonly { source: TableId; target: string }[]): Promise<TargetState[]> {
    const recorded = await this.readRecorded(query);
    const states: TargetState[] = [];
    for (const t of targets) {
      const columns = await this.columnsOf(query, t.target);
      const version = columns.find((c) => c.toLowerCase() === CDC_VERSION_COLUMN);
      const hasRows = version !== undefined && (await maxVersion(query, this.o.db, t.target, version)) !== undefined;
      states.push({ ...t, hasRows, recorded: recorded.get(t.target) });
    }
    return states;
  }

  /**
   * Compares each target's recorded source with `current`. Conflicts stop setup before anything
   * changed (policy `fail`) or are emptied here (`truncate`), before the sink reads its replay horizon.
   * Returns the states, for `record` once the tables are prepared.
   */
  async resolve(query: Query, targets: readonly { source: TableId; target: string }[], current: SourceIdentity, policy: SourceChangePolicy): Promise<TargetState[]> {
    const { db, logger } = this.o;
    const states = await this.inspect(query, targets);
    const conflicts = states.filter((s) => decideTarget(s, current).kind === 'conflict');
    if (conflicts.length > 0 && policy === 'fail') throw sourceChangedError(db, conflicts, current);
    for (const s of states) {
      const d = decideTarget(s, current);
      if (d.kind === 'record' && d.adopt) {
        logger.info({ table: `${db}.${s.target}`, source: current.description }, 'target table has rows but no recorded source (written by an older dbmazz): recording the current source');
      }
    }
    for (const c of conflicts) {
      logger.warn(
        { table: `${db}.${c.target}`, previous: c.recorded?.description, current: current.description },
        `${SOURCE_CHANGE_SETTING}=truncate: the target table was written from another source; emptying it (rows come back as they change in the source)`,
      );
      try {
        await query(`TRUNCATE TABLE ${quoteIdent(db)}.${quoteIdent(c.target)}`);
      } catch (err) {
        throw mysqlError(err, `truncating ${db}.${c.target}`);
      }
    }
    return states;
  }

  /** Records `current` as the source of `targets` (creates the state table when missing). */
  async record(query: Query, targets: readonly string[], current: SourceIdentity): Promise<void> {
    if (targets.length === 0) return;
    if ((await this.columnsOf(query, SOURCE_IDENTITY_TABLE)).length === 0) await this.createTable(query);
    const at = formatSyncedAt(this.o.now()).slice(0, 19);
    const rows = targets.map((t) => ({ table_key: tableKeyDigest(t), table_name: t, source_id: current.id, source_description: current.description, recorded_at: at }));
    const columns = ['table_key', 'table_name', 'source_id', 'source_description', 'recorded_at'];
    // A fresh label each time: the same content may have to be written again later (A → B → A).
    const label = `${this.o.labelPrefix}-source_identity-${Date.now().toString(36)}-${randomBytes(6).toString('hex')}`;
    await this.o.load({
      db: this.o.db,
      table: SOURCE_IDENTITY_TABLE,
      label,
      path: streamLoadPath(this.o.db, SOURCE_IDENTITY_TABLE),
      headers: {
        label,
        format: 'json',
        strip_outer_array: 'true',
        columns: headerText(columns.map(quoteIdent).join(',')),
        max_filter_ratio: '0',
        timeout: String(timeoutSeconds(this.o.loadTimeoutMs)),
      },
      body: Buffer.from(JSON.stringify(rows), 'utf8'),
    });
  }

  /**
   * Creates the state table. Without SINK_REPLICATION_NUM the cluster default applies; when the
   * cluster has fewer alive backends than that (a small cluster whose tables were created by hand),
   * the table is created with one replica rather than stopping: losing it only means the next start
   * adopts the current source again.
   */
  private async createTable(query: Query): Promise<void> {
    const fq = `${this.o.db}.${SOURCE_IDENTITY_TABLE}`;
    let replicationNum = this.o.replicationNum;
    for (;;) {
      try {
        await query(identityTableStatement(this.o.db, replicationNum));
        break;
      } catch (err) {
        const e = mysqlError(err, `creating ${fq}`);
        if (replicationNum === undefined && /replication num/i.test(e.message)) {
          replicationNum = 1;
          this.o.logger.info({ table: fq }, 'fewer alive backends than the default replication_num: creating the source identity table with replication_num 1');
          continue;
        }
        throw new CdcError({
          code: e.code,
          retry: e.retry,
          message: `${e.message} (dbmazz records there which source writes each target table)`,
          hint: `Grant SINK_USER CREATE TABLE on ${this.o.db} (or set SINK_REPLICATION_NUM), or create it once yourself:\n${identityTableStatement(this.o.db, replicationNum)}`,
          cause: err,
        });
      }
    }
    this.o.logger.info({ table: fq, ...(replicationNum !== undefined ? { replicationNum } : {}) }, 'created the source identity table');
  }

  private async readRecorded(query: Query): Promise<Map<string, RecordedSource>> {
    const found = new Map<string, RecordedSource>();
    if ((await this.columnsOf(query, SOURCE_IDENTITY_TABLE)).length === 0) return found;
    const fq = `${quoteIdent(this.o.db)}.${quoteIdent(SOURCE_IDENTITY_TABLE)}`;
    let rows: SqlRow[];
    try {
      rows = await query(`SELECT ${quoteIdent('table_name')}, ${quoteIdent('source_id')}, ${quoteIdent('source_description')} FROM ${fq}`);
    } catch (err) {
      throw mysqlError(err, `reading ${this.o.db}.${SOURCE_IDENTITY_TABLE}`);
    }
    for (const r of rows) found.set(text(r, 'table_name'), { id: text(r, 'source_id'), description: text(r, 'source_description') });
    return found;
  }

  private async columnsOf(query: Query, table: string): Promise<string[]> {
    try {
      return parseColumnRows(await query(columnsQuery(this.o.db, table))).map((c) => c.name);
    } catch (err) {
      throw mysqlError(err, `reading the columns of ${this.o.db}.${table}`);
    }
  }
}
