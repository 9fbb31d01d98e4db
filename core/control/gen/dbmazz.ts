import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { CdcControlServiceClient as _dbmazz_CdcControlServiceClient, CdcControlServiceDefinition as _dbmazz_CdcControlServiceDefinition } from './dbmazz/CdcControlService.js';
import type { CdcMetricsServiceClient as _dbmazz_CdcMetricsServiceClient, CdcMetricsServiceDefinition as _dbmazz_CdcMetricsServiceDefinition } from './dbmazz/CdcMetricsService.js';
import type { CdcSnapshotServiceClient as _dbmazz_CdcSnapshotServiceClient, CdcSnapshotServiceDefinition as _dbmazz_CdcSnapshotServiceDefinition } from './dbmazz/CdcSnapshotService.js';
import type { CdcStatusServiceClient as _dbmazz_CdcStatusServiceClient, CdcStatusServiceDefinition as _dbmazz_CdcStatusServiceDefinition } from './dbmazz/CdcStatusService.js';
import type { ControlResponse as _dbmazz_ControlResponse, ControlResponse__Output as _dbmazz_ControlResponse__Output } from './dbmazz/ControlResponse.js';
import type { DrainRequest as _dbmazz_DrainRequest, DrainRequest__Output as _dbmazz_DrainRequest__Output } from './dbmazz/DrainRequest.js';
import type { HealthCheckRequest as _dbmazz_HealthCheckRequest, HealthCheckRequest__Output as _dbmazz_HealthCheckRequest__Output } from './dbmazz/HealthCheckRequest.js';
import type { HealthCheckResponse as _dbmazz_HealthCheckResponse, HealthCheckResponse__Output as _dbmazz_HealthCheckResponse__Output } from './dbmazz/HealthCheckResponse.js';
import type { HealthServiceClient as _dbmazz_HealthServiceClient, HealthServiceDefinition as _dbmazz_HealthServiceDefinition } from './dbmazz/HealthService.js';
import type { MetricsRequest as _dbmazz_MetricsRequest, MetricsRequest__Output as _dbmazz_MetricsRequest__Output } from './dbmazz/MetricsRequest.js';
import type { MetricsResponse as _dbmazz_MetricsResponse, MetricsResponse__Output as _dbmazz_MetricsResponse__Output } from './dbmazz/MetricsResponse.js';
import type { PauseRequest as _dbmazz_PauseRequest, PauseRequest__Output as _dbmazz_PauseRequest__Output } from './dbmazz/PauseRequest.js';
import type { ReloadConfigRequest as _dbmazz_ReloadConfigRequest, ReloadConfigRequest__Output as _dbmazz_ReloadConfigRequest__Output } from './dbmazz/ReloadConfigRequest.js';
import type { ResnapshotRequest as _dbmazz_ResnapshotRequest, ResnapshotRequest__Output as _dbmazz_ResnapshotRequest__Output } from './dbmazz/ResnapshotRequest.js';
import type { ResnapshotResponse as _dbmazz_ResnapshotResponse, ResnapshotResponse__Output as _dbmazz_ResnapshotResponse__Output } from './dbmazz/ResnapshotResponse.js';
import type { ResumeRequest as _dbmazz_ResumeRequest, ResumeRequest__Output as _dbmazz_ResumeRequest__Output } from './dbmazz/ResumeRequest.js';
import type { StatusRequest as _dbmazz_StatusRequest, StatusRequest__Output as _dbmazz_StatusRequest__Output } from './dbmazz/StatusRequest.js';
import type { StatusResponse as _dbmazz_StatusResponse, StatusResponse__Output as _dbmazz_StatusResponse__Output } from './dbmazz/StatusResponse.js';
import type { StopRequest as _dbmazz_StopRequest, StopRequest__Output as _dbmazz_StopRequest__Output } from './dbmazz/StopRequest.js';
import type { TableSnapshotStatus as _dbmazz_TableSnapshotStatus, TableSnapshotStatus__Output as _dbmazz_TableSnapshotStatus__Output } from './dbmazz/TableSnapshotStatus.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  dbmazz: {
    CdcControlService: SubtypeConstructor<typeof grpc.Client, _dbmazz_CdcControlServiceClient> & { service: _dbmazz_CdcControlServiceDefinition }
    CdcMetricsService: SubtypeConstructor<typeof grpc.Client, _dbmazz_CdcMetricsServiceClient> & { service: _dbmazz_CdcMetricsServiceDefinition }
    CdcSnapshotService: SubtypeConstructor<typeof grpc.Client, _dbmazz_CdcSnapshotServiceClient> & { service: _dbmazz_CdcSnapshotServiceDefinition }
    CdcStatusService: SubtypeConstructor<typeof grpc.Client, _dbmazz_CdcStatusServiceClient> & { service: _dbmazz_CdcStatusServiceDefinition }
    ControlResponse: MessageTypeDefinition<_dbmazz_ControlResponse, _dbmazz_ControlResponse__Output>
    DrainRequest: MessageTypeDefinition<_dbmazz_DrainRequest, _dbmazz_DrainRequest__Output>
    HealthCheckRequest: MessageTypeDefinition<_dbmazz_HealthCheckRequest, _dbmazz_HealthCheckRequest__Output>
    HealthCheckResponse: MessageTypeDefinition<_dbmazz_HealthCheckResponse, _dbmazz_HealthCheckResponse__Output>
    HealthService: SubtypeConstructor<typeof grpc.Client, _dbmazz_HealthServiceClient> & { service: _dbmazz_HealthServiceDefinition }
    MetricsRequest: MessageTypeDefinition<_dbmazz_MetricsRequest, _dbmazz_MetricsRequest__Output>
    MetricsResponse: MessageTypeDefinition<_dbmazz_MetricsResponse, _dbmazz_MetricsResponse__Output>
    PauseRequest: MessageTypeDefinition<_dbmazz_PauseRequest, _dbmazz_PauseRequest__Output>
    ReloadConfigRequest: MessageTypeDefinition<_dbmazz_ReloadConfigRequest, _dbmazz_ReloadConfigRequest__Output>
    ResnapshotRequest: MessageTypeDefinition<_dbmazz_ResnapshotRequest, _dbmazz_ResnapshotRequest__Output>
    ResnapshotResponse: MessageTypeDefinition<_dbmazz_ResnapshotResponse, _dbmazz_ResnapshotResponse__Output>
    ResumeRequest: MessageTypeDefinition<_dbmazz_ResumeRequest, _dbmazz_ResumeRequest__Output>
    StatusRequest: MessageTypeDefinition<_dbmazz_StatusRequest, _dbmazz_StatusRequest__Output>
    StatusResponse: MessageTypeDefinition<_dbmazz_StatusResponse, _dbmazz_StatusResponse__Output>
    StopRequest: MessageTypeDefinition<_dbmazz_StopRequest, _dbmazz_StopRequest__Output>
    TableSnapshotStatus: MessageTypeDefinition<_dbmazz_TableSnapshotStatus, _dbmazz_TableSnapshotStatus__Output>
  }
}

