// Original file: proto/dbmazz.proto

import type { TableSnapshotStatus as _dbmazz_TableSnapshotStatus, TableSnapshotStatus__Output as _dbmazz_TableSnapshotStatus__Output } from '../dbmazz/TableSnapshotStatus.js';
import type { Long } from '@grpc/proto-loader';

// Original file: proto/dbmazz.proto

export const _dbmazz_StatusResponse_CdcState = {
  RUNNING: 'RUNNING',
  PAUSED: 'PAUSED',
  DRAINING: 'DRAINING',
  STOPPED: 'STOPPED',
} as const;

export type _dbmazz_StatusResponse_CdcState =
  | 'RUNNING'
  | 0
  | 'PAUSED'
  | 1
  | 'DRAINING'
  | 2
  | 'STOPPED'
  | 3

export type _dbmazz_StatusResponse_CdcState__Output = typeof _dbmazz_StatusResponse_CdcState[keyof typeof _dbmazz_StatusResponse_CdcState]

export interface StatusResponse {
  'state'?: (_dbmazz_StatusResponse_CdcState);
  'currentLsn'?: (number | string | Long);
  'confirmedLsn'?: (number | string | Long);
  'pendingEvents'?: (number | string | Long);
  'slotName'?: (string);
  'tables'?: (string)[];
  'snapshots'?: (_dbmazz_TableSnapshotStatus)[];
  'snapshotRunning'?: (boolean);
  'standby'?: (boolean);
  'standbyDetail'?: (string);
  'takeovers'?: (number | string | Long);
}

export interface StatusResponse__Output {
  'state': (_dbmazz_StatusResponse_CdcState__Output);
  'currentLsn': (string);
  'confirmedLsn': (string);
  'pendingEvents': (string);
  'slotName': (string);
  'tables': (string)[];
  'snapshots': (_dbmazz_TableSnapshotStatus__Output)[];
  'snapshotRunning': (boolean);
  'standby': (boolean);
  'standbyDetail': (string);
  'takeovers': (string);
}
