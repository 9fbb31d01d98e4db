/**
 * StarRocks column types for the emulator (docs/starrocks-protocol.md §7.4, §8.2).
 *
 * - `ColumnType` is a discriminated union on `kind`. STRING is VARCHAR(65533) (it shows as
 *   `varchar(65533)`), BINARY is VARBINARY. Integer display widths (`INT(11)`) are ignored.
 * - `parseColumnType(text)` / `parseColumnTypeAt(text, pos)` accept any casing and spacing.
 * - `formatColumnType(t, style)` renders the spellings of §7.4.
 * - `validateColumnType(t)` checks the limits of §8.2 and `keyColumnTypeError` the key rules of §6.1.
 */

import { formatColumnType } from './type-format.js';

export { formatColumnType, informationSchemaColumnSize, informationSchemaDecimalDigits, type TypeFormatStyle } from './type-format.js';

export type IntegerKind = 'TINYINT' | 'SMALLINT' | 'INT' | 'BIGINT' | 'LARGEINT';

export type ColumnType =
  | { readonly kind: 'BOOLEAN' }
  | { readonly kind: IntegerKind }
  | { readonly kind: 'FLOAT' }
  | { readonly kind: 'DOUBLE' }
  | { readonly kind: 'DECIMAL'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'CHAR'; readonly length: number }
  | { readonly kind: 'VARCHAR'; readonly length: number }
  | { readonly kind: 'DATE' }
  | { readonly kind: 'DATETIME' }
  | { readonly kind: 'JSON' }
  | { readonly kind: 'VARBINARY'; readonly length: number }
  | { readonly kind: 'ARRAY'; readonly element: ColumnType }
  | { readonly kind: 'MAP'; readonly key: ColumnType; readonly value: ColumnType }
  | { readonly kind: 'STRUCT'; readonly fields: readonly StructField[] };

export interface StructField {
  readonly name: string;
  readonly type: ColumnType;
}

export type ColumnTypeKind = ColumnType['kind'];

/** §8.2 limits. */
export const MAX_DECIMAL_PRECISION = 38;
export const MAX_CHAR_LENGTH = 255;
export const MAX_VARCHAR_LENGTH = 1048576;
export const DEFAULT_STRING_LENGTH = 65533;
export const MAX_VARBINARY_LENGTH = 1048576;

/** Inclusive two's-complement ranges of the integer kinds. */
export const INTEGER_RANGES: Readonly<Record<IntegerKind, { readonly min: bigint; readonly max: bigint }>> = {
  TINYINT: { min: -(2n ** 7n), max: 2n ** 7n - 1n },
  SMALLINT: { min: -(2n ** 15n), max: 2n ** 15n - 1n },
  INT: { min: -(2n ** 31n), max: 2n ** 31n - 1n },
  BIGINT: { min: -(2n ** 63n), max: 2n ** 63n - 1n },
  LARGEINT: { min: -(2n ** 127n), max: 2n ** 127n - 1n },
};

export function isIntegerKind(kind: string): kind is IntegerKind {
  return kind === 'TINYINT' || kind === 'SMALLINT' || kind === 'INT' || kind === 'BIGINT' || kind === 'LARGEINT';
}

export class ColumnTypeError extends Error {
  override readonly name = 'ColumnTypeError';
}

// ---------------------------------------------------------------------------------------------
// Parsing

const SIMPLE: Readonly<Record<string, ColumnType>> = {
  BOOLEAN: { kind: 'BOOLEAN' },
  BOOL: { kind: 'BOOLEAN' },
  TINYINT: { kind: 'TINYINT' },
  SMALLINT: { kind: 'SMALLINT' },
  INT: { kind: 'INT' },
  INTEGER: { kind: 'INT' },
  BIGINT: { kind: 'BIGINT' },
  LARGEINT: { kind: 'LARGEINT' },
  FLOAT: { kind: 'FLOAT' },
  DOUBLE: { kind: 'DOUBLE' },
  DATE: { kind: 'DATE' },
  DATETIME: { kind: 'DATETIME' },
  JSON: { kind: 'JSON' },
  STRING: { kind: 'VARCHAR', length: DEFAULT_STRING_LENGTH },
};

