/**
 * The source conformance kit: `sourceConformance(options)` registers node:test tests that drive a
 * source the way the runtime does (settings from environment text, `create`, `validateConnection`,
 * `inspect`/`setup`, `resumeFrom` with the position the kit saved, `start`, `acknowledge`, `stop`,
 * `close`), make changes at the source through the harness, and check what arrives: order,
 * transaction boundaries, positions (within a run and across restarts), replay, backpressure,
 * pause/resume, idempotent stop/close, schema changes and truncates. `runSourceConformance` runs the
 * same checks as functions returning results.
 */
import type { ChangeRecord } from '../../model/change-record.js';
import type { Lsn } from '../../model/lsn.js';
import { tableKey, type TableId, type TableSchema } from '../../model/table.js';
import type { SourceManifest } from '../../plugin/manifest.js';
import type { Source, SourceEvent } from '../../plugin/source.js';
import { PositionCheck } from '../../pipeline/position-check.js';
import {
  ConformanceError,
  expect,
  register,
  runChecks,
  skip,
  sleep,
  until,
  type CheckResult,
  type ConformanceCheck,
  type ConformanceOptions,
} from './checks.js';
import { configCheck, connectionErrorCheck, sourceFrom, type Environment } from './config.js';
import { recordId, recordNote, type ConformanceChange } from './rows.js';

/** One fresh source for one check: its table exists and is empty, nothing streamed from it yet. */
export interface SourceTarget {
  /** Environment text of the source, as an operator would set it (e.g. a new slot name per target). */
  readonly env: Environment;
  /** The table the kit changes: `id` (int8, key) and `note` (text). */
  readonly table: TableId;
  /** The pipeline id the daemon would use (the slot name); default `conformance`. */
  readonly pipelineId?: string;
  /** Commits `changes` at the source in one transaction. */
  apply(changes: readonly ConformanceChange[]): Promise<void>;
  /** Truncates the table at the source; without it the truncate check is skipped. */
  truncate?(): Promise<void>;
  /** Adds a nullable text column; without it the schema-change check is skipped. */
  addColumn?(name: string): Promise<void>;
  /** Removes what the target created (slot, tables); called once the check's instances are closed. */
  dispose?(): Promise<void>;
}

/** `timeoutMs` default 90 s. */
export interface SourceConformanceOptions extends ConformanceOptions<SourceManifest, SourceTarget> {
  /** How long to wait for events that must arrive (default 20 s). */
  readonly waitMs?: number;
  /** How long the kit watches that nothing arrives (paused, held back; default 500 ms). */
  readonly quietMs?: number;
}

export function sourceConformance(options: SourceConformanceOptions): void {
  register(`source conformance: ${options.manifest.type}`, sourceChecks(options), options.timeoutMs ?? 90_000);
}

export function runSourceConformance(options: SourceConformanceOptions): Promise<CheckResult[]> {
  return runChecks(sourceChecks(options));
}

/** The changes of one transaction and the commit that ended it (undefined for a source without transactions). */
interface Txn {
  readonly changes: readonly ChangeRecord[];
  readonly position: Lsn;
}

/** One running instance, driven as the runtime drives it. */
class Run {
  readonly events: SourceEvent[] = [];
  /** The next event's handler call returns this promise (backpressure), once. */
  hold: Promise<void> | undefined;
  /** How many events had arrived when an event took `hold` (undefined: none took it yet). */
  heldAt: number | undefined;
  tables: readonly TableSchema[] = [];

  constructor(
    readonly source: Source,
    private readonly target: SourceTarget,
    private readonly waitMs: number,
  ) {}

  readonly handler = (event: SourceEvent): Promise<void> | undefined => {
    this.events.push(event);
    const hold = this.hold;
    if (hold !== undefined) this.heldAt = this.events.length;
    this.hold = undefined;
    return hold;
  };

  /** Changes of the kit's table. */
  changes(): ChangeRecord[] {
    const key = tableKey(this.target.table);
    return this.events.flatMap((e) => (e.kind === 'change' && tableKey(e.record.schema.id) === key ? [e.record] : []));
  }

  /** Transactions with at least one change of the kit's table. */
  txns(): Txn[] {
    const out: Txn[] = [];
    let open: ChangeRecord[] = [];
    const key = tableKey(this.target.table);
    const transactional = this.source.capabilities.transactions;
    for (const e of this.events) {
      if (e.kind === 'change' && tableKey(e.record.schema.id) === key) {
        if (transactional) open.push(e.record);
        else out.push({ changes: [e.record], position: e.record.commitLsn });
      } else if (e.kind === 'commit' && transactional) {
        if (open.length > 0) out.push({ changes: open, position: e.position });
        open = [];
      }
    }
    return out;
  }

