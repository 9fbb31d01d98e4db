/**
 * Loads proto/dbmazz.proto and the standard grpc.health.v1 proto at runtime (proto-loader). The
 * options are the ones core/control/gen/ is generated with (style §4.6): uint64 as decimal strings,
 * enums as names, unset fields filled with defaults. The .proto files are the single source.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { ProtoGrpcType as DbmazzProto } from './gen/dbmazz.js';
import type { ProtoGrpcType as HealthProto } from './gen/health.js';

/** proto/ at the package root (this module runs from dist/core/control/). */
export const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));
export const PROTO_FILES = ['dbmazz.proto', 'grpc/health/v1/health.proto'] as const;

/** Keep in sync with the proto-loader-gen-types flags in core/control/gen/README.md. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_DIR],
};

export interface ControlProto {
  readonly definition: protoLoader.PackageDefinition;
  readonly dbmazz: DbmazzProto['dbmazz'];
  readonly health: HealthProto['grpc']['health']['v1'];
}

let cached: ControlProto | undefined;

export function loadControlProto(): ControlProto {
  if (cached) return cached;
  const definition = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as DbmazzProto & HealthProto;
  cached = { definition, dbmazz: loaded.dbmazz, health: loaded.grpc.health.v1 };
  return cached;
}
