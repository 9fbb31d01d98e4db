// Original file: proto/dbmazz.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { MetricsRequest as _dbmazz_MetricsRequest, MetricsRequest__Output as _dbmazz_MetricsRequest__Output } from '../dbmazz/MetricsRequest.js';
import type { MetricsResponse as _dbmazz_MetricsResponse, MetricsResponse__Output as _dbmazz_MetricsResponse__Output } from '../dbmazz/MetricsResponse.js';

export interface CdcMetricsServiceClient extends grpc.Client {
  StreamMetrics(argument: _dbmazz_MetricsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dbmazz_MetricsResponse__Output>;
  StreamMetrics(argument: _dbmazz_MetricsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dbmazz_MetricsResponse__Output>;
  streamMetrics(argument: _dbmazz_MetricsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_dbmazz_MetricsResponse__Output>;
  streamMetrics(argument: _dbmazz_MetricsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_dbmazz_MetricsResponse__Output>;
  
}

export interface CdcMetricsServiceHandlers extends grpc.UntypedServiceImplementation {
  StreamMetrics: grpc.handleServerStreamingCall<_dbmazz_MetricsRequest__Output, _dbmazz_MetricsResponse>;
  
}

export interface CdcMetricsServiceDefinition extends grpc.ServiceDefinition {
  StreamMetrics: MethodDefinition<_dbmazz_MetricsRequest, _dbmazz_MetricsResponse, _dbmazz_MetricsRequest__Output, _dbmazz_MetricsResponse__Output>
}
