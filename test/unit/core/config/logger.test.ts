import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { CdcError } from '../../../../core/index.js';
import { childLogger, createRootLogger, usePretty } from '../../../../core/log/logger.js';

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

test('JSON logs: secret keys redacted, CdcError serialized as code/message/hint, secrets scrubbed', () => {
  const out = capture();
  const root = createRootLogger({ level: 'info', format: 'json', destination: out.stream, isTty: false, secrets: ['hunter2'], secretKeys: ['SINK_PASSWORD'] });
  const log = childLogger(root, 'sink', { connector: 'starrocks' });
  log.info({ settings: { SINK_PASSWORD: 'hunter2', SINK_USER: 'root' }, password: 'hunter2' }, 'configured');
  log.error(
    {
      err: new CdcError({
        code: 'SINK_AUTH',
        message: 'login to http://root:hunter2@fe:8030 failed',
        hint: 'Check SINK_PASSWORD.',
        cause: new Error('bad password hunter2'),
      }),
    },
    'load failed',
  );
  const text = out.lines().join('\n');
  assert.ok(!text.includes('hunter2'), text);
  const [info, error] = out.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(info?.['settings'], { SINK_PASSWORD: '****', SINK_USER: 'root' });
  assert.equal(info?.['component'], 'sink');
  assert.equal(info?.['connector'], 'starrocks');
  assert.equal(info?.['level'], 'info');
  assert.deepEqual(error?.['err'], {
    type: 'CdcError',
    message: 'login to http://root:****@fe:8030 failed',
    cause: 'bad password ****',
    code: 'SINK_AUTH',
    retry: 'never',
    hint: 'Check SINK_PASSWORD.',
  });
});

test('pretty when LOG_FORMAT=pretty, or auto on a terminal; JSON otherwise', () => {
  assert.equal(usePretty('auto', true), true);
  assert.equal(usePretty('auto', false), false);
  assert.equal(usePretty('pretty', false), true);
  assert.equal(usePretty('json', true), false);
  const out = capture();
  createRootLogger({ level: 'info', format: 'pretty', destination: out.stream, isTty: false }).info({ slot: 's' }, 'hello');
  const text = out.lines().join('\n');
  assert.match(text, /INFO.*hello/);
  assert.throws(() => JSON.parse(out.lines()[0] ?? ''));
});
