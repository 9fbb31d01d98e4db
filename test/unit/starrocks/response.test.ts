import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CdcError } from '../../../core/index.js';
import {
  classifyFailMessage,
  columnFromMessage,
  httpStatusError,
  HttpTimeoutError,
  loadFailError,
  networkError,
} from '../../../connectors/starrocks/errors.js';
import { parseRetryAfter, parseStreamLoadReply } from '../../../connectors/starrocks/stream-load/response.js';

function beReply(fields: Record<string, unknown>): string {
  return JSON.stringify({ TxnId: 7, Label: 'l', ...fields }, null, 4);
}

const CTX = { db: 'shop', table: 'orders', label: 'dbmazz-x-orders-1-2-0' };

describe('parseStreamLoadReply', () => {
  it('Success with counters', () => {
    const o = parseStreamLoadReply(
      200,
      beReply({
        Status: 'Success',
        Message: 'OK',
        NumberTotalRows: 3,
        NumberLoadedRows: 3,
        NumberFilteredRows: 0,
        NumberUnselectedRows: 0,
        LoadBytes: 99,
        LoadTimeMs: 5,
      }),
    );
    assert.equal(o.kind, 'success');
    if (o.kind !== 'success') return;
    assert.equal(o.status, 'Success');
    assert.equal(o.loadedRows, 3);
    assert.equal(o.loadBytes, 99);
    assert.equal(o.txnId, 7);
    assert.equal(o.errorUrl, undefined);
  });

  it('Publish Timeout is a success (committed, not retried)', () => {
    const o = parseStreamLoadReply(200, beReply({ Status: 'Publish Timeout', Message: 'Publish timeout. The data will be visible after a while, x' }));
    assert.equal(o.kind, 'success');
  });

  it('Success with filtered rows keeps the ErrorURL', () => {
    const o = parseStreamLoadReply(200, beReply({ Status: 'Success', NumberFilteredRows: 2, ErrorURL: 'http://be:8040/api/_load_error_log?file=e' }));
    assert.ok(o.kind === 'success' && o.filteredRows === 2 && o.errorUrl === 'http://be:8040/api/_load_error_log?file=e');
  });

  it('Label Already Exists with FINISHED / RUNNING', () => {
    const f = parseStreamLoadReply(
      200,
      beReply({ TxnId: -1, Status: 'Label Already Exists', ExistingJobStatus: 'FINISHED', Message: 'Label [l] has already been used.' }),
    );
    assert.deepEqual(f, { kind: 'label-exists', existing: 'FINISHED', message: 'Label [l] has already been used.' });
    const r = parseStreamLoadReply(200, beReply({ Status: 'Label Already Exists', ExistingJobStatus: 'RUNNING' }));
    assert.ok(r.kind === 'label-exists' && r.existing === 'RUNNING');
  });

  it('Fail with message and ErrorURL', () => {
    const o = parseStreamLoadReply(200, beReply({ Status: 'Fail', Message: 'too many filtered rows', NumberFilteredRows: 1, ErrorURL: 'http://be/e' }));
    assert.deepEqual(o, { kind: 'fail', message: 'too many filtered rows', errorUrl: 'http://be/e', filteredRows: 1 });
  });

  it('FE FAILED replies drop the Java exception class', () => {
    const o = parseStreamLoadReply(200, JSON.stringify({ Status: 'FAILED', Message: 'class com.starrocks.common.DdlException: No backend alive.' }));
    assert.ok(o.kind === 'fail' && o.message === 'No backend alive.');
  });

  it('401, 500 and non-JSON bodies are HTTP errors', () => {
    const a = parseStreamLoadReply(
      401,
      JSON.stringify({ status: 'FAILED', code: '1', msg: 'Access denied for root@127.0.0.1', message: 'Access denied for root@127.0.0.1' }),
    );
    assert.deepEqual(a, { kind: 'http-error', httpStatus: 401, message: 'Access denied for root@127.0.0.1', retryAfterMs: undefined });
    const b = parseStreamLoadReply(503, '<html>Service Unavailable</html>', '3');
    assert.deepEqual(b, { kind: 'http-error', httpStatus: 503, message: '<html>Service Unavailable</html>', retryAfterMs: 3000 });
    const c = parseStreamLoadReply(200, 'garbage');
    assert.equal(c.kind, 'http-error');
  });

  it('parses Retry-After dates', () => {
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6_000);
    assert.equal(parseRetryAfter('nonsense'), undefined);
  });
});

