/**
 * SQL text for setup and the parsing of its results (pure). Every identifier is backtick-quoted
 * (docs/starrocks-protocol.md §7.2); values are client-side escaped literals, so no server-side prepared
 * statements are needed.
 */
import type { TableSchema } from '../../../core/index.js';
import type { AuditColumnDef } from '../audit.js';
import { AUDIT_COLUMNS } from '../audit.js';
import { quoteIdent, quoteString } from '../identifiers.js';
import type { TargetColumn } from '../type-map.js';
import { suggestStarRocksType, targetKindOf } from '../type-map.js';

/** The Flink connector's metadata query (§7.4). */
export function columnsQuery(db: string, table: string): string {
  return tableColumnsQuery('COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, ORDINAL_POSITION, COLUMN_SIZE, DECIMAL_DIGITS, IS_NULLABLE, COLUMN_KEY', db, table);
}

/** `fields` of every column of one table, in table order (information_schema.columns, §7.4). */
function tableColumnsQuery(fields: string, db: string, table: string): string {
  return (
    `SELECT ${fields} ` +
    `FROM information_schema.columns WHERE TABLE_SCHEMA = ${quoteString(db)} AND TABLE_NAME = ${quoteString(table)} ` +
    'ORDER BY ORDINAL_POSITION'
  );
}

export function showCreateTable(db: string, table: string): string {
  return `SHOW CREATE TABLE ${quoteIdent(db)}.${quoteIdent(table)}`;
}

/** One `ALTER TABLE … ADD COLUMN (…)` for all missing audit columns (§7.3). */
export function addColumnsStatement(db: string, table: string, cols: readonly AuditColumnDef[]): string {
  const defs = cols.map((c) => `${quoteIdent(c.name)} ${c.ddlType} NULL COMMENT ${quoteString(c.comment)}`);
  return `ALTER TABLE ${quoteIdent(db)}.${quoteIdent(table)} ADD COLUMN (${defs.join(', ')})`;
}

/** The newest schema-change job of a table (§7.3). */
export function showAlterStatement(db: string, table: string): string {
  return `SHOW ALTER TABLE COLUMN FROM ${quoteIdent(db)} WHERE TableName = ${quoteString(table)} ORDER BY CreateTime DESC LIMIT 1`;
}

/** A suggestion for the operator when the target table is missing. */
export function createTableSuggestion(db: string, table: string, schema: TableSchema): string {
  return `${createTableText_(db, table, schema, false)};`;
}

/**
 * The CREATE TABLE of `SINK_CREATE_TABLES=true` (§7.1): a Primary Key table with the source key first
 * (NOT NULL, in key order), the other columns with their mapped types, the audit columns,
 * `DISTRIBUTED BY HASH(key)` with automatic buckets, and `replication_num` when one is configured
 * (otherwise the cluster's `default_replication_num` applies).
 */
export function createTableStatement(db: string, table: string, schema: TableSchema, replicationNum: number | undefined): string {
  const props = replicationNum === undefined ? '' : `\nPROPERTIES (${quoteString('replication_num')} = ${quoteString(String(replicationNum))})`;
  return `${createTableText_(db, table, schema, true)}${props}`;
}

function createTableText_(db: string, table: string, schema: TableSchema, ifNotExists: boolean): string {
  const keys = schema.keyColumns.length > 0 ? schema.keyColumns : schema.columns.slice(0, 1).map((c) => c.name);
  const ordered = [
    ...keys.map((k) => schema.columns.find((c) => c.name === k)).filter((c) => c !== undefined),
    ...schema.columns.filter((c) => !keys.includes(c.name)),
  ];
  const lines = ordered.map((c) => `  ${quoteIdent(c.name)} ${suggestStarRocksType(c)}${keys.includes(c.name) ? ' NOT NULL' : ' NULL'}`);
  for (const a of AUDIT_COLUMNS) lines.push(`  ${quoteIdent(a.name)} ${a.ddlType} NULL COMMENT ${quoteString(a.comment)}`);
  const keyList = keys.map(quoteIdent).join(', ');
  return (
    `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${quoteIdent(db)}.${quoteIdent(table)} (\n${lines.join(',\n')}\n) ENGINE=OLAP\n` +
    `PRIMARY KEY (${keyList})\nDISTRIBUTED BY HASH (${keyList})`
  );
}

