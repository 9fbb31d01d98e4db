// Original file: proto/dbmazz.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ResnapshotRequest as _dbmazz_ResnapshotRequest, ResnapshotRequest__Output as _dbmazz_ResnapshotRequest__Output } from '../dbmazz/ResnapshotRequest.js';
import type { ResnapshotResponse as _dbmazz_ResnapshotResponse, ResnapshotResponse__Output as _dbmazz_ResnapshotResponse__Output } from '../dbmazz/ResnapshotResponse.js';

export interface CdcSnapshotServiceClient extends grpc.Client {
  Resnapshot(argument: _dbmazz_ResnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  Resnapshot(argument: _dbmazz_ResnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  Resnapshot(argument: _dbmazz_ResnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  Resnapshot(argument: _dbmazz_ResnapshotRequest, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  resnapshot(argument: _dbmazz_ResnapshotRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  resnapshot(argument: _dbmazz_ResnapshotRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  resnapshot(argument: _dbmazz_ResnapshotRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  resnapshot(argument: _dbmazz_ResnapshotRequest, callback: grpc.requestCallback<_dbmazz_ResnapshotResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface CdcSnapshotServiceHandlers extends grpc.UntypedServiceImplementation {
  Resnapshot: grpc.handleUnaryCall<_dbmazz_ResnapshotRequest__Output, _dbmazz_ResnapshotResponse>;
  
}

export interface CdcSnapshotServiceDefinition extends grpc.ServiceDefinition {
  Resnapshot: MethodDefinition<_dbmazz_ResnapshotRequest, _dbmazz_ResnapshotResponse, _dbmazz_ResnapshotRequest__Output, _dbmazz_ResnapshotResponse__Output>
}
