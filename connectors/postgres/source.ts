/**
 * PostgresSource: orchestration only. Connects, resumes from the slot's confirmed position, turns
 * CopyData frames into source events, applies backpressure and confirms acknowledged positions.
 *
 * Backpressure: when the handler returns a promise the socket is paused until it settles; frames the
 * parser had already split out of the last socket read wait in a small queue (bounded by one read).
 * Acknowledgement: standby status always reports write = flush = apply = the last acknowledged
 * position, exactly (never lsn+1, never more than acknowledged): at once on acknowledge (coalesced),
 * every status interval, and when a keepalive requests a reply.
 */
import type { Logger } from 'pino';
import {
  CdcError,
  formatLsn,
  formatTableId,
  isUnchanged,
  LSN_ZERO,
  maxLsn,
  parseLsn,
  toCdcError,
  type Lsn,
  type Source,
  type SourceCapabilities,
  type SourceEvent,
  type SourceEventHandler,
  type SourceIdentity,
  type SourceSetupResult,
  type SourceStatus,
  type SourceServerStatus,
  type StateStore,
  type StandbyInfo,
  type TableId,
  type TableSchema,
  type TableSnapshotProgress,
  type TurnOptions,
  type Value,
  tableKey,
} from '../../core/index.js';
import { missingTables } from './replication/publication.js';
import { SnapshotEngine, type SnapshotReason, type TableShape } from './snapshot/engine.js';
import { keyText } from './snapshot/key-text.js';
import { SnapshotProgressStore } from './snapshot/progress-store.js';
import { FINISHING_XIDS_SQL, finishingFromRow } from './snapshot/pg-snapshot.js';
import { SnapshotReader } from './snapshot/reader.js';
import { letYoungGenerationGrow } from './snapshot/young-generation.js';
import { resolveTypes } from './catalog.js';
import { readIdentity } from './identity.js';
import { TypeRegistry } from './codec/pg-types.js';
import { TransactionAssembler } from './codec/to-change-record.js';
import { clientConfig, type PostgresConfig } from './config.js';
import { toSourceError } from './errors.js';
import { ReplicationConnection } from './replication/connection.js';
import { FramePump } from './replication/frame-pump.js';
import { decodePgoutput } from './replication/pgoutput-decoder.js';
import type { PgoutputMessage } from './replication/pgoutput-types.js';
import { dropPublication } from './replication/publication.js';
import { RelationCache } from './replication/relation-cache.js';
import { alterFailoverCommand, dropSlot, lostSlotError, readSlot } from './replication/slot.js';
import { holderDetail, HolderWatch, readSlotHolder, terminateHolder } from './replication/slot-holder.js';
import { invalidation, readSlotMarker, readSlotValidity, slotInvalidatedError, slotMissingError, writeSlotMarker } from './replication/slot-loss.js';
import pg from 'pg';
import { decodeServerFrame, encodeStandbyStatus, XLOG_DATA_HEADER, xlogDataStart } from './replication/xlog.js';
import { QueryConnection } from './query-connection.js';
import { inspectReplication, setupReplication, validateServer } from './setup.js';
import { checkTables, publishTables, readSlotStatus, unpublishTables } from './live-tables.js';

export const POSTGRES_CAPABILITIES: SourceCapabilities = { unchangedColumns: true, keyChanges: true, transactions: true };

const END_COPY_TIMEOUT_MS = 5000;
/** How often a keepalive is asked for while snapshot rows wait for the stream to catch up. */
const CATCH_UP_POLL_MS = 200;

type State = 'new' | 'starting' | 'streaming' | 'stopping' | 'stopped' | 'failed';

const NONE_MISSING: readonly number[] = [];

const nowMicros = (): bigint => BigInt(Date.now()) * 1000n;

export class PostgresSource implements Source {
  readonly type = 'postgres';
  readonly capabilities = POSTGRES_CAPABILITIES;

  private readonly registry = new TypeRegistry();
  private knownSchemas: readonly TableSchema[] = [];
  private readonly query: QueryConnection;
  private repl: ReplicationConnection | undefined;
  private assembler: TransactionAssembler | undefined;
  /** The stream's relation cache; live table changes (control API) update its selection. */
  private relations: RelationCache | undefined;
  private handler: SourceEventHandler | undefined;
  private state: State = 'new';

  private acknowledged: Lsn = LSN_ZERO;
  private confirmed: Lsn = LSN_ZERO;
  private received: Lsn = LSN_ZERO;

  private readonly pump = new FramePump({
    process: (frame) => this.processFrame(frame),
    setPaused: (paused) => (paused ? this.repl?.pause() : this.repl?.resume()),
    onError: (e) => this.fail(e),
  });
  private statusTimer: NodeJS.Timeout | undefined;
  private ackScheduled = false;
  private stopPromise: Promise<void> | undefined;
  /** When the replication connection last received anything (statusTick). */
  private heardAt = 0;
  private closePromise: Promise<void> | undefined;