class TypeCursor {
  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  skipWs(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] ?? '')) this.pos++;
  }

  peek(): string {
    this.skipWs();
    return this.text[this.pos] ?? '';
  }

  tryChar(c: string): boolean {
    if (this.peek() === c) {
      this.pos++;
      return true;
    }
    return false;
  }

  expectChar(c: string): void {
    if (!this.tryChar(c)) throw new ColumnTypeError(`Unexpected input in type '${this.text}' at ${this.pos}: expected '${c}'`);
  }

  word(): string {
    this.skipWs();
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!m) throw new ColumnTypeError(`Unexpected input in type '${this.text}' at ${this.pos}`);
    this.pos += m[0].length;
    return m[0];
  }

  /** A struct field name: identifier or backtick-quoted. */
  fieldName(): string {
    this.skipWs();
    if (this.text[this.pos] === '`') {
      const end = this.text.indexOf('`', this.pos + 1);
      if (end < 0) throw new ColumnTypeError(`Unterminated quoted name in type '${this.text}'`);
      const name = this.text.slice(this.pos + 1, end);
      this.pos = end + 1;
      return name;
    }
    return this.word();
  }

  int(): number {
    this.skipWs();
    const m = /^[0-9]+/.exec(this.text.slice(this.pos));
    if (!m) throw new ColumnTypeError(`Unexpected input in type '${this.text}' at ${this.pos}: expected a number`);
    this.pos += m[0].length;
    return Number(m[0]);
  }

  /** Optional `(n[, m])` list. */
  params(): number[] | undefined {
    if (!this.tryChar('(')) return undefined;
    const out = [this.int()];
    while (this.tryChar(',')) out.push(this.int());
    this.expectChar(')');
    return out;
  }
}

function parseTypeAt(c: TypeCursor): ColumnType {
  const word = c.word().toUpperCase();
  const simple = SIMPLE[word];
  if (simple) {
    if (isIntegerKind(simple.kind) || simple.kind === 'DATETIME') c.params(); // display width / precision ignored
    return simple;
  }
  switch (word) {
    case 'DECIMAL':
    case 'DECIMALV2':
    case 'DECIMALV3':
    case 'DECIMAL32':
    case 'DECIMAL64':
    case 'DECIMAL128':
    case 'NUMERIC': {
      const p = c.params();
      const precision = p?.[0] ?? 10;
      const scale = p?.[1] ?? 0;
      if (p && p.length > 2) throw new ColumnTypeError(`Too many parameters for ${word}`);
      return { kind: 'DECIMAL', precision, scale };
    }
    case 'CHAR':
    case 'CHARACTER': {
      const p = c.params();
      return { kind: 'CHAR', length: p?.[0] ?? 1 };
    }
    case 'VARCHAR': {
      const p = c.params();
      return { kind: 'VARCHAR', length: p?.[0] ?? 1 };
    }
    case 'VARBINARY':
    case 'BINARY': {
      const p = c.params();
      return { kind: 'VARBINARY', length: p?.[0] ?? MAX_VARBINARY_LENGTH };
    }
    case 'ARRAY': {
      c.expectChar('<');
      const element = parseTypeAt(c);
      c.expectChar('>');
      return { kind: 'ARRAY', element };
    }
    case 'MAP': {
      c.expectChar('<');
      const key = parseTypeAt(c);
      c.expectChar(',');
      const value = parseTypeAt(c);
      c.expectChar('>');
      return { kind: 'MAP', key, value };
    }
    case 'STRUCT': {
      c.expectChar('<');
      const fields: StructField[] = [];
      do {
        const name = c.fieldName();
        c.tryChar(':');
        fields.push({ name, type: parseTypeAt(c) });
      } while (c.tryChar(','));
      c.expectChar('>');
      return { kind: 'STRUCT', fields };
    }
    default:
      throw new ColumnTypeError(`Unknown type: ${word.toLowerCase()}`);
  }
}

/** Parse a type starting at `pos`; returns the type and the index just after it. */
export function parseColumnTypeAt(text: string, pos: number): { type: ColumnType; end: number } {
  const c = new TypeCursor(text, pos);
  const type = parseTypeAt(c);
  return { type, end: c.pos };
}