describe('classifyFailMessage', () => {
  const transient = [
    'Failed to load data into tablet 10012, because of too many versions, current/limit: 1001/1000. You can reduce the loading job concurrency, or increase loading data batch size.',
    'Too many versions. tablet_id: 1, version_count: 1001, limit: 1000',
    'current running txns on db 10001 is 1000, larger than limit 1000',
    'Commit transaction fail cause Connection refused, Transaction status unknown, you can retry with same label.',
    'Service is shutting down, please retry later!',
    'Stream Load exceed http cuncurrent limit 100, please try again later',
    'streamload txn num per be exceeds limit, be: 1.2.3.4, txn_num: 3, limit: 2',
    'No backend alive.',
    'current fe is not master',
    '[E1008]Reached timeout=300000ms',
    'Failed to load data into partition p1, because of too large compaction score, current/limit: 2100/2000.',
    'Memory of process exceed limit. Used: 1, Limit: 1',
    'some brand new error we have never seen',
  ];
  for (const m of transient) {
    it(`retries: ${m.slice(0, 60)}`, () => assert.equal(classifyFailMessage(m).retry, 'retry'));
  }

  const never: [string, string][] = [
    ["Access denied for user 'root' (using password: YES)", 'SINK_AUTH'],
    ['no valid Basic authorization', 'SINK_AUTH'],
    ['unknown database, database=nope', 'SINK_SCHEMA'],
    ['unknown table "shop.nope"', 'SINK_SCHEMA'],
    ["Unknown table 'nope'", 'SINK_SCHEMA'],
    ['Column has no default value. column: price', 'SINK_SCHEMA'],
    ['key column id not in partial update columns', 'SINK_SCHEMA'],
    ['Merge condition column dbmazz_cdc_version does not exist.', 'SINK_SCHEMA'],
    ['Only olap/lake table support stream load', 'SINK_SCHEMA'],
    ['too many filtered rows', 'SINK_DATA'],
    ['Unrecognized json format, stop json loader.', 'SINK_DATA'],
    ['Label format error. regex: ^[-\\w]{1,128}$, label: a b', 'SINK_LOAD'],
    ['There is no 100-continue header', 'SINK_LOAD'],
    ['Invalid timeout format', 'SINK_LOAD'],
    ['body size 99 exceed limit: 10, x. You can increase the limit by setting streaming_load_max_mb in be.conf.', 'SINK_LOAD'],
  ];
  for (const [m, code] of never) {
    it(`never: ${m.slice(0, 60)}`, () => {
      const c = classifyFailMessage(m);
      assert.equal(c.retry, 'never');
      assert.equal(c.code, code);
    });
  }
});

describe('errors', () => {
  it('extracts column names from messages', () => {
    assert.equal(columnFromMessage('Value is overflow. column=qty, value=99999'), 'qty');
    assert.equal(columnFromMessage('Column has no default value. column: price'), 'price');
    assert.equal(columnFromMessage('key column id not in partial update columns'), 'id');
    assert.equal(columnFromMessage("NULL value in non-nullable column 'qty'"), 'qty');
    assert.equal(columnFromMessage('nothing here'), undefined);
  });

  it('a filtered-rows error names table, column and includes the error log', () => {
    const e = loadFailError(CTX, 'too many filtered rows', ['Error: Value is overflow. column=qty, value=99999. Row: {"qty":99999}']);
    assert.ok(e instanceof CdcError);
    assert.equal(e.code, 'SINK_DATA');
    assert.equal(e.retry, 'never');
    assert.match(e.message, /shop\.orders \(column qty\)/);
    assert.match(e.message, /Value is overflow/);
    assert.match(e.message, /label dbmazz-x-orders-1-2-0/);
  });

  it('HTTP statuses', () => {
    const a = httpStatusError(CTX, 401, 'Access denied for root@127.0.0.1');
    assert.equal(a.code, 'SINK_AUTH');
    assert.equal(a.retry, 'never');
    assert.match(a.operatorMessage, /SINK_USER and SINK_PASSWORD/);
    assert.equal(httpStatusError(CTX, 404, 'Not Found').retry, 'never');
    const b = httpStatusError(CTX, 503, 'unavailable', 2000);
    assert.equal(b.retry, 'retry');
    assert.equal(b.retryAfterMs, 2000);
    assert.equal(httpStatusError(CTX, 500, 'java.lang.NullPointerException').retry, 'retry');
    assert.equal(httpStatusError(CTX, 500, 'unknown table "shop.orders"').retry, 'never');
    assert.equal(httpStatusError(CTX, 400, 'bad').retry, 'never');
  });

  it('network errors are retriable, TLS errors are not', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(networkError('x', refused, false).retry, 'retry');
    assert.equal(networkError('x', refused, false).code, 'SINK_CONNECTION');
    const t = networkError('x', new HttpTimeoutError('response', 10, 'PUT be'), true);
    assert.equal(t.code, 'SINK_TIMEOUT');
    assert.equal(t.retry, 'retry');
    assert.match(t.message, /may or may not have been applied/);
    const tls = Object.assign(new Error('self signed'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    assert.equal(networkError('x', tls, false).retry, 'never');
  });
});
