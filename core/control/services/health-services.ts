/** dbmazz.HealthService and the standard grpc.health.v1.Health (Check and Watch). See ../health.ts. */
import * as grpc from '@grpc/grpc-js';
import type { RuntimeState } from '../../runtime/state.js';
import type { HealthServiceHandlers } from '../gen/dbmazz/HealthService.js';
import type { HealthHandlers } from '../gen/grpc/health/v1/Health.js';
import { healthOf, standardStatus } from '../health.js';
import type { StreamTracker } from '../streams.js';

export function dbmazzHealthHandlers(state: RuntimeState): HealthServiceHandlers {
  return {
    Check: (_call, callback) => callback(null, healthOf(state)),
  };
}

export function standardHealthHandlers(state: RuntimeState, streams: StreamTracker): HealthHandlers {
  return {
    Check: (call, callback) => {
      const status = standardStatus(state, call.request.service);
      if (status === undefined) {
        callback({ code: grpc.status.NOT_FOUND, details: `unknown service '${call.request.service}'` });
        return;
      }
      callback(null, { status });
    },
    Watch: (call) => {
      const service = call.request.service;
      let last: string | undefined;
      let ended = false;
      const send = (): void => {
        const status = standardStatus(state, service) ?? 'SERVICE_UNKNOWN';
        if (status === last || ended) return;
        last = status;
        call.write({ status });
      };
      const stop = (): void => {
        if (ended) return;
        ended = true;
        unsubscribe();
        untrack();
      };
      const unsubscribe = state.onChange(send);
      const untrack = streams.add({
        end: () => {
          // The daemon is going away: a last NOT_SERVING, then the end of the stream.
          if (!ended && last !== 'SERVICE_UNKNOWN') {
            last = 'NOT_SERVING';
            call.write({ status: 'NOT_SERVING' });
          }
          stop();
          call.end();
        },
      });
      call.on('cancelled', stop);
      call.on('error', stop);
      send();
    },
  };
}
