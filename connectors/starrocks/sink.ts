/**
 * `StarRocksSink`: orchestration only. Setup goes over the MySQL protocol (setup/), each batch is
 * planned into loads (rows/plan.ts), encoded (stream-load/body.ts) and sent as labelled Stream
 * Loads (stream-load/loader.ts). `write` resolves only when every load of the batch is committed.
 */
import type {
  ConnectorContext,
  Lsn,
  RowBlock,
  Sink,
  SinkCapabilities,
  SinkSetupContext,
  StateStore,
  TableBatch,
  TableId,
  TableSchema,
  WriteOptions,
  WriteResult,
} from '../../core/index.js';
import { blockRecords, CdcError, formatTableId, tableKey } from '../../core/index.js';
import { AUDIT_COLUMN_NAMES, OP_INSERT } from './audit.js';
import type { StarRocksConfig } from './config.js';
import type { ColumnMapping } from './rows/row-changes.js';
import type { PlanTarget } from './rows/plan.js';
import { oldRowLookup, planBatch } from './rows/plan.js';
import { fetchOldRows, OldRowCache } from './rows/old-rows.js';
import type { MysqlOptions, Query } from './setup/mysql.js';
import { mysqlError, withMysql } from './setup/mysql.js';
import type { TargetTable } from './setup/table-setup.js';
import { evolveTable } from './setup/evolve.js';
import { omittedColumns, projectColumns, type ProjectionCache } from './schema-evolution.js';
import { BodyEncoder, formatSyncedAt, type BodyRows, type ConstantAudit, type EncodedBody } from './stream-load/body.js';
import { blockRows } from './rows/block-rows.js';
import { StreamLoadClient } from './stream-load/client.js';
import { columnsHeader, loadColumns } from './stream-load/columns.js';
import { FeApi } from './stream-load/fe-api.js';
import { batchIdentity, blockIdentity, contentVariant, identityText, makeLabel, type BatchIdentity } from './stream-load/label.js';
import { StreamLoader } from './stream-load/loader.js';
import { columnsWithAudit, headerCanSetAudit, streamLoadHeaders, streamLoadPath } from './stream-load/request.js';
import { minCommitVersion, ReplayGuard, type GuardTarget } from './replay-guard.js';
import { checkKeySizes, type KeySizeTarget } from './key-size.js';
import { TargetTruncator } from './truncate.js';
import { decideTarget, SourceIdentityStore, sourceLabelTag } from './source-identity.js';
import { StarRocksStateStore } from './state-store.js';
import { sweepTarget } from './sweep.js';
import { sqlText } from './sql-text.js';

export const STARROCKS_CAPABILITIES: SinkCapabilities = {
  partialUpdate: true,
  softDelete: true,
  idempotentBatches: true,
  rowBlocks: true,
};

/** Extra time the client waits beyond the load's own `timeout`, so the server's timeout fires first. */
function replyGraceMs(loadTimeoutMs: number): number {
  return Math.min(5000, Math.ceil(loadTimeoutMs / 10));
}

/** Rows of a body encoded between two turns of the event loop (~5 ms of work). */
const ENCODE_SLICE_ROWS = 1000;

/** Lets pending I/O run (setImmediate: after the poll phase). */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Runs `fn` with a SQL query function on the FE (default: a short-lived mysql2 connection). */
export type SqlRunner = <T>(fn: (query: Query) => Promise<T>) => Promise<T>;

export interface StarRocksSinkDeps {
  /** Clock for `dbmazz_synced_at` (tests). */
  readonly now?: () => Date;
  /** Replaces the MySQL-protocol connection (tests, or callers with their own pool). */
  readonly sql?: SqlRunner;
}

