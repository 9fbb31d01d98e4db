/**
 * The gRPC server (@grpc/grpc-js): dbmazz services, grpc.health.v1, reflection, optional bearer auth
 * and TLS. `bindAsync` only (docs/stack-traps.md §4.6: `start()` is deprecated); on close, open streams are ended,
 * then `tryShutdown` waits for calls in flight (a Stop or DrainAndStop answer) up to a deadline, then
 * `forceShutdown`.
 */
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { CdcError } from '../errors/errors.js';
import type { Logger } from '../log/logger.js';
import type { RuntimeState } from '../runtime/state.js';
import { bearerAuthInterceptor } from './auth.js';
import type { DaemonController } from './controller.js';
import { serverCredentials } from './credentials.js';
import type { ProcessProbe, ServerPositionFn } from './metrics-sampler.js';
import { loadControlProto } from './proto.js';
import { controlHandlers, metricsHandlers, snapshotHandlers, statusHandlers } from './services/cdc-services.js';
import { dbmazzHealthHandlers, standardHealthHandlers } from './services/health-services.js';
import type { GrpcSettings } from './settings.js';
import { StreamTracker } from './streams.js';

export interface ControlServerDeps {
  readonly settings: GrpcSettings;
  readonly state: RuntimeState;
  readonly controller: DaemonController;
  readonly serverPosition: ServerPositionFn;
  readonly logger: Logger;
  readonly probe?: ProcessProbe;
}

export const SHUTDOWN_GRACE_MS = 5000;

/** `host:port`, with brackets for an IPv6 address. */
export function bindAddress(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export class ControlServer {
  private constructor(
    private readonly server: grpc.Server,
    private readonly streams: StreamTracker,
    private readonly logger: Logger,
    readonly host: string,
    readonly port: number,
    readonly tls: boolean,
  ) {}

  static async start(deps: ControlServerDeps): Promise<ControlServer> {
    const { settings, state, logger } = deps;
    const proto = loadControlProto();
    const streams = new StreamTracker();
    const server = new grpc.Server(settings.authToken === undefined ? {} : { interceptors: [bearerAuthInterceptor(settings.authToken)] });
    server.addService(proto.dbmazz.HealthService.service, dbmazzHealthHandlers(state));
    server.addService(proto.health.Health.service, standardHealthHandlers(state, streams));
    server.addService(proto.dbmazz.CdcControlService.service, controlHandlers(deps.controller, logger));
    server.addService(proto.dbmazz.CdcStatusService.service, statusHandlers(state));
    server.addService(proto.dbmazz.CdcSnapshotService.service, snapshotHandlers(deps.controller, logger));
    server.addService(proto.dbmazz.CdcMetricsService.service, metricsHandlers(state, deps.serverPosition, streams, deps.probe));
    new ReflectionService(proto.reflectionDefinition).addToServer(server);

    const credentials = serverCredentials(settings.tls);
    const address = bindAddress(settings.host, settings.port);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, credentials, (err, bound) => (err ? reject(err) : resolve(bound)));
    }).catch((err: unknown) => {
      server.forceShutdown();
      throw new CdcError({
        code: 'CONFIG_INVALID',
        message: `The gRPC API cannot listen on ${address}: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'Choose another GRPC_PORT (or GRPC_HOST), or stop what uses the port.',
        cause: err,
      });
    });
    const tls = settings.tls !== undefined;
    logger.info(
      { host: settings.host, port, tls, auth: settings.authToken !== undefined },
      `gRPC control API listening on ${bindAddress(settings.host, port)}${tls ? ' (TLS)' : ''}`,
    );
    return new ControlServer(server, streams, logger, settings.host, port, tls);
  }

  /** Server streams currently open (StreamMetrics, Health.Watch). */
  get openStreams(): number {
    return this.streams.size;
  }

  /** Ends open streams, lets calls in flight finish (up to `graceMs`), then closes. Idempotent. */
  close(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      this.streams.endAll();
      const timer = setTimeout(() => {
        this.logger.warn('gRPC calls still open after the grace period; closing them');
        this.server.forceShutdown();
        resolve();
      }, graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.#closing;
  }

  #closing: Promise<void> | undefined;
}