/** Column details for type changes: the full type (`COLUMN_TYPE`), default and comment (§7.4). */
export function columnDetailsQuery(db: string, table: string): string {
  return tableColumnsQuery(
    'COLUMN_NAME, COLUMN_TYPE, DATA_TYPE, COLUMN_SIZE, DECIMAL_DIGITS, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_KEY, COLUMN_COMMENT',
    db,
    table,
  );
}

/** Every schema-change job of a table (to tell the ones a statement started, §7.3). */
export function showAlterJobsStatement(db: string, table: string): string {
  return `SHOW ALTER TABLE COLUMN FROM ${quoteIdent(db)} WHERE TableName = ${quoteString(table)}`;
}

/** A column's new definition for MODIFY COLUMN: only the type changes (StarRocks refuses other changes). */
export interface ColumnRetype {
  readonly name: string;
  readonly ddlType: string;
  readonly nullable: boolean;
  /** `COLUMN_DEFAULT` as information_schema shows it; null when there is none. */
  readonly defaultText: string | null;
  readonly comment: string;
}

/**
 * One `ALTER TABLE … MODIFY COLUMN a T1 …, MODIFY COLUMN b T2 …` (§7.3). StarRocks requires the
 * nullability and default to be repeated unchanged (`Can not change default value`).
 */
export function modifyColumnsStatement(db: string, table: string, cols: readonly ColumnRetype[]): string {
  const clauses = cols.map((c) => {
    const dflt =
      c.defaultText === null ? '' : /^current_timestamp$/i.test(c.defaultText) ? ' DEFAULT CURRENT_TIMESTAMP' : ` DEFAULT ${quoteString(c.defaultText)}`;
    return `MODIFY COLUMN ${quoteIdent(c.name)} ${c.ddlType} ${c.nullable ? 'NULL' : 'NOT NULL'}${dflt} COMMENT ${quoteString(c.comment)}`;
  });
  return `ALTER TABLE ${quoteIdent(db)}.${quoteIdent(table)} ${clauses.join(', ')}`;
}

/** A result row as mysql2 returns it for `query` (column name → value). */
export type SqlRow = Readonly<Record<string, unknown>>;

function field(row: SqlRow, name: string): unknown {
  if (name in row) return row[name];
  const lower = name.toLowerCase();
  const k = Object.keys(row).find((key) => key.toLowerCase() === lower);
  return k === undefined ? undefined : row[k];
}

function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return undefined;
}

function intOrNull(v: unknown): number | null {
  const t = text(v);
  return t !== undefined && /^-?\d+$/.test(t.trim()) ? Number(t) : null;
}

/** information_schema.columns rows → target columns (in ordinal order). */
export function parseColumnRows(rows: readonly SqlRow[]): TargetColumn[] {
  return rows
    .map((r) => {
      const dataType = (text(field(r, 'DATA_TYPE')) ?? '').toLowerCase();
      return {
        ordinal: intOrNull(field(r, 'ORDINAL_POSITION')) ?? 0,
        col: {
          name: text(field(r, 'COLUMN_NAME')) ?? '',
          dataType,
          kind: targetKindOf(dataType, intOrNull(field(r, 'COLUMN_SIZE'))),
          nullable: (text(field(r, 'IS_NULLABLE')) ?? 'YES').toUpperCase() === 'YES',
          isKey: (text(field(r, 'COLUMN_KEY')) ?? '').toUpperCase() === 'PRI',
          columnType: text(field(r, 'COLUMN_TYPE')) ?? null,
          columnSize: intOrNull(field(r, 'COLUMN_SIZE')),
          decimalDigits: intOrNull(field(r, 'DECIMAL_DIGITS')),
        },
      };
    })
    .sort((a, b) => a.ordinal - b.ordinal)
    .map((x) => x.col);
}

