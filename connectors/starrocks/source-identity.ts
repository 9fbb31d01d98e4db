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
import { createHash } from 'node:crypto';
import type { ConnectorContext, SourceIdentity, TableId } from '../../core/index.js';
import { CdcError, formatTableId } from '../../core/index.js';
import { CDC_VERSION_COLUMN } from './audit.js';
import { quoteIdent, quoteString } from './identifiers.js';
import type { Query } from './setup/mysql.js';
import { mysqlError } from './setup/mysql.js';
import type { SqlRow } from './setup/sql.js';
import { createOwnTable, loadOwnRows, ownTableColumns } from './setup/own-table.js';
import { formatSyncedAt } from './stream-load/body.js';
import type { LoadJob, LoadResult } from './stream-load/loader.js';
import { SOURCE_IDENTITY_TABLE } from './table-names.js';
import { isOneOf } from './one-of.js';
import { sqlText } from './sql-text.js';

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
    (c) =>
      `${db}.${c.target} (source table ${formatTableId(c.source)}) holds rows written from ${c.recorded?.description ?? 'another source'} [${c.recorded?.id ?? '?'}]`,
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
  return v === null || v === undefined ? '' : sqlText(v);
};

/** What a store kept in one of the sink's own tables needs (source identities, the state store). */
export interface OwnStoreOptions {
  readonly db: string;
  readonly replicationNum: number | undefined;
  readonly labelPrefix: string;
  readonly loadTimeoutMs: number;
  readonly logger: ConnectorContext['logger'];
  /** Sends one Stream Load to the end (the sink's StreamLoader). */
  readonly load: (job: LoadJob) => Promise<LoadResult>;
  readonly now: () => Date;
}

export type IdentityStoreOptions = OwnStoreOptions;

/** The highest dbmazz_cdc_version of a table; undefined when it is empty (or has no such column). */
export async function maxVersion(query: Query, db: string, table: string, versionColumn: string): Promise<bigint | undefined> {
  try {
    const rows = await query(`SELECT MAX(${quoteIdent(versionColumn)}) AS v FROM ${quoteIdent(db)}.${quoteIdent(table)}`);
    const v = rows[0]?.['v'];
    return v === null || v === undefined || v === '' ? undefined : BigInt(sqlText(v));
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
  async resolve(
    query: Query,
    targets: readonly { source: TableId; target: string }[],
    current: SourceIdentity,
    policy: SourceChangePolicy,
  ): Promise<TargetState[]> {
    const { db, logger } = this.o;
    const states = await this.inspect(query, targets);
    const conflicts = states.filter((s) => decideTarget(s, current).kind === 'conflict');
    if (conflicts.length > 0 && policy === 'fail') throw sourceChangedError(db, conflicts, current);
    for (const s of states) {
      const d = decideTarget(s, current);
      if (d.kind === 'record' && d.adopt) {
        logger.info(
          { table: `${db}.${s.target}`, source: current.description },
          'target table has rows but no recorded source (written by an older dbmazz): recording the current source',
        );
      }
    }
    for (const c of conflicts) {
      logger.warn(
        { table: `${db}.${c.target}`, previous: c.recorded?.description, current: current.description },
        `${SOURCE_CHANGE_SETTING}=truncate: the target table was written from another source; emptying it (the snapshot of the new slot copies the current rows; with SNAPSHOT_MODE=never they come back only as they change)`,
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
    const table = { db: this.o.db, table: SOURCE_IDENTITY_TABLE, purpose: 'which source writes each target table' };
    if ((await this.columnsOf(query, SOURCE_IDENTITY_TABLE)).length === 0) {
      await createOwnTable(query, table, this.o.replicationNum, (rn) => identityTableStatement(this.o.db, rn), this.o.logger);
    }
    const at = formatSyncedAt(this.o.now()).slice(0, 19);
    const rows = targets.map((t) => ({
      table_key: tableKeyDigest(t),
      table_name: t,
      source_id: current.id,
      source_description: current.description,
      recorded_at: at,
    }));
    const columns = ['table_key', 'table_name', 'source_id', 'source_description', 'recorded_at'];
    await loadOwnRows(
      { ...table, labelPrefix: this.o.labelPrefix, labelTag: 'source_identity', loadTimeoutMs: this.o.loadTimeoutMs, load: this.o.load },
      columns,
      rows,
    );
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

  private columnsOf(query: Query, table: string): Promise<string[]> {
    return ownTableColumns(query, this.o.db, table);
  }
}
