/**
 * Loads proto/dbmazz.proto and the standard grpc.health.v1 proto at runtime (proto-loader). The
 * options are the ones core/control/gen/ is generated with (docs/stack-traps.md §4.6): uint64 as decimal strings,
 * enums as names, unset fields filled with defaults. The .proto files are the single source.
 *
 * Reflection gets its own definition, loaded with keepCase: the handlers' definition (keepCase false,
 * camelCase JS objects) would describe `stageDetail` instead of the .proto's `stage_detail`, and
 * clients that build stubs from reflection (grpcurl) must see the names as written. Field numbers and
 * types are the same in both, so the wire format does not change.
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
  /** What the service handlers are built from (camelCase field names in JS). */
  readonly definition: protoLoader.PackageDefinition;
  /** What reflection serves: the same files with the field names as written. */
  readonly reflectionDefinition: protoLoader.PackageDefinition;
  readonly dbmazz: DbmazzProto['dbmazz'];
  readonly health: HealthProto['grpc']['health']['v1'];
}

let cached: ControlProto | undefined;

export function loadControlProto(): ControlProto {
  if (cached) return cached;
  const definition = protoLoader.loadSync([...PROTO_FILES], LOADER_OPTIONS);
  const loaded = grpc.loadPackageDefinition(definition) as unknown as DbmazzProto & HealthProto;
  const reflectionDefinition = protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, keepCase: true });
  cached = { definition, reflectionDefinition, dbmazz: loaded.dbmazz, health: loaded.grpc.health.v1 };
  return cached;
}
