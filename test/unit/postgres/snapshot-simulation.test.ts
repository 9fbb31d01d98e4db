/**
 * The snapshot engine against a model of PostgreSQL and of the sink, driven by seeded random
 * interleavings: transactions that stay open across chunk reads, commits streamed with a delay, reads
 * of several tables in flight at once and returning in any order, chunks placed at transaction
 * boundaries (also from within `ready`, as an idle stream does), marks made durable at once or later,
 * key changes that ask for re-reads, stale target rows for the sweep, a table snapshotted again on
 * request in the middle (a new generation), conflict retries on the engine's clock, a SIGKILL and
 * restart resuming from the stored progress (with the commits still waiting for a standby handed to
 * the new tracker, as the source does). After every run each table is
 * done and the sink's live rows equal PostgreSQL's, row by row.
 *
 * PostgreSQL model: a table's rows by key with their history (value, commit sequence); a read takes
 * its MVCC snapshot when it starts (xmin, xmax, the transactions still open) and sees the rows of the
 * transactions committed before. Sink model: rows with a version applied as StarRocks applies them with
 * `merge_condition` (an equal or higher version wins), deletes as soft deletes, the sweep as in
 * docs/architecture.md ("Sweep").
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { StateStore, TableId, TableSchema, Value } from '../../../core/index.js';
import { SnapshotEngine } from '../../../connectors/postgres/snapshot/engine.js';
import { SnapshotProgressStore } from '../../../connectors/postgres/snapshot/progress-store.js';
import type { RawRead, SnapshotReader } from '../../../connectors/postgres/snapshot/reader.js';
import type { RowsInto } from '../../../connectors/postgres/snapshot/chunk-rows.js';
import { recordsOf } from '../../helpers/events.js';
import type { SqlText } from '../../../connectors/postgres/snapshot/chunk-sql.js';
import type { PgSnapshot } from '../../../connectors/postgres/snapshot/pg-snapshot.js';
import { TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';
import { keyText } from '../../../connectors/postgres/snapshot/key-text.js';
import { mulberry32 } from '../../helpers/random.js';

const TABLES = ['t1', 't2', 't3'] as const;
type Table = (typeof TABLES)[number];
const idOf = (t: Table): TableId => ({ schema: 'public', name: t });
const schemaOf = (t: Table): TableSchema => ({
  id: idOf(t),
  columns: [
    { name: 'id', typeName: 'int8', typeOid: 20, typeModifier: -1, isKey: true, family: 'int8' },
    { name: 'v', typeName: 'text', typeOid: 25, typeModifier: -1, isKey: false, family: 'text' },
  ],
  keyColumns: ['id'],
  version: 1,
});
const reg = new TypeRegistry();
const types = [reg.lookup(20), reg.lookup(25)];
const KEYS = 40;

type Write = { readonly table: Table; readonly id: number; readonly v: string | null; readonly movedFrom?: number };
interface Committed {
  readonly xid: number;
  readonly lsn: bigint;
  readonly writes: readonly Write[];
}
interface SinkRow {
  v: string | null;
  deleted: boolean;
  version: bigint;
}

/** PostgreSQL: rows with their history by commit sequence; open transactions by xid. */
class Pg {
  /** table → id → [(commit seq, value or null = deleted)] */
  readonly history = new Map<Table, Map<number, { seq: number; v: string | null }[]>>(TABLES.map((t) => [t, new Map()]));
  readonly open = new Set<number>();
  nextXid = 100;
  seq = 0;
  lsn = 1000n;

  current(t: Table, id: number): string | null {
    const h = this.history.get(t)?.get(id);
    return h?.[h.length - 1]?.v ?? null;
  }

  apply(t: Table, id: number, v: string | null): void {
    const m = this.history.get(t);
    if (!m) return;
    const h = m.get(id) ?? [];
    h.push({ seq: this.seq, v });
    m.set(id, h);
  }

  snapshot(): { snap: PgSnapshot; seq: number } {
    const inProgress = new Set(this.open);
    const xmin = inProgress.size > 0 ? Math.min(...inProgress) : this.nextXid;
    return { snap: { xmin, xmax: this.nextXid, inProgress, text: `${xmin}:${this.nextXid}:${[...inProgress].join(',')}` }, seq: this.seq };
  }

  rowsAt(t: Table, seq: number): Map<number, string> {
    const out = new Map<number, string>();
    for (const [id, h] of this.history.get(t) ?? []) {
      let v: string | null = null;
      for (const e of h) if (e.seq <= seq) v = e.v;
      if (v !== null) out.set(id, v);
    }
    return out;
  }
}

