/**
 * Reflection (a client that only uses it, as grpcurl does), bearer-token auth and TLS, through real
 * gRPC connections.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { MessageTypeDefinition } from '@grpc/proto-loader';
import { PROTO_DIR, PROTO_FILES } from '../../../../core/control/proto.js';
import { hasBearerToken } from '../../../../core/control/auth.js';
import { controlSettingProblems, readControlSettings } from '../../../../core/control/settings.js';
import { ReflectionClient } from './reflection-client.js';
import { startControl } from './harness.js';
import { DbmazzClient } from './grpc-client.js';

type Unary = (req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: Record<string, unknown>) => void) => void;

test('reflection only: list the services, describe a message, call Check and GetStatus without the .proto', async () => {
  const h = await startControl();
  const reflection = new ReflectionClient(`127.0.0.1:${h.server.port}`);
  try {
    await h.run();
    const services = await reflection.listServices();
    for (const s of [
      'dbmazz.CdcControlService',
      'dbmazz.CdcMetricsService',
      'dbmazz.CdcSnapshotService',
      'dbmazz.CdcStatusService',
      'dbmazz.HealthService',
      'grpc.health.v1.Health',
    ]) {
      assert.ok(services.includes(s), `${s} is not listed: ${services.join(', ')}`);
    }

    const pkg = await reflection.packageFor('dbmazz.HealthService');
    assert.deepEqual(fieldsOf(pkg, 'dbmazz.HealthCheckResponse'), ['1:status', '2:stage', '3:stage_detail', '4:error_detail']);

    const loaded = grpc.loadPackageDefinition(pkg) as unknown as Record<string, Record<string, new (a: string, c: grpc.ChannelCredentials) => grpc.Client>>;
    const ctor = loaded['dbmazz']?.['HealthService'];
    const statusCtor = loaded['dbmazz']?.['CdcStatusService'];
    assert.ok(ctor && statusCtor);
    const health = new ctor(`127.0.0.1:${h.server.port}`, grpc.credentials.createInsecure());
    const status = new statusCtor(`127.0.0.1:${h.server.port}`, grpc.credentials.createInsecure());
    try {
      const call = (client: grpc.Client, method: string): Promise<Record<string, unknown>> =>
        new Promise((resolve, reject) => {
          const fn = (client as unknown as Record<string, Unary>)[method];
          assert.ok(fn);
          fn.call(client, {}, new grpc.Metadata(), (err, res) => (err ? reject(err) : resolve(res ?? {})));
        });
      // Stubs built from reflection see the .proto's names.
      assert.deepEqual(await call(health, 'Check'), { status: 'SERVING', stage: 'STAGE_CDC', stage_detail: 'Replicating', error_detail: '' });
      const s = await call(status, 'GetStatus');
      assert.equal(s['state'], 'RUNNING');
      assert.equal(s['slot_name'], 'dbmazz_slot');
      assert.deepEqual(s['tables'], ['public.orders']);
    } finally {
      health.close();
      status.close();
    }
  } finally {
    reflection.close();
    await h.close();
  }
});

/** `number:name` of each field of a message in a package definition. */
function fieldsOf(pkg: protoLoader.PackageDefinition, message: string): string[] {
  const def = pkg[message] as MessageTypeDefinition<object, object> | undefined;
  assert.ok(def && 'type' in def, `${message} is not a message of the package`);
  return (def.type as { field: { name: string; number: number }[] }).field.map((f) => `${f.number}:${f.name}`);
}

test('reflection describes every message with the field names of the .proto as written (stage_detail, not stageDetail)', async () => {
  const h = await startControl();
  const reflection = new ReflectionClient(`127.0.0.1:${h.server.port}`);
  try {
    await h.run();
    // The .proto files as written: keepCase keeps their snake_case names.
    const written = protoLoader.loadSync([...PROTO_FILES], { includeDirs: [PROTO_DIR], keepCase: true });
    const messages = Object.keys(written).filter((k) => 'type' in (written[k] ?? {}) && 'field' in (written[k] as MessageTypeDefinition<object, object>).type);
    assert.ok(messages.length >= 14, `expected every message of dbmazz.proto and health.proto, got ${messages.join(', ')}`);
    const described = new Map<string, protoLoader.PackageDefinition>();
    for (const service of await reflection.listServices()) {
      if (service.startsWith('grpc.reflection.')) continue;
      described.set(service, await reflection.packageFor(service));
    }
    const union: protoLoader.PackageDefinition = Object.assign({}, ...described.values());
    for (const m of messages) {
      const fields = fieldsOf(union, m);
      assert.deepEqual(fields, fieldsOf(written, m), `${m} as reflection describes it`);
      for (const f of fields) assert.match(f, /^\d+:[a-z][a-z0-9_]*$/, `${m} field ${f} is not the snake_case name of the .proto`);
    }
    // Names clients know from the seed.
    assert.ok(fieldsOf(union, 'dbmazz.StatusResponse').includes('2:current_lsn'));
    assert.ok(fieldsOf(union, 'dbmazz.StatusResponse').includes('3:confirmed_lsn'));
    assert.ok(fieldsOf(union, 'dbmazz.StatusResponse').includes('5:slot_name'));
    assert.ok(fieldsOf(union, 'dbmazz.StopRequest').includes('1:skip_slot_cleanup'));
    assert.ok(fieldsOf(union, 'dbmazz.ReloadConfigRequest').includes('2:flush_interval_ms'));
    assert.ok(fieldsOf(union, 'dbmazz.MetricsResponse').includes('2:events_per_second'));
  } finally {
    reflection.close();
    await h.close();
  }
});

