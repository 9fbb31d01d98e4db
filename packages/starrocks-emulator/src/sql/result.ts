/**
 * Result of one SQL statement, independent of the wire protocol.
 *
 * `MysqlType` is the MySQL column type StarRocks puts in the column definition
 * (`PrimitiveType.toMysqlType()`): BOOLEAN/TINYINT → TINY, SMALLINT → SHORT, INT → LONG, BIGINT →
 * LONGLONG, FLOAT, DOUBLE, DATE, DATETIME, DECIMAL → NEWDECIMAL, VARCHAR → VAR_STRING, VARBINARY → BLOB,
 * everything else (CHAR, LARGEINT, JSON, ARRAY, MAP, STRUCT) → STRING.
 *
 * Cells are the text the server sends (text protocol), NULL as `null`. BLOB cells carry the raw bytes
 * as a latin1 ("binary") string so that one JS char is one byte.
 */
import type { ColumnType } from '../types.js';

export type MysqlType = 'TINY' | 'SHORT' | 'LONG' | 'LONGLONG' | 'FLOAT' | 'DOUBLE' | 'NEWDECIMAL' | 'DATE' | 'DATETIME' | 'VAR_STRING' | 'STRING' | 'BLOB';

export interface SqlColumn {
  readonly name: string;
  readonly type: MysqlType;
  /** NEWDECIMAL scale / DATETIME fraction digits; 0 otherwise. */
  readonly decimals?: number;
}

export type SqlResult =
  | { readonly kind: 'ok'; readonly affectedRows: number; readonly info?: string }
  | { readonly kind: 'rows'; readonly columns: readonly SqlColumn[]; readonly rows: readonly (readonly (string | null)[])[] };

export function okResult(affectedRows = 0): SqlResult {
  return { kind: 'ok', affectedRows };
}

export function mysqlTypeOf(t: ColumnType): MysqlType {
  switch (t.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
      return 'TINY';
    case 'SMALLINT':
      return 'SHORT';
    case 'INT':
      return 'LONG';
    case 'BIGINT':
      return 'LONGLONG';
    case 'FLOAT':
      return 'FLOAT';
    case 'DOUBLE':
      return 'DOUBLE';
    case 'DATE':
      return 'DATE';
    case 'DATETIME':
      return 'DATETIME';
    case 'DECIMAL':
      return 'NEWDECIMAL';
    case 'VARCHAR':
      return 'VAR_STRING';
    case 'VARBINARY':
      return 'BLOB';
    default:
      return 'STRING';
  }
}

export function sqlColumnOf(name: string, t: ColumnType): SqlColumn {
  return { name, type: mysqlTypeOf(t), decimals: t.kind === 'DECIMAL' ? t.scale : 0 };
}

/** A result whose columns are all VARCHAR (SHOW statements). */
export function textRows(names: readonly string[], rows: readonly (readonly (string | null)[])[]): SqlResult {
  return { kind: 'rows', columns: names.map((name) => ({ name, type: 'VAR_STRING' })), rows };
}
