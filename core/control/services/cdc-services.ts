/**
 * dbmazz.CdcControlService, CdcStatusService, CdcMetricsService and CdcSnapshotService: they
 * translate calls to the DaemonController / RuntimeState / MetricsSampler and never throw (an
 * unexpected error is INTERNAL). Resnapshot answers a refusal with a gRPC status code (the seed's
 * control calls answer success=false instead).
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../log/logger.js';
import type { RuntimeState } from '../../runtime/state.js';
import type { ControlResult, DaemonController } from '../controller.js';
import type { CdcControlServiceHandlers } from '../gen/dbmazz/CdcControlService.js';
import type { CdcMetricsServiceHandlers } from '../gen/dbmazz/CdcMetricsService.js';
import type { CdcSnapshotServiceHandlers } from '../gen/dbmazz/CdcSnapshotService.js';
import type { CdcStatusServiceHandlers } from '../gen/dbmazz/CdcStatusService.js';
import type { ControlResponse } from '../gen/dbmazz/ControlResponse.js';
import { MetricsSampler, type ProcessProbe, type ServerPositionFn, systemProcessProbe } from '../metrics-sampler.js';
import { formatTableId } from '../../model/table.js';
import { resnapshotStatus } from '../resnapshot.js';
import { statusOf } from '../status.js';
import type { StreamTracker } from '../streams.js';

export const DEFAULT_INTERVAL_MS = 1000;
export const MIN_INTERVAL_MS = 100;

/** interval_ms: 0 → 1000, below 100 → 100. */
export function streamInterval(requested: number): number {
  if (!Number.isFinite(requested) || requested <= 0) return DEFAULT_INTERVAL_MS;
  return Math.max(MIN_INTERVAL_MS, Math.floor(requested));
}

function answer(logger: Logger, method: string, op: () => Promise<ControlResult> | ControlResult, callback: grpc.sendUnaryData<ControlResponse>): void {
  Promise.resolve()
    .then(op)
    .then(
      (result) => {
        logger.info({ method, success: result.success }, result.message);
        callback(null, result);
      },
      (err: unknown) => {
        logger.error({ method, err }, 'Control call failed unexpectedly');
        callback({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
      },
    );
}

export function controlHandlers(controller: DaemonController, logger: Logger): CdcControlServiceHandlers {
  return {
    Pause: (_call, cb) => answer(logger, 'Pause', () => controller.pause(), cb),
    Resume: (_call, cb) => answer(logger, 'Resume', () => controller.resume(), cb),
    DrainAndStop: (_call, cb) => answer(logger, 'DrainAndStop', () => controller.drainAndStop(), cb),
    Stop: (call, cb) => answer(logger, 'Stop', () => controller.stop(call.request.skipSlotCleanup), cb),
    ReloadConfig: (call, cb) => answer(logger, 'ReloadConfig', () => controller.reload(call.request), cb),
  };
}

export function snapshotHandlers(controller: Pick<DaemonController, 'resnapshot'>, logger: Logger): CdcSnapshotServiceHandlers {
  return {
    Resnapshot: (call, cb) => {
      controller.resnapshot(call.request.tables).then(
        (outcome) => {
          if (!outcome.ok) {
            logger.warn({ method: 'Resnapshot', refusal: outcome.refusal }, outcome.message);
            cb({ code: resnapshotStatus(outcome.refusal), details: outcome.message });
            return;
          }
          cb(null, { message: outcome.message, tables: outcome.tables.map(formatTableId) });
        },
        (err: unknown) => {
          logger.error({ method: 'Resnapshot', err }, 'Control call failed unexpectedly');
          cb({ code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err) });
        },
      );
    },
  };
}

export function statusHandlers(state: RuntimeState): CdcStatusServiceHandlers {
  return {
    GetStatus: (_call, cb) => cb(null, statusOf(state)),
  };
}

export function metricsHandlers(
  state: RuntimeState,
  serverPosition: ServerPositionFn,
  streams: StreamTracker,
  probe: ProcessProbe = systemProcessProbe,
): CdcMetricsServiceHandlers {
  return {
    StreamMetrics: (call) => {
      const intervalMs = streamInterval(call.request.intervalMs);
      const sampler = new MetricsSampler(state, serverPosition, probe);
      let ended = false;
      let timer: NodeJS.Timeout | undefined;
      const stop = (): void => {
        ended = true;
        clearTimeout(timer);
        untrack();
      };
      const untrack = streams.add({
        end: () => {
          if (ended) return;
          stop();
          call.end();
        },
      });
      // A fixed cadence: a slow lag query delays one message, not every later one.
      let nextAt = Date.now() + intervalMs;
      const tick = (): void => {
        void sampler.sample().then((sample) => {
          if (ended) return;
          call.write(sample);
          nextAt = Math.max(nextAt + intervalMs, Date.now());
          timer = setTimeout(tick, nextAt - Date.now());
        });
      };
      call.on('cancelled', stop);
      call.on('error', stop);
      timer = setTimeout(tick, intervalMs);
    },
  };
}
