/**
 * CREATE TABLE / ALTER TABLE ADD COLUMN / column types, following StarRocks 3.x `StarRocks.g4`:
 *   columnDesc: identifier type charsetName? KEY? aggDesc? (NULL | NOT NULL)? defaultDesc? comment?
 *   defaultDesc: DEFAULT (string | NULL | CURRENT_TIMESTAMP)        -- a bare number is a syntax error
 *   CREATE TABLE [IF NOT EXISTS] name (cols) ENGINE=x keyDesc COMMENT "c" DISTRIBUTED BY ... ORDER BY (..) PROPERTIES (..)
 *   addColumnClause: ADD COLUMN columnDesc (FIRST | AFTER c)?  |  ADD COLUMN (columnDesc, ...)
 *   modifyColumnClause: MODIFY COLUMN columnDesc (FIRST | AFTER c)?
 * Clause order is enforced as in the grammar (§7.1: COMMENT must follow the key clause).
 */
import type { ColumnDefault } from '../catalog.js';
import type { ColumnType, KeysType, StructField } from '../types.js';
import type { AddColumnAst, ColumnDefAst, CreateTableStatement, DistributionAst, ModifyColumnAst, QualifiedName } from './ast.js';
import type { Cursor } from './cursor.js';
import { unsupportedStatement } from './errors.js';

const SIMPLE_TYPES: Readonly<Record<string, ColumnType>> = {
  BOOLEAN: { kind: 'BOOLEAN' },
  FLOAT: { kind: 'FLOAT' },
  DOUBLE: { kind: 'DOUBLE' },
  DATE: { kind: 'DATE' },
  DATETIME: { kind: 'DATETIME' },
  JSON: { kind: 'JSON' },
  STRING: { kind: 'VARCHAR', length: 65533 },
  TEXT: { kind: 'VARCHAR', length: 65533 },
};
const INT_TYPES: Readonly<Record<string, ColumnType>> = {
  TINYINT: { kind: 'TINYINT' },
  SMALLINT: { kind: 'SMALLINT' },
  INT: { kind: 'INT' },
  INTEGER: { kind: 'INT' },
  BIGINT: { kind: 'BIGINT' },
  LARGEINT: { kind: 'LARGEINT' },
};
const DECIMAL_WORDS = new Set(['DECIMAL', 'DECIMALV2', 'DECIMAL32', 'DECIMAL64', 'DECIMAL128', 'NUMERIC', 'NUMBER']);
const AGG_WORDS = new Set(['SUM', 'MAX', 'MIN', 'REPLACE', 'HLL_UNION', 'BITMAP_UNION', 'PERCENTILE_UNION', 'REPLACE_IF_NOT_NULL']);
const EMULATOR_UNSUPPORTED_TYPES = new Set(['BITMAP', 'HLL', 'PERCENTILE', 'TIME', 'SIGNED', 'UNSIGNED']);

function typeParameter(c: Cursor): number | null {
  if (!c.trySymbol('(')) return null;
  const n = c.integer();
  c.expectSymbol(')');
  return n;
}

export function parseType(c: Cursor): ColumnType {
  const t = c.peek();
  if (t.kind !== 'word') throw c.unexpected('{<type>}');
  const word = t.text.toUpperCase();
  const simple = SIMPLE_TYPES[word];
  if (simple) {
    c.next();
    return simple;
  }
  const int = INT_TYPES[word];
  if (int) {
    c.next();
    typeParameter(c); // display width, ignored
    return int;
  }
  if (DECIMAL_WORDS.has(word)) {
    c.next();
    if (!c.trySymbol('(')) return { kind: 'DECIMAL', precision: 10, scale: 0 };
    const precision = c.integer();
    const scale = c.trySymbol(',') ? c.integer() : 0;
    c.expectSymbol(')');
    return { kind: 'DECIMAL', precision, scale };
  }
  switch (word) {
    case 'CHAR':
      c.next();
      return { kind: 'CHAR', length: typeParameter(c) ?? 1 };
    case 'VARCHAR':
      c.next();
      return { kind: 'VARCHAR', length: typeParameter(c) ?? 1 };
    case 'VARBINARY':
    case 'BINARY':
      c.next();
      return { kind: 'VARBINARY', length: typeParameter(c) ?? 1048576 };
    case 'ARRAY': {
      c.next();
      c.expectSymbol('<');
      const element = parseType(c);
      c.expectSymbol('>');
      return { kind: 'ARRAY', element };
    }
    case 'MAP': {
      c.next();
      c.expectSymbol('<');
      const key = parseType(c);
      c.expectSymbol(',');
      const value = parseType(c);
      c.expectSymbol('>');
      return { kind: 'MAP', key, value };
    }
    case 'STRUCT': {
      c.next();
      c.expectSymbol('<');
      const fields: StructField[] = [];
      do {
        const name = c.identifier();
        fields.push({ name, type: parseType(c) });
      } while (c.trySymbol(','));
      c.expectSymbol('>');
      return { kind: 'STRUCT', fields };
    }
    default:
      if (EMULATOR_UNSUPPORTED_TYPES.has(word)) throw unsupportedStatement(`column type ${word}`);
      throw c.unexpected('{<type>}');
  }
}