/** Parse a whole type text such as `decimal(10, 2)`, `varchar(255)`, `array<bigint>`, `INT(11)`. */
export function parseColumnType(text: string): ColumnType {
  const c = new TypeCursor(text, 0);
  const type = parseTypeAt(c);
  c.skipWs();
  if (c.pos !== text.length) throw new ColumnTypeError(`Unexpected input in type '${text}' at ${c.pos}`);
  return type;
}

// ---------------------------------------------------------------------------------------------
// Validation

/**
 * Checks §8.2 limits; returns an error message or null. Messages are emulator wording
 * ([UNCONFIRMED] against StarRocks' analyzer texts), but each names the limit.
 */
export function validateColumnType(t: ColumnType): string | null {
  switch (t.kind) {
    case 'DECIMAL':
      if (t.precision < 1 || t.precision > MAX_DECIMAL_PRECISION)
        return `DECIMAL's precision should range from 1 to ${MAX_DECIMAL_PRECISION}, but got ${t.precision}`;
      if (t.scale < 0 || t.scale > t.precision) return `DECIMAL's scale should range from 0 to precision ${t.precision}, but got ${t.scale}`;
      return null;
    case 'CHAR':
      if (t.length < 1 || t.length > MAX_CHAR_LENGTH) return `Char size must be between 1 and ${MAX_CHAR_LENGTH}, but got ${t.length}`;
      return null;
    case 'VARCHAR':
      if (t.length < 1 || t.length > MAX_VARCHAR_LENGTH) return `Varchar size must be between 1 and ${MAX_VARCHAR_LENGTH}, but got ${t.length}`;
      return null;
    case 'VARBINARY':
      if (t.length < 1 || t.length > MAX_VARBINARY_LENGTH) return `Varbinary size must be between 1 and ${MAX_VARBINARY_LENGTH}, but got ${t.length}`;
      return null;
    case 'ARRAY':
      return validateColumnType(t.element);
    case 'MAP': {
      if (!isScalar(t.key)) return 'Map key type must be a primitive type';
      return validateColumnType(t.key) ?? validateColumnType(t.value);
    }
    case 'STRUCT': {
      const seen = new Set<string>();
      for (const f of t.fields) {
        const lower = f.name.toLowerCase();
        if (seen.has(lower)) return `Duplicate field name ${f.name} in struct`;
        seen.add(lower);
        const e = validateColumnType(f.type);
        if (e) return e;
      }
      return null;
    }
    default:
      return null;
  }
}

export function isScalar(t: ColumnType): boolean {
  return t.kind !== 'ARRAY' && t.kind !== 'MAP' && t.kind !== 'STRUCT';
}

export type KeysType = 'PRIMARY_KEYS' | 'DUPLICATE_KEYS' | 'UNIQUE_KEYS' | 'AGG_KEYS';

/**
 * Key-column type rules. PRIMARY KEY (§6.1): BOOLEAN, TINYINT..LARGEINT, CHAR/VARCHAR/STRING, DATE,
 * DATETIME only. Other key kinds: no FLOAT/DOUBLE/JSON/VARBINARY/complex types.
 * Returns an error message or null ([UNCONFIRMED] wording).
 */
export function keyColumnTypeError(columnName: string, t: ColumnType, keysType: KeysType): string | null {
  const allowedPk = t.kind === 'BOOLEAN' || isIntegerKind(t.kind) || t.kind === 'CHAR' || t.kind === 'VARCHAR' || t.kind === 'DATE' || t.kind === 'DATETIME';
  if (keysType === 'PRIMARY_KEYS') {
    return allowedPk ? null : `Invalid data type of key column '${columnName}': '${formatColumnType(t, 'sql')}'`;
  }
  const bad = t.kind === 'FLOAT' || t.kind === 'DOUBLE' || t.kind === 'JSON' || t.kind === 'VARBINARY' || !isScalar(t);
  return bad ? `Invalid data type of key column '${columnName}': '${formatColumnType(t, 'sql')}'` : null;
}

export function typesEqual(a: ColumnType, b: ColumnType): boolean {
  return formatColumnType(a, 'sql') === formatColumnType(b, 'sql');
}
