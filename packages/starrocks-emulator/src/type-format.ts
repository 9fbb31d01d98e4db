/** Spellings of column types (docs/starrocks-protocol.md §7.4): SHOW CREATE TABLE, information_schema, SQL. */
import { type ColumnType, type IntegerKind, isIntegerKind } from './types.js';

/**
 * - `show-create`: SHOW CREATE TABLE / DESC spelling (`bigint(20)`, `varchar(65533)`, `decimal(27, 9)`,
 *   `array<bigint(20)>`, `map<int(11),int(11)>`, `struct<a int(11), b varchar(10)>`, `varbinary`).
 * - `data-type`: information_schema.columns.DATA_TYPE: lowercase base type (`bigint`, `varchar`,
 *   `decimal`, `array`, …); BOOLEAN is `tinyint`.
 * - `sql`: upper-case DDL spelling (`BIGINT`, `VARCHAR(10)`, `DECIMAL(10,2)`, `ARRAY<INT>`), handy in messages.
 */
export type TypeFormatStyle = 'show-create' | 'data-type' | 'sql';

const DISPLAY_WIDTH: Readonly<Record<IntegerKind, number>> = {
  TINYINT: 4,
  SMALLINT: 6,
  INT: 11,
  BIGINT: 20,
  LARGEINT: 40,
};

export function formatColumnType(t: ColumnType, style: TypeFormatStyle): string {
  if (style === 'data-type') return t.kind === 'BOOLEAN' ? 'tinyint' : t.kind.toLowerCase();
  if (style === 'sql') return formatSql(t);
  return formatShowCreate(t);
}

function formatShowCreate(t: ColumnType): string {
  switch (t.kind) {
    case 'BOOLEAN':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DATE':
    case 'DATETIME':
    case 'JSON':
      return t.kind.toLowerCase();
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'LARGEINT':
      return `${t.kind.toLowerCase()}(${DISPLAY_WIDTH[t.kind]})`;
    case 'DECIMAL':
      return `decimal(${t.precision}, ${t.scale})`;
    case 'CHAR':
      return `char(${t.length})`;
    case 'VARCHAR':
      return `varchar(${t.length})`;
    case 'VARBINARY':
      return 'varbinary';
    case 'ARRAY':
      return `array<${formatShowCreate(t.element)}>`;
    case 'MAP':
      return `map<${formatShowCreate(t.key)},${formatShowCreate(t.value)}>`;
    case 'STRUCT':
      return `struct<${t.fields.map((f) => `${f.name} ${formatShowCreate(f.type)}`).join(', ')}>`;
  }
}

function formatSql(t: ColumnType): string {
  switch (t.kind) {
    case 'DECIMAL':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'CHAR':
    case 'VARCHAR':
    case 'VARBINARY':
      return `${t.kind}(${t.length})`;
    case 'ARRAY':
      return `ARRAY<${formatSql(t.element)}>`;
    case 'MAP':
      return `MAP<${formatSql(t.key)},${formatSql(t.value)}>`;
    case 'STRUCT':
      return `STRUCT<${t.fields.map((f) => `${f.name} ${formatSql(f.type)}`).join(', ')}>`;
    default:
      return t.kind;
  }
}

/**
 * information_schema.columns.COLUMN_SIZE: precision for numbers, length for strings; NULL for
 * BOOLEAN (how the Flink connector tells BOOLEAN from TINYINT, §7.4) and for non-scalar types.
 * [UNCONFIRMED] exact values for FLOAT/DOUBLE/DATE/DATETIME.
 */
export function informationSchemaColumnSize(t: ColumnType): number | null {
  switch (t.kind) {
    case 'TINYINT':
      return 3;
    case 'SMALLINT':
      return 5;
    case 'INT':
      return 10;
    case 'BIGINT':
      return 19;
    case 'LARGEINT':
      return 39;
    case 'FLOAT':
      return 7;
    case 'DOUBLE':
      return 15;
    case 'DECIMAL':
      return t.precision;
    case 'CHAR':
    case 'VARCHAR':
    case 'VARBINARY':
      return t.length;
    case 'DATE':
      return 10;
    case 'DATETIME':
      return 19;
    default:
      return null;
  }
}

/** information_schema.columns.DECIMAL_DIGITS: scale for DECIMAL, 0 for integers, else NULL. */
export function informationSchemaDecimalDigits(t: ColumnType): number | null {
  if (t.kind === 'DECIMAL') return t.scale;
  if (isIntegerKind(t.kind)) return 0;
  return null;
}
