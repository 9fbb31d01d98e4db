/**
 * A sink that discards what it is given, for the benchmark's (d) row: dbmazz without any sink cost.
 * Loaded by path: SINK_TYPE=/abs/path/dist/bench/null-sink.js. Not a product connector.
 */
import { PLUGIN_API_VERSION, defineSink, type Sink, type TableBatch, type WriteOptions, type WriteResult } from '../core/index.js';

// The StarRocks sink's capabilities, so the pipeline does the same work before the write.
const CAPABILITIES = { partialUpdate: true, softDelete: true, idempotentBatches: true };

class NullSink implements Sink {
  readonly type = 'bench-null';
  readonly capabilities = CAPABILITIES;
  /** Like the StarRocks sink, it gets a table's next batch while the previous flush is in flight. */
  readonly awaitsReady = true;
  async validateConnection(): Promise<void> {}
  async setup(): Promise<void> {}
  async write(batch: TableBatch, _signal: AbortSignal, options?: WriteOptions): Promise<WriteResult> {
    await options?.ready;
    return { rowsWritten: batch.records.length, bytesWritten: 0, loads: 1 };
  }
  async close(): Promise<void> {}
}

export default defineSink({
  apiVersion: PLUGIN_API_VERSION,
  kind: 'sink',
  type: 'bench-null',
  description: 'Discards every batch (benchmark only)',
  settings: [],
  capabilities: CAPABILITIES,
  create: () => new NullSink(),
});
