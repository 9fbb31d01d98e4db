/**
 * The control plane in-process over the memory connectors: a RuntimeState, the lifecycle and the
 * DaemonController wired as the daemon wires them, the real gRPC server on 127.0.0.1:0 and a real
 * client. `finish()` does what the daemon does once the pipeline is done.
 */
import { DaemonController } from '../../../../core/control/controller.js';
import { ControlServer } from '../../../../core/control/server.js';
import type { GrpcSettings } from '../../../../core/control/settings.js';
import { observeSink, observeSource } from '../../../../core/metrics/observed-connectors.js';
import { PipelineMetrics } from '../../../../core/metrics/pipeline-metrics.js';
import type { Lsn } from '../../../../core/model/lsn.js';
import { tableKey, type TableId, type TableSchema } from '../../../../core/model/table.js';
import type { Source } from '../../../../core/plugin/source.js';
import { runLifecycle, type RunningPipeline } from '../../../../core/runtime/lifecycle.js';
import { RuntimeState } from '../../../../core/runtime/state.js';
import {
  createTestLogger,
  MemorySink,
  MemorySource,
  StreamBuilder,
  testTable,
  type MemorySnapshotOptions,
  type TestLogger,
} from '../../../../core/testing/index.js';
import { options } from '../pipeline/harness.js';
import { DbmazzClient, type ClientOptions } from './grpc-client.js';

export const orders = testTable('orders');
export const items = testTable('items');

/** A memory source that can add and remove tables while streaming, as the PostgreSQL source does. */
export class LiveMemorySource extends MemorySource {
  readonly catalog = new Map<string, TableSchema>();
  readonly added: string[] = [];
  readonly removed: string[] = [];
  destroyed = 0;

  async checkTables(tables: readonly TableId[]): Promise<readonly TableSchema[]> {
    return tables.map((t) => {
      const s = this.catalog.get(tableKey(t));
      if (s === undefined) throw new Error(`Table '${tableKey(t)}' not found in the memory catalog`);
      return s;
    });
  }
  async addTables(tables: readonly TableSchema[]): Promise<void> {
    this.added.push(...tables.map((t) => tableKey(t.id)));
  }
  async removeTables(tables: readonly TableId[]): Promise<void> {
    this.removed.push(...tables.map(tableKey));
  }
  async destroy(): Promise<void> {
    this.destroyed += 1;
  }
}

export interface ControlHarness {
  readonly state: RuntimeState;
  readonly source: LiveMemorySource;
  readonly sink: MemorySink;
  readonly controller: DaemonController;
  readonly metrics: PipelineMetrics;
  readonly server: ControlServer;
  readonly client: DbmazzClient;
  readonly stream: StreamBuilder;
  readonly log: TestLogger;
  /** Sources created for slot cleanup. */
  readonly cleanupSources: LiveMemorySource[];
  serverPosition: Lsn | undefined;
  /** Runs the lifecycle (INIT → SETUP → CDC) and attaches the pipeline. */
  run(): Promise<RunningPipeline>;
  /** After the pipeline is done: what the daemon does (slot cleanup, answers to Stop / Drain). */
  finish(): Promise<void>;
  client2(opts: ClientOptions): DbmazzClient;
  close(): Promise<void>;
}

export interface ControlHarnessOptions {
  readonly grpc?: Partial<GrpcSettings>;
  readonly client?: ClientOptions;
  readonly flushSize?: number;
  readonly flushIntervalMs?: number;
  /** Slot cleanup (Source.destroy) fails. */
  readonly failCleanup?: boolean;
  /** The source supports snapshots (progress, re-snapshot). */
  readonly snapshots?: MemorySnapshotOptions;
}

export async function startControl(o: ControlHarnessOptions = {}): Promise<ControlHarness> {
  const state = new RuntimeState();
  const log = createTestLogger('silent');
  const source = new LiveMemorySource({ tables: [orders], ...(o.snapshots ? { snapshots: o.snapshots } : {}) });
  const sink = new MemorySink();
  const cleanupSources: LiveMemorySource[] = [];
  const controller = new DaemonController({
    state,
    logger: log.logger,
    tables: [orders.id],
    maxBufferedEvents: 10_000,
    cleanupSource: (): Source => {
      const s = new LiveMemorySource({ tables: [] });
      if (o.failCleanup) {
        s.destroy = async () => {
          s.destroyed += 1;
          throw new Error('permission denied to drop the replication slot');
        };
      }
      cleanupSources.push(s);
      return s;
    },
    cleanup: { attempts: 2, delayMs: 10 },
  });
  const h: { serverPosition: Lsn | undefined } = { serverPosition: undefined };
  const position = async (): Promise<Lsn | undefined> => (controller.liveSource === undefined ? undefined : h.serverPosition);
  const metrics = new PipelineMetrics({ state, serverPosition: position, serverStatus: async () => undefined });
  const observed = { source: observeSource(source, metrics), sink: observeSink(sink, metrics) };
  controller.connectors(observed.source, observed.sink);
  const server = await ControlServer.start({
    settings: { host: '127.0.0.1', port: 0, authToken: undefined, tls: undefined, ...o.grpc },
    state,
    controller,
    serverPosition: position,
    logger: log.logger,
  });
  const clients: DbmazzClient[] = [];
  const client2 = (opts: ClientOptions): DbmazzClient => {
    const c = new DbmazzClient(`127.0.0.1:${server.port}`, opts);
    clients.push(c);
    return c;
  };
  const client = client2(o.client ?? {});
  let running: RunningPipeline | undefined;
  const harness: ControlHarness = {
    state,
    source,
    sink,
    controller,
    metrics,
    server,
    client,
    stream: new StreamBuilder(),
    log,
    cleanupSources,
    get serverPosition() {
      return h.serverPosition;
    },
    set serverPosition(v) {
      h.serverPosition = v;
    },
    async run() {
      running = await runLifecycle({
        source: observed.source,
        sink: observed.sink,
        state,
        logger: log.logger,
        options: options({ flushSize: o.flushSize ?? 100, flushIntervalMs: o.flushIntervalMs ?? 20 }),
      });
      controller.attach(running);
      return running;
    },
    async finish() {
      let error: unknown;
      await running?.done.catch((e: unknown) => (error = e));
      await controller.finish(error);
    },
    client2,
    async close() {
      for (const c of clients) c.close();
      if (running) await running.stopNow().catch(() => undefined);
      await server.close(100);
    },
  };
  return harness;
}
