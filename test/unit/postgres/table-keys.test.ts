import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replicationKey, type CatalogTable } from '../../../connectors/postgres/catalog.js';
import type { PostgresConfig } from '../../../connectors/postgres/config.js';
import { keyedByIdentityIndex, tableProblems } from '../../../connectors/postgres/setup.js';

const id = { schema: 'public', name: 'events' };

function table(o: Partial<CatalogTable>): CatalogTable {
  return {
    id,
    oid: 1,
    relkind: 'r',
    replicaIdentity: 'd',
    primaryKey: [],
    identityIndex: undefined,
    candidateIndexes: [],
    deferrableKey: undefined,
    columns: [
      { name: 'id', typeOid: 23, typeModifier: -1 },
      { name: 'code', typeOid: 25, typeModifier: -1 },
      { name: 'n', typeOid: 23, typeModifier: -1 },
    ],
    ...o,
  };
}

const cfg = (replicaIdentityFull = false): PostgresConfig => ({ replicaIdentityFull }) as PostgresConfig;
const codeN = { name: 'events_code_n', columns: ['code', 'n'] };

test('the key is the primary key; without one, the REPLICA IDENTITY USING INDEX columns; else none', () => {
  assert.deepEqual(replicationKey(table({ primaryKey: ['id'] })), ['id']);
  assert.deepEqual(replicationKey(table({ primaryKey: ['id'], replicaIdentity: 'i', identityIndex: codeN })), ['id']);
  assert.deepEqual(replicationKey(table({ replicaIdentity: 'i', identityIndex: codeN })), ['code', 'n']);
  assert.deepEqual(replicationKey(table({ replicaIdentity: 'f' })), []);
  assert.deepEqual(replicationKey(table({ replicaIdentity: 'd', identityIndex: undefined })), []);
  assert.equal(keyedByIdentityIndex(table({ replicaIdentity: 'i', identityIndex: codeN })), true);
  assert.equal(keyedByIdentityIndex(table({ primaryKey: ['id'], replicaIdentity: 'i', identityIndex: codeN })), false);
});

test('a table keyed by its identity index passes setup, with and without SOURCE_REPLICA_IDENTITY_FULL', () => {
  const t = table({ replicaIdentity: 'i', identityIndex: codeN });
  assert.deepEqual(tableProblems(id, t, cfg()), []);
  assert.deepEqual(tableProblems(id, t, cfg(true)), []);
});

test('no key: one problem naming the table and both fixes, with the qualifying indexes', () => {
  const [p, ...rest] = tableProblems(id, table({ replicaIdentity: 'f', candidateIndexes: [codeN, { name: 'events_id', columns: ['id'] }] }), cfg());
  assert.equal(rest.length, 0);
  assert.match(p ?? '', /^Table 'events' has no primary key and no REPLICA IDENTITY USING INDEX \(REPLICA IDENTITY FULL does not give it one\)/);
  assert.match(p ?? '', /ALTER TABLE "public"\."events" ADD PRIMARY KEY \(id\);/);
  assert.match(p ?? '', /ALTER TABLE "public"\."events" REPLICA IDENTITY USING INDEX "events_code_n";/);
  assert.match(p ?? '', /Unique indexes that qualify: events_code_n \(code, n\), events_id \(id\)\./);
  const [none] = tableProblems(id, table({}), cfg(true));
  assert.match(none ?? '', /REPLICA IDENTITY USING INDEX <unique index on NOT NULL columns>; It has no unique index on NOT NULL columns; create one first\./);
  assert.match(tableProblems(id, table({ replicaIdentity: 'n' }), cfg())[0] ?? '', /it has REPLICA IDENTITY NOTHING/);
});

test('with a primary key the identity must carry it', () => {
  const pk = { primaryKey: ['id'] };
  assert.deepEqual(tableProblems(id, table({ ...pk, replicaIdentity: 'd' }), cfg()), []);
  assert.deepEqual(tableProblems(id, table({ ...pk, replicaIdentity: 'f' }), cfg()), []);
  assert.deepEqual(tableProblems(id, table({ ...pk, replicaIdentity: 'i', identityIndex: { name: 'events_id_code', columns: ['code', 'id'] } }), cfg()), []);
  const [p] = tableProblems(id, table({ ...pk, replicaIdentity: 'i', identityIndex: codeN }), cfg());
  assert.match(p ?? '', /REPLICA IDENTITY USING INDEX; updates and deletes would not carry the primary key/);
  assert.match(tableProblems(id, table({ ...pk, replicaIdentity: 'n' }), cfg())[0] ?? '', /REPLICA IDENTITY NOTHING/);
  assert.deepEqual(tableProblems(id, table({ ...pk, replicaIdentity: 'n' }), cfg(true)), [], 'setup sets FULL');
});

test('a DEFERRABLE key is refused, naming the table, the constraint and the replacement (ALTER CONSTRAINT cannot change it)', () => {
  const deferred = { constraint: 'events_pkey', kind: 'primary key', initiallyDeferred: true, columns: ['id'] } as const;
  for (const replicaIdentity of ['d', 'f']) {
    for (const full of [false, true]) {
      const problems = tableProblems(id, table({ primaryKey: ['id'], replicaIdentity, deferrableKey: deferred }), cfg(full));
      assert.equal(problems.length, 1, problems.join('\n'));
      const [p] = problems;
      assert.match(p ?? '', /^Table 'events' has a DEFERRABLE INITIALLY DEFERRED primary key \(constraint events_pkey\); dbmazz refuses deferrable keys\./);
      assert.match(p ?? '', /at the end of each transaction/);
      assert.match(
        p ?? '',
        /CREATE UNIQUE INDEX CONCURRENTLY "events_pkey_immediate" ON "public"\."events" \("id"\); ALTER TABLE "public"\."events" DROP CONSTRAINT "events_pkey", ADD CONSTRAINT "events_pkey" PRIMARY KEY USING INDEX "events_pkey_immediate";/,
      );
    }
  }
  const [immediate] = tableProblems(id, table({ primaryKey: ['id'], deferrableKey: { ...deferred, initiallyDeferred: false } }), cfg());
  assert.match(immediate ?? '', /has a DEFERRABLE \(INITIALLY IMMEDIATE\) primary key \(constraint events_pkey\).*at the end of each statement/);
  const identity = { constraint: 'events_code_n', kind: 'replica identity index', initiallyDeferred: false, columns: ['code', 'n'] } as const;
  const [byIndex] = tableProblems(id, table({ replicaIdentity: 'i', identityIndex: codeN, deferrableKey: identity }), cfg());
  assert.match(byIndex ?? '', /^Table 'events' is keyed by the DEFERRABLE \(INITIALLY IMMEDIATE\) unique index events_code_n \(REPLICA IDENTITY USING INDEX\)/);
  assert.match(byIndex ?? '', /ALTER TABLE "public"\."events" REPLICA IDENTITY USING INDEX "events_code_n_immediate";$/);
});
