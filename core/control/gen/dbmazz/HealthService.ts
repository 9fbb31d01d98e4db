// Original file: proto/dbmazz.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HealthCheckRequest as _dbmazz_HealthCheckRequest, HealthCheckRequest__Output as _dbmazz_HealthCheckRequest__Output } from '../dbmazz/HealthCheckRequest.js';
import type { HealthCheckResponse as _dbmazz_HealthCheckResponse, HealthCheckResponse__Output as _dbmazz_HealthCheckResponse__Output } from '../dbmazz/HealthCheckResponse.js';

export interface HealthServiceClient extends grpc.Client {
  Check(argument: _dbmazz_HealthCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  Check(argument: _dbmazz_HealthCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  Check(argument: _dbmazz_HealthCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  Check(argument: _dbmazz_HealthCheckRequest, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _dbmazz_HealthCheckRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _dbmazz_HealthCheckRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _dbmazz_HealthCheckRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  check(argument: _dbmazz_HealthCheckRequest, callback: grpc.requestCallback<_dbmazz_HealthCheckResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface HealthServiceHandlers extends grpc.UntypedServiceImplementation {
  Check: grpc.handleUnaryCall<_dbmazz_HealthCheckRequest__Output, _dbmazz_HealthCheckResponse>;
  
}

export interface HealthServiceDefinition extends grpc.ServiceDefinition {
  Check: MethodDefinition<_dbmazz_HealthCheckRequest, _dbmazz_HealthCheckResponse, _dbmazz_HealthCheckRequest__Output, _dbmazz_HealthCheckResponse__Output>
}
