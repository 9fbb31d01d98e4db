/**
 * The sink conformance kit: `sinkConformance(options)` registers node:test tests that drive a sink the
 * way the runtime does (settings from environment text, `create`, `validateConnection`, `setup`,
 * batches, retries, restarts with a new instance) against a fresh target per check, and read back what
 * the target holds without the sink. `runSinkConformance` runs the same checks as functions.
 */
import type { ChangeRecord } from '../../model/change-record.js';
import { tableKey, type TableId, type TableSchema } from '../../model/table.js';
import type { SinkManifest } from '../../plugin/manifest.js';
import type { Sink, TableBatch } from '../../plugin/sink.js';
import { expect, register, runChecks, skip, sleep, type CheckResult, type ConformanceCheck, type ConformanceOptions } from './checks.js';
import { configCheck, connectionErrorCheck, sinkFrom, type Environment } from './config.js';
import { conformanceSchema, describeRows, expectedRows, RecordBuilder, type ConformanceChange, type StoredRow } from './rows.js';

/** One fresh, empty target (a directory, a database) for one check. */
export interface SinkTarget {
  /** Environment text of a sink writing into this target, as an operator would set it. */
  readonly env: Environment;
  /** Creates what must exist before `setup` (e.g. StarRocks target tables); optional. */
  prepare?(tables: readonly TableSchema[]): Promise<void>;
  /**
   * What the target durably holds for `table` now, read without the sink instance (a new file handle,
   * a query): one entry per stored row, values as text. A soft-delete sink returns live rows only; a
   * log-shaped sink returns the rows its log materialises to (last change per key wins).
   */
  read(table: TableSchema): Promise<readonly StoredRow[]>;
  dispose?(): Promise<void>;
}

/** `target`: a fresh, empty target per check; `timeoutMs` default 60 s. */
export interface SinkConformanceOptions extends ConformanceOptions<SinkManifest, SinkTarget> {
  /** The kit's table (default `public.conformance_items`). */
  readonly table?: TableId;
}

const PIPELINE = 'conformance';
const DEFAULT_TABLE: TableId = { schema: 'public', name: 'conformance_items' };

/** Registers the sink checks as node:test tests. */
export function sinkConformance(options: SinkConformanceOptions): void {
  register(`sink conformance: ${options.manifest.type}`, sinkChecks(options), options.timeoutMs ?? 60_000);
}

/** Runs the sink checks; one result per check, in order. */
export function runSinkConformance(options: SinkConformanceOptions): Promise<CheckResult[]> {
  return runChecks(sinkChecks(options));
}

interface Session {
  readonly target: SinkTarget;
  readonly schema: TableSchema;
  readonly records: RecordBuilder;
  /** A new sink instance, connected and set up (a restart of the daemon makes a new one the same way). */
  open(tables?: readonly TableSchema[]): Promise<Sink>;
  write(sink: Sink, records: readonly ChangeRecord[], schema?: TableSchema): Promise<void>;
  /** Fails unless the target holds exactly `changes` applied in order (each id once). */
  expectRows(changes: readonly ConformanceChange[], what: string, schema?: TableSchema): Promise<void>;
}

function batchOf(schema: TableSchema, records: readonly ChangeRecord[]): TableBatch {
  const lsns = records.map((r) => r.lsn);
  const first = lsns.reduce((a, b) => (b < a ? b : a));
  const last = lsns.reduce((a, b) => (b > a ? b : a));
  return { schema, records, firstLsn: first, lastLsn: last, pipelineId: PIPELINE };
}