test('bearer token: matching is exact and the scheme case-insensitive', () => {
  const md = (v: string): grpc.Metadata => {
    const m = new grpc.Metadata();
    m.set('authorization', v);
    return m;
  };
  assert.equal(hasBearerToken(md('Bearer s3cret'), 's3cret'), true);
  assert.equal(hasBearerToken(md('bearer s3cret'), 's3cret'), true);
  assert.equal(hasBearerToken(md('Bearer s3cre'), 's3cret'), false);
  assert.equal(hasBearerToken(md('Basic s3cret'), 's3cret'), false);
  assert.equal(hasBearerToken(new grpc.Metadata(), 's3cret'), false);
});

test('GRPC_AUTH_TOKEN: calls without the token get UNAUTHENTICATED (reflection too); health stays open', async () => {
  const h = await startControl({ grpc: { authToken: 'tok-123' } });
  const anonymous = h.client2({});
  const wrong = h.client2({ token: 'nope' });
  const good = h.client2({ token: 'tok-123' });
  try {
    const unauthenticated = (err: grpc.ServiceError): boolean => err.code === grpc.status.UNAUTHENTICATED;
    await assert.rejects(anonymous.getStatus(), (err: grpc.ServiceError) => unauthenticated(err) && /Missing metadata/.test(err.details));
    await assert.rejects(wrong.pause(), (err: grpc.ServiceError) => unauthenticated(err) && /Invalid bearer token/.test(err.details));
    await assert.rejects(anonymous.streamMetrics(100, 1), unauthenticated);
    const reflection = new ReflectionClient(`127.0.0.1:${h.server.port}`);
    await assert.rejects(reflection.listServices(), unauthenticated);
    reflection.close();
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer tok-123');
    const authorized = new ReflectionClient(`127.0.0.1:${h.server.port}`, md);
    assert.ok((await authorized.listServices()).includes('dbmazz.HealthService'));
    authorized.close();

    assert.equal((await anonymous.check()).status, 'SERVING', 'dbmazz.HealthService is open');
    assert.equal((await anonymous.stdCheck('')).status, 'SERVING', 'grpc.health.v1 is open');
    assert.equal((await good.getStatus()).state, 'RUNNING');
    const r = await good.pause();
    assert.equal(r.success, false, 'authorized, and answered by the controller (not replicating yet)');
  } finally {
    await h.close();
  }
});

function openssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

test(
  'GRPC_TLS_CERT / GRPC_TLS_KEY: the API serves TLS with a self-signed certificate; plaintext clients fail',
  { skip: !openssl() && 'openssl is not installed' },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dbmazz-tls-'));
    try {
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      const gen = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          key,
          '-out',
          cert,
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=DNS:localhost',
        ],
        { encoding: 'utf8' },
      );
      assert.equal(gen.status, 0, gen.stderr);
      const settings = readControlSettings({ GRPC_PORT: 0, GRPC_HOST: '127.0.0.1', GRPC_TLS_CERT: 'cert.pem', GRPC_TLS_KEY: 'key.pem' }, dir);
      assert.deepEqual(settings.grpc.tls, { certFile: cert, keyFile: key }, 'relative paths resolve against the working directory');
      const h = await startControl({ grpc: settings.grpc });
      try {
        assert.equal(h.server.tls, true);
        const tlsClient = h.client2({ tls: { ca: readFileSync(cert), serverName: 'localhost' } });
        assert.equal((await tlsClient.check()).status, 'SERVING');
        assert.equal((await tlsClient.getStatus()).state, 'RUNNING');
        const plain = new DbmazzClient(`127.0.0.1:${h.server.port}`);
        try {
          await assert.rejects(
            new Promise((resolve, reject) => {
              plain.health.Check({}, new grpc.Metadata(), { deadline: Date.now() + 3000 }, (err, res) => (err ? reject(err) : resolve(res)));
            }),
            (err: grpc.ServiceError) => err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.DEADLINE_EXCEEDED,
          );
        } finally {
          plain.close();
        }
      } finally {
        await h.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('TLS settings are checked before anything starts: both or neither, readable files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dbmazz-tls-'));
  try {
    assert.deepEqual(controlSettingProblems({ GRPC_TLS_CERT: 'cert.pem' }, dir), [
      'GRPC_TLS_KEY: required when GRPC_TLS_CERT is set (TLS needs both the certificate and its key)',
      `GRPC_TLS_CERT: cannot read '${join(dir, 'cert.pem')}' (ENOENT)`,
    ]);
    assert.deepEqual(controlSettingProblems({}, dir), []);
    const s = readControlSettings({ GRPC_PORT: 50051 }, dir);
    assert.deepEqual(s.grpc, { host: '127.0.0.1', port: 50051, authToken: undefined, tls: undefined });
    assert.equal(s.metrics, undefined, 'the metrics server is off unless METRICS_PORT is set');
    assert.deepEqual(readControlSettings({ METRICS_PORT: 9187 }, dir).metrics, { host: '127.0.0.1', port: 9187 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