/** The key type and key columns of `SHOW CREATE TABLE` output (§7.4). */
export function parseKeysClause(ddl: string): { keysType: string; columns: string[] } | undefined {
  const m = /\b(PRIMARY|DUPLICATE|UNIQUE|AGGREGATE)\s+KEY\s*\(([^)]*)\)/i.exec(ddl);
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const columns = [...m[2].matchAll(/`((?:[^`]|``)*)`|([^,\s`]+)/g)].map((x) => (x[1] !== undefined ? x[1].replace(/``/g, '`') : (x[2] ?? '')));
  return { keysType: m[1].toUpperCase(), columns };
}

/** The `Create Table` text of a SHOW CREATE TABLE row. */
export function createTableText(row: SqlRow | undefined): string {
  if (!row) return '';
  return (
    text(field(row, 'Create Table')) ??
    Object.values(row)
      .map(text)
      .filter((t) => t !== undefined)
      .pop() ??
    ''
  );
}

export interface AlterJob {
  readonly state: string;
  readonly msg: string;
}

export function parseAlterJob(row: SqlRow | undefined): AlterJob | undefined {
  if (!row) return undefined;
  return { state: (text(field(row, 'State')) ?? '').toUpperCase(), msg: text(field(row, 'Msg')) ?? '' };
}

export interface ColumnDetail {
  readonly name: string;
  /** `COLUMN_TYPE` (or a spelling rebuilt from DATA_TYPE / COLUMN_SIZE / DECIMAL_DIGITS). */
  readonly typeText: string;
  readonly defaultText: string | null;
  readonly nullable: boolean;
  readonly isKey: boolean;
  readonly comment: string;
}

/** information_schema.columns rows of `columnDetailsQuery` (in ordinal order). */
export function parseColumnDetails(rows: readonly SqlRow[]): ColumnDetail[] {
  return rows.map((r) => {
    const dataType = (text(field(r, 'DATA_TYPE')) ?? '').toLowerCase();
    const size = intOrNull(field(r, 'COLUMN_SIZE'));
    const digits = intOrNull(field(r, 'DECIMAL_DIGITS'));
    let typeText = text(field(r, 'COLUMN_TYPE')) ?? '';
    if (typeText === '') {
      if (/^decimal/.test(dataType)) typeText = `decimal(${size ?? 10},${digits ?? 0})`;
      else if ((dataType === 'varchar' || dataType === 'char') && size !== null) typeText = `${dataType}(${size})`;
      else if (dataType === 'tinyint' && size === null) typeText = 'boolean';
      else typeText = dataType;
    }
    const dflt = field(r, 'COLUMN_DEFAULT');
    return {
      name: text(field(r, 'COLUMN_NAME')) ?? '',
      typeText,
      defaultText: dflt === null || dflt === undefined ? null : (text(dflt) ?? null),
      nullable: (text(field(r, 'IS_NULLABLE')) ?? 'YES').toUpperCase() === 'YES',
      isKey: (text(field(r, 'COLUMN_KEY')) ?? '').toUpperCase() === 'PRI',
      comment: text(field(r, 'COLUMN_COMMENT')) ?? '',
    };
  });
}

export interface AlterJobRow extends AlterJob {
  readonly jobId: string;
}

export function parseAlterJobs(rows: readonly SqlRow[]): AlterJobRow[] {
  return rows.map((r) => ({ jobId: text(field(r, 'JobId')) ?? '', ...(parseAlterJob(r) ?? { state: '', msg: '' }) }));
}
