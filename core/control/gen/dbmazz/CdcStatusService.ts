// Original file: proto/dbmazz.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { StatusRequest as _dbmazz_StatusRequest, StatusRequest__Output as _dbmazz_StatusRequest__Output } from '../dbmazz/StatusRequest.js';
import type { StatusResponse as _dbmazz_StatusResponse, StatusResponse__Output as _dbmazz_StatusResponse__Output } from '../dbmazz/StatusResponse.js';

export interface CdcStatusServiceClient extends grpc.Client {
  GetStatus(argument: _dbmazz_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _dbmazz_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _dbmazz_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  GetStatus(argument: _dbmazz_StatusRequest, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _dbmazz_StatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _dbmazz_StatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _dbmazz_StatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  getStatus(argument: _dbmazz_StatusRequest, callback: grpc.requestCallback<_dbmazz_StatusResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface CdcStatusServiceHandlers extends grpc.UntypedServiceImplementation {
  GetStatus: grpc.handleUnaryCall<_dbmazz_StatusRequest__Output, _dbmazz_StatusResponse>;
  
}

export interface CdcStatusServiceDefinition extends grpc.ServiceDefinition {
  GetStatus: MethodDefinition<_dbmazz_StatusRequest, _dbmazz_StatusResponse, _dbmazz_StatusRequest__Output, _dbmazz_StatusResponse__Output>
}
