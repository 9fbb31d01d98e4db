/**
 * The StarRocks type mapping reads only the normalised type facts of core/model/table.ts: a source that
 * is not PostgreSQL (here a MySQL-like one, with MySQL's own type names and no typmods) gets its
 * StarRocks types without any change in core or in the sink.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnSchema, TableSchema } from '../../../core/index.js';
import { suggestStarRocksType } from '../../../connectors/starrocks/type-map.js';
import { describeDiff, diffSchemas } from '../../../connectors/starrocks/schema-evolution.js';
import { createTableStatement } from '../../../connectors/starrocks/setup/sql.js';

type Facts = Omit<ColumnSchema, 'name' | 'typeName' | 'typeOid' | 'typeModifier' | 'isKey' | 'typeText'>;

/** What a MySQL source would report for a column of `declared` type: its own spelling, no type id, no typmod. */
function mysqlColumn(name: string, declared: string, facts: Facts, isKey = false): ColumnSchema {
  return { name, typeName: declared.replace(/\(.*$/, ''), typeOid: 0, typeModifier: -1, isKey, typeText: declared, ...facts };
}

const CASES: ReadonlyArray<readonly [string, Facts, string]> = [
  ['tinyint(1)', { family: 'boolean' }, 'BOOLEAN'],
  ['smallint', { family: 'int2' }, 'SMALLINT'],
  ['mediumint', { family: 'int4' }, 'INT'],
  ['int', { family: 'int4' }, 'INT'],
  ['int unsigned', { family: 'int8' }, 'BIGINT'],
  ['bigint', { family: 'int8' }, 'BIGINT'],
  ['bigint unsigned', { family: 'numeric', precision: 20, scale: 0 }, 'DECIMAL(20,0)'],
  ['decimal(12,4)', { family: 'numeric', precision: 12, scale: 4 }, 'DECIMAL(12,4)'],
  ['decimal(65,30)', { family: 'numeric', precision: 65, scale: 30 }, 'DECIMAL(38,9)'],
  ['float', { family: 'float4' }, 'FLOAT'],
  ['double', { family: 'float8' }, 'DOUBLE'],
  ['varchar(255)', { family: 'text', length: 255 }, 'VARCHAR(1020)'],
  ['char(3)', { family: 'text', length: 3 }, 'VARCHAR(12)'],
  ['longtext', { family: 'text' }, 'STRING'],
  ["enum('a','b')", { family: 'text' }, 'STRING'],
  ['json', { family: 'json' }, 'JSON'],
  ['blob', { family: 'bytea' }, 'VARBINARY'],
  ['date', { family: 'date' }, 'DATE'],
  ['time(3)', { family: 'time', precision: 3 }, 'STRING'],
  ['datetime(6)', { family: 'timestamp', precision: 6 }, 'DATETIME'],
  ['timestamp(6)', { family: 'timestamptz', precision: 6, withTimeZone: true }, 'DATETIME'],
  ['geometry', { family: 'other' }, 'STRING'],
];

describe('StarRocks type mapping from type facts alone (a MySQL-like source)', () => {
  it('maps every column by its facts, whatever the source calls the type', () => {
    for (const [declared, facts, want] of CASES) {
      assert.equal(suggestStarRocksType(mysqlColumn('c', declared, facts)), want, declared);
    }
  });

  it('ignores the source type names: the same facts under another name map the same', () => {
    for (const [declared, facts, want] of CASES) {
      assert.equal(suggestStarRocksType(mysqlColumn('c', 'x_unknown_type', facts)), want, declared);
    }
  });

  it('creates the table and describes a change in the source own spelling', () => {
    const before: TableSchema = {
      id: { schema: 'shop', name: 'orders' },
      columns: [
        mysqlColumn('id', 'bigint unsigned', { family: 'numeric', precision: 20, scale: 0 }, true),
        mysqlColumn('code', 'varchar(10)', { family: 'text', length: 10 }),
      ],
      keyColumns: ['id'],
      version: 1,
    };
    const after: TableSchema = {
      ...before,
      columns: [before.columns[0] as ColumnSchema, mysqlColumn('code', 'varchar(20)', { family: 'text', length: 20 })],
      version: 2,
    };
    assert.equal(describeDiff(diffSchemas(before, after)), 'code varchar(10) → varchar(20)');
    const ddl = createTableStatement('db', 'orders', before, undefined);
    assert.match(ddl, /`id` DECIMAL\(20,0\) NOT NULL/);
    assert.match(ddl, /`code` VARCHAR\(40\) NULL/);
  });
});

describe('the StarRocks sink reads no source type identifiers', () => {
  it('no module of connectors/starrocks reads typeName, typeOid or typeModifier', async () => {
    const { readdir, readFile } = await import('node:fs/promises');
    const root = new URL('../../../connectors/starrocks/', import.meta.url);
    const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.js'));
    assert.ok(files.length > 20, `compiled sink modules found under ${root.pathname}`);
    const offenders: string[] = [];
    for (const f of files) {
      const text = await readFile(new URL(f, root), 'utf8');
      for (const m of text.matchAll(/\.(typeName|typeOid|typeModifier)\b/g)) offenders.push(`${f}: .${m[1]}`);
    }
    assert.deepEqual(offenders, []);
  });
});
