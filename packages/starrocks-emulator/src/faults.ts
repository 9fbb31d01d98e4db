/**
 * Fault injection for BE Stream Loads (`PUT /api/{db}/{table}/_stream_load` on a BE).
 *
 * A fault applies to the next `times` matching loads (default 1), or — with `probability` — to each
 * matching load with that probability (unlimited unless `times` is also given). `db` / `table`
 * restrict matching; `after` lets that many matching loads through first (e.g. `after: 1` fails the
 * second load of a batch). The first matching fault (in injection order) wins for a load.
 *
 * Kinds:
 * - `http500` / `http503`: plain HTTP error at header time (no txn, no 100 Continue).
 * - `dropMidBody`: 100 Continue, read `afterBytes` bytes (default: half of Content-Length, else 1),
 *   destroy the socket; the txn is aborted.
 * - `hang`: read the body, then never answer (until the client gives up, or `hangMs` passes — then the
 *   socket is destroyed). With `commit: true` the load is applied first (label FINISHED); otherwise the
 *   label stays RUNNING while hanging and becomes ABORTED when the socket closes.
 * - `fail`: reply `Status: Fail` with `message` (txn aborted).
 * - `publishTimeout`: apply the load, reply `Status: Publish Timeout` (label VISIBLE).
 * - `commitThenDrop`: apply the load (label VISIBLE), destroy the socket without a reply.
 * - `tooManyVersions`: reply `Fail` with the "too many versions" text of §3.3.
 * - `slow`: read the body, wait `delayMs` (default 200), then apply the load and answer as usual (a
 *   busy BE: loads sent later may finish first). Label PREPARE while waiting; a client that gives up
 *   meanwhile aborts it.
 */

export type FaultKind = 'http500' | 'http503' | 'dropMidBody' | 'hang' | 'fail' | 'publishTimeout' | 'commitThenDrop' | 'tooManyVersions' | 'slow';

export const FAULT_KINDS: readonly FaultKind[] = [
  'http500',
  'http503',
  'dropMidBody',
  'hang',
  'fail',
  'publishTimeout',
  'commitThenDrop',
  'tooManyVersions',
  'slow',
];

export interface FaultSpec {
  readonly kind: FaultKind;
  readonly times?: number | undefined;
  readonly probability?: number | undefined;
  /** Matching loads to let through before the fault applies (default 0). */
  readonly after?: number | undefined;
  readonly db?: string | undefined;
  readonly table?: string | undefined;
  /** `fail`: the message. */
  readonly message?: string | undefined;
  /** `hang`: how long to hold the request before destroying the socket (default 1 hour). */
  readonly hangMs?: number | undefined;
  /** `hang`: apply the load before hanging. */
  readonly commit?: boolean | undefined;
  /** `dropMidBody`: bytes to read before dropping. */
  readonly afterBytes?: number | undefined;
  /** `slow`: how long to wait before applying the load and answering (default 200). */
  readonly delayMs?: number | undefined;
}

export interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  remaining: number | null;
  hits: number;
  /** Matching loads let through so far (`after`). */
  passed: number;
}

export const TOO_MANY_VERSIONS_MESSAGE = (tabletId: number): string =>
  `Failed to load data into tablet ${tabletId}, because of too many versions, current/limit: 1001/1000. You can reduce the loading job concurrency, or increase loading data batch size. If you are loading data with Routine Load, you can increase FE configs routine_load_task_consume_second and max_routine_load_batch_size,`;

/** Validates an untrusted spec (admin HTTP endpoint); returns an error text or the spec. */
export function parseFaultSpec(v: unknown): FaultSpec | string {
  if (typeof v !== 'object' || v === null) return 'fault spec must be a JSON object';
  const o = v as Record<string, unknown>;
  const kind = o['kind'];
  if (typeof kind !== 'string' || !(FAULT_KINDS as readonly string[]).includes(kind)) return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  const num = (k: string): number | undefined | string => {
    const x = o[k];
    if (x === undefined) return undefined;
    return typeof x === 'number' && Number.isFinite(x) && x >= 0 ? x : `${k} must be a non-negative number`;
  };
  const str = (k: string): string | undefined | { error: string } => {
    const x = o[k];
    if (x === undefined) return undefined;
    return typeof x === 'string' ? x : { error: `${k} must be a string` };
  };
  const times = num('times');
  const probability = num('probability');
  const hangMs = num('hangMs');
  const afterBytes = num('afterBytes');
  const after = num('after');
  const delayMs = num('delayMs');
  for (const x of [times, probability, hangMs, afterBytes, after, delayMs]) if (typeof x === 'string') return x;
  if (typeof probability === 'number' && probability > 1) return 'probability must be between 0 and 1';
  const db = str('db');
  const table = str('table');
  const message = str('message');
  for (const x of [db, table, message]) if (typeof x === 'object') return x.error;
  const commit = o['commit'];
  if (commit !== undefined && typeof commit !== 'boolean') return 'commit must be a boolean';
  return {
    kind: kind as FaultKind,
    times: times as number | undefined,
    probability: probability as number | undefined,
    after: after as number | undefined,
    hangMs: hangMs as number | undefined,
    afterBytes: afterBytes as number | undefined,
    delayMs: delayMs as number | undefined,
    db: db as string | undefined,
    table: table as string | undefined,
    message: message as string | undefined,
    commit: commit,
  };
}

export class FaultInjector {
  readonly #faults: ActiveFault[] = [];
  #nextId = 1;
  #holding = 0;

  constructor(private readonly random: () => number = Math.random) {}

  inject(spec: FaultSpec): number {
    const id = this.#nextId++;
    const remaining = spec.times !== undefined ? spec.times : spec.probability !== undefined ? null : 1;
    this.#faults.push({ id, spec, remaining, hits: 0, passed: 0 });
    return id;
  }

  /** Remove one fault, or all of them. */
  clear(id?: number): void {
    if (id === undefined) this.#faults.length = 0;
    else {
      const i = this.#faults.findIndex((f) => f.id === id);
      if (i >= 0) this.#faults.splice(i, 1);
    }
  }

  list(): readonly ActiveFault[] {
    return this.#faults;
  }

  /** Loads a `slow` fault holds now, their whole body received (a test can then freeze the client safely). */
  holding(): number {
    return this.#holding;
  }

  /** A `slow` fault starts holding a load; call the returned function once when it stops. */
  hold(): () => void {
    this.#holding++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holding--;
    };
  }

  /** The fault to apply to a load on db.table (consumes one use), if any. */
  take(db: string, table: string): FaultSpec | null {
    for (let i = 0; i < this.#faults.length; i++) {
      const f = this.#faults[i];
      if (!f) continue;
      if (f.spec.db !== undefined && f.spec.db !== db) continue;
      if (f.spec.table !== undefined && f.spec.table !== table) continue;
      if (f.spec.after !== undefined && f.passed < f.spec.after) {
        f.passed++;
        continue;
      }
      if (f.spec.probability !== undefined && this.random() >= f.spec.probability) continue;
      f.hits++;
      if (f.remaining !== null) {
        f.remaining--;
        if (f.remaining <= 0) this.#faults.splice(i, 1);
      }
      return f.spec;
    }
    return null;
  }
}
