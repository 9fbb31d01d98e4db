import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideTarget, identityTableStatement, sourceChangedError, sourceLabelTag, type TargetState } from '../../../connectors/starrocks/source-identity.js';

const A = { id: 'postgresql:7001:shop', description: 'PostgreSQL system 7001, database shop' };
const B = { id: 'postgresql:7002:shop', description: 'PostgreSQL system 7002, database shop' };
const state = (hasRows: boolean, recorded: typeof A | undefined): TargetState => ({ source: { schema: 'public', name: 't' }, target: 't', hasRows, recorded });

test('decision per target table: keep, record (new or adopted), conflict only with rows from another source', () => {
  assert.deepEqual(decideTarget(state(true, A), A), { kind: 'keep' });
  assert.deepEqual(decideTarget(state(false, A), A), { kind: 'keep' });
  assert.deepEqual(decideTarget(state(false, undefined), A), { kind: 'record', adopt: false });
  assert.deepEqual(decideTarget(state(false, B), A), { kind: 'record', adopt: false });
  assert.deepEqual(decideTarget(state(true, undefined), A), { kind: 'record', adopt: true });
  assert.deepEqual(decideTarget(state(true, B), A), { kind: 'conflict' });
});

test('the refusal names the table, the source table, both identities and the setting to start over', () => {
  const e = sourceChangedError('analytics', [state(true, B)], A);
  assert.equal(e.code, 'SINK_SCHEMA');
  assert.equal(e.retry, 'never');
  assert.match(e.message, /analytics\.t \(source table public\.t\) holds rows written from PostgreSQL system 7002, database shop \[postgresql:7002:shop\]/);
  assert.match(e.message, /configured now, PostgreSQL system 7001, database shop \[postgresql:7001:shop\]/);
  assert.match(e.hint ?? '', /SINK_ON_SOURCE_CHANGE=truncate/);
});

test('label tags differ per source and are label-safe; the state table is a Primary Key table', () => {
  assert.match(sourceLabelTag(A), /^[0-9a-f]{8}$/);
  assert.notEqual(sourceLabelTag(A), sourceLabelTag(B));
  assert.equal(sourceLabelTag(A), sourceLabelTag({ ...A, description: 'other words' }));
  assert.match(identityTableStatement('d', 1), /PRIMARY KEY \(`table_key`\)[\s\S]*"?replication_num'? = '1'/);
  assert.doesNotMatch(identityTableStatement('d', undefined), /PROPERTIES/);
});
