/**
 * The rows of one snapshot read, decoded as they come off the socket (pure): each row's text cells
 * become the stream's values (codec/text-values.ts, the decoder streamed changes use), and the key
 * columns' texts are kept as PostgreSQL printed them (to read a key again, and as the chunk's resume
 * point). What a row costs beyond its values is kept small, because every row lives until the sink has
 * it durably: the key texts go into one flat array (no array per row), and the rows' key texts for the
 * conflict check (key-text.ts) are only computed when a streamed transaction touched the table.
 */
import type { PgTypeInfo } from '../codec/pg-types.js';
import { decodeTextValue, TextValueError } from '../codec/text-values.js';
import type { Value } from '../../../core/index.js';
import { keyText } from './key-text.js';

/** A cell that cannot be decoded: which column, and why. */
export class CellDecodeError extends Error {
  constructor(
    readonly column: number,
    readonly reason: TextValueError,
  ) {
    super(reason.message);
    this.name = 'CellDecodeError';
  }
}

export class ChunkRows {
  readonly rows: Value[][] = [];
  /** The key columns of every row as text, row after row (`keyIndexes.length` per row). */
  readonly rawKeys: string[] = [];
  private texts: readonly string[] | undefined;
  private textSet: ReadonlySet<string> | undefined;

  constructor(
    /** Column types in select-list order. */
    private readonly types: readonly (PgTypeInfo | undefined)[],
    /** The key columns' positions in a row. */
    readonly keyIndexes: readonly number[],
  ) {}

  /** Adds one row of text cells (null for NULL); throws CellDecodeError. Bound: pass it as a callback. */
  readonly add = (cells: readonly (string | null)[]): void => {
    const n = cells.length;
    const values = new Array<Value>(n);
    const types = this.types;
    for (let i = 0; i < n; i++) {
      const text = cells[i];
      const type = types[i];
      if (text === null || text === undefined) values[i] = null;
      else if (type === undefined) values[i] = text;
      else values[i] = decodeCell(text, type, i);
    }
    this.rows.push(values);
    const keys = this.keyIndexes;
    for (let k = 0; k < keys.length; k++) this.rawKeys.push(cells[keys[k] as number] ?? '');
  };

  get length(): number {
    return this.rows.length;
  }

  /** Row `i`'s key columns as text. */
  rawKey(i: number): readonly string[] {
    const w = this.keyIndexes.length;
    return this.rawKeys.slice(i * w, i * w + w);
  }

  /** The last row's key columns as text (undefined without rows). */
  lastRawKey(): readonly string[] | undefined {
    return this.rows.length === 0 ? undefined : this.rawKey(this.rows.length - 1);
  }

  /** Every row's key text (key-text.ts), computed once on first use. */
  keyTexts(): readonly string[] {
    if (this.texts === undefined) {
      const out = new Array<string>(this.rows.length);
      for (let i = 0; i < this.rows.length; i++) out[i] = keyText(this.rows[i] as Value[], this.keyIndexes);
      this.texts = out;
    }
    return this.texts;
  }

  /** The rows' key texts as a set, computed once on first use. */
  keyTextSet(): ReadonlySet<string> {
    this.textSet ??= new Set(this.keyTexts());
    return this.textSet;
  }
}

function decodeCell(text: string, type: PgTypeInfo, column: number): Value {
  try {
    return decodeTextValue(text, type);
  } catch (e) {
    if (e instanceof TextValueError) throw new CellDecodeError(column, e);
    throw e;
  }
}