export function parseColumnDef(c: Cursor): ColumnDefAst {
  const name = c.identifier();
  const type = parseType(c);
  if (c.isKeyword('CHARSET') || c.isKeyword('CHARACTER') || (c.isKeyword('CHAR') && c.isKeyword('SET', 1))) {
    c.next();
    if (c.isKeyword('SET')) c.next();
    c.identifier();
  }
  if (c.isKeyword('KEY')) throw unsupportedStatement('column-level KEY (use a key clause)');
  let aggregation: string | null = null;
  const t = c.peek();
  if (t.kind === 'word' && AGG_WORDS.has(t.text.toUpperCase())) {
    aggregation = t.text.toUpperCase();
    c.next();
  }
  let nullable: boolean | null = null;
  if (c.tryKeyword('NOT', 'NULL')) nullable = false;
  else if (c.tryKeyword('NULL')) nullable = true;
  let dflt: ColumnDefault = { kind: 'none' };
  let autoIncrement = false;
  if (c.tryKeyword('DEFAULT')) {
    const d = c.peek();
    if (d.kind === 'string') {
      c.next();
      dflt = { kind: 'value', text: d.text };
    } else if (c.tryKeyword('NULL')) dflt = { kind: 'null' };
    else if (c.tryKeyword('CURRENT_TIMESTAMP')) dflt = { kind: 'current_timestamp' };
    else throw c.unexpected("{<string>, 'NULL', 'CURRENT_TIMESTAMP'}");
  } else if (c.tryKeyword('AUTO_INCREMENT')) autoIncrement = true;
  else if (c.isKeyword('AS')) throw unsupportedStatement('generated columns');
  const comment = c.tryKeyword('COMMENT') ? c.string() : '';
  return { name, type, nullable, default: dflt, comment, aggregation, autoIncrement };
}

function parseKeysType(c: Cursor): KeysType | null {
  const map: Readonly<Record<string, KeysType>> = {
    PRIMARY: 'PRIMARY_KEYS',
    DUPLICATE: 'DUPLICATE_KEYS',
    UNIQUE: 'UNIQUE_KEYS',
    AGGREGATE: 'AGG_KEYS',
  };
  const t = c.peek();
  const kt = t.kind === 'word' ? map[t.text.toUpperCase()] : undefined;
  if (!kt || !c.isKeyword('KEY', 1)) return null;
  c.next();
  c.next();
  return kt;
}

export function parseProperties(c: Cursor): [string, string][] {
  c.expectSymbol('(');
  const out: [string, string][] = [];
  do {
    const k = c.string();
    c.expectSymbol('=');
    out.push([k, c.string()]);
  } while (c.trySymbol(','));
  c.expectSymbol(')');
  return out;
}