/** Every check gets a fresh target and closes every instance it opened (abandoned ones last). */
function withSession(o: SinkConformanceOptions, body: (s: Session) => Promise<void | { skipped: string }>): () => Promise<void | { skipped: string }> {
  return async () => {
    const target = await o.target();
    const schema = conformanceSchema(o.table ?? DEFAULT_TABLE);
    const opened: Sink[] = [];
    const session: Session = {
      target,
      schema,
      records: new RecordBuilder(),
      async open(tables = [schema]) {
        await target.prepare?.(tables);
        const ids = tables.map((t) => t.id);
        const sink = sinkFrom(o.manifest, target.env, ids, PIPELINE);
        opened.push(sink);
        await sink.validateConnection();
        await sink.setup(tables, { source: { id: 'dbmazz-conformance', description: 'the dbmazz conformance kit' } });
        return sink;
      },
      async write(sink, records, s = schema) {
        const options = sink.awaitsReady === true ? { ready: Promise.resolve() } : undefined;
        await sink.write(batchOf(s, records), new AbortController().signal, options);
      },
      async expectRows(changes, what, s = schema) {
        const rows = await target.read(s);
        const want = expectedRows(changes);
        const ids = rows.map((r) => r['id']);
        const dup = ids.find((id, i) => ids.indexOf(id) !== i);
        expect(dup === undefined, () => `${what}: the target holds id ${String(dup)} more than once: ${describeRows(rows)}`);
        const got = new Map(rows.map((r) => [String(r['id']), r['note'] ?? null]));
        const same = got.size === want.size && [...want].every(([id, note]) => got.get(id) === note);
        expect(same, () => `${what}: expected ${JSON.stringify(Object.fromEntries(want))}, the target holds ${describeRows(rows)}`);
      },
    };
    try {
      return await body(session);
    } finally {
      for (const sink of opened) await sink.close().catch(() => undefined);
      await target.dispose?.();
    }
  };
}

const ins = (id: number, note: string): ConformanceChange => ({ op: 'insert', id: BigInt(id), note });
const upd = (id: number, note: string): ConformanceChange => ({ op: 'update', id: BigInt(id), note });
const del = (id: number): ConformanceChange => ({ op: 'delete', id: BigInt(id) });

