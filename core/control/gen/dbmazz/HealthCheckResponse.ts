// Original file: proto/dbmazz.proto


// Original file: proto/dbmazz.proto

export const _dbmazz_HealthCheckResponse_ServingStatus = {
  UNKNOWN: 'UNKNOWN',
  SERVING: 'SERVING',
  NOT_SERVING: 'NOT_SERVING',
} as const;

export type _dbmazz_HealthCheckResponse_ServingStatus =
  | 'UNKNOWN'
  | 0
  | 'SERVING'
  | 1
  | 'NOT_SERVING'
  | 2

export type _dbmazz_HealthCheckResponse_ServingStatus__Output = typeof _dbmazz_HealthCheckResponse_ServingStatus[keyof typeof _dbmazz_HealthCheckResponse_ServingStatus]

// Original file: proto/dbmazz.proto

export const _dbmazz_HealthCheckResponse_Stage = {
  STAGE_UNKNOWN: 'STAGE_UNKNOWN',
  STAGE_INIT: 'STAGE_INIT',
  STAGE_SETUP: 'STAGE_SETUP',
  STAGE_CDC: 'STAGE_CDC',
} as const;

export type _dbmazz_HealthCheckResponse_Stage =
  | 'STAGE_UNKNOWN'
  | 0
  | 'STAGE_INIT'
  | 1
  | 'STAGE_SETUP'
  | 2
  | 'STAGE_CDC'
  | 3

export type _dbmazz_HealthCheckResponse_Stage__Output = typeof _dbmazz_HealthCheckResponse_Stage[keyof typeof _dbmazz_HealthCheckResponse_Stage]

export interface HealthCheckResponse {
  'status'?: (_dbmazz_HealthCheckResponse_ServingStatus);
  'stage'?: (_dbmazz_HealthCheckResponse_Stage);
  'stageDetail'?: (string);
  'errorDetail'?: (string);
}

export interface HealthCheckResponse__Output {
  'status': (_dbmazz_HealthCheckResponse_ServingStatus__Output);
  'stage': (_dbmazz_HealthCheckResponse_Stage__Output);
  'stageDetail': (string);
  'errorDetail': (string);
}
