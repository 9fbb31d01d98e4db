/**
 * Pure mappings from the RuntimeState to the health answers.
 *
 * dbmazz.HealthService: SERVING while there is no error and the daemon has not stopped (in every
 * stage: it is initializing, setting up or replicating); NOT_SERVING once an error is recorded (setup
 * failed, replication failed, reconnecting after an outage; error_detail says why), after the stop,
 * and while a hot standby waits for another instance's slot (error_detail empty, stage_detail
 * "Standby: ..."; liveness probes use /livez, which a standby passes).
 *
 * grpc.health.v1.Health, by service name:
 *  - "" and "dbmazz.HealthService": the same SERVING / NOT_SERVING (liveness);
 *  - "dbmazz.CdcControlService", "dbmazz.CdcStatusService", "dbmazz.CdcMetricsService": SERVING
 *    (the API answers whenever the server is up);
 *  - "dbmazz.Replication": SERVING only while replicating (stage CDC, running — not paused, draining
 *    or stopped — and no error), for readiness probes;
 *  - anything else: unknown (Check → NOT_FOUND, Watch → SERVICE_UNKNOWN).
 */
import type { RuntimeState, Stage } from '../runtime/state.js';
import type { HealthCheckResponse } from './gen/dbmazz/HealthCheckResponse.js';
import type { _grpc_health_v1_HealthCheckResponse_ServingStatus__Output as StdStatus } from './gen/grpc/health/v1/HealthCheckResponse.js';

type HealthState = Pick<RuntimeState, 'stage' | 'stageDetail' | 'errorDetail' | 'runState'> & { readonly standby?: RuntimeState['standby'] };

const STAGES: Readonly<Record<Stage, 'STAGE_INIT' | 'STAGE_SETUP' | 'STAGE_CDC'>> = {
  INIT: 'STAGE_INIT',
  SETUP: 'STAGE_SETUP',
  CDC: 'STAGE_CDC',
};

export function isServing(state: HealthState): boolean {
  return state.errorDetail === '' && state.runState !== 'STOPPED' && state.standby === undefined;
}

export function healthOf(state: HealthState): Required<HealthCheckResponse> {
  return {
    status: isServing(state) ? 'SERVING' : 'NOT_SERVING',
    stage: STAGES[state.stage],
    stageDetail: state.stageDetail,
    errorDetail: state.errorDetail,
  };
}

export const REPLICATION_SERVICE = 'dbmazz.Replication';
const LIVENESS_SERVICES = new Set(['', 'dbmazz.HealthService']);
const API_SERVICES = new Set(['dbmazz.CdcControlService', 'dbmazz.CdcStatusService', 'dbmazz.CdcMetricsService']);

/** The grpc.health.v1 status of `service`, or undefined when the name is unknown. */
export function standardStatus(state: HealthState, service: string): StdStatus | undefined {
  if (LIVENESS_SERVICES.has(service)) return isServing(state) ? 'SERVING' : 'NOT_SERVING';
  if (API_SERVICES.has(service)) return 'SERVING';
  if (service === REPLICATION_SERVICE) {
    const replicating = state.stage === 'CDC' && state.runState === 'RUNNING';
    return replicating && state.errorDetail === '' ? 'SERVING' : 'NOT_SERVING';
  }
  return undefined;
}