  // -- Snapshots (snapshot/engine.ts) --
  private readonly progressStore: SnapshotProgressStore;
  private readonly engine: SnapshotEngine;
  /** Shapes of tables being added live, until the stream's relation cache knows them. */
  private readonly addedShapes = new Map<string, TableSchema>();
  private startLsn: Lsn = LSN_ZERO;
  /** Commit position (Begin final LSN) and end of the last streamed transaction. */
  private lastCommitLsn: Lsn = LSN_ZERO;
  private lastCommitEnd: Lsn = LSN_ZERO;
  /** Where the idle stream stood at the last keepalive outside a transaction. */
  private idlePoint: Lsn = LSN_ZERO;
  /** Snapshot rows are placed only once the stream passed this (see placeSnapshotRows). */
  private catchUpLsn: Lsn = LSN_ZERO;
  private injectWanted = false;
  private catchUpTimer: NodeJS.Timeout | undefined;
  /** initial_only: emissions one after another, and the pause gate. */
  private onceChain: Promise<void> = Promise.resolve();
  private oncePaused: { promise: Promise<void>; resolve: () => void } | undefined;
  private readonly keyIndexes = new WeakMap<TableSchema, readonly number[]>();

  private readonly donePromise: Promise<void>;
  private resolveDone!: () => void;
  private rejectDone!: (e: unknown) => void;

  constructor(
    private readonly cfg: PostgresConfig,
    private readonly logger: Logger,
  ) {
    this.donePromise = new Promise<void>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.donePromise.catch(() => undefined); // observed through done(); never an unhandled rejection
    this.query = new QueryConnection(cfg, logger);
    this.progressStore = new SnapshotProgressStore(cfg.pipelineId);
    this.engine = new SnapshotEngine({
      logger: logger.child({ component: 'snapshot' }),
      chunkRows: cfg.snapshotChunkRows,
      parallelism: cfg.snapshotParallelism,
      progress: this.progressStore,
      describe: (id) => this.describe(id),
      newReader: () => new SnapshotReader(cfg, logger),
      ready: () => this.snapshotReady(),
      failed: (err) => this.fail(err),
      allDone: () => this.snapshotsDone(),
      ...(cfg.snapshotMode === 'initial_only' ? {} : { retainedWal: async () => (await this.serverStatus()).retainedBytes }),
    });
  }

  // -- Setup ---------------------------------------------------------------------------------------

  async validateConnection(): Promise<void> {
    await this.query.run(`validate ${this.cfg.target}`, (c) => validateServer(c, this.cfg));
  }

  /** The cluster's system identifier and the database (identity.ts). */
  async identity(): Promise<SourceIdentity> {
    return this.query.run(`identify ${this.cfg.target}`, (c) => readIdentity(c, this.cfg));
  }

  async inspect(): Promise<SourceSetupResult> {
    const out = await this.query.run(`check tables on ${this.cfg.target}`, (c) => inspectReplication(c, this.cfg, this.registry));
    // On a reconnection `inspect` replaces `setup`: its schemas are the baseline of the stream too.
    this.knownSchemas = out.schemas;
    return { tables: out.schemas };
  }

  async setup(): Promise<SourceSetupResult> {
    if (this.cfg.snapshotMode === 'initial_only') {
      // A one-off copy: no slot, no publication (start reads the tables and finishes).
      return this.inspect();
    }
    // Two instances starting at once (hot standby) set up one after the other: the second finds the
    // slot, the publication and the snapshot plan the first created.
    return this.withSetupLock(async () => {
      const recover = await this.checkSlotLoss();
      if (recover || this.cfg.snapshotMode === 'initial') {
        // Decide which tables to copy and record it durably before the slot or the publication that
        // would stream them exists: a crash in between must not leave a slot without its snapshot.
        const found = await this.query.run(`check tables on ${this.cfg.target}`, (c) => inspectReplication(c, this.cfg, this.registry));
        const need: { tables: readonly TableId[]; reason: SnapshotReason } =
          recover || !found.slot
            ? { tables: this.cfg.tables, reason: 'initial' }
            : !found.publication
              ? { tables: this.cfg.tables, reason: 'added' }
              : { tables: missingTables(found.publication, this.cfg.tables), reason: 'added' };
        if (need.tables.length > 0) {
          this.warnIfNotDurable();
          await this.engine.plan(need.tables, need.reason);
        }
      }
      const out = await this.query.run(`set up replication on ${this.cfg.target}`, (c) => setupReplication(c, this.cfg, this.registry, this.logger));
      if (out.createdAt !== undefined) await this.markSlot(out.createdAt);
      else if (this.cfg.failoverSlot) await this.ensureFailoverSlot();
      this.knownSchemas = out.schemas;
      return { tables: out.schemas };
    });
  }

