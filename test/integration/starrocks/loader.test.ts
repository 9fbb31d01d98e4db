/** StreamLoader label handling against a scripted FE/BE (node:http on 127.0.0.1). */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { CdcError } from '../../../core/index.js';
import { StreamLoadClient } from '../../../connectors/starrocks/stream-load/client.js';
import { FeApi } from '../../../connectors/starrocks/stream-load/fe-api.js';
import { StreamLoader } from '../../../connectors/starrocks/stream-load/loader.js';
import { scriptedServers } from '../../helpers/scripted-http.js';

const servers = scriptedServers();
const closers: (() => Promise<void> | void)[] = [];

after(async () => {
  for (const c of closers) await c();
  await servers.closeAll();
});

interface Script {
  /** Replies to successive Stream Load PUTs. */
  loads: string[];
  /** Successive get_load_state states (the last one repeats). */
  states: string[];
  seen: { method: string; url: string; auth: string | undefined }[];
}

async function scriptedServer(script: Script): Promise<string> {
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    script.seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization });
    if (req.method === 'PUT') {
      const reply = script.loads.shift() ?? '{}';
      if (req.headers.expect) res.writeContinue();
      req.resume();
      req.on('end', () => res.end(reply));
      return;
    }
    if (req.url?.includes('get_load_state')) {
      const state = script.states.length > 1 ? script.states.shift() : script.states[0];
      res.end(JSON.stringify({ status: 'OK', code: '0', msg: 'Success', message: 'OK', state, reason: '' }));
      return;
    }
    if (req.url?.startsWith('/api/_load_error_log')) {
      res.end('Error: NULL value in non-nullable column qty. Row: {"id":1}\nsecond line\n');
      return;
    }
    res.statusCode = 404;
    res.end('Not Found');
  };
  return (await servers.serve(handler)).url;
}

function loader(url: string, labelWaitMs = 5000): StreamLoader {
  const auth = { baseUrl: new URL(url), user: 'root', password: 'pw' };
  const client = new StreamLoadClient({ ...auth, connectTimeoutMs: 1000, continueTimeoutMs: 1000, responseTimeoutMs: 2000 });
  const fe = new FeApi({ ...auth, connectTimeoutMs: 1000, requestTimeoutMs: 2000 });
  closers.push(
    () => client.close(),
    () => fe.close(),
  );
  return new StreamLoader(client, fe, { pollIntervalMs: 10, labelWaitMs, logger: pino({ level: 'silent' }) });
}

const job = (label: string) => ({ db: 'db', table: 't', label, path: '/api/db/t/_stream_load', headers: { label }, body: Buffer.from('[]') });
const be = (o: Record<string, unknown>): string => JSON.stringify({ TxnId: 1, Label: 'l', ...o });
const AUTH = `Basic ${Buffer.from('root:pw').toString('base64')}`;

describe('StreamLoader', () => {
  it('RUNNING label: polls get_load_state until VISIBLE, then succeeds without resending', async () => {
    const script: Script = {
      loads: [be({ Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING' })],
      states: ['PREPARE', 'PREPARED', 'VISIBLE'],
      seen: [],
    };
    const url = await scriptedServer(script);
    const r = await loader(url).load(job('L1'));
    assert.equal(r.alreadyLoaded, true);
    assert.equal(r.sends, 1);
    const polls = script.seen.filter((s) => s.method === 'GET');
    assert.equal(polls.length, 3);
    assert.equal(polls[0]?.url, '/api/db/get_load_state?label=L1');
    assert.ok(polls.every((p) => p.auth === AUTH));
  });

  it('RUNNING then COMMITTED also counts as done', async () => {
    const script: Script = { loads: [be({ Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING' })], states: ['COMMITTED'], seen: [] };
    const r = await loader(await scriptedServer(script)).load(job('L2'));
    assert.equal(r.alreadyLoaded, true);
  });

  it('RUNNING then ABORTED: sends again with the same label', async () => {
    const script: Script = {
      loads: [be({ Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING' }), be({ Status: 'Success', NumberLoadedRows: 4 })],
      states: ['ABORTED'],
      seen: [],
    };
    const r = await loader(await scriptedServer(script)).load(job('L3'));
    assert.equal(r.alreadyLoaded, false);
    assert.equal(r.sends, 2);
    assert.equal(r.loadedRows, 4);
  });

  it('a label still RUNNING after the wait is a retriable timeout', async () => {
    const script: Script = { loads: [be({ Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING' })], states: ['PREPARE'], seen: [] };
    await assert.rejects(
      loader(await scriptedServer(script), 100).load(job('L4')),
      (e: unknown) => e instanceof CdcError && e.code === 'SINK_TIMEOUT' && e.retry === 'retry' && /still PREPARE/.test(e.message),
    );
  });

  it('too many filtered rows: the error carries the first error-log lines; no credentials go to the ErrorURL', async () => {
    const script: Script = { loads: [], states: ['UNKNOWN'], seen: [] };
    const url = await scriptedServer(script);
    script.loads.push(be({ Status: 'Fail', Message: 'too many filtered rows', NumberFilteredRows: 1, ErrorURL: `${url}/api/_load_error_log?file=e1` }));
    await assert.rejects(loader(url).load(job('L5')), (e: unknown) => {
      assert.ok(e instanceof CdcError);
      assert.equal(e.code, 'SINK_DATA');
      assert.equal(e.retry, 'never');
      assert.match(e.message, /db\.t \(column qty\)/);
      assert.match(e.message, /NULL value in non-nullable column qty/);
      assert.match(e.message, /second line/);
      return true;
    });
    const logGet = script.seen.find((s) => s.url.startsWith('/api/_load_error_log'));
    assert.equal(logGet?.auth, undefined);
  });
});
