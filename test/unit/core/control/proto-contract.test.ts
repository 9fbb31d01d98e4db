/**
 * The wire contract: package, services, methods and every field name and number exactly as the
 * seed's API (existing tooling calls it), and core/control/gen/ exactly what proto-loader-gen-types
 * makes of the .proto files (the .proto stays the single source).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import type { MessageTypeDefinition, MethodDefinition, ServiceDefinition } from '@grpc/proto-loader';
import { LOADER_OPTIONS, PROTO_DIR, PROTO_FILES } from '../../../../core/control/proto.js';
import { REPO_ROOT } from '../../../fixtures/external-connector/install.js';

interface FieldDescriptor {
  readonly name: string;
  readonly number: number;
  readonly type: string;
  readonly label: string;
  readonly typeName?: string;
}

// keepCase: the field names as written in the .proto (the wire/JSON names derive from them).
const definition = protoLoader.loadSync([...PROTO_FILES], { ...LOADER_OPTIONS, keepCase: true });

function fields(name: string): string[] {
  const def = definition[name] as MessageTypeDefinition<object, object> | undefined;
  assert.ok(def && 'type' in def, `message ${name} is missing`);
  const type = def.type as { field: FieldDescriptor[] };
  return type.field.map((f) => `${f.number} ${f.name} ${f.label === 'LABEL_REPEATED' ? 'repeated ' : ''}${f.type.replace('TYPE_', '').toLowerCase()}`);
}

/** A nested enum, `Message.Enum`. */
function enumValues(name: string): string[] {
  const dot = name.lastIndexOf('.');
  const def = definition[name.slice(0, dot)] as { type?: { enumType: { name: string; value: { name: string; number: number }[] }[] } } | undefined;
  const e = def?.type?.enumType.find((x) => x.name === name.slice(dot + 1));
  assert.ok(e, `enum ${name} is missing`);
  return e.value.map((v) => `${v.number} ${v.name}`);
}

function methods(service: string): string[] {
  const def = definition[service] as ServiceDefinition | undefined;
  assert.ok(def, `service ${service} is missing`);
  return Object.values(def).map((m: MethodDefinition<object, object>) => {
    const req = (m.requestType as { type: { name: string } }).type.name;
    const res = (m.responseType as { type: { name: string } }).type.name;
    return `${m.path} (${req}) -> ${m.responseStream ? 'stream ' : ''}${res}`;
  });
}

test('services and calls are the seed API, in package dbmazz', () => {
  assert.deepEqual(methods('dbmazz.HealthService'), ['/dbmazz.HealthService/Check (HealthCheckRequest) -> HealthCheckResponse']);
  assert.deepEqual(methods('dbmazz.CdcControlService').sort(), [
    '/dbmazz.CdcControlService/DrainAndStop (DrainRequest) -> ControlResponse',
    '/dbmazz.CdcControlService/Pause (PauseRequest) -> ControlResponse',
    '/dbmazz.CdcControlService/ReloadConfig (ReloadConfigRequest) -> ControlResponse',
    '/dbmazz.CdcControlService/Resume (ResumeRequest) -> ControlResponse',
    '/dbmazz.CdcControlService/Stop (StopRequest) -> ControlResponse',
  ]);
  assert.deepEqual(methods('dbmazz.CdcStatusService'), ['/dbmazz.CdcStatusService/GetStatus (StatusRequest) -> StatusResponse']);
  assert.deepEqual(methods('dbmazz.CdcMetricsService'), ['/dbmazz.CdcMetricsService/StreamMetrics (MetricsRequest) -> stream MetricsResponse']);
  assert.deepEqual(methods('grpc.health.v1.Health').sort(), [
    '/grpc.health.v1.Health/Check (HealthCheckRequest) -> HealthCheckResponse',
    '/grpc.health.v1.Health/Watch (HealthCheckRequest) -> stream HealthCheckResponse',
  ]);
});