  /** Runs `fn` holding a session advisory lock named after the slot (released if the session dies). */
  private async withSetupLock<T>(fn: () => Promise<T>): Promise<T> {
    const key = `dbmazz setup ${this.cfg.slotName}`;
    await this.query.run(`lock setup of slot ${this.cfg.slotName}`, (c) => c.query('SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext($1))', [key]));
    try {
      return await fn();
    } finally {
      await this.query
        .run(`unlock setup of slot ${this.cfg.slotName}`, (c) => c.query('SELECT pg_catalog.pg_advisory_unlock(pg_catalog.hashtext($1))', [key]))
        .catch(() => undefined);
    }
  }

  /**
   * PostgreSQL failover (slot-loss.ts): false when the slot is fine or this pipeline never streamed;
   * true when it is missing or invalidated and SOURCE_ON_SLOT_LOST=resnapshot recovers (an
   * invalidated slot is dropped: it can never stream again); throws SlotLostError otherwise.
   */
  private async checkSlotLoss(): Promise<boolean> {
    const slot = this.cfg.slotName;
    const validity = await this.query.run(`read slot ${slot}`, (c) => readSlotValidity(c, slot));
    const reason = validity === undefined ? undefined : invalidation(validity);
    if (validity !== undefined && reason === undefined) return false;
    const marker = validity === undefined ? await this.progressStore.slotMarker(readSlotMarker) : undefined;
    if (validity === undefined && marker === undefined) return false;
    if (marker?.source !== undefined && marker.source !== (await this.identity()).id) {
      // Another cluster wrote the target before (its slot is not ours to miss): the sink's
      // SINK_ON_SOURCE_CHANGE already accepted this source, which starts as a new pipeline.
      this.logger.info({ slot, previous: marker.source }, 'the slot marker names another source; setting up as a new pipeline');
      return false;
    }
    const err = reason === undefined ? slotMissingError(slot, marker) : slotInvalidatedError(slot, reason);
    if (this.cfg.onSlotLost === 'fail') throw err;
    this.logger.error(
      { slot, problem: err.problem, error: err.message },
      'replication slot lost: SOURCE_ON_SLOT_LOST=resnapshot creates a new slot and copies every table again',
    );
    if (reason !== undefined) {
      await this.query.run(`drop invalidated slot ${slot}`, (c) => dropSlot(c, slot));
      this.logger.warn({ slot }, 'dropped the invalidated replication slot (SOURCE_ON_SLOT_LOST=resnapshot)');
    }
    return true;
  }

  /** Records in the sink's state store that this pipeline has a slot (how a missing one is told from a new pipeline). */
  private async markSlot(lsn: Lsn, known?: string): Promise<void> {
    if (!this.progressStore.durable) return;
    const source = known ?? (await this.identity()).id;
    await this.progressStore.withStore((store) =>
      writeSlotMarker(store, this.cfg.pipelineId, { slot: this.cfg.slotName, createdAt: new Date().toISOString(), lsn: formatLsn(lsn), source }),
    );
  }

  /**
   * Best effort, in the background after START_REPLICATION: the identity is read first, on the query
   * connection start() just used (so nothing reopens it after close), then the store is asked.
   */
  private async markSlotOnce(at: Lsn): Promise<void> {
    try {
      if (!this.progressStore.durable) return;
      const source = (await this.identity()).id;
      const marker = await this.progressStore.slotMarker(readSlotMarker);
      if (marker?.source !== source) await this.markSlot(at, source);
    } catch (e) {
      this.logger.warn(
        { error: e instanceof Error ? e.message : String(e) },
        'could not record the slot marker in the state store (a missing slot would not be detected); retried at the next start',
      );
    }
  }

