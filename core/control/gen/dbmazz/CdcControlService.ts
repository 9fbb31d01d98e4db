// Original file: proto/dbmazz.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ControlResponse as _dbmazz_ControlResponse, ControlResponse__Output as _dbmazz_ControlResponse__Output } from '../dbmazz/ControlResponse.js';
import type { DrainRequest as _dbmazz_DrainRequest, DrainRequest__Output as _dbmazz_DrainRequest__Output } from '../dbmazz/DrainRequest.js';
import type { PauseRequest as _dbmazz_PauseRequest, PauseRequest__Output as _dbmazz_PauseRequest__Output } from '../dbmazz/PauseRequest.js';
import type { ReloadConfigRequest as _dbmazz_ReloadConfigRequest, ReloadConfigRequest__Output as _dbmazz_ReloadConfigRequest__Output } from '../dbmazz/ReloadConfigRequest.js';
import type { ResumeRequest as _dbmazz_ResumeRequest, ResumeRequest__Output as _dbmazz_ResumeRequest__Output } from '../dbmazz/ResumeRequest.js';
import type { StopRequest as _dbmazz_StopRequest, StopRequest__Output as _dbmazz_StopRequest__Output } from '../dbmazz/StopRequest.js';

export interface CdcControlServiceClient extends grpc.Client {
  DrainAndStop(argument: _dbmazz_DrainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  DrainAndStop(argument: _dbmazz_DrainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  DrainAndStop(argument: _dbmazz_DrainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  DrainAndStop(argument: _dbmazz_DrainRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  drainAndStop(argument: _dbmazz_DrainRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  drainAndStop(argument: _dbmazz_DrainRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  drainAndStop(argument: _dbmazz_DrainRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  drainAndStop(argument: _dbmazz_DrainRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  
  Pause(argument: _dbmazz_PauseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Pause(argument: _dbmazz_PauseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Pause(argument: _dbmazz_PauseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Pause(argument: _dbmazz_PauseRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  pause(argument: _dbmazz_PauseRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  pause(argument: _dbmazz_PauseRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  pause(argument: _dbmazz_PauseRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  pause(argument: _dbmazz_PauseRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  
  ReloadConfig(argument: _dbmazz_ReloadConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  ReloadConfig(argument: _dbmazz_ReloadConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  ReloadConfig(argument: _dbmazz_ReloadConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  ReloadConfig(argument: _dbmazz_ReloadConfigRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  reloadConfig(argument: _dbmazz_ReloadConfigRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  reloadConfig(argument: _dbmazz_ReloadConfigRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  reloadConfig(argument: _dbmazz_ReloadConfigRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  reloadConfig(argument: _dbmazz_ReloadConfigRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  
  Resume(argument: _dbmazz_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _dbmazz_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _dbmazz_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Resume(argument: _dbmazz_ResumeRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _dbmazz_ResumeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _dbmazz_ResumeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _dbmazz_ResumeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  resume(argument: _dbmazz_ResumeRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  
  Stop(argument: _dbmazz_StopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _dbmazz_StopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _dbmazz_StopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _dbmazz_StopRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _dbmazz_StopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _dbmazz_StopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _dbmazz_StopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _dbmazz_StopRequest, callback: grpc.requestCallback<_dbmazz_ControlResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface CdcControlServiceHandlers extends grpc.UntypedServiceImplementation {
  DrainAndStop: grpc.handleUnaryCall<_dbmazz_DrainRequest__Output, _dbmazz_ControlResponse>;
  
  Pause: grpc.handleUnaryCall<_dbmazz_PauseRequest__Output, _dbmazz_ControlResponse>;
  
  ReloadConfig: grpc.handleUnaryCall<_dbmazz_ReloadConfigRequest__Output, _dbmazz_ControlResponse>;
  
  Resume: grpc.handleUnaryCall<_dbmazz_ResumeRequest__Output, _dbmazz_ControlResponse>;
  
  Stop: grpc.handleUnaryCall<_dbmazz_StopRequest__Output, _dbmazz_ControlResponse>;
  
}

export interface CdcControlServiceDefinition extends grpc.ServiceDefinition {
  DrainAndStop: MethodDefinition<_dbmazz_DrainRequest, _dbmazz_ControlResponse, _dbmazz_DrainRequest__Output, _dbmazz_ControlResponse__Output>
  Pause: MethodDefinition<_dbmazz_PauseRequest, _dbmazz_ControlResponse, _dbmazz_PauseRequest__Output, _dbmazz_ControlResponse__Output>
  ReloadConfig: MethodDefinition<_dbmazz_ReloadConfigRequest, _dbmazz_ControlResponse, _dbmazz_ReloadConfigRequest__Output, _dbmazz_ControlResponse__Output>
  Resume: MethodDefinition<_dbmazz_ResumeRequest, _dbmazz_ControlResponse, _dbmazz_ResumeRequest__Output, _dbmazz_ControlResponse__Output>
  Stop: MethodDefinition<_dbmazz_StopRequest, _dbmazz_ControlResponse, _dbmazz_StopRequest__Output, _dbmazz_ControlResponse__Output>
}
