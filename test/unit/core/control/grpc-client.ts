/** A real @grpc/grpc-js client of the dbmazz API (typed with core/control/gen), for tests. */
import * as grpc from '@grpc/grpc-js';
import { loadControlProto } from '../../../../core/control/proto.js';
import type { CdcControlServiceClient } from '../../../../core/control/gen/dbmazz/CdcControlService.js';
import type { CdcMetricsServiceClient } from '../../../../core/control/gen/dbmazz/CdcMetricsService.js';
import type { CdcSnapshotServiceClient } from '../../../../core/control/gen/dbmazz/CdcSnapshotService.js';
import type { CdcStatusServiceClient } from '../../../../core/control/gen/dbmazz/CdcStatusService.js';
import type { ControlResponse__Output } from '../../../../core/control/gen/dbmazz/ControlResponse.js';
import type { HealthCheckResponse__Output } from '../../../../core/control/gen/dbmazz/HealthCheckResponse.js';
import type { HealthServiceClient } from '../../../../core/control/gen/dbmazz/HealthService.js';
import type { MetricsResponse__Output } from '../../../../core/control/gen/dbmazz/MetricsResponse.js';
import type { ReloadConfigRequest } from '../../../../core/control/gen/dbmazz/ReloadConfigRequest.js';
import type { ResnapshotResponse__Output } from '../../../../core/control/gen/dbmazz/ResnapshotResponse.js';
import type { StatusResponse__Output } from '../../../../core/control/gen/dbmazz/StatusResponse.js';
import type { HealthClient } from '../../../../core/control/gen/grpc/health/v1/Health.js';
import type { HealthCheckResponse__Output as StdHealth } from '../../../../core/control/gen/grpc/health/v1/HealthCheckResponse.js';

export interface ClientOptions {
  readonly token?: string;
  /** TLS: the CA (the self-signed certificate) and the name to verify. */
  readonly tls?: { readonly ca: Buffer; readonly serverName?: string };
}

type Callback<T> = (err: grpc.ServiceError | null, value?: T) => void;

function call<T>(fn: (cb: Callback<T>) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    fn((err, value) => {
      if (err) reject(err);
      else if (value === undefined) reject(new Error('no response'));
      else resolve(value);
    });
  });
}

export class DbmazzClient {
  readonly health: HealthServiceClient;
  readonly control: CdcControlServiceClient;
  readonly status: CdcStatusServiceClient;
  readonly metrics: CdcMetricsServiceClient;
  readonly snapshot: CdcSnapshotServiceClient;
  readonly std: HealthClient;
  readonly #token: string | undefined;

  constructor(address: string, opts: ClientOptions = {}) {
    const proto = loadControlProto();
    const creds = opts.tls ? grpc.credentials.createSsl(opts.tls.ca) : grpc.credentials.createInsecure();
    const options = opts.tls?.serverName ? { 'grpc.ssl_target_name_override': opts.tls.serverName } : {};
    this.health = new proto.dbmazz.HealthService(address, creds, options);
    this.control = new proto.dbmazz.CdcControlService(address, creds, options);
    this.status = new proto.dbmazz.CdcStatusService(address, creds, options);
    this.metrics = new proto.dbmazz.CdcMetricsService(address, creds, options);
    this.snapshot = new proto.dbmazz.CdcSnapshotService(address, creds, options);
    this.std = new proto.health.Health(address, creds, options);
    this.#token = opts.token;
  }

  meta(token = this.#token): grpc.Metadata {
    const md = new grpc.Metadata();
    if (token !== undefined) md.set('authorization', `Bearer ${token}`);
    return md;
  }

  check(): Promise<HealthCheckResponse__Output> {
    return call((cb) => this.health.Check({}, this.meta(), cb));
  }
  stdCheck(service = ''): Promise<StdHealth> {
    return call((cb) => this.std.Check({ service }, this.meta(), cb));
  }
  pause(): Promise<ControlResponse__Output> {
    return call((cb) => this.control.Pause({}, this.meta(), cb));
  }
  resume(): Promise<ControlResponse__Output> {
    return call((cb) => this.control.Resume({}, this.meta(), cb));
  }
  drain(): Promise<ControlResponse__Output> {
    return call((cb) => this.control.DrainAndStop({}, this.meta(), cb));
  }
  stop(skipSlotCleanup: boolean): Promise<ControlResponse__Output> {
    return call((cb) => this.control.Stop({ skipSlotCleanup }, this.meta(), cb));
  }
  reload(req: ReloadConfigRequest): Promise<ControlResponse__Output> {
    return call((cb) => this.control.ReloadConfig(req, this.meta(), cb));
  }
  resnapshot(tables: readonly string[]): Promise<ResnapshotResponse__Output> {
    return call((cb) => this.snapshot.Resnapshot({ tables: [...tables] }, this.meta(), cb));
  }
  getStatus(): Promise<StatusResponse__Output> {
    return call((cb) => this.status.GetStatus({}, this.meta(), cb));
  }

  /** Collects `count` StreamMetrics messages, then cancels the stream. */
  streamMetrics(intervalMs: number, count: number): Promise<MetricsResponse__Output[]> {
    return new Promise((resolve, reject) => {
      const got: MetricsResponse__Output[] = [];
      const stream = this.metrics.StreamMetrics({ intervalMs }, this.meta());
      stream.on('data', (m: MetricsResponse__Output) => {
        got.push(m);
        if (got.length === count) {
          stream.cancel();
          resolve(got);
        }
      });
      stream.on('error', (err: grpc.ServiceError) => {
        if (err.code === grpc.status.CANCELLED && got.length === count) return;
        reject(err);
      });
      stream.on('end', () => {
        if (got.length < count) reject(new Error(`stream ended after ${got.length} of ${count} messages`));
      });
    });
  }

  close(): void {
    for (const c of [this.health, this.control, this.status, this.metrics, this.snapshot, this.std]) c.close();
  }
}
