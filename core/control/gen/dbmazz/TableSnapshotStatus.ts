// Original file: proto/dbmazz.proto

import type { Long } from '@grpc/proto-loader';

// Original file: proto/dbmazz.proto

export const _dbmazz_TableSnapshotStatus_Phase = {
  PHASE_UNKNOWN: 'PHASE_UNKNOWN',
  PENDING: 'PENDING',
  COPYING: 'COPYING',
  DONE: 'DONE',
  FAILED: 'FAILED',
} as const;

export type _dbmazz_TableSnapshotStatus_Phase =
  | 'PHASE_UNKNOWN'
  | 0
  | 'PENDING'
  | 1
  | 'COPYING'
  | 2
  | 'DONE'
  | 3
  | 'FAILED'
  | 4

export type _dbmazz_TableSnapshotStatus_Phase__Output = typeof _dbmazz_TableSnapshotStatus_Phase[keyof typeof _dbmazz_TableSnapshotStatus_Phase]

// Original file: proto/dbmazz.proto

export const _dbmazz_TableSnapshotStatus_Reason = {
  REASON_UNKNOWN: 'REASON_UNKNOWN',
  INITIAL: 'INITIAL',
  ADDED: 'ADDED',
  REQUESTED: 'REQUESTED',
} as const;

export type _dbmazz_TableSnapshotStatus_Reason =
  | 'REASON_UNKNOWN'
  | 0
  | 'INITIAL'
  | 1
  | 'ADDED'
  | 2
  | 'REQUESTED'
  | 3

export type _dbmazz_TableSnapshotStatus_Reason__Output = typeof _dbmazz_TableSnapshotStatus_Reason[keyof typeof _dbmazz_TableSnapshotStatus_Reason]

export interface TableSnapshotStatus {
  'table'?: (string);
  'phase'?: (_dbmazz_TableSnapshotStatus_Phase);
  'reason'?: (_dbmazz_TableSnapshotStatus_Reason);
  'rowsCopied'?: (number | string | Long);
  'rowsEstimated'?: (number | string | Long);
  'chunks'?: (number | string | Long);
  'rowsPerSecond'?: (number | string);
  'etaSeconds'?: (number | string | Long);
  'startedAtMs'?: (number | string | Long);
  'finishedAtMs'?: (number | string | Long);
  'error'?: (string);
}

export interface TableSnapshotStatus__Output {
  'table': (string);
  'phase': (_dbmazz_TableSnapshotStatus_Phase__Output);
  'reason': (_dbmazz_TableSnapshotStatus_Reason__Output);
  'rowsCopied': (string);
  'rowsEstimated': (string);
  'chunks': (string);
  'rowsPerSecond': (number);
  'etaSeconds': (string);
  'startedAtMs': (string);
  'finishedAtMs': (string);
  'error': (string);
}