interface PendingRead {
  readonly sql: SqlText;
  readonly at: { snap: PgSnapshot; seq: number };
  readonly walLsn: bigint;
  readonly into: RowsInto;
  readonly resolve: (r: RawRead) => void;
  readonly reject: (e: Error) => void;
}

function tableOf(sql: SqlText): Table {
  const m = /FROM "public"\."(t\d)"/.exec(sql.text);
  const t = TABLES.find((x) => x === m?.[1]);
  if (!t) throw new Error(`unknown table in ${sql.text}`);
  return t;
}

/** Answers a read as PostgreSQL would in the read's snapshot. */
function answer(pg: Pg, r: PendingRead): void {
  const t = tableOf(r.sql);
  const rows = pg.rowsAt(t, r.at.seq);
  let ids: number[];
  if (/ IN \(/.test(r.sql.text)) ids = r.sql.values.map(Number).filter((id) => rows.has(id));
  else {
    const after = r.sql.values[0] === undefined ? -Infinity : Number(r.sql.values[0]);
    const limit = Number(/LIMIT (\d+)/.exec(r.sql.text)?.[1]);
    ids = [...rows.keys()]
      .filter((id) => id > after)
      .sort((a, b) => a - b)
      .slice(0, limit);
  }
  for (const id of ids) r.into.cells([String(id), rows.get(id) ?? null]);
  r.resolve({ snapshot: r.at.snap, walLsn: r.walLsn });
}

async function run(seed: number): Promise<void> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const pg = new Pg();
  const sink = new Map<Table, Map<number, SinkRow>>(TABLES.map((t) => [t, new Map()]));
  const log: string[] = [];

  // Existing rows (committed before the slot), and stale target rows from an earlier replication.
  pg.seq += 1;
  for (const t of TABLES) for (let id = 1; id <= KEYS; id++) if (rnd() < 0.6) pg.apply(t, id, `init-${id}`);
  for (const t of TABLES) {
    for (let id = 1; id <= KEYS; id++) {
      if (rnd() < 0.3) sink.get(t)?.set(id, { v: `stale-${id}`, deleted: false, version: 500n + BigInt(Math.floor(rnd() * 400)) });
    }
  }

  const reads: PendingRead[] = [];
  const reader = {
    read(sql: SqlText, _doing: string, into: RowsInto): Promise<RawRead> {
      return new Promise<RawRead>((resolve, reject) => reads.push({ sql, at: pg.snapshot(), walLsn: pg.lsn, into, resolve, reject }));
    },
    async scalar(): Promise<string | undefined> {
      return String(KEYS);
    },
    async close(): Promise<void> {},
  } as unknown as SnapshotReader;

  /** Writes in the sink as StarRocks applies them: merge_condition on the version (ties apply). */
  const upsert = (t: Table, id: number, v: string | null, deleted: boolean, version: bigint): void => {
    const rows = sink.get(t);
    const old = rows?.get(id);
    if (old && version < old.version) return;
    rows?.set(id, { v, deleted, version });
  };

  let lastStreamed = 1000n;
  const stream: Committed[] = [];
  const openTx = new Map<number, Write[]>();
  const pendingMarks: string[] = [];
  let wanted = false;
  let inTake = false;

  const place = (): void => {
    if (inTake) return;
    inTake = true;
    wanted = false;
    // Where the stream stands: the last streamed commit, or (nothing left to stream) the WAL's end.
    const version = stream.length === 0 && rnd() < 0.5 ? pg.lsn : lastStreamed;
    if (version < catchUp) {
      // After a restart chunks wait until the stream passed the WAL's end at start (source.ts).
      inTake = false;
      wanted = true;
      return;
    }
    const { rows, marks } = engine.take(version, true, 0n);
    for (const record of recordsOf(rows)) {
      if (record.op !== 'insert') continue;
      const [id, v] = record.after as Value[];
      const t = record.schema.id.name as Table;
      upsert(t, Number(id), typeof v === 'string' ? v : null, false, record.commitLsn);
      log.push(`place ${t}/${String(id)}=${String(v)}@${record.commitLsn}`);
    }
    for (const e of marks) {
      if (e.kind === 'sweep') {
        const t = e.table.name as Table;
        for (const [id, r] of sink.get(t) ?? []) if (!r.deleted && r.version < e.before) upsert(t, id, r.v, true, e.before - 1n);
        log.push(`sweep ${t} < ${e.before}`);
      } else if (e.kind === 'mark') pendingMarks.push(e.token);
    }
    inTake = false;
    // An idle pipeline releases a mark at once (from within the same call).
    if (rnd() < 0.5) while (pendingMarks.length > 0) engine.marked(pendingMarks.shift() ?? '');
  };

  // The engine's clock (conflict retries wait on it): 5 ms per step.
  let clock = 1_000_000;
  const chunkRows = 1 + Math.floor(rnd() * 8);
  const parallelism = 1 + Math.floor(rnd() * 3);
  // The sink's state store: snapshot progress survives a crash.
  const state = new Map<string, string>();
  const store: StateStore = {
    list: async (prefix) => new Map([...state].filter(([k]) => k.startsWith(prefix))),
    put: async (k, v) => void state.set(k, v),
    delete: async (k) => void state.delete(k),
  };
  const progressStore = (): SnapshotProgressStore => {
    const p = new SnapshotProgressStore('sim');
    p.attach(store);
    return p;
  };
  const makeEngine = (): SnapshotEngine =>
    new SnapshotEngine({
      logger: pino({ level: 'silent' }),
      chunkRows,
      parallelism,
      progress: progressStore(),
      describe: (id) => {
        const t = TABLES.find((x) => x === id.name);
        return t ? { schema: schemaOf(t), types } : undefined;
      },
      newReader: () => reader,
      now: () => clock,
      ready: () => {
        wanted = true;
        // The idle stream places a chunk as soon as it is ready.
        if (stream.length === 0 && openTx.size === 0 && rnd() < 0.5) place();
      },
      failed: (e) => assert.fail(`seed ${seed}: ${e.message}`),
    });
  let engine = makeEngine();
  let catchUp = 0n;
  await engine.plan(TABLES.map(idOf), 'initial');
  engine.start();
  /**
   * SIGKILL and restart: reads in flight and marks not yet durable are lost; the rows already written
   * stay; the new run resumes from the stored progress, with a tracker that knows nothing streamed
   * before except the commits still waiting for the standby (the source lists them at start).
   */
  const crash = async (): Promise<void> => {
    await engine.stop();
    for (const r of reads.splice(0)) r.reject(new Error('connection lost'));
    pendingMarks.length = 0;
    wanted = false;
    engine = makeEngine();
    await engine.resume();
    if (finishing) engine.tracker.streamedBeforeStart([finishing.xid]);
    catchUp = pg.lsn;
    engine.start();
    log.push('crash');
  };

  const keysOf = (writes: readonly Write[]): string[] =>
    writes.flatMap((w) => [`${w.table}/${w.id}`, ...(w.movedFrom === undefined ? [] : [`${w.table}/${w.movedFrom}`])]);
  /**
   * A commit in the WAL (so streamed) but not yet visible to new snapshots, as while it waits for a
   * synchronous standby. It holds its rows' locks meanwhile: no other transaction writing them commits.
   */
  let finishing: { readonly xid: number; readonly writes: readonly Write[]; readonly keys: ReadonlySet<string> } | undefined;
  const becomeVisible = (xid: number, writes: readonly Write[]): void => {
    pg.open.delete(xid);
    pg.seq += 1;
    for (const w of writes) {
      if (w.movedFrom !== undefined) pg.apply(w.table, w.movedFrom, null);
      pg.apply(w.table, w.id, w.v);
    }
  };
  const commit = (xid: number): void => {
    const writes = openTx.get(xid) ?? [];
    if (finishing && keysOf(writes).some((k) => finishing?.keys.has(k))) return;
    openTx.delete(xid);
    pg.lsn += 10n;
    stream.push({ xid, lsn: pg.lsn, writes });
    if (finishing === undefined && rnd() < 0.2) finishing = { xid, writes, keys: new Set(keysOf(writes)) };
    else becomeVisible(xid, writes);
  };
  const finish = (): void => {
    if (!finishing) return;
    becomeVisible(finishing.xid, finishing.writes);
    finishing = undefined;
  };

  /** Plans the writes of a transaction on the rows as they are now (applied at its commit). */
  const writesFor = (xid: number): Write[] => {
    const out: Write[] = [];
    const used = new Set<string>();
    for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
      const t = pick(TABLES);
      const id = 1 + Math.floor(rnd() * KEYS);
      if (used.has(`${t}/${id}`)) continue;
      used.add(`${t}/${id}`);
      const exists = pg.current(t, id) !== null;
      const r = rnd();
      if (!exists) out.push({ table: t, id, v: `ins-${xid}` });
      else if (r < 0.6) out.push({ table: t, id, v: `upd-${xid}` });
      else if (r < 0.8) out.push({ table: t, id, v: null });
      else {
        const to = 1 + Math.floor(rnd() * KEYS);
        if (pg.current(t, to) !== null || used.has(`${t}/${to}`)) continue;
        used.add(`${t}/${to}`);
        out.push({ table: t, id: to, v: pg.current(t, id), movedFrom: id });
      }
    }
    return out;
  };

  const deliver = (): void => {
    const c = stream.shift();
    if (!c) return;
    engine.tracker.begin(c.xid);
    for (const w of c.writes) {
      const key = `public.${w.table}`;
      engine.tracker.touch(key, keyText([BigInt(w.id)], [0]));
      if (w.movedFrom !== undefined) {
        engine.tracker.touch(key, keyText([BigInt(w.movedFrom)], [0]));
        upsert(w.table, w.movedFrom, null, true, c.lsn);
        if (rnd() < 0.5) engine.rereadMovedKey(key, [BigInt(w.id)]);
      }
      upsert(w.table, w.id, w.v, w.v === null, c.lsn);
      log.push(`stream ${c.xid}@${c.lsn} ${w.table}/${w.id}=${String(w.v)}${w.movedFrom !== undefined ? ` from ${w.movedFrom}` : ''}`);
    }
    engine.tracker.commit(c.lsn);
    lastStreamed = c.lsn;
  };

  const writers = 40 + Math.floor(rnd() * 80);
  let begun = 0;
  // Sometimes a table is snapshotted again on request while the writes run (a new generation).
  const replanAt = rnd() < 0.3 ? Math.floor(rnd() * 400) : -1;
  const crashAt = rnd() < 0.4 ? Math.floor(rnd() * 600) : -1;
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  for (let step = 0; step < 20_000; step++) {
    clock += 5;
    const allDone = engine.progress().every((p) => p.phase === 'done');
    const quiet = begun >= writers && openTx.size === 0 && stream.length === 0 && !finishing;
    if (allDone && quiet && step > replanAt && step > crashAt) break;
    if (step === crashAt) {
      await crash();
      continue;
    }
    if (step === replanAt) {
      await engine.plan([idOf(pick(TABLES))], 'requested');
      continue;
    }
    // Nothing left to do but a retry the engine waits for: let real time pass for its timer.
    if (quiet && reads.length === 0 && !wanted && pendingMarks.length === 0) await new Promise((res) => setTimeout(res, 1));
    const r = rnd();
    if (r < 0.05) finish();
    if (r < 0.15 && begun < writers) {
      const xid = pg.nextXid++;
      pg.open.add(xid);
      openTx.set(xid, writesFor(xid));
      begun += 1;
    } else if (r < 0.3 && openTx.size > 0) commit(pick([...openTx.keys()]));
    else if (r < 0.45) deliver();
    else if (r < 0.6 && reads.length > 0) answer(pg, reads.splice(Math.floor(rnd() * reads.length), 1)[0] as PendingRead);
    else if (r < 0.75 && wanted) place();
    else if (r < 0.85 && pendingMarks.length > 0) engine.marked(pendingMarks.shift() ?? '');
    else if (begun >= writers && openTx.size === 0) {
      // Writers are done: let the rest happen.
      finish();
      deliver();
      if (reads.length > 0) answer(pg, reads.shift() as PendingRead);
      if (wanted) place();
      while (pendingMarks.length > 0) engine.marked(pendingMarks.shift() ?? '');
    }
    await tick();
  }
  const progress = engine.progress();
  await engine.stop();
  assert.deepEqual(
    progress.filter((p) => p.phase !== 'done').map((p) => `${p.table.name}: ${p.phase}`),
    [],
    `seed ${seed}: every table's snapshot completes`,
  );
  for (const t of TABLES) {
    const expected = pg.rowsAt(t, pg.seq);
    const problems: string[] = [];
    for (const [id, v] of expected) {
      const s = sink.get(t)?.get(id);
      if (!s || s.deleted || s.v !== v)
        problems.push(`${t}/${id}: PostgreSQL ${v}, sink ${s ? `${String(s.v)}${s.deleted ? ' (deleted)' : ''}@${s.version}` : 'missing'}`);
    }
    for (const [id, s] of sink.get(t) ?? [])
      if (!s.deleted && !expected.has(id)) problems.push(`${t}/${id}: live in the sink (${String(s.v)}), absent in PostgreSQL`);
    if (problems.length > 0) {
      const related = problems.map((p) => p.split(':')[0] ?? '');
      const trail = log.filter((l) => related.some((k) => l.includes(` ${k}=`) || l.includes(` ${k} `) || l.startsWith(`sweep ${k.split('/')[0]}`)));
      assert.fail(`seed ${seed}:\n${problems.join('\n')}\n--- trail ---\n${trail.slice(-40).join('\n')}`);
    }
  }
}

describe('snapshot engine: simulated interleavings against models of PostgreSQL and the sink', () => {
  it('every table completes and the sink equals PostgreSQL, for 300 seeded interleavings', async () => {
    for (let seed = 1; seed <= 300; seed++) await run(seed);
  });
});
