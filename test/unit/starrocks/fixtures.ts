/** Builders for StarRocks sink tests: schemas and change records. */
import { pgTypeFacts } from '../../../connectors/postgres/codec/type-facts.js';
import type { Cell, ColumnSchema, DeleteRecord, InsertRecord, TableSchema, UpdateRecord, Value, ValueFamily } from '../../../core/index.js';

export function column(name: string, family: ValueFamily, isKey = false, typeModifier = -1): ColumnSchema {
  return { name, typeName: family, typeOid: 0, typeModifier, isKey, family, ...pgTypeFacts(family, family, typeModifier) };
}

export function tableSchema(name: string, columns: readonly ColumnSchema[], schemaName = 'public'): TableSchema {
  return {
    id: { schema: schemaName, name },
    columns,
    keyColumns: columns.filter((c) => c.isKey).map((c) => c.name),
    version: 1,
  };
}

const base = { commitLsn: 0n, commitTimeMicros: 0n, ordinal: 0 };

export function ins(schema: TableSchema, lsn: bigint, after: readonly Value[]): InsertRecord {
  return { ...base, op: 'insert', schema, lsn, commitLsn: lsn, after };
}

export function upd(
  schema: TableSchema,
  lsn: bigint,
  after: readonly Cell[],
  extra: { before?: readonly Cell[]; oldKey?: readonly Value[] } = {},
): UpdateRecord {
  return { ...base, op: 'update', schema, lsn, commitLsn: lsn, after, ...extra };
}

export function del(schema: TableSchema, lsn: bigint, before: readonly Cell[], fullBefore = false): DeleteRecord {
  return { ...base, op: 'delete', schema, lsn, commitLsn: lsn, before, fullBefore };
}
