/**
 * `dbmazz resnapshot` (the real CLI as a child process) against the real gRPC control server over the
 * memory connectors: what reaches the source, the exit codes (0 requested, 1 refused or unreachable,
 * 2 bad usage with nothing sent) and where address and token come from.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startControl, type ControlHarness } from '../../unit/core/control/harness.js';
import { runCli, trapServer, type Trap } from './run-cli.js';

const ORDERS = { schema: 'public', name: 'orders' };
const TOKEN = 'cli-token-91b2';

describe('dbmazz resnapshot against a running control API', () => {
  let h: ControlHarness;
  let trap: Trap;

  before(async () => {
    h = await startControl({ snapshots: { progress: () => [] }, grpc: { authToken: TOKEN }, client: { token: TOKEN } });
    await h.run();
    trap = await trapServer();
  });
  after(async () => {
    await h?.close();
    await trap?.close();
  });

  const env = (extra: Record<string, string> = {}): Record<string, string> => ({ GRPC_PORT: String(h.server.port), GRPC_AUTH_TOKEN: TOKEN, ...extra });

  it('requests the re-snapshot with the address and token of GRPC_PORT / GRPC_AUTH_TOKEN and exits 0', async () => {
    const before = h.source.resnapshots.length;
    const r = await runCli(['resnapshot', 'orders'], env());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Re-snapshot of public\.orders requested/);
    assert.deepEqual(h.source.resnapshots.slice(before), [[ORDERS]]);
  });

  it('flags win over the variables (--address, --token)', async () => {
    const before = h.source.resnapshots.length;
    const r = await runCli(['resnapshot', '--address', `127.0.0.1:${h.server.port}`, `--token=${TOKEN}`, 'public.orders'], { GRPC_PORT: String(trap.port) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(h.source.resnapshots.slice(before), [[ORDERS]]);
    assert.equal(trap.connections(), 0);
  });

  it('exits 1 with the gRPC status and the reason when the daemon refuses (table not replicated, no token)', async () => {
    const before = h.source.resnapshots.length;
    const unknown = await runCli(['resnapshot', 'orders', 'sales.nope'], env());
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^dbmazz resnapshot: INVALID_ARGUMENT: .*not replicated: sales\.nope/);
    const anonymous = await runCli(['resnapshot', 'orders'], { GRPC_PORT: String(h.server.port) });
    assert.equal(anonymous.code, 1);
    assert.match(anonymous.stderr, /UNAUTHENTICATED/);
    assert.equal(h.source.resnapshots.length, before, 'nothing was requested');
  });

  it('exits 1 and says where it looked when nothing listens', async () => {
    const closed = await trapServer();
    const port = closed.port;
    await closed.close();
    const r = await runCli(['resnapshot', '--timeout', '5', 'orders'], { GRPC_PORT: String(port) });
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^dbmazz resnapshot: UNAVAILABLE: .*127\\.0\\.0\\.1:${port}`));
  });

  it('exits 2 without connecting on bad usage: no table, a bad name, an unknown option, a bad address', async () => {
    for (const args of [[], ['a b'], ['--wat', 'orders'], ['--address', 'nohost', 'orders'], ['--timeout', '0', 'orders'], ['orders', '--token']]) {
      const r = await runCli(['resnapshot', ...args], { GRPC_PORT: String(trap.port) });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^dbmazz resnapshot: .+\nRun `dbmazz resnapshot --help` for usage\.\n$/);
    }
    assert.equal(trap.connections(), 0, 'nothing was sent');
  });

  it('--help explains it (exit 0), and dbmazz --help lists it', async () => {
    const r = await runCli(['resnapshot', '--help'], {});
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: dbmazz resnapshot \[options\] TABLE\.\.\./);
    assert.match(r.stdout, /Exit codes: 0 the re-snapshot was requested, 1 the daemon refused/);
    const main = await runCli(['--help'], {});
    assert.match(main.stdout, /dbmazz resnapshot TABLE\.\.\. +ask the running daemon/);
  });
});