test('every field name and number as the issue lists them (health 1-4, status 1-6, metrics 1-8)', () => {
  assert.deepEqual(fields('dbmazz.HealthCheckRequest'), ['1 service string']);
  assert.deepEqual(fields('dbmazz.HealthCheckResponse'), ['1 status enum', '2 stage enum', '3 stage_detail string', '4 error_detail string']);
  assert.deepEqual(enumValues('dbmazz.HealthCheckResponse.ServingStatus'), ['0 UNKNOWN', '1 SERVING', '2 NOT_SERVING']);
  assert.deepEqual(enumValues('dbmazz.HealthCheckResponse.Stage'), ['0 STAGE_UNKNOWN', '1 STAGE_INIT', '2 STAGE_SETUP', '3 STAGE_CDC']);
  for (const empty of ['PauseRequest', 'ResumeRequest', 'DrainRequest', 'StatusRequest']) assert.deepEqual(fields(`dbmazz.${empty}`), []);
  assert.deepEqual(fields('dbmazz.StopRequest'), ['1 skip_slot_cleanup bool']);
  assert.deepEqual(fields('dbmazz.ReloadConfigRequest'), ['1 flush_size uint64', '2 flush_interval_ms uint64', '3 tables repeated string']);
  assert.deepEqual(fields('dbmazz.ControlResponse'), ['1 success bool', '2 message string']);
  assert.deepEqual(fields('dbmazz.StatusResponse'), [
    '1 state enum',
    '2 current_lsn uint64',
    '3 confirmed_lsn uint64',
    '4 pending_events uint64',
    '5 slot_name string',
    '6 tables repeated string',
    // Added by dbmazz (issue 10): new numbers only.
    '7 snapshots repeated message',
    '8 snapshot_running bool',
    // Added by dbmazz (issue 13, hot standby): new numbers only.
    '9 standby bool',
    '10 standby_detail string',
    '11 takeovers uint64',
  ]);
  assert.deepEqual(enumValues('dbmazz.StatusResponse.CdcState'), ['0 RUNNING', '1 PAUSED', '2 DRAINING', '3 STOPPED']);
  assert.deepEqual(fields('dbmazz.MetricsRequest'), ['1 interval_ms uint32']);
  assert.deepEqual(fields('dbmazz.MetricsResponse'), [
    '1 timestamp uint64',
    '2 events_per_second double',
    '3 lag_bytes uint64',
    '4 lag_events uint64',
    '5 memory_bytes uint64',
    '6 total_events_processed uint64',
    '7 total_batches_sent uint64',
    '8 cpu_millicores uint64',
  ]);
  assert.deepEqual(fields('grpc.health.v1.HealthCheckRequest'), ['1 service string']);
  assert.deepEqual(fields('grpc.health.v1.HealthCheckResponse'), ['1 status enum']);
  assert.deepEqual(enumValues('grpc.health.v1.HealthCheckResponse.ServingStatus'), ['0 UNKNOWN', '1 SERVING', '2 NOT_SERVING', '3 SERVICE_UNKNOWN']);
});

test('the snapshot API added to the seed (issue 10): its own service, new messages and StatusResponse fields 7-8', () => {
  assert.deepEqual(methods('dbmazz.CdcSnapshotService'), ['/dbmazz.CdcSnapshotService/Resnapshot (ResnapshotRequest) -> ResnapshotResponse']);
  assert.deepEqual(fields('dbmazz.ResnapshotRequest'), ['1 tables repeated string']);
  assert.deepEqual(fields('dbmazz.ResnapshotResponse'), ['1 message string', '2 tables repeated string']);
  assert.deepEqual(fields('dbmazz.TableSnapshotStatus'), [
    '1 table string',
    '2 phase enum',
    '3 reason enum',
    '4 rows_copied uint64',
    '5 rows_estimated int64',
    '6 chunks uint64',
    '7 rows_per_second double',
    '8 eta_seconds int64',
    '9 started_at_ms uint64',
    '10 finished_at_ms uint64',
    '11 error string',
  ]);
  assert.deepEqual(enumValues('dbmazz.TableSnapshotStatus.Phase'), ['0 PHASE_UNKNOWN', '1 PENDING', '2 COPYING', '3 DONE', '4 FAILED']);
  assert.deepEqual(enumValues('dbmazz.TableSnapshotStatus.Reason'), ['0 REASON_UNKNOWN', '1 INITIAL', '2 ADDED', '3 REQUESTED']);
});

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

test('core/control/gen is exactly what proto-loader-gen-types makes of proto/ (regenerate-and-diff)', () => {
  const out = mkdtempSync(join(tmpdir(), 'dbmazz-gen-'));
  try {
    const bin = join(REPO_ROOT, 'node_modules', '@grpc', 'proto-loader', 'build', 'bin', 'proto-loader-gen-types.js');
    const args = ['--longs=String', '--enums=String', '--defaults', '--oneofs', '--grpcLib=@grpc/grpc-js', '--importFileExtension=.js'];
    const r = spawnSync(process.execPath, [bin, ...args, '-I', 'proto', '-O', out, 'dbmazz.proto', 'grpc/health/v1/health.proto'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    const committedDir = join(REPO_ROOT, 'core', 'control', 'gen');
    const generated = listFiles(out)
      .map((f) => relative(out, f))
      .sort();
    const committed = listFiles(committedDir)
      .map((f) => relative(committedDir, f))
      .filter((f) => f.endsWith('.ts'))
      .sort();
    assert.deepEqual(committed, generated, 'core/control/gen has other files than the generator makes: regenerate (see its README.md)');
    for (const f of generated) {
      assert.equal(
        readFileSync(join(committedDir, f), 'utf8'),
        readFileSync(join(out, f), 'utf8'),
        `core/control/gen/${f} is out of date: regenerate (see its README.md)`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the runtime loads the .proto files from proto/ at the package root', () => {
  assert.equal(relative(REPO_ROOT, PROTO_DIR).replace(/\/$/, ''), 'proto');
});
