/** A memory sink that declares `awaitsReady`: it notes each batch as prepared at once, then sends after `ready`. */
import type { TableBatch, WriteOptions, WriteResult } from '../../../../core/plugin/sink.js';
import { MemorySink } from '../../../../core/testing/index.js';

export class PreparingSink extends MemorySink {
  readonly awaitsReady = true;
  /** `table:firstId` of every write call, when it was called (before `ready`). */
  readonly prepared: string[] = [];
  /** Whether each call got a `ready`. */
  readonly readyGiven: boolean[] = [];

  override async write(batch: TableBatch, signal: AbortSignal, options?: WriteOptions): Promise<WriteResult> {
    this.prepared.push(`${batch.schema.id.name}:${String(firstId(batch))}`);
    this.readyGiven.push(options?.ready !== undefined);
    await options?.ready;
    return super.write(batch, signal);
  }
}

/** The key (first value) of a batch's first record. */
export function firstId(batch: TableBatch): unknown {
  const r = batch.records[0];
  return r === undefined ? undefined : (r.op === 'delete' ? r.before : r.after)[0];
}
