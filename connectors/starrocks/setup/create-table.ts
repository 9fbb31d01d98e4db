/**
 * SINK_CREATE_TABLES=true: a missing target table is created from the source definition (docs/starrocks-protocol.md
 * §7.1): a Primary Key table keyed like the source (key columns NOT NULL, first, in key order), every
 * column with the type of type-map.ts, the audit columns, `DISTRIBUTED BY HASH(key)` with automatic
 * buckets and `replication_num` from SINK_REPLICATION_NUM when set. `CREATE TABLE IF NOT EXISTS`, so a
 * repeated setup (or another dbmazz creating it first) is not an error. CREATE TABLE is synchronous.
 */
import type { TableSchema } from '../../../core/index.js';
import { CdcError, formatTableId } from '../../../core/index.js';
import { sourceTypeText } from '../schema-evolution.js';
import { suggestStarRocksType } from '../type-map.js';
import type { Query } from './mysql.js';
import { mysqlError } from './mysql.js';
import { formatSrType, isKeyType, parseSrType } from './sr-types.js';
import { createTableStatement, createTableSuggestion } from './sql.js';
import { targetNameOf, type TableSetupOptions } from './table-setup.js';

export async function createTargetTable(query: Query, schema: TableSchema, o: TableSetupOptions): Promise<void> {
  const name = targetNameOf(schema, o);
  const fq = `${o.db}.${name}`;
  if (schema.keyColumns.length === 0) {
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `Cannot create ${fq}: source table ${formatTableId(schema.id)} has no primary key (or replica identity index) to key a Primary Key table.`,
    });
  }
  for (const k of schema.keyColumns) {
    const col = schema.columns.find((c) => c.name === k);
    if (col === undefined) continue;
    const type = parseSrType(suggestStarRocksType(col));
    if (!isKeyType(type)) {
      throw new CdcError({
        code: 'SINK_SCHEMA',
        message: `Cannot create ${fq}: key column ${k} (${sourceTypeText(col)}) maps to ${formatSrType(type)}, which StarRocks does not allow in a PRIMARY KEY (BOOLEAN, integers, VARCHAR, DATE, DATETIME only).`,
        hint: `Create the table yourself with a key type StarRocks accepts, for example starting from:\n${createTableSuggestion(o.db, name, schema)}`,
      });
    }
  }
  const sql = createTableStatement(o.db, name, schema, o.replicationNum);
  try {
    await query(sql);
  } catch (err) {
    const e = mysqlError(err, `creating ${fq}`);
    if (/replication num/i.test(e.message)) {
      throw new CdcError({
        code: 'SINK_SETUP',
        message: e.message,
        hint: 'Set SINK_REPLICATION_NUM to at most the number of alive backends (1 on a single-BE cluster), or create the table yourself.',
        cause: err,
      });
    }
    throw e;
  }
  o.logger.info(
    { table: fq, source: formatTableId(schema.id), ...(o.replicationNum !== undefined ? { replicationNum: o.replicationNum } : {}) },
    'created the target table (SINK_CREATE_TABLES=true)',
  );
}
