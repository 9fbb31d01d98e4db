/**
 * Where snapshot progress survives the process: the sink's StateStore (next to the data it
 * describes, so emptying the target also forgets the progress), one entry per table under
 * `snapshot/<pipeline>/`. An entry exists from the moment a snapshot is decided (before the slot is
 * created or the table published) until its last chunk is durable; then it is deleted.
 */
import { tableKey, type StateStore, type TableId, type TableSnapshotProgress } from '../../../core/index.js';

export interface StoredSnapshot {
  readonly table: TableId;
  readonly reason: TableSnapshotProgress['reason'];
  /** The last key (as text) of the last durable chunk; null before the first. */
  readonly after: readonly string[] | null;
  /** Keys to read again (left out of a chunk because a newer change touched them), as text. */
  readonly reread: readonly (readonly string[])[];
  readonly rows: number;
  readonly chunks: number;
  readonly estimated: number;
  readonly startedAtMs: number | null;
  /** The version of the snapshot's first placed chunk (decimal text; the sweep's bound); null before. */
  readonly since: string | null;
}

function isStored(v: unknown): v is StoredSnapshot {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  const t = o['table'] as Record<string, unknown> | undefined;
  return (
    typeof t?.['schema'] === 'string' &&
    typeof t['name'] === 'string' &&
    (o['reason'] === 'initial' || o['reason'] === 'added' || o['reason'] === 'requested') &&
    (o['after'] === null || (Array.isArray(o['after']) && o['after'].every((x) => typeof x === 'string'))) &&
    Array.isArray(o['reread']) &&
    typeof o['rows'] === 'number' &&
    typeof o['chunks'] === 'number' &&
    (o['since'] === undefined || o['since'] === null || (typeof o['since'] === 'string' && /^\d+$/.test(o['since'])))
  );
}

export class SnapshotProgressStore {
  private store: StateStore | undefined;

  constructor(private readonly pipelineId: string) {}

  attach(store: StateStore): void {
    this.store = store;
  }

  /** Runs `fn` with the store (undefined when the sink keeps none): other entries of this pipeline, e.g. the slot marker. */
  withStore<T>(fn: (store: StateStore | undefined) => Promise<T>): Promise<T> {
    return fn(this.store);
  }

  /** The slot marker (replication/slot-loss.ts), read with `read`. */
  slotMarker<T>(read: (store: StateStore | undefined, pipelineId: string) => Promise<T>): Promise<T> {
    return read(this.store, this.pipelineId);
  }

  get durable(): boolean {
    return this.store !== undefined;
  }

  private get prefix(): string {
    return `snapshot/${this.pipelineId}/`;
  }

  private keyOf(id: TableId): string {
    return `${this.prefix}${tableKey(id)}`;
  }

  /** Every stored entry; entries that cannot be read are reported through `bad` and skipped. */
  async load(bad: (key: string) => void): Promise<StoredSnapshot[]> {
    if (!this.store) return [];
    const out: StoredSnapshot[] = [];
    for (const [key, text] of await this.store.list(this.prefix)) {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        v = undefined;
      }
      if (isStored(v)) out.push(v);
      else bad(key);
    }
    return out;
  }

  async save(s: StoredSnapshot): Promise<void> {
    await this.store?.put(this.keyOf(s.table), JSON.stringify(s));
  }

  async remove(id: TableId): Promise<void> {
    await this.store?.delete(this.keyOf(id));
  }
}