/** Cursor after `CREATE [EXTERNAL] TABLE`. */
export function parseCreateTable(c: Cursor): CreateTableStatement {
  const ifNotExists = c.tryKeyword('IF', 'NOT', 'EXISTS');
  const table: QualifiedName = c.qualifiedName();
  if (c.isKeyword('LIKE')) throw unsupportedStatement('CREATE TABLE ... LIKE');
  if (c.isKeyword('AS')) throw unsupportedStatement('CREATE TABLE ... AS SELECT');
  c.expectSymbol('(');
  const columns = [parseColumnDef(c)];
  while (c.trySymbol(',')) {
    if (c.isKeyword('INDEX')) throw unsupportedStatement('indexes in CREATE TABLE');
    columns.push(parseColumnDef(c));
  }
  c.expectSymbol(')');
  let engine: string | null = null;
  if (c.tryKeyword('ENGINE')) {
    c.expectSymbol('=');
    engine = c.identifier();
  }
  if (c.isKeyword('DEFAULT') || c.isKeyword('CHARSET') || c.isKeyword('CHARACTER')) {
    c.tryKeyword('DEFAULT');
    if (!c.tryKeyword('CHARSET')) c.expectKeyword('CHARACTER', 'SET');
    c.trySymbol('=');
    if (c.peek().kind === 'string') c.string();
    else c.identifier();
  }
  const keysType = parseKeysType(c);
  const keyColumns = keysType ? c.identifierList() : [];
  const comment = c.tryKeyword('COMMENT') ? c.string() : null;
  if (c.isKeyword('PARTITION')) throw unsupportedStatement('PARTITION BY');
  let distribution: DistributionAst | null = null;
  if (c.tryKeyword('DISTRIBUTED', 'BY')) {
    if (c.tryKeyword('HASH')) {
      const cols = c.identifierList();
      distribution = { kind: 'hash', columns: cols, buckets: c.tryKeyword('BUCKETS') ? c.integer() : null };
    } else if (c.tryKeyword('RANDOM')) {
      distribution = { kind: 'random', buckets: c.tryKeyword('BUCKETS') ? c.integer() : null };
    } else throw c.unexpected("{'HASH', 'RANDOM'}");
  }
  const orderBy = c.tryKeyword('ORDER', 'BY') ? c.identifierList() : null;
  if (c.isKeyword('ROLLUP')) throw unsupportedStatement('ROLLUP');
  const properties = c.tryKeyword('PROPERTIES') ? parseProperties(c) : [];
  return { kind: 'createTable', table, ifNotExists, columns, engine, keysType, keyColumns, comment, distribution, orderBy, properties };
}

/**
 * Cursor after `ALTER TABLE`. One or more comma-separated clauses of one kind: ADD COLUMN, or
 * MODIFY COLUMN (`MODIFY COLUMN columnDesc [FIRST | AFTER c] [FROM rollup] [PROPERTIES (..)]`).
 */
export function parseAlterTable(
  c: Cursor,
):
  | { kind: 'alterAddColumns'; table: QualifiedName; columns: AddColumnAst[] }
  | { kind: 'alterModifyColumns'; table: QualifiedName; columns: ModifyColumnAst[] } {
  const table = c.qualifiedName();
  const columns: AddColumnAst[] = [];
  const modified: ModifyColumnAst[] = [];
  do {
    if (c.isKeyword('MODIFY')) {
      c.next();
      if (!c.tryKeyword('COLUMN')) throw c.unexpected("{'COLUMN'}");
      const column = parseColumnDef(c);
      let first = false;
      let after: string | null = null;
      if (c.tryKeyword('FIRST')) first = true;
      else if (c.tryKeyword('AFTER')) after = c.identifier();
      if (c.isKeyword('FROM')) throw unsupportedStatement('MODIFY COLUMN ... FROM rollup');
      if (c.tryKeyword('PROPERTIES')) parseProperties(c);
      modified.push({ column, first, after });
      continue;
    }
    if (!c.isKeyword('ADD')) {
      const t = c.peek();
      throw unsupportedStatement(`ALTER TABLE ... ${t.kind === 'eof' ? '' : c.tokenText(t).toUpperCase()} (only ADD COLUMN and MODIFY COLUMN are emulated)`);
    }
    c.next();
    if (!c.isKeyword('COLUMN')) {
      if (c.isKeyword('INDEX') || c.isKeyword('ROLLUP') || c.isKeyword('PARTITION'))
        throw unsupportedStatement(`ALTER TABLE ... ADD ${c.tokenText(c.peek()).toUpperCase()}`);
      throw c.unexpected("{'COLUMN'}");
    }
    c.next();
    if (c.trySymbol('(')) {
      do columns.push({ column: parseColumnDef(c), first: false, after: null });
      while (c.trySymbol(','));
      c.expectSymbol(')');
    } else {
      const column = parseColumnDef(c);
      let first = false;
      let after: string | null = null;
      if (c.tryKeyword('FIRST')) first = true;
      else if (c.tryKeyword('AFTER')) after = c.identifier();
      columns.push({ column, first, after });
    }
    if (c.isKeyword('TO') || c.isKeyword('IN')) throw unsupportedStatement('ADD COLUMN ... TO rollup');
    if (c.tryKeyword('PROPERTIES')) parseProperties(c);
  } while (c.trySymbol(','));
  if (modified.length > 0 && columns.length > 0) throw unsupportedStatement('ADD COLUMN and MODIFY COLUMN in one ALTER TABLE');
  return modified.length > 0 ? { kind: 'alterModifyColumns', table, columns: modified } : { kind: 'alterAddColumns', table, columns };
}