export class StarRocksSink implements Sink {
  readonly type = 'starrocks';
  readonly capabilities = STARROCKS_CAPABILITIES;
  /** `write` plans and encodes a batch before `ready`, and reads or loads only after it. */
  readonly awaitsReady = true;
  private readonly tables = new Map<string, TargetTable>();
  private mappings = new WeakMap<TableSchema, ColumnMapping>();
  /** SCHEMA_EVOLUTION=ignore: source schemas without the columns the target lacks (reset on prepare). */
  private projections: ProjectionCache = new WeakMap();
  /** The source schema each table was last prepared for. */
  private readonly preparedFor = new Map<string, TableSchema>();
  private readonly client: StreamLoadClient;
  private readonly fe: FeApi;
  private closing: Promise<void> | undefined;
  private readonly loader: StreamLoader;
  private readonly runSql: SqlRunner;
  private readonly now: () => Date;
  private readonly guard = new ReplayGuard();
  private readonly oldRows = new OldRowCache();
  private readonly truncator: TargetTruncator;
  private readonly identities: SourceIdentityStore;
  private readonly state: StarRocksStateStore;
  /** Tag of the source identity in load labels (labels of two sources never meet); '' when unknown. */
  private sourceTag = '';
  private warnedUnmapped = false;

  constructor(
    private readonly cfg: StarRocksConfig,
    private readonly ctx: ConnectorContext,
    deps: StarRocksSinkDeps = {},
  ) {
    this.now = deps.now ?? (() => new Date());
    this.truncator = new TargetTruncator(ctx.logger);
    const auth = { baseUrl: cfg.feUrl, user: cfg.user, password: cfg.password };
    this.client = new StreamLoadClient({
      ...auth,
      connectTimeoutMs: cfg.connectTimeoutMs,
      continueTimeoutMs: cfg.continueTimeoutMs,
      responseTimeoutMs: cfg.loadTimeoutMs + replyGraceMs(cfg.loadTimeoutMs),
    });
    this.fe = new FeApi({ ...auth, connectTimeoutMs: cfg.connectTimeoutMs, requestTimeoutMs: Math.min(cfg.loadTimeoutMs, 60_000) });
    this.loader = new StreamLoader(this.client, this.fe, {
      pollIntervalMs: cfg.pollIntervalMs,
      labelWaitMs: cfg.loadTimeoutMs,
      logger: ctx.logger,
    });
    const mysqlOptions: MysqlOptions = {
      host: cfg.mysqlHost,
      port: cfg.mysqlPort,
      user: cfg.user,
      password: cfg.password,
      connectTimeoutMs: cfg.connectTimeoutMs,
    };
    this.runSql = deps.sql ?? ((fn) => withMysql(mysqlOptions, fn));
    this.identities = new SourceIdentityStore({
      db: cfg.database,
      replicationNum: cfg.replicationNum,
      labelPrefix: cfg.labelPrefix,
      loadTimeoutMs: cfg.loadTimeoutMs,
      logger: ctx.logger,
      load: (job) => this.loader.load(job),
      now: this.now,
    });
    this.state = new StarRocksStateStore({
      db: cfg.database,
      replicationNum: cfg.replicationNum,
      labelPrefix: cfg.labelPrefix,
      loadTimeoutMs: cfg.loadTimeoutMs,
      logger: ctx.logger,
      load: (job) => this.loader.loadVisible(job),
      sql: this.runSql,
      now: this.now,
    });
  }

  /** The durable key/value store `dbmazz_state` (state-store.ts); its table exists after `setup`. */
  stateStore(): StateStore {
    return this.state;
  }

  /** SINK_TABLE_NAME / SINK_TABLE_MAP: no two tables into one target, every target a valid name. */
  checkTables(tables: readonly TableId[]): string[] {
    return this.cfg.naming.problems(tables);
  }

  /** The FE HTTP endpoint (SINK_URL, used for every load) with the credentials, then the MySQL port. */
  async validateConnection(): Promise<void> {
    await this.fe.checkEndpoint(this.cfg.database);
    await this.runSql(async (query) => {
      try {
        await query('SELECT 1');
      } catch (err) {
        throw mysqlError(err, 'running SELECT 1');
      }
    });
  }