export function sinkChecks(o: SinkConformanceOptions): ConformanceCheck[] {
  const table = o.table ?? DEFAULT_TABLE;
  const check = (name: string, body: (s: Session) => Promise<void | { skipped: string }>): ConformanceCheck => ({ name, run: withSession(o, body) });
  return [
    configCheck(o.manifest, o.settingPrefixes ?? ['SINK_'], () => o.target(), [table]),
    connectionErrorCheck(o.manifest, o.unreachable, [table], 30_000),

    check('ordering: batches of a table are applied in stream order', async (s) => {
      const sink = await s.open();
      const a = [ins(1, 'a'), ins(2, 'b')];
      const b = [upd(1, 'a2'), del(2), ins(3, 'c')];
      const c = [upd(3, 'c2'), ins(2, 'b2')];
      for (const changes of [a, b, c]) await s.write(sink, s.records.transaction(s.schema, changes));
      await s.expectRows([...a, ...b, ...c], 'after three batches');
    }),

    check('retry with the same batch: a batch written twice is applied once', async (s) => {
      const sink = await s.open();
      const changes = [ins(1, 'a'), ins(2, 'b'), upd(1, 'a2')];
      const batch = batchOf(s.schema, s.records.transaction(s.schema, changes));
      const options = sink.awaitsReady === true ? { ready: Promise.resolve() } : undefined;
      // The runtime retries with the same batch object after a failure that may have written it.
      await sink.write(batch, new AbortController().signal, options);
      await sink.write(batch, new AbortController().signal, options);
      await s.expectRows(changes, 'after writing the same batch twice');
    }),

    check('durability before acknowledgement: rows are stored when write resolves, and survive the instance', async (s) => {
      const sink = await s.open();
      const changes = [ins(1, 'a'), ins(2, 'b')];
      await s.write(sink, s.records.transaction(s.schema, changes));
      // Read at once, before any other call: write must resolve only once the batch is durable.
      await s.expectRows(changes, 'write() resolved, so the batch must be durable; the target, read at once');
      // A crash: the instance is abandoned without close(); a new one must see the rows.
      await s.open();
      await s.expectRows(changes, 'after a restart without close()');
    }),

    check('replay after a restart: batches written again (cut differently) and later ones end exact', async (s) => {
      const first = await s.open();
      const b1 = s.records.transaction(s.schema, [ins(1, 'a'), ins(2, 'b')]);
      const b2 = s.records.transaction(s.schema, [upd(1, 'a2')]);
      await s.write(first, b1);
      await s.write(first, b2);
      // The daemon crashed before confirming: a new instance gets both transactions again, in one batch.
      const second = await s.open();
      await s.write(second, [...b1, ...b2]);
      await s.write(second, s.records.transaction(s.schema, [del(2), ins(4, 'd')]));
      await s.expectRows([ins(1, 'a'), ins(2, 'b'), upd(1, 'a2'), del(2), ins(4, 'd')], 'after the replay and a later batch');
    }),

    check('awaitsReady: nothing reaches the target before ready, nothing at all when ready rejects', async (s) => {
      const sink = await s.open();
      if (sink.awaitsReady !== true) return skip('the sink does not declare awaitsReady (the runtime hands it a batch only once the previous one is durable)');
      let open!: () => void;
      const ready = new Promise<void>((resolve) => (open = resolve));
      const writing = sink.write(batchOf(s.schema, s.records.transaction(s.schema, [ins(1, 'a')])), new AbortController().signal, { ready });
      await sleep(200);
      await s.expectRows([], 'while `ready` is pending');
      open();
      await writing;
      await s.expectRows([ins(1, 'a')], 'once `ready` resolved');
      const refused = Promise.reject(new Error('an earlier flush failed'));
      refused.catch(() => undefined);
      const late = await sink.write(batchOf(s.schema, s.records.transaction(s.schema, [ins(2, 'b')])), new AbortController().signal, { ready: refused }).then(
        () => 'resolved',
        () => 'rejected',
      );
      expect(late === 'rejected', () => 'write resolved although `ready` rejected');
      await s.expectRows([ins(1, 'a')], 'after a write whose `ready` rejected');
      return undefined;
    }),

    check('close is idempotent, also without setup', async (s) => {
      const sink = await s.open();
      await s.write(sink, s.records.transaction(s.schema, [ins(1, 'a')]));
      await sink.close();
      await sink.close();
      const ids = [s.schema.id];
      const unused = sinkFrom(o.manifest, s.target.env, ids, PIPELINE);
      await unused.close();
      await unused.close();
      await s.expectRows([ins(1, 'a')], 'after closing');
    }),

    check('schema changes: a new column is stored from the batch that carries it', async (s) => {
      const sink = await s.open();
      await s.write(sink, s.records.transaction(s.schema, [ins(1, 'a')]));
      const next = conformanceSchema(s.schema.id, ['extra'], s.schema.version + 1);
      await s.target.prepare?.([next]);
      await sink.schemaChanged?.(next, s.schema);
      await s.write(sink, s.records.transaction(next, [ins(2, 'b')], 'x'), next);
      await s.expectRows([ins(1, 'a'), ins(2, 'b')], 'after the schema change', next);
      const row = (await s.target.read(next)).find((r) => r['id'] === '2');
      expect(row?.['extra'] === 'x', () => `the new column 'extra' of id 2 holds ${JSON.stringify(row?.['extra'])}, expected "x"`);
    }),

    check('truncate: empties the table, idempotently, in stream order', async (s) => {
      const sink = await s.open();
      const truncate = sink.truncate?.bind(sink);
      if (truncate === undefined) return skip('the sink has no truncate (the runtime warns and counts source truncates)');
      await s.write(sink, s.records.transaction(s.schema, [ins(1, 'a'), ins(2, 'b')]));
      const at = s.records.transaction(s.schema, [ins(0, 'position')])[0]?.lsn ?? 0n;
      await truncate([s.schema.id], new AbortController().signal, at);
      await s.expectRows([], 'after truncate');
      await truncate([s.schema.id], new AbortController().signal, at);
      await s.write(sink, s.records.transaction(s.schema, [ins(3, 'c')]));
      await s.expectRows([ins(3, 'c')], `after a replayed truncate of ${tableKey(s.schema.id)} and a later insert`);
      return undefined;
    }),
  ];
}
