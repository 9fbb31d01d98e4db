import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';
import { RelationCache } from '../../../connectors/postgres/replication/relation-cache.js';
import type { RelationMessage } from '../../../connectors/postgres/replication/pgoutput-types.js';

const reg = new TypeRegistry();
const rel = (over: Partial<RelationMessage> = {}): RelationMessage => ({
  tag: 'relation',
  relationOid: 10,
  namespace: 'public',
  name: 't',
  replicaIdentity: 'default',
  columns: [
    { isKey: true, name: 'a', typeOid: 23, typeModifier: -1 },
    { isKey: true, name: 'b', typeOid: 25, typeModifier: -1 },
    { isKey: false, name: 'tags', typeOid: 1009, typeModifier: -1 },
  ],
  ...over,
});

test('builds the schema with families, element family and key flags', () => {
  const c = new RelationCache({ lookupType: (o) => reg.lookup(o), tables: [{ schema: 'public', name: 't' }] });
  const u = c.apply(rel());
  assert.ok(u.changed);
  assert.equal(u.previous, undefined);
  assert.deepEqual(u.entry.schema.keyColumns, ['a', 'b']);
  assert.deepEqual(u.entry.keyIndexes, [0, 1]);
  assert.deepEqual(
    u.entry.schema.columns.map((x) => [x.name, x.typeName, x.family, x.elementFamily, x.isKey]),
    [
      ['a', 'int4', 'int4', undefined, true],
      ['b', 'text', 'text', undefined, true],
      ['tags', '_text', 'array', 'text', false],
    ],
  );
  assert.ok(u.entry.selected);
  assert.equal(c.get(10), u.entry);
});

test('keeps the known key order when the set is the same (PRIMARY KEY (b, a))', () => {
  const known = new RelationCache({ lookupType: (o) => reg.lookup(o), tables: [] }).apply(rel()).entry.schema;
  const c = new RelationCache({
    lookupType: (o) => reg.lookup(o),
    tables: [{ schema: 'public', name: 't' }],
    known: [{ ...known, keyColumns: ['b', 'a'] }],
  });
  const u = c.apply(rel());
  assert.deepEqual(u.entry.schema.keyColumns, ['b', 'a']);
  assert.deepEqual(u.entry.keyIndexes, [1, 0]);
  assert.equal(u.changed, false);
});

test('type change, column drop and rename all count as changes; versions increase', () => {
  const c = new RelationCache({ lookupType: (o) => reg.lookup(o), tables: [{ schema: 'public', name: 't' }] });
  const v1 = c.apply(rel()).entry.schema;
  const u2 = c.apply(
    rel({
      columns: [
        { isKey: true, name: 'a', typeOid: 20, typeModifier: -1 },
        { isKey: true, name: 'b', typeOid: 25, typeModifier: -1 },
      ],
    }),
  );
  assert.ok(u2.changed);
  assert.equal(u2.previous, v1);
  assert.equal(u2.entry.schema.version, v1.version + 1);
  const u3 = c.apply(
    rel({ name: 't2', columns: u2.entry.schema.columns.map((x) => ({ isKey: x.isKey, name: x.name, typeOid: x.typeOid, typeModifier: -1 })) }),
  );
  assert.ok(u3.changed, 'renamed table');
  assert.equal(u3.entry.selected, false);
});

test('unselected tables are marked so', () => {
  const c = new RelationCache({ lookupType: (o) => reg.lookup(o), tables: [{ schema: 'sales', name: 't' }] });
  assert.equal(c.apply(rel()).entry.selected, false);
});
