/** Validation of table and column definitions (docs/starrocks-protocol.md §6.1, §7.1, §8.2). */
import { CatalogError } from './catalog-errors.js';
import { convertDefaultText } from './convert.js';
import type { ColumnDefinition, TableDefinition } from './table.js';
import { keyColumnTypeError, validateColumnType } from './types.js';

export const RESERVED_COLUMN_NAMES: readonly string[] = ['__op', '__row'];

export function validateColumn(col: ColumnDefinition): void {
  if (RESERVED_COLUMN_NAMES.includes(col.name.toLowerCase()))
    throw new CatalogError('INVALID_DEFINITION', `Column name [${col.name}] is a system reserved name. Please choose a different one.`);
  if (col.name.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Column name can not be empty');
  const typeErr = validateColumnType(col.type);
  if (typeErr) throw new CatalogError('INVALID_DEFINITION', typeErr);
  if (col.default.kind === 'current_timestamp' && col.type.kind !== 'DATETIME')
    throw new CatalogError('INVALID_DEFAULT', `Invalid default value for '${col.name}'`);
  if (col.default.kind === 'null' && !col.nullable) throw new CatalogError('INVALID_DEFAULT', `Invalid default value for '${col.name}'`);
  if (col.default.kind === 'value') {
    try {
      convertDefaultText(col.type, col.default.text);
    } catch {
      throw new CatalogError('INVALID_DEFAULT', `Invalid default value for '${col.name}'`);
    }
  }
}

/** Validate a definition; returns the normalized columns (isKey from keyColumns). */
export function validateDefinition(def: TableDefinition): ColumnDefinition[] {
  if (def.name.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Table name can not be empty');
  if (def.columns.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Table should contain at least one column');
  const seen = new Set<string>();
  for (const c of def.columns) {
    const lower = c.name.toLowerCase();
    if (seen.has(lower)) throw new CatalogError('DUPLICATE_COLUMN', `Duplicate column name '${c.name}'`);
    seen.add(lower);
  }
  if (def.keyColumns.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Key columns can not be empty');
  const keyLower = def.keyColumns.map((k) => k.toLowerCase());
  keyLower.forEach((k, i) => {
    if (!seen.has(k)) throw new CatalogError('INVALID_DEFINITION', `Key column[${def.keyColumns[i] ?? k}] does not exist in table`);
    if (def.columns[i]?.name.toLowerCase() !== k) throw new CatalogError('INVALID_DEFINITION', 'Key columns should be a ordered prefix of the schema.');
  });
  const columns = def.columns.map((c, i): ColumnDefinition => ({ ...c, isKey: i < keyLower.length }));
  for (const c of columns) {
    validateColumn(c);
    if (c.isKey) {
      const e = keyColumnTypeError(c.name, c.type, def.keysType);
      if (e) throw new CatalogError('INVALID_DEFINITION', e);
      if (def.keysType === 'PRIMARY_KEYS' && c.nullable) throw new CatalogError('INVALID_DEFINITION', `primary key column[${c.name}] cannot be nullable`);
    }
  }
  const dist = def.distribution;
  if (dist.random) {
    if (def.keysType !== 'DUPLICATE_KEYS') throw new CatalogError('INVALID_DEFINITION', 'Random distribution is only supported by duplicate key tables');
  } else {
    if (dist.columns.length === 0) throw new CatalogError('INVALID_DEFINITION', 'Distribution columns can not be empty');
    for (const d of dist.columns) {
      const lower = d.toLowerCase();
      if (!seen.has(lower)) throw new CatalogError('INVALID_DEFINITION', `Distribution column[${d}] does not exist in table`);
      if (def.keysType !== 'DUPLICATE_KEYS' && !keyLower.includes(lower))
        throw new CatalogError('INVALID_DEFINITION', `Distribution column[${d}] is not key column`);
    }
  }
  if (dist.buckets !== undefined && (!Number.isInteger(dist.buckets) || dist.buckets < 1))
    throw new CatalogError('INVALID_DEFINITION', `Number of hash distribution should be greater than zero.`);
  for (const o of def.orderBy ?? []) {
    if (!seen.has(o.toLowerCase())) throw new CatalogError('INVALID_DEFINITION', `Unknown column '${o}' in order by clause`);
  }
  return columns;
}