  async waitTxns(n: number, what: string): Promise<Txn[]> {
    await until(
      () => this.txns().length >= n,
      this.waitMs,
      () => `${what}: expected ${n} transaction(s), got ${this.txns().length} (${this.events.length} event(s))`,
    );
    return this.txns();
  }

  async stop(): Promise<void> {
    await this.source.stop();
    await this.source.close();
  }
}

/** What the kit keeps between the instances of one check, as the runtime does. */
interface Kept {
  /** For a source with `resumeFrom`: the last acknowledged position (saved by the runtime). */
  saved: Lsn | undefined;
}

/** The rules every run must keep: `(lsn, ordinal)` unique, transactions closed by commits, positions increasing. */
function checkStream(run: Run, after: Lsn | undefined): void {
  const positions = new PositionCheck();
  const transactional = run.source.capabilities.transactions;
  let last = after;
  let openCommit: Lsn | undefined;
  const increase = (p: Lsn, what: string): void => {
    expect(
      last === undefined || p > last,
      () =>
        `${what} ${p} does not follow ${String(last)}${last === after ? ' (the acknowledged position it restarted from)' : ''}: positions must increase, also across restarts`,
    );
    last = p;
  };
  for (const e of run.events) {
    if (e.kind === 'change' && e.record.snapshotRead === undefined) {
      const bad = positions.check(e.record);
      if (bad !== undefined) throw new ConformanceError(bad.message);
      if (!transactional) increase(e.record.commitLsn, 'the change position (commitLsn)');
      else {
        expect(
          openCommit === undefined || openCommit === e.record.commitLsn,
          () => `changes of one transaction carry different commitLsn (${String(openCommit)}, ${e.record.commitLsn}) before a commit event`,
        );
        openCommit = e.record.commitLsn;
      }
    } else if (e.kind === 'commit') {
      expect(
        openCommit === undefined || openCommit === e.commitLsn,
        () => `the commit's commitLsn ${e.commitLsn} differs from its changes' ${String(openCommit)}`,
      );
      expect(e.position >= e.commitLsn, () => `commit position ${e.position} is below its commitLsn ${e.commitLsn}`);
      increase(e.position, 'commit position');
      openCommit = undefined;
    }
  }
}

/** The facts of a change that must be equal when it is delivered again. */
function identity(r: ChangeRecord): string {
  return `${r.op} id=${recordId(r)} note=${String(recordNote(r))} lsn=${r.lsn}#${r.ordinal} commitLsn=${r.commitLsn}`;
}

function summary(changes: readonly ChangeRecord[]): string {
  return changes.map((r) => `${r.op} ${recordId(r)}${r.op === 'delete' ? '' : `=${String(recordNote(r))}`}`).join(', ');
}

const ins = (id: number, note: string): ConformanceChange => ({ op: 'insert', id: BigInt(id), note });
const upd = (id: number, note: string): ConformanceChange => ({ op: 'update', id: BigInt(id), note });
const del = (id: number): ConformanceChange => ({ op: 'delete', id: BigInt(id) });

interface Session {
  readonly target: SourceTarget;
  readonly kept: Kept;
  /** A new instance, set up and (unless `started: false`) started. */
  open(o?: { readonly start?: boolean }): Promise<Run>;
  /** Acknowledges `position` (as the runtime does once the sink made it durable). */
  acknowledge(run: Run, position: Lsn): void;
}

function withSession(o: SourceConformanceOptions, body: (s: Session) => Promise<void | { skipped: string }>): () => Promise<void | { skipped: string }> {
  const waitMs = o.waitMs ?? 20_000;
  return async () => {
    const target = await o.target();
    const runs: Run[] = [];
    const kept: Kept = { saved: undefined };
    const session: Session = {
      target,
      kept,
      async open(opts = {}) {
        const ids = [target.table];
        const source = sourceFrom(o.manifest, target.env, ids, target.pipelineId ?? 'conformance');
        const run = new Run(source, target, waitMs);
        runs.push(run);
        await source.validateConnection();
        if (source.inspect !== undefined) await source.inspect();
        run.tables = (await source.setup()).tables;
        source.resumeFrom?.(kept.saved);
        if (opts.start !== false) await source.start(run.handler);
        return run;
      },
      acknowledge(run, position) {
        run.source.acknowledge(position);
        if (run.source.resumeFrom !== undefined) kept.saved = position;
      },
    };
    try {
      return await body(session);
    } finally {
      for (const run of runs) await run.stop().catch(() => undefined);
      await target.dispose?.();
    }
  };
}