  async setup(tables: readonly TableSchema[], context: SinkSetupContext = {}): Promise<void> {
    const problems = this.checkTables(tables.map((t) => t.id));
    if (problems.length > 0) throw new CdcError({ code: 'CONFIG_INVALID', message: problems.join('; ') });
    this.warnUnusedMap();
    await this.runSql(async (query) => {
      let dbs: string[];
      try {
        dbs = (await query('SHOW DATABASES')).map((r) => sqlText(Object.values(r)[0] ?? ''));
      } catch (err) {
        throw mysqlError(err, 'listing databases');
      }
      if (!dbs.includes(this.cfg.database)) {
        throw new CdcError({
          code: 'SINK_SCHEMA',
          message: `StarRocks database ${this.cfg.database} does not exist (SINK_DATABASE).`,
          hint: `Create it (CREATE DATABASE \`${this.cfg.database.replace(/`/g, '``')}\`) or fix SINK_DATABASE.`,
        });
      }
      const current = context.source;
      // Before any DDL: a target written from another source is refused with nothing changed.
      const targets = tables.map((t) => ({ source: t.id, target: this.cfg.naming.targetOf(t.id) }));
      const states = current ? await this.identities.resolve(query, targets, current, this.cfg.onSourceChange) : [];
      for (const schema of tables) await this.prepare(query, schema);
      if (current) {
        const record = states.filter((s) => decideTarget(s, current).kind !== 'keep').map((s) => s.target);
        await this.identities.record(query, record, current);
        this.sourceTag = sourceLabelTag(current);
      }
      await this.state.ensureTable(query);
    });
  }

  /** SINK_TABLE_MAP entries for tables outside TABLES: a typo, or a table to be added live. */
  private warnUnusedMap(): void {
    if (this.warnedUnmapped) return;
    this.warnedUnmapped = true;
    const unused = this.cfg.naming.unusedOverrides(this.ctx.tables);
    if (unused.length > 0)
      this.ctx.logger.warn({ tables: unused }, 'SINK_TABLE_MAP names tables that are not in TABLES; they apply only if those tables are added (ReloadConfig)');
  }

  /** Applies SCHEMA_EVOLUTION to the target table (setup/evolve.ts) before rows of the new shape load. */
  async schemaChanged(schema: TableSchema, previous: TableSchema | undefined): Promise<void> {
    await this.runSql((query) => this.prepare(query, schema, previous));
  }

  async write(batch: TableBatch, signal: AbortSignal, options: WriteOptions = {}): Promise<WriteResult> {
    if (signal.aborted) throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: 'write aborted', cause: signal.reason });
    // Sink.awaitsReady: everything up to the loads is pure work, except reads of the target (preparing
    // a new table, the replay guard, old rows), which wait for `ready` like the loads.
    const ready = options.ready ?? Promise.resolve();
    if (batch.rows !== undefined) return this.writeRows(batch, batch.rows, signal, options, ready);
    if (batch.records.length === 0) return ready.then(() => ({ rowsWritten: 0, bytesWritten: 0, loads: 0 }));
    const target = await this.targetFor(batch.schema, ready);
    const key = tableKey(batch.schema.id);
    // Columns the target lacks (SCHEMA_EVOLUTION=ignore) are left out; otherwise the batch as it is.
    const view = projectColumns(batch.schema, batch.records, (n) => target.byLowerName.has(n.toLowerCase()), this.projections);
    let records = view.records;
    // The batch's content, exactly (label.ts): not its LSN range, which COPY pages and interleaved
    // transactions share between different batches.
    const identity = batchIdentity(batch.records);
    // Versions are commit positions (rows/row-changes.ts); `batch.firstLsn` is a change position.
    const minVersion = minCommitVersion(batch.records);
    let variant: string | undefined;
    if (this.guard.applies(key, minVersion)) {
      await ready;
      records = await this.runSql((query) => this.guard.filter(query, key, this.guardTarget(target, view.schema), view.records));
      if (records.length < view.records.length) {
        this.ctx.logger.info(
          { table: `${target.db}.${target.name}`, skipped: view.records.length - records.length },
          'replay after restart: skipped changes StarRocks already has',
        );
      }
      if (records.length === 0) return { rowsWritten: 0, bytesWritten: 0, loads: 0 };
      // The shortened batch is planned from scratch: its loads must not take the labels of the full
      // batch's loads, one of which may be committed with other rows (label.ts, `variant`).
      if (records.length < view.records.length) variant = contentVariant(records);
    }
    const planTarget = this.planTarget(target, view.schema);
    // Key changes with unchanged TOAST values and no before-image: the old keys' stored rows (rows/old-rows.ts).
    const lookup = oldRowLookup(records, planTarget);
    const carried =
      lookup.requests.length === 0
        ? undefined
        : await ready.then(() =>
            this.oldRows.get(`${key}:${identityText(identity)}:${variant ?? ''}`, () =>
              this.runSql((query) =>
                fetchOldRows(
                  query,
                  { db: target.db, name: target.name, keyColumns: target.keyColumns, versionColumn: target.audit.cdcVersion, columns: target.byLowerName },
                  lookup,
                ),
              ),
            ),
          );
    const { loads: plans, unresolved } = planBatch(records, planTarget, carried);
    if (unresolved > 0) {
      this.ctx.logger.warn(
        { table: `${target.db}.${target.name}`, count: unresolved },
        'key changes: unchanged TOAST values unknown (no before-image, old row not in StarRocks); those columns keep what StarRocks has for the new key (its DEFAULT). Use REPLICA IDENTITY FULL on this table.',
      );
    }
    checkKeySizes(this.keySizeTarget(target, batch.schema), plans);
    return this.load(
      target,
      batch,
      plans.map((plan) => ({ columns: plan.columns, partial: plan.partial, rows: plan.rows })),
      identity,
      minVersion,
      variant,
      signal,
      ready,
    );
  }

  /**
   * A block of snapshot rows (TableBatch.rows): one load of whole rows, each row's values decoded as
   * its body is written (rows/block-rows.ts), the same body and labels as its records would give.
   * Records are made after all when the batch needs what only the records path does: columns the
   * target lacks (SCHEMA_EVOLUTION=ignore), the replay guard (a restart replays near what is stored),
   * or a mapping the block's plan does not cover.
   */
  private async writeRows(batch: TableBatch, block: RowBlock, signal: AbortSignal, options: WriteOptions, ready: Promise<void>): Promise<WriteResult> {
    const target = await this.targetFor(block.schema, ready);
    const key = tableKey(block.schema.id);
    const asRecords = (): Promise<WriteResult> => this.write({ ...withoutRows(batch), records: blockRecords(block) }, signal, options);
    if (omittedColumns(block.schema, (n) => target.byLowerName.has(n.toLowerCase()), this.projections) > 0) return asRecords();
    if (this.guard.applies(key, block.version)) return asRecords();
    const planTarget = this.planTarget(target, block.schema);
    const rows = blockRows(block, planTarget, this.keySizeTarget(target, block.schema));
    if (rows === undefined) return asRecords();
    // Every row of the block is an insert at the block's version: the load sets the audit columns once.
    const audit: ConstantAudit = { opType: OP_INSERT, deleted: false, version: block.version };
    return this.load(target, batch, [{ ...rows, audit }], blockIdentity(block), block.version, undefined, signal, ready);
  }

  private keySizeTarget(target: TargetTable, schema: TableSchema): KeySizeTarget {
    const keyColumns = target.keyColumns.flatMap((k) => target.byLowerName.get(k.toLowerCase()) ?? []);
    return { table: `${target.db}.${target.name}`, source: formatTableId(schema.id), keyColumns };
  }

  /** Encodes and loads the planned loads of a batch, in order. */
  private async load(
    target: TargetTable,
    batch: TableBatch,
    /** `audit`: values every row of the load shares, set by its header instead of each row (ConstantAudit). */
    plans: readonly { readonly columns: readonly string[]; readonly partial: boolean; readonly rows: BodyRows; readonly audit?: ConstantAudit }[],
    identity: BatchIdentity,
    minVersion: Lsn,
    variant: string | undefined,
    signal: AbortSignal,
    ready: Promise<void>,
  ): Promise<WriteResult> {
    const key = tableKey(batch.schema.id);
    const syncedAt = formatSyncedAt(this.now());
    const auditNames = [target.audit.opType, target.audit.isDeleted, target.audit.syncedAt, target.audit.cdcVersion];
    let rowsWritten = 0;
    let bytesWritten = 0;
    let nullified = 0;
    let rounded = 0;
    const prepared = plans.map((plan, index) => {
      const cols = loadColumns(plan.columns.map((name) => target.byLowerName.get(name.toLowerCase()) ?? { name, kind: 'other' as const }));
      const constants = plan.audit === undefined ? undefined : { ...plan.audit, syncedAt };
      const inHeader = constants !== undefined && headerCanSetAudit(constants) ? constants : undefined;
      const encoder = new BodyEncoder(cols, plan.rows, target.audit, syncedAt, `${target.db}.${target.name}`, inHeader === undefined ? undefined : plan.audit);
      const label = makeLabel({
        prefix: this.cfg.labelPrefix,
        pipelineId: this.truncator.labelPipelineId(key, this.sourceTag === '' ? batch.pipelineId : `${batch.pipelineId}_${this.sourceTag}`, minVersion),
        table: target.name,
        ...identity,
        index,
        ...(variant !== undefined ? { variant } : {}),
      });
      const headers = streamLoadHeaders({
        label,
        columns: columnsWithAudit(columnsHeader(cols), auditNames, inHeader),
        partial: plan.partial,
        maxFilterRatio: this.cfg.maxFilterRatio,
        timeoutMs: this.cfg.loadTimeoutMs,
        mergeConditionColumn: target.audit.cdcVersion,
      });
      return { plan, encoder, label, headers };
    });
    const encodedLoads: { plan: (typeof plans)[number]; encoded: EncodedBody; label: string; headers: Record<string, string> }[] = [];
    for (const { plan, encoder, label, headers } of prepared) {
      // A large body is encoded a slice at a time, the event loop running in between: the load in
      // flight keeps sending its body and its answer is read meanwhile (BodyEncoder).
      for (;;) {
        encoder.write(ENCODE_SLICE_ROWS);
        if (encoder.remaining === 0) break;
        await yieldToEventLoop();
        if (signal.aborted) throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: 'load aborted', cause: signal.reason });
      }
      encodedLoads.push({ plan, encoded: encoder.finish(), label, headers });
    }
    await ready;
    for (const { plan, encoded, label, headers } of encodedLoads) {
      const result = await this.loader.load(
        { db: target.db, table: target.name, label, path: streamLoadPath(target.db, target.name), headers, body: encoded.body },
        signal,
      );
      this.ctx.logger.debug(
        { table: `${target.db}.${target.name}`, label, rows: encoded.rows, bytes: encoded.body.length, partial: plan.partial, status: result.status },
        'stream load done',
      );
      rowsWritten += encoded.rows;
      bytesWritten += encoded.body.length;
      nullified += encoded.nullified;
      rounded += encoded.rounded;
      if (encoded.replacedSurrogates > 0) {
        this.ctx.logger.warn({ table: `${target.db}.${target.name}`, count: encoded.replacedSurrogates }, 'lone UTF-16 surrogates replaced by U+FFFD');
      }
    }
    if (rounded > 0) {
      this.ctx.logger.warn(
        { table: `${target.db}.${target.name}`, count: rounded },
        'decimals with more fraction digits than the target column were rounded to its scale',
      );
    }
    if (nullified > 0) {
      this.ctx.logger.warn(
        { table: `${target.db}.${target.name}`, count: nullified },
        'values without a StarRocks representation (NaN, Infinity, infinite or out-of-range dates) were written as NULL',
      );
    }
    return { rowsWritten, bytesWritten, loads: plans.length, adjustedValues: { nullified, rounded } };
  }

  /** After a completed snapshot: soft-deletes target rows older than it (sweep.ts). */
  async sweep(schema: TableSchema, before: Lsn, signal: AbortSignal): Promise<number> {
    if (signal.aborted) throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: 'sweep aborted', cause: signal.reason });
    const target = await this.targetFor(schema);
    return sweepTarget(
      {
        labelPrefix: this.cfg.labelPrefix,
        loadTimeoutMs: this.cfg.loadTimeoutMs,
        logger: this.ctx.logger,
        sql: (fn) => this.runSql(fn),
        load: (job, s) => this.loader.load(job, s),
        now: this.now,
      },
      target,
      before,
      signal,
    );
  }

  /** TRUNCATE_POLICY=apply: `TRUNCATE TABLE` of each target (truncate.ts; safe to replay). */
  async truncate(tables: readonly TableId[], signal: AbortSignal, lsn: Lsn): Promise<void> {
    if (signal.aborted) throw new CdcError({ code: 'SINK_LOAD', retry: 'retry', message: 'truncate aborted', cause: signal.reason });
    await this.runSql((query) =>
      this.truncator.apply(query, tables, lsn, (id) => {
        const t = this.tables.get(tableKey(id));
        return t && { db: t.db, name: t.name, versionColumn: t.audit.cdcVersion };
      }),
    );
  }

  /** Idempotent: a second call waits for the first (the HTTP client refuses a second close). */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.client.close();
      await this.fe.close();
    })();
    return this.closing;
  }

  /** Prepares the target for `schema`; `previous` (a shape change) applies SCHEMA_EVOLUTION first. */
  private async prepare(query: Query, schema: TableSchema, previous?: TableSchema): Promise<TargetTable> {
    const target = await evolveTable(query, schema, previous, {
      db: this.cfg.database,
      pollIntervalMs: this.cfg.pollIntervalMs,
      ddlTimeoutMs: this.cfg.ddlTimeoutMs,
      logger: this.ctx.logger,
      schemaEvolution: this.cfg.schemaEvolution,
      createTables: this.cfg.createTables,
      replicationNum: this.cfg.replicationNum,
      tableName: (id) => this.cfg.naming.targetOf(id),
    });
    this.tables.set(tableKey(schema.id), target);
    this.preparedFor.set(tableKey(schema.id), schema);
    this.mappings = new WeakMap();
    this.projections = new WeakMap();
    await this.guard.readHorizon(query, tableKey(schema.id), this.guardTarget(target, schema));
    return target;
  }

  private guardTarget(target: TargetTable, schema: TableSchema): GuardTarget {
    return {
      db: target.db,
      name: target.name,
      keyColumns: schema.keyColumns.map((k) => target.byLowerName.get(k.toLowerCase())?.name ?? k),
      keyKinds: schema.keyColumns.map((k) => target.byLowerName.get(k.toLowerCase())?.kind ?? 'other'),
      versionColumn: target.audit.cdcVersion,
    };
  }

  /** The prepared target; prepared now (once `ready`) when the table is new or gained columns since setup. */
  private async targetFor(schema: TableSchema, ready: Promise<void> = Promise.resolve()): Promise<TargetTable> {
    const known = this.tables.get(tableKey(schema.id));
    if (known && (this.preparedFor.get(tableKey(schema.id)) === schema || schema.columns.every((c) => known.byLowerName.has(c.name.toLowerCase()))))
      return known;
    await ready;
    return this.runSql((query) => this.prepare(query, schema));
  }

  private planTarget(target: TargetTable, batchSchema: TableSchema): PlanTarget {
    const mappingFor = (schema: TableSchema): ColumnMapping => {
      const cached = this.mappings.get(schema);
      if (cached) return cached;
      const nameOf = (source: string): string => {
        const col = target.byLowerName.get(source.toLowerCase());
        if (!col) {
          throw new CdcError({
            code: 'SINK_SCHEMA',
            message: `Column ${source} of ${formatTableId(schema.id)} does not exist in ${target.db}.${target.name}`,
            hint: 'Add the column to the target table, then restart the pipeline.',
          });
        }
        return col.name;
      };
      const mapping = { targetNames: schema.columns.map((c) => nameOf(c.name)), sourceKeyTargetNames: schema.keyColumns.map(nameOf) };
      this.mappings.set(schema, mapping);
      return mapping;
    };
    const auditLower = new Set(AUDIT_COLUMN_NAMES);
    return {
      tableLabel: `${target.db}.${target.name}`,
      columnOrder: target.columns.map((c) => c.name).filter((n) => !auditLower.has(n.toLowerCase())),
      keyColumns: target.keyColumns,
      fullColumns: new Set(mappingFor(batchSchema).targetNames),
      mappingFor,
    };
  }
}

/** The batch without its block (its records are given instead). */
function withoutRows(batch: TableBatch): TableBatch {
  return { schema: batch.schema, records: batch.records, firstLsn: batch.firstLsn, lastLsn: batch.lastLsn, pipelineId: batch.pipelineId };
}