  /** SOURCE_FAILOVER_SLOT on an existing slot (PostgreSQL 17+, checked by validateConnection). */
  private async ensureFailoverSlot(): Promise<void> {
    const flag = await this.query.run(`read slot ${this.cfg.slotName}`, async (c) => {
      const r = await c.query<{ failover: string | null }>(
        "SELECT to_jsonb(s) ->> 'failover' AS failover FROM pg_catalog.pg_replication_slots s WHERE s.slot_name = $1",
        [this.cfg.slotName],
      );
      return r.rows[0]?.failover;
    });
    if (flag !== 'false') return;
    const client = new pg.Client(clientConfig(this.cfg, 'replication'));
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query(alterFailoverCommand(this.cfg.slotName));
      this.logger.info({ slot: this.cfg.slotName }, 'made the replication slot a failover slot (SOURCE_FAILOVER_SLOT)');
    } catch (e) {
      throw toSourceError(e, `make slot ${this.cfg.slotName} a failover slot`);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Hot standby (slot-holder.ts): waits while another connection streams from the slot, terminating
   * a holder whose status updates stopped for SOURCE_STANDBY_STALE_MS.
   */
  async awaitTurn(o: TurnOptions): Promise<'turn' | 'stopped'> {
    if (this.cfg.snapshotMode === 'initial_only') return 'turn';
    const slot = this.cfg.slotName;
    const watch = new HolderWatch(this.cfg.standbyStaleMs);
    let reported: StandbyInfo | undefined;
    let refused = false;
    let hidden = false;
    while (!o.signal.aborted) {
      const holder = await this.query.run(`read slot ${slot}`, (c) => readSlotHolder(c, slot));
      const verdict = watch.observe(holder, Date.now());
      if (verdict.kind === 'free') {
        if (reported !== undefined) this.logger.info({ slot }, 'standby: the replication slot is free; taking over');
        return 'turn';
      }
      const detail = holderDetail(slot, holder);
      if (verdict.kind === 'stale' && holder.pid !== undefined && !refused) {
        try {
          const ended = await this.query.run(`terminate PID ${holder.pid}`, (c) => terminateHolder(c, holder.pid ?? 0));
          this.logger.warn(
            { slot, pid: holder.pid, quietMs: verdict.quietMs, terminated: ended },
            `standby: ${detail} but sent no status update for ${verdict.quietMs} ms (SOURCE_STANDBY_STALE_MS ${this.cfg.standbyStaleMs}); terminated it to take over`,
          );
          await pause(100, o.signal);
          continue;
        } catch (e) {
          refused = true;
          this.logger.error(
            { slot, pid: holder.pid, error: e instanceof Error ? e.message : String(e) },
            "standby: cannot terminate the stale slot holder (pg_terminate_backend refused: the role needs to be the holder's role, or a member of pg_signal_backend); waiting for the server to drop it (wal_sender_timeout)",
          );
        }
      }
      if (verdict.kind === 'unknown' && !hidden) {
        hidden = true;
        this.logger.warn(
          { slot },
          "standby: pg_stat_replication details are hidden from this role (GRANT pg_read_all_stats TO <role>), so a holder that lost its network is replaced only after the server's wal_sender_timeout",
        );
      }
      if (reported?.detail !== detail) {
        reported = { detail };
        o.standby(reported);
        this.logger.info({ slot, pid: holder.pid, retryMs: this.cfg.standbyRetryMs }, `standby: ${detail}; checking every ${this.cfg.standbyRetryMs} ms`);
      }
      await pause(this.cfg.standbyRetryMs, o.signal);
    }
    return 'stopped';
  }

  async destroy(): Promise<void> {
    await this.query.run(`remove slot and publication on ${this.cfg.target}`, async (c) => {
      if (await dropSlot(c, this.cfg.slotName)) this.logger.info({ slot: this.cfg.slotName }, 'dropped replication slot');
      await dropPublication(c, this.cfg.publicationName);
      this.logger.info({ publication: this.cfg.publicationName }, 'dropped publication');
    });
  }

  async serverPosition(): Promise<Lsn> {
    return this.query.run(`read the WAL position of ${this.cfg.target}`, async (c) => {
      const r = await c.query<{ lsn: string }>('SELECT pg_catalog.pg_current_wal_lsn()::text AS lsn');
      return parseLsn(r.rows[0]?.lsn ?? '0/0');
    });
  }

  // -- Control API and monitoring (issue 5): live tables and the slot report, see live-tables.ts ----

  /** The replication slot as the generic server status (name, wal_status as `retention`, WAL held back). */
  async serverStatus(): Promise<SourceServerStatus> {
    return this.query.run(`read slot ${this.cfg.slotName}`, (c) => readSlotStatus(c, this.cfg.slotName));
  }

  async checkTables(tables: readonly TableId[]): Promise<readonly TableSchema[]> {
    return this.query.run(`check tables on ${this.cfg.target}`, (c) => checkTables(c, this.cfg, this.registry, tables));
  }

  async addTables(tables: readonly TableSchema[]): Promise<void> {
    const relations = this.liveRelations();
    if (this.cfg.snapshotMode === 'initial') {
      // Recorded before publishing: their existing rows are copied (backfill) alongside the stream.
      for (const t of tables) this.addedShapes.set(tableKey(t.id), t);
      this.warnIfNotDurable();
      await this.engine.plan(
        tables.map((t) => t.id),
        'added',
      );
    }
    const added = await this.query.run(`add tables to publication ${this.cfg.publicationName}`, (c) =>
      publishTables(
        c,
        this.cfg,
        tables.map((t) => t.id),
      ),
    );
    for (const t of tables) relations.setSelected(t.id, true, t);
    this.logger.info({ publication: this.cfg.publicationName, tables: tables.map((t) => tableKey(t.id)), published: added.map(tableKey) }, 'tables added');
  }

  async removeTables(tables: readonly TableId[]): Promise<void> {
    const relations = this.liveRelations();
    for (const t of tables) relations.setSelected(t, false);
    for (const t of tables) await this.engine.drop(t);
    const r = await this.query.run(`drop tables from publication ${this.cfg.publicationName}`, (c) => unpublishTables(c, this.cfg, tables));
    this.logger.info(
      { publication: this.cfg.publicationName, tables: tables.map(tableKey), unpublished: r.dropped.map(tableKey), allTables: r.allTables },
      'tables removed',
    );
  }

  // -- Snapshots ------------------------------------------------------------------------------------

  attachState(store: StateStore): void {
    this.progressStore.attach(store);
  }

  marked(token: string): void {
    this.engine.marked(token);
  }

  snapshotProgress(): readonly TableSnapshotProgress[] {
    return this.engine.progress();
  }

  async resnapshot(tables: readonly TableId[]): Promise<void> {
    const relations = this.liveRelations();
    const unknown = tables.filter((t) => relations.schemaOf(t) === undefined && !this.addedShapes.has(tableKey(t)));
    if (unknown.length > 0) {
      throw new CdcError({
        code: 'CONFIG_INVALID',
        message: `Cannot re-snapshot ${unknown.map(formatTableId).join(', ')}: not streamed by this pipeline.`,
        hint: 'Name tables listed in TABLES (or added with ReloadConfig).',
      });
    }
    this.warnIfNotDurable();
    await this.engine.plan(tables, 'requested');
  }

  private warnIfNotDurable(): void {
    if (this.progressStore.durable) return;
    this.logger.warn(
      'the sink keeps no state store: snapshot progress lives in memory only, so a restart during a snapshot does not resume it (re-snapshot those tables after a crash)',
    );
  }

  /** The shape a snapshot reads a table with: the stream's relation, else the catalog's. */
  private describe(id: TableId): TableShape | undefined {
    const schema = this.relations?.schemaOf(id) ?? this.addedShapes.get(tableKey(id)) ?? this.knownSchemas.find((s) => tableKey(s.id) === tableKey(id));
    if (!schema) return undefined;
    return { schema, types: schema.columns.map((c) => this.registry.lookup(c.typeOid)) };
  }

  /** A chunk was read: place it into the stream at the next transaction boundary. */
  private snapshotReady(): void {
    if (this.cfg.snapshotMode === 'initial_only') {
      this.onceEmit(() => {
        const { rows, marks } = this.engine.take(undefined, false, nowMicros());
        return [...rows, ...marks];
      });
      return;
    }
    this.injectWanted = true;
    if (this.state === 'streaming') this.pump.pushTask(() => this.injectTask());
  }

  private injectTask(): Promise<void> | undefined {
    if (!this.injectWanted || this.state !== 'streaming') return undefined;
    // Inside a transaction the rows wait for its commit (processFrame places them after it).
    if (this.assembler?.inTransaction) return undefined;
    return this.emit(this.placeSnapshotRows(), 0);
  }

  /**
   * The events of the ready snapshot chunks, placed here in the stream (between transactions). Their
   * version is where the stream stands: the last streamed commit, or the idle stream's position. Rows
   * are placed only once the stream has passed the server's flushed WAL position at start: every
   * transaction a previous run may have written to the sink is then at or below that version, so a
   * row never loses against a stored change it already reflects.
   */
  private placeSnapshotRows(): SourceEvent[] {
    if (!this.injectWanted) return [];
    const at = maxLsn(maxLsn(this.startLsn, this.lastCommitLsn), this.idlePoint);
    if (at < this.catchUpLsn) {
      this.awaitCatchUp();
      return [];
    }
    this.injectWanted = false;
    const now = nowMicros();
    const { rows, marks } = this.engine.take(at, true, now);
    if (rows.length === 0 && marks.length === 0) return [];
    const position = maxLsn(this.startLsn, this.lastCommitEnd);
    return [...rows, { kind: 'commit', position, commitLsn: at, commitTimeMicros: now }, ...marks];
  }

  /** Asks the server for keepalives (their position) until the stream passed `catchUpLsn`. */
  private awaitCatchUp(): void {
    if (this.catchUpTimer !== undefined) return;
    this.sendStatus(true);
    this.catchUpTimer = setTimeout(() => {
      this.catchUpTimer = undefined;
      if (this.injectWanted && this.state === 'streaming') this.pump.pushTask(() => this.injectTask());
    }, CATCH_UP_POLL_MS);
    this.catchUpTimer.unref();
  }

  private snapshotsDone(): void {
    if (this.cfg.snapshotMode === 'initial_only') this.onceEmit(() => [{ kind: 'finished' }]);
  }

  /** initial_only: emits events one batch after another, honouring pause and backpressure. */
  private onceEmit(events: () => readonly SourceEvent[]): void {
    this.onceChain = this.onceChain
      .then(async () => {
        while (this.oncePaused) await this.oncePaused.promise;
        if (this.state !== 'streaming') return;
        await this.emit(events(), 0);
      })
      .catch((err: unknown) => this.fail(err));
  }

  /** initial_only: no replication; the snapshot engine is the whole stream. */
  private async startOnce(): Promise<void> {
    const resumed = await this.engine.resume();
    if (resumed.length === 0) {
      this.warnIfNotDurable();
      await this.engine.plan(this.cfg.tables, 'initial');
    }
    this.state = 'streaming';
    // The process exits after the copy: the young generation may grow (snapshot/young-generation.ts).
    const grown = letYoungGenerationGrow();
    this.engine.start();
    this.logger.info(
      { tables: this.cfg.tables.map(formatTableId), youngGenerationGrows: grown },
      'SNAPSHOT_MODE=initial_only: copying the tables once, then stopping',
    );
  }

  /** Tracks the keys streamed transactions touch, for tables with a snapshot running (tracker.ts). */
  private track(events: readonly SourceEvent[]): void {
    const tracker = this.engine.tracker;
    for (const ev of events) {
      if (ev.kind !== 'change') continue;
      const r = ev.record;
      const table = tableKey(r.schema.id);
      if (!tracker.isTracked(table)) continue;
      let idx = this.keyIndexes.get(r.schema);
      if (idx === undefined) {
        idx = r.schema.keyColumns.map((k) => r.schema.columns.findIndex((c) => c.name === k));
        this.keyIndexes.set(r.schema, idx);
      }
      tracker.touch(table, keyText(r.op === 'delete' ? r.before : r.after, idx));
      if (r.op === 'update' && r.oldKey !== undefined) {
        tracker.touch(
          table,
          keyText(
            r.oldKey,
            r.oldKey.map((_, i) => i),
          ),
        );
        // Unchanged TOAST values of a moved row, and no before-image: the new key is read again.
        if (r.after.some((c) => isUnchanged(c))) this.engine.rereadMovedKey(table, idx.map((i) => r.after[i] ?? null) as Value[]);
      }
    }
  }

  private liveRelations(): RelationCache {
    if (this.state !== 'streaming' || !this.relations) {
      throw new CdcError({ code: 'INTERNAL', message: 'Tables can only be changed while the PostgreSQL source is streaming.' });
    }
    return this.relations;
  }

  // -- Streaming -----------------------------------------------------------------------------------

  async start(handler: SourceEventHandler): Promise<void> {
    if (this.state !== 'new') throw new CdcError({ code: 'INTERNAL', message: 'PostgresSource.start called twice' });
    this.state = 'starting';
    this.handler = handler;
    if (this.cfg.snapshotMode === 'initial_only') {
      try {
        await this.startOnce();
      } catch (e) {
        const err = toSourceError(e, `start the snapshot of ${this.cfg.target}`);
        this.state = 'failed';
        this.rejectDone(err);
        throw err;
      }
      return;
    }
    try {
      const slot = await this.query.run(`read slot ${this.cfg.slotName}`, (c) => readSlot(c, this.cfg.slotName));
      if (!slot) throw slotMissingError(this.cfg.slotName, undefined);
      if (slot.walStatus === 'lost') throw lostSlotError(this.cfg.slotName);
      // Resume from the slot, or from a position acknowledged before start if that is further.
      const startLsn = maxLsn(slot.confirmedFlushLsn ?? LSN_ZERO, this.acknowledged);
      this.acknowledged = startLsn;
      this.confirmed = startLsn;
      this.received = startLsn;
      this.startLsn = startLsn;
      await this.engine.resume();
      if (this.engine.pendingTables.length > 0) {
        const flushed = await this.query.run(`read the WAL position of ${this.cfg.target}`, async (c) => {
          const r = await c.query<{ lsn: string }>('SELECT pg_catalog.pg_current_wal_flush_lsn()::text AS lsn');
          return parseLsn(r.rows[0]?.lsn ?? '0/0');
        });
        this.catchUpLsn = flushed;
        // Commits a previous run may have streamed that reads still see in progress (pg-snapshot.ts).
        const finishing = await this.query.run(`read the transactions finishing their commits on ${this.cfg.target}`, async (c) => {
          const r = await c.query<{ sync: boolean; sees_all: boolean; xids: string[] }>(FINISHING_XIDS_SQL);
          return finishingFromRow(r.rows[0]);
        });
        if (finishing.xids.length > 0) {
          this.engine.tracker.streamedBeforeStart(finishing.xids);
          this.logger.info(
            { transactions: finishing.xids.length },
            'transactions are waiting for the synchronous standby to commit: snapshot reads that cannot see them yet are read again',
          );
        }
        if (finishing.sync && !finishing.seesAll) {
          this.logger.warn(
            'synchronous replication is configured but this role cannot see other sessions waiting for the standby: a transaction streamed before this restart and still waiting could be missed by a resumed snapshot (GRANT pg_read_all_stats TO <role>)',
          );
        }
      }
      const relations = new RelationCache({
        lookupType: (oid) => this.registry.lookup(oid),
        tables: this.cfg.tables,
        known: this.knownSchemas,
      });
      this.relations = relations;
      this.assembler = new TransactionAssembler(relations, startLsn);
      this.repl = await ReplicationConnection.open(clientConfig(this.cfg, 'replication'), this.cfg.target);
      const pub = `"${this.cfg.publicationName.replace(/"/g, '""')}"`.replace(/'/g, "''");
      const sql = `START_REPLICATION SLOT "${this.cfg.slotName}" LOGICAL ${formatLsn(startLsn)} ` + `(proto_version '1', publication_names '${pub}')`;
      this.heardAt = Date.now();
      await this.repl.start(sql, {
        onCopyData: (chunk) => {
          this.heardAt = Date.now();
          this.pump.push(chunk);
        },
        onLost: (err) => this.fail(err),
      });
      if (this.stopPromise) {
        // stop() was called while starting: end the COPY that just began.
        await this.repl.endCopy(END_COPY_TIMEOUT_MS);
        return;
      }
      this.state = 'streaming';
      this.statusTimer = setInterval(() => this.statusTick(), this.cfg.statusIntervalMs);
      this.statusTimer.unref();
      this.logger.info({ slot: this.cfg.slotName, lsn: formatLsn(startLsn) }, 'replication started');
      // Pipelines set up before the slot marker existed get one at their first start (in the background: best effort).
      void this.markSlotOnce(startLsn);
      this.engine.start();
    } catch (e) {
      const err = toSourceError(e, `start replication from ${this.cfg.target}`);
      this.state = 'failed';
      await this.repl?.close();
      this.rejectDone(err);
      throw err;
    }
  }

  done(): Promise<void> {
    return this.donePromise;
  }

  acknowledge(position: Lsn): void {
    if (position <= this.acknowledged) return;
    if ((this.state === 'streaming' || this.state === 'stopping') && position > this.received) {
      // Confirming beyond what was received would make PostgreSQL skip unseen changes.
      this.logger.warn({ position: formatLsn(position), received: formatLsn(this.received) }, 'acknowledged position is beyond the received position; capped');
      position = this.received;
      if (position <= this.acknowledged) return;
    }
    this.acknowledged = position;
    if (this.state !== 'streaming' || this.ackScheduled) return;
    this.ackScheduled = true;
    setImmediate(() => {
      this.ackScheduled = false;
      this.sendStatus(false);
    });
  }

  pause(): void {
    this.pump.pause();
    if (this.cfg.snapshotMode === 'initial_only' && !this.oncePaused) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.oncePaused = { promise, resolve };
    }
  }

  resume(): void {
    this.pump.resume();
    const gate = this.oncePaused;
    this.oncePaused = undefined;
    gate?.resolve();
  }

  status(): SourceStatus {
    return { receivedPosition: this.received, confirmedPosition: this.confirmed };
  }

  /** Frames decoded from the socket but not yet processed (bounded by one socket read). */
  get bufferedFrames(): number {
    return this.pump.buffered;
  }

  /** Whether the replication socket is currently paused. */
  get socketPaused(): boolean {
    return this.repl?.paused ?? false;
  }

  stop(): Promise<void> {
    this.stopPromise ??= this.doStop();
    return this.stopPromise;
  }

  private async doStop(): Promise<void> {
    const wasStreaming = this.state === 'streaming';
    if (this.state === 'failed') return;
    this.state = 'stopping';
    this.clearTimers();
    this.pump.stop();
    await this.engine.stop();
    if (wasStreaming && this.repl) {
      this.sendStatus(false);
      await this.repl.endCopy(END_COPY_TIMEOUT_MS);
      this.logger.info({ slot: this.cfg.slotName, confirmed: formatLsn(this.confirmed) }, 'replication stopped');
    }
    this.state = 'stopped';
    this.resolveDone();
  }

  close(): Promise<void> {
    this.closePromise ??= (async () => {
      await this.stop();
      await this.repl?.close();
      await this.query.close();
    })();
    return this.closePromise;
  }

  // -- Internals -----------------------------------------------------------------------------------

  private clearTimers(): void {
    if (this.statusTimer) clearInterval(this.statusTimer);
    this.statusTimer = undefined;
    if (this.catchUpTimer) clearTimeout(this.catchUpTimer);
    this.catchUpTimer = undefined;
  }

  /**
   * Every status interval: the status update, asking for an answer when the server was quiet. A
   * stream that stays silent although asked (its network is gone; a standby may already have taken
   * the slot over) fails, so this instance stops believing it streams: silence longer than
   * max(2 x SOURCE_STATUS_INTERVAL_MS, 0.6 x SOURCE_STANDBY_STALE_MS), shorter than a standby's wait.
   * Time while the socket is paused (backpressure) does not count.
   */
  private statusTick(): void {
    const now = Date.now();
    if (this.repl?.paused) this.heardAt = now;
    const quiet = now - this.heardAt;
    const limit = Math.max(2 * this.cfg.statusIntervalMs, 0.6 * this.cfg.standbyStaleMs);
    if (quiet > limit) {
      this.fail(
        new CdcError({
          code: 'SOURCE_CONNECTION',
          retry: 'retry',
          message: `PostgreSQL: no message on the replication connection to ${this.cfg.target} for ${quiet} ms although answers were asked for (network lost?)`,
          hint: 'Replication restarts from the last confirmed position (or this instance becomes a standby if another one took the slot over).',
        }),
      );
      return;
    }
    this.sendStatus(quiet >= this.cfg.statusIntervalMs);
  }

  private sendStatus(replyRequested: boolean): void {
    if (!this.repl?.isStreaming) return;
    const at = this.acknowledged;
    const sent = this.repl.send(encodeStandbyStatus({ write: at, flush: at, apply: at, clientTimeMicros: nowMicros(), replyRequested }));
    if (sent) this.confirmed = at;
  }

  private fail(err: unknown): void {
    if (this.state === 'failed' || this.state === 'stopped' || this.state === 'stopping') return;
    // Socket errors arrive classified (onLost); anything else is the handler's or a decoder's error.
    const e = err instanceof CdcError ? err : toCdcError(err);
    this.state = 'failed';
    this.clearTimers();
    this.pump.stop();
    void this.engine.stop();
    this.sendStatus(false);
    this.logger.warn({ err: e.message, retry: e.retry }, 'replication failed');
    void this.repl?.close();
    this.rejectDone(e);
  }

  private processFrame(buf: Buffer): Promise<void> | undefined {
    const assembler = this.assembler;
    if (!assembler) return undefined;
    const walStart = xlogDataStart(buf);
    if (walStart === undefined) {
      const frame = decodeServerFrame(buf);
      if (frame.tag !== 'keepalive') return undefined;
      this.received = maxLsn(this.received, frame.walEnd);
      if (frame.replyRequested) this.sendStatus(false);
      if (assembler.inTransaction) return undefined;
      this.idlePoint = maxLsn(this.idlePoint, frame.walEnd);
      return this.emit([{ kind: 'idle', position: frame.walEnd }, ...this.placeSnapshotRows()], 0);
    }
    if (walStart > this.received) this.received = walStart;
    const msg = decodePgoutput(buf, XLOG_DATA_HEADER);
    if (msg.tag === 'commit') this.received = maxLsn(this.received, msg.endLsn);
    // Only Relation and Type messages name types (a change never does).
    const missing = msg.tag === 'relation' || msg.tag === 'type' ? this.registry.missing(typeOids(msg)) : NONE_MISSING;
    if (missing.length === 0) return this.emit(this.applyMessage(assembler, msg, walStart), 0);
    return this.query
      .run('read type metadata', (c) => resolveTypes(c, this.registry, missing))
      .then(() => this.emit(this.applyMessage(assembler, msg, walStart), 0));
  }

  /** The events of one message, with the snapshot's tracking and placement at transaction boundaries. */
  private applyMessage(assembler: TransactionAssembler, msg: PgoutputMessage, walStart: Lsn): SourceEvent[] {
    const tracker = this.engine.tracker;
    if (msg.tag === 'begin') tracker.begin(msg.xid);
    const events = assembler.apply(msg, walStart);
    if (tracker.anyTracked && (msg.tag === 'insert' || msg.tag === 'update' || msg.tag === 'delete')) this.track(events);
    if (msg.tag !== 'commit') return events;
    tracker.commit(msg.commitLsn);
    this.lastCommitLsn = maxLsn(this.lastCommitLsn, msg.commitLsn);
    this.lastCommitEnd = maxLsn(this.lastCommitEnd, msg.endLsn);
    return this.injectWanted ? [...events, ...this.placeSnapshotRows()] : events;
  }

  /** Calls the handler for events[i..]; returns a promise as soon as one call returns one. */
  private emit(events: readonly SourceEvent[], from: number): Promise<void> | undefined {
    const handler = this.handler;
    if (!handler) return undefined;
    for (let i = from; i < events.length; i++) {
      const ev = events[i];
      if (!ev) continue;
      const r = handler(ev);
      if (r !== undefined && typeof r.then === 'function') {
        return r.then(() => this.emit(events, i + 1));
      }
    }
    return undefined;
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function typeOids(msg: PgoutputMessage): number[] {
  if (msg.tag === 'relation') return msg.columns.map((c) => c.typeOid);
  if (msg.tag === 'type') return [msg.typeOid];
  return [];
}
