/** Starts a pipeline over the memory source and sink with a fake clock. */
import type { PipelineOptions } from '../../../../core/pipeline/options.js';
import { runLifecycle, type RunningPipeline } from '../../../../core/runtime/lifecycle.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import {
  createTestLogger,
  FakeClock,
  MemorySink,
  MemorySource,
  settle,
  StreamBuilder,
  testTable,
  type MemorySinkOptions,
  type MemorySourceOptions,
  type TestLogger,
} from '../../../../core/testing/index.js';
import type { TableSchema } from '../../../../core/model/table.js';

export const orders = testTable('orders');
export const items = testTable('items');

export interface Harness {
  readonly source: MemorySource;
  readonly sink: MemorySink;
  readonly clock: FakeClock;
  readonly state: RuntimeState;
  readonly log: TestLogger;
  readonly pipeline: RunningPipeline;
  readonly stream: StreamBuilder;
}

export interface HarnessOptions extends Partial<Omit<PipelineOptions, 'retry'>> {
  readonly retry?: Partial<PipelineOptions['retry']>;
  readonly sink?: MemorySinkOptions;
  readonly source?: Partial<MemorySourceOptions>;
  readonly tables?: readonly TableSchema[];
  readonly random?: () => number;
  /** Another memory sink (e.g. a subclass); `sink` options are then ignored. */
  readonly makeSink?: () => MemorySink;
}

export function options(o: HarnessOptions = {}): PipelineOptions {
  return {
    pipelineId: o.pipelineId ?? 'dbmazz_slot',
    flushSize: o.flushSize ?? 100,
    flushIntervalMs: o.flushIntervalMs ?? 1000,
    maxBufferedEvents: o.maxBufferedEvents ?? 10_000,
    maxBufferedBytes: o.maxBufferedBytes ?? 1 << 30,
    retry: { maxAttempts: 5, initialDelayMs: 100, maxDelayMs: 1000, ...o.retry },
    tableConcurrency: o.tableConcurrency ?? 4,
    summaryIntervalMs: o.summaryIntervalMs ?? 0,
    ...(o.truncatePolicy !== undefined ? { truncatePolicy: o.truncatePolicy } : {}),
  };
}

export async function startPipeline(o: HarnessOptions = {}): Promise<Harness> {
  const tables = o.tables ?? [orders, items];
  const source = new MemorySource({ tables, ...o.source });
  const sink = o.makeSink?.() ?? new MemorySink(o.sink);
  const clock = new FakeClock();
  const state = new RuntimeState();
  const log = createTestLogger('debug');
  const pipeline = await runLifecycle({
    source,
    sink,
    state,
    logger: log.logger,
    options: options(o),
    clock,
    random: o.random ?? (() => 0.5),
  });
  await settle();
  return { source, sink, clock, state, log, pipeline, stream: new StreamBuilder() };
}

/** Advances the fake clock and lets the work it triggers run. */
export async function tick(h: Harness, ms: number): Promise<void> {
  h.clock.advance(ms);
  await settle();
}

export { settle };