export function sourceChecks(o: SourceConformanceOptions): ConformanceCheck[] {
  const quietMs = o.quietMs ?? 500;
  const check = (name: string, body: (s: Session) => Promise<void | { skipped: string }>): ConformanceCheck => ({ name, run: withSession(o, body) });
  return [
    configCheck(o.manifest, o.settingPrefixes ?? ['SOURCE_'], () => o.target(), []),
    connectionErrorCheck(o.manifest, o.unreachable, [], 30_000),

    check('ordering: committed changes arrive in commit order, closed by commits, positions increasing', async (s) => {
      const run = await s.open();
      await s.target.apply([ins(1, 'a'), ins(2, 'b')]);
      await s.target.apply([upd(1, 'a2'), del(2)]);
      const txns = await run.waitTxns(2, 'two committed transactions');
      const seen = summary(run.changes());
      expect(
        seen === 'insert 1=a, insert 2=b, update 1=a2, delete 2',
        () => `changes arrived as [${seen}], expected [insert 1=a, insert 2=b, update 1=a2, delete 2]`,
      );
      if (run.source.capabilities.transactions) {
        expect(txns[0]?.changes.length === 2, () => `the first transaction's commit came after ${String(txns[0]?.changes.length)} change(s), expected 2`);
      }
      const known = run.tables.some((t) => tableKey(t.id) === tableKey(s.target.table));
      expect(
        known || run.events.some((e) => e.kind === 'schema'),
        () => `setup did not return ${tableKey(s.target.table)} and no schema event preceded its changes`,
      );
      checkStream(run, undefined);
    }),

    check('replay after a restart: unacknowledged transactions are delivered again, identically', async (s) => {
      const first = await s.open();
      await s.target.apply([ins(1, 'a'), ins(2, 'b')]);
      const [before] = await first.waitTxns(1, 'the first run');
      await first.stop();
      const second = await s.open();
      const [again] = await second.waitTxns(1, 'after a restart with nothing acknowledged, the transaction must be delivered again');
      const a = before?.changes.map(identity).join('; ');
      const b = again?.changes.map(identity).join('; ');
      expect(a === b, () => `the replayed transaction differs: first [${String(a)}], replayed [${String(b)}] (positions must be the same on every replay)`);
      expect(
        before?.position === again?.position,
        () => `the replayed commit position ${String(again?.position)} differs from the first ${String(before?.position)}`,
      );
      checkStream(second, undefined);
    }),

    check('positions survive a restart: nothing acknowledged comes again, nothing after it is lost', async (s) => {
      const first = await s.open();
      await s.target.apply([ins(1, 'a')]);
      await s.target.apply([ins(2, 'b')]);
      const [tx1, tx2] = await first.waitTxns(2, 'the first run');
      if (tx1 === undefined || tx2 === undefined) throw new ConformanceError('two transactions expected');
      s.acknowledge(first, tx1.position);
      await first.stop();
      const second = await s.open();
      await s.target.apply([ins(3, 'c')]);
      await until(
        () => second.changes().some((r) => recordId(r) === '3'),
        o.waitMs ?? 20_000,
        () => '',
      ).catch(() => undefined);
      const ids = second.changes().map(recordId);
      const lost = [
        ...(ids.includes('2') ? [] : [`id 2 (unacknowledged, after the acknowledged position ${tx1.position})`]),
        ...(ids.includes('3') ? [] : ['id 3 (committed after the restart)']),
      ];
      expect(lost.length === 0, () => `after a restart changes were lost: ${lost.join(', ')}; got [${summary(second.changes())}]`);
      expect(
        !ids.includes('1'),
        () => `after a restart the acknowledged change (id 1, position ${tx1.position}) was delivered again; got [${summary(second.changes())}]`,
      );
      const replayed = second.txns().find((t) => t.changes.some((r) => recordId(r) === '2'));
      expect(
        replayed?.changes.map(identity).join() === tx2.changes.map(identity).join(),
        () => `the replayed change differs: [${tx2.changes.map(identity).join()}] then [${String(replayed?.changes.map(identity).join())}]`,
      );
      checkStream(second, tx1.position);
    }),

    check("backpressure: no event while the handler's promise is pending", async (s) => {
      const run = await s.open();
      let release!: () => void;
      run.hold = new Promise<void>((resolve) => (release = resolve));
      await s.target.apply([ins(1, 'a'), ins(2, 'b'), ins(3, 'c')]);
      await s.target.apply([ins(4, 'd')]);
      // Counted from the event that took the held promise: one that arrived before it was set (e.g. an
      // idle position right after opening) was not held, and any after it broke backpressure.
      await until(
        () => run.heldAt !== undefined,
        o.waitMs ?? 20_000,
        () => 'no event arrived',
      );
      const held = run.heldAt ?? 0;
      await sleep(quietMs);
      expect(run.events.length === held, () => `${run.events.length - held} event(s) arrived while the handler's promise was pending`);
      release();
      await run.waitTxns(2, 'after the promise settled');
      expect(
        summary(run.changes()) === 'insert 1=a, insert 2=b, insert 3=c, insert 4=d',
        () => `after backpressure the changes were [${summary(run.changes())}]`,
      );
    }),

    check('pause and resume: nothing arrives while paused, everything after resume', async (s) => {
      const run = await s.open();
      await s.target.apply([ins(1, 'a')]);
      await run.waitTxns(1, 'before pausing');
      run.source.pause();
      await sleep(50);
      const before = run.changes().length;
      await s.target.apply([ins(2, 'b')]);
      await sleep(quietMs);
      expect(run.changes().length === before, () => `${run.changes().length - before} change(s) arrived while paused`);
      run.source.resume();
      await run.waitTxns(2, 'after resume');
    }),

    check('stop, done and close are idempotent', async (s) => {
      const run = await s.open();
      await s.target.apply([ins(1, 'a')]);
      await run.waitTxns(1, 'before stopping');
      await Promise.all([run.source.stop(), run.source.stop()]);
      await run.source.stop();
      const ended = await Promise.race([
        run.source.done().then(
          () => 'resolved',
          (e: unknown) => `rejected: ${String(e)}`,
        ),
        sleep(o.waitMs ?? 20_000).then(() => 'pending'),
      ]);
      expect(ended === 'resolved', () => `done() after stop() is ${ended}; it must resolve`);
      await run.source.close();
      await run.source.close();
      const unused = await s.open({ start: false });
      await unused.source.close();
      await unused.source.close();
    }),

    check('schema changes: a schema event with the new column precedes the changes that carry it', async (s) => {
      const addColumn = s.target.addColumn?.bind(s.target);
      if (addColumn === undefined) return skip('the harness cannot add a column at this source');
      const run = await s.open();
      await s.target.apply([ins(1, 'a')]);
      await run.waitTxns(1, 'before the schema change');
      await addColumn('extra');
      await s.target.apply([ins(2, 'b')]);
      await run.waitTxns(2, 'after the schema change');
      const at = run.events.findIndex((e) => e.kind === 'change' && recordId(e.record) === '2');
      const event = run.events[at];
      const has = (schema: TableSchema): boolean => schema.columns.some((c) => c.name === 'extra');
      expect(event?.kind === 'change' && has(event.record.schema), () => 'the change after the schema change does not carry the new column in its schema');
      const announced = run.events.slice(0, at).some((e) => e.kind === 'schema' && tableKey(e.schema.id) === tableKey(s.target.table) && has(e.schema));
      expect(announced, () => 'no schema event with the new column came before the first change carrying it');
      const first = run.changes()[0];
      expect(first !== undefined && !has(first.schema), () => 'the change before the schema change already carries the new column');
      return undefined;
    }),

    check('truncate: a truncate event naming the table, in stream order', async (s) => {
      const truncate = s.target.truncate?.bind(s.target);
      if (truncate === undefined) return skip('the harness cannot truncate at this source');
      const run = await s.open();
      await s.target.apply([ins(1, 'a')]);
      await truncate();
      await s.target.apply([ins(2, 'b')]);
      await until(
        () => run.changes().some((r) => recordId(r) === '2'),
        o.waitMs ?? 20_000,
        () => 'the change after the truncate did not arrive',
      );
      const kinds = run.events
        .filter((e) => e.kind !== 'idle' && e.kind !== 'schema' && e.kind !== 'mark')
        .map((e) => (e.kind === 'change' ? `change ${recordId(e.record)}` : e.kind));
      const t = kinds.indexOf('truncate');
      expect(
        t > kinds.indexOf('change 1') && t < kinds.indexOf('change 2'),
        () => `events arrived as [${kinds.join(', ')}]: the truncate must come between change 1 and change 2`,
      );
      const event = run.events.find((e) => e.kind === 'truncate');
      expect(
        event?.kind === 'truncate' && event.tables.some((id) => tableKey(id) === tableKey(s.target.table)),
        () => `the truncate event does not name ${tableKey(s.target.table)}`,
      );
      checkStream(run, undefined);
      return undefined;
    }),
  ];
}
