/**
 * The daemon's control plane: the gRPC API, the Prometheus HTTP server and the controller behind them.
 * Started by the daemon before setup (so health reports setup progress and errors), closed last.
 *
 * The daemon hands every startup attempt's source and sink to `instrument`, which wraps them for the
 * metrics and makes them the ones the controller (ReloadConfig.tables) and the lag queries use.
 */
import type { DbmazzConfig } from '../config/load-config.js';
import type { Logger } from '../log/logger.js';
import { childLogger } from '../log/logger.js';
import type { DashboardHistory } from '../metrics/dashboard-history.js';
import type { MetricsHttpServer } from '../metrics/http-server.js';
import { observeSink, observeSource } from '../metrics/observed-connectors.js';
import { PipelineMetrics, type ConnectorObserver } from '../metrics/pipeline-metrics.js';
import type { RecentErrors } from '../metrics/recent-errors.js';
import { formatTableId } from '../model/table.js';
import { ConfirmedLsnWatch, healthVerdict, readyVerdict } from '../metrics/readiness.js';
import type { Sink } from '../plugin/sink.js';
import type { Source } from '../plugin/source.js';
import type { Lsn } from '../model/lsn.js';
import type { RuntimeState } from '../runtime/state.js';
import { DaemonController } from './controller.js';
import { ControlServer } from './server.js';
import { ServerPositionProbe } from './server-position.js';
import { readServerStatus } from './server-status.js';
import { readControlSettings, type ControlSettings } from './settings.js';

export interface ControlPlaneDeps {
  readonly config: DbmazzConfig;
  readonly state: RuntimeState;
  readonly logger: Logger;
  /** A new source of the job (unopened), for dropping the slot on job deletion. */
  readonly createSource: () => Source;
  /** Base for relative GRPC_TLS_* paths (default: the process's working directory). */
  readonly cwd?: string;
}

/** The dashboard's state (only with METRICS_PORT): its time series and the last errors. */
interface DashboardParts {
  readonly history: DashboardHistory;
  readonly errors: RecentErrors;
}

export class ControlPlane {
  readonly #grpc: ControlServer;
  readonly #http: MetricsHttpServer | undefined;
  readonly #watch: ConfirmedLsnWatch;
  readonly #dashboard: DashboardParts | undefined;
  readonly #observer: ConnectorObserver;
  #closing: Promise<void> | undefined;

  private constructor(
    readonly controller: DaemonController,
    readonly metrics: PipelineMetrics,
    readonly settings: ControlSettings,
    grpc: ControlServer,
    http: MetricsHttpServer | undefined,
    watch: ConfirmedLsnWatch,
    dashboard: DashboardParts | undefined,
  ) {
    this.#grpc = grpc;
    this.#http = http;
    this.#watch = watch;
    this.#dashboard = dashboard;
    this.#observer = dashboard === undefined ? metrics : withErrorLog(metrics, dashboard.errors);
  }

  static async start(deps: ControlPlaneDeps): Promise<ControlPlane> {
    const { config, state } = deps;
    const logger = childLogger(deps.logger, 'control');
    const settings = readControlSettings(config.coreSettings, deps.cwd ?? process.cwd());
    const controller = new DaemonController({
      state,
      logger,
      tables: config.core.tables,
      maxBufferedEvents: config.core.maxBufferedEvents,
      cleanupSource: deps.createSource,
    });
    const live = (): Source | undefined => controller.liveSource;
    const position = new ServerPositionProbe(live, logger);
    const metrics = new PipelineMetrics({
      state,
      serverPosition: () => position.get(),
      serverStatus: () => readServerStatus(live()),
    });
    const grpc = await ControlServer.start({ settings: settings.grpc, state, controller, serverPosition: () => position.get(), logger });
    const watch = new ConfirmedLsnWatch(state);
    let http: MetricsHttpServer | undefined;
    let dashboard: DashboardParts | undefined;
    if (settings.metrics !== undefined) {
      // The HTTP server and the dashboard are loaded only when METRICS_PORT asks for them.
      const [{ DashboardApi }, { DashboardHistory }, { MetricsHttpServer }, { RecentErrors }] = await Promise.all([
        import('../metrics/dashboard-api.js'),
        import('../metrics/dashboard-history.js'),
        import('../metrics/http-server.js'),
        import('../metrics/recent-errors.js'),
      ]);
      const serverPosition = (): Promise<Lsn | undefined> => position.get();
      dashboard = { history: new DashboardHistory(state, serverPosition), errors: new RecentErrors(state) };
      const routes = new DashboardApi({
        state,
        control: controller,
        history: dashboard.history,
        errors: dashboard.errors,
        registry: metrics.registry,
        serverPosition,
        authToken: settings.grpc.authToken,
        logger,
      });
      try {
        http = await MetricsHttpServer.start({
          host: settings.metrics.host,
          port: settings.metrics.port,
          logger,
          metrics: () => metrics.metrics(),
          contentType: metrics.registry.contentType,
          health: () => healthVerdict(state),
          ready: () => readyVerdict(state, watch.sinceMoveMs()),
          routes,
        });
      } catch (err) {
        watch.dispose();
        disposeDashboard(dashboard);
        await grpc.close(0);
        throw err;
      }
    }
    return new ControlPlane(controller, metrics, settings, grpc, http, watch, dashboard);
  }

  get grpcPort(): number {
    return this.#grpc.port;
  }

  get metricsPort(): number | undefined {
    return this.#http?.port;
  }

  /** Wraps one startup attempt's connectors for the metrics; the controller uses these. */
  instrument(source: Source, sink: Sink): { source: Source; sink: Sink } {
    const observed = { source: observeSource(source, this.#observer), sink: observeSink(sink, this.#observer) };
    this.controller.connectors(observed.source, observed.sink);
    return observed;
  }

  /** Closes both servers (calls in flight, e.g. a Stop answer, finish first). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#watch.dispose();
      disposeDashboard(this.#dashboard);
      await Promise.all([this.#grpc.close(), this.#http?.close()]);
    })();
    return this.#closing;
  }
}

function disposeDashboard(d: DashboardParts | undefined): void {
  d?.history.dispose();
  d?.errors.dispose();
}

/** The metrics observer, also recording failed sink writes for the dashboard's last errors. */
function withErrorLog(metrics: PipelineMetrics, errors: RecentErrors): ConnectorObserver {
  return {
    change: (record) => metrics.change(record),
    rows: (block) => metrics.rows(block),
    truncate: (tables) => metrics.truncate(tables),
    written: (batch, result, seconds, nowMicros) => metrics.written(batch, result, seconds, nowMicros),
    writeFailed: (batch, error) => {
      metrics.writeFailed(batch, error);
      errors.sinkWriteFailed(formatTableId(batch.schema.id), error);
    },
  };
}
