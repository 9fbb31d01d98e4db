import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEmulatorArgs, runEmulatorCli } from '../src/cli.js';
import { basicAuth, rawRequest } from '../src/stream-load-client.js';

describe('starrocks-emulator CLI', () => {
  it('parses flags', () => {
    assert.deepEqual(
      parseEmulatorArgs([
        '--fe-http-port',
        '1',
        '--be-http-port=2',
        '--bes',
        '3',
        '--mysql-port',
        '4',
        '--user',
        'u',
        '--password',
        'p:w',
        '--schema-change-ms',
        '50',
        '--host',
        '0.0.0.0',
      ]),
      {
        feHttpPort: 1,
        beHttpPort: 2,
        bes: 3,
        mysqlPort: 4,
        user: 'u',
        password: 'p:w',
        schemaChangeMs: 50,
        host: '0.0.0.0',
      },
    );
    assert.equal(typeof parseEmulatorArgs(['--fe-http-port', 'x']), 'string');
    assert.equal(typeof parseEmulatorArgs(['--nope']), 'string');
    assert.equal(parseEmulatorArgs(['--nope']), 'unknown option --nope');
    assert.equal(parseEmulatorArgs(['--mysql-port']), '--mysql-port needs a value');
    assert.equal(parseEmulatorArgs(['--bes', '0']), '--bes needs an integer between 1 and 64');
    assert.equal(parseEmulatorArgs(['--host=h', 'extra']), 'unexpected argument extra');
  });

  it('bad flags → exit code 2 with usage', async () => {
    const err: string[] = [];
    assert.equal(await runEmulatorCli(['--bes', '0'], { out: () => undefined, err: (l) => err.push(l) }), 2);
    assert.match(err.join('\n'), /usage:/);
  });

  it('prints one ready line with all ports, serves, and closes on SIGTERM', async () => {
    const out: string[] = [];
    let readyResolve: (line: string) => void = () => undefined;
    const ready = new Promise<string>((r) => (readyResolve = r));
    const done = runEmulatorCli(['--fe-http-port', '0', '--be-http-port', '0', '--bes', '2', '--mysql-port', '0', '--password', 'pw'], {
      out: (l) => {
        out.push(l);
        if (l.includes('ready')) readyResolve(l);
      },
      err: () => undefined,
    });
    const line = await ready;
    const m = /^starrocks-emulator ready fe_http=(\d+) be_http=(\d+),(\d+) mysql=(-?\d+)$/.exec(line);
    assert.ok(m, line);
    const r = await rawRequest(`http://127.0.0.1:${m[1] ?? ''}/api/d/t/_stream_load`, { headers: { Authorization: basicAuth('root', 'pw') }, body: '{}' });
    assert.equal(r.status, 307);
    process.emit('SIGTERM');
    assert.equal(await done, 0);
    assert.equal(out.length, 1);
  });
});
