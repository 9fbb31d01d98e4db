/** PostgreSQL type names and typmods → the normalised type facts of a ColumnSchema. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pgTypeFacts, pgTypeText } from '../../../connectors/postgres/codec/type-facts.js';
import { columnSchema, TypeRegistry } from '../../../connectors/postgres/codec/pg-types.js';

const numericMod = (p: number, s: number): number => ((p << 16) | (s & 0x7ff)) + 4;

describe('pgTypeFacts', () => {
  it('decodes lengths, precisions, scales and time zones', () => {
    assert.deepEqual(pgTypeFacts('varchar', 'text', 24), { typeText: 'varchar(20)', length: 20 });
    assert.deepEqual(pgTypeFacts('bpchar', 'text', 5), { typeText: 'bpchar(1)', length: 1 });
    assert.deepEqual(pgTypeFacts('varchar', 'text', -1), { typeText: 'varchar' });
    assert.deepEqual(pgTypeFacts('numeric', 'numeric', numericMod(12, 2)), { typeText: 'numeric(12,2)', precision: 12, scale: 2 });
    assert.deepEqual(pgTypeFacts('numeric', 'numeric', numericMod(5, -2)), { typeText: 'numeric(5,-2)', precision: 5, scale: -2 });
    assert.deepEqual(pgTypeFacts('numeric', 'numeric', numericMod(3, 5)), { typeText: 'numeric(3,5)', precision: 3, scale: 5 });
    assert.deepEqual(pgTypeFacts('numeric', 'numeric', -1), { typeText: 'numeric' });
    assert.deepEqual(pgTypeFacts('money', 'money', -1), { typeText: 'money', precision: 19, scale: 2 });
    assert.deepEqual(pgTypeFacts('cash', 'money', -1), { typeText: 'cash', precision: 19, scale: 2 }, 'a domain over money');
    assert.deepEqual(pgTypeFacts('timestamptz', 'timestamptz', 3), { typeText: 'timestamptz(3)', withTimeZone: true, precision: 3 });
    assert.deepEqual(pgTypeFacts('timestamp', 'timestamp', -1), { typeText: 'timestamp' });
    assert.deepEqual(pgTypeFacts('timetz', 'timetz', -1), { typeText: 'timetz', withTimeZone: true });
    assert.deepEqual(pgTypeFacts('mood', 'text', -1), { typeText: 'mood' });
  });

  it('gives arrays the facts of their element type, not the declared typmod', () => {
    assert.deepEqual(pgTypeFacts('_numeric', 'array', numericMod(10, 2), 'numeric'), { typeText: 'numeric(10,2)[]' });
    assert.deepEqual(pgTypeFacts('_money', 'array', -1, 'money'), { typeText: 'money[]', precision: 19, scale: 2 });
    assert.deepEqual(pgTypeFacts('_timestamptz', 'array', -1, 'timestamptz'), { typeText: 'timestamptz[]', withTimeZone: true });
  });

  it('renders type texts', () => {
    assert.equal(pgTypeText('bpchar', 14), 'bpchar(10)');
    assert.equal(pgTypeText('_int4', -1), 'int4[]');
    assert.equal(pgTypeText('timestamptz', 3), 'timestamptz(3)');
    assert.equal(pgTypeText('numeric', -1), 'numeric');
    assert.equal(pgTypeText('bit', 8), 'bit(8)');
  });

  it('fills the facts of every column the source describes', () => {
    const types = new TypeRegistry();
    const col = columnSchema('price', types.lookup(1700), numericMod(12, 2), false);
    assert.equal(col.precision, 12);
    assert.equal(col.scale, 2);
    assert.equal(col.typeText, 'numeric(12,2)');
    const arr = columnSchema('tags', types.lookup(1015), -1, false);
    assert.equal(arr.family, 'array');
    assert.equal(arr.elementFamily, 'text');
    assert.equal(arr.typeText, 'varchar[]');
  });
});
