/**
 * The rows of one snapshot read, kept as PostgreSQL printed them (pure): every cell's text, as UTF-8,
 * in one growing buffer, with the cells' offsets in typed arrays. A chunk lives until the sink has it
 * durably, so it is kept as a few large objects (no string, value array or record per row, which the
 * collector would copy again and again: docs/performance.md, "Snapshot rows as blocks, cells written from their text"); a row's
 * values are decoded only when the sink asks (`RowBlock.values`, `value`), with the decoder streamed
 * changes use (codec/text-values.ts), so they are the values a streamed change would carry. The
 * block also gives the cells' text with a form per column (core TextForm), which a sink may write
 * without decoding.
 *
 * Rows arrive as COPY text (`COPY (SELECT …) TO STDOUT`: tab between cells, newline after a row, `\N`
 * for NULL, backslash escapes) or, from tests, as text cells. Cells whose decoding can fail are checked
 * as they arrive, so a value that does not decode fails the read (CellDecodeError), as it always did.
 */
import type { PgTypeInfo } from '../codec/pg-types.js';
import { decodeTextValue, TextValueError } from '../codec/text-values.js';
import { isUtcTimestampBytes } from '../codec/temporal.js';
import type { BlockTexts, InsertRecord, Lsn, RowBlock, TableSchema, TextForm, Value } from '../../../core/index.js';
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

/** Where rows of a read go: COPY data as it arrives, or (tests, fakes) rows of text cells. */
export interface RowsInto {
  /** Bytes of COPY text output (whole or partial rows). Throws CellDecodeError or a format error. */
  copyData(data: Buffer): void;
  /** One row of text cells (null for NULL). Throws CellDecodeError. */
  cells(cells: readonly (string | null)[]): void;
  /** The data is complete (COPY data ending inside a row is a format error). */
  end(): void;
}

/** How a column's cells are checked as they arrive (the decoder can only fail for these). */
const enum Check {
  None,
  Integer,
  Boolean,
  /** timestamptz: the common UTC text is checked and flagged (its text without `+00` is the value's). */
  Utc,
  Decode,
}

function checkOf(type: PgTypeInfo | undefined): Check {
  if (type === undefined) return Check.None;
  switch (type.family) {
    case 'int2':
    case 'int4':
    case 'int8':
      return Check.Integer;
    case 'boolean':
      return Check.Boolean;
    case 'timestamptz':
      return Check.Utc;
    case 'numeric':
    case 'json':
    case 'text':
    case 'uuid':
    case 'other':
    case 'date':
    case 'time':
    case 'timetz':
    case 'timestamp':
    case 'interval':
      return Check.None;
    default:
      return Check.Decode;
  }
}

/** Node's Buffer slicing methods (present on every Buffer, absent from @types/node): no argument checks. */
interface SliceBuffer extends Buffer {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** The buffer's first size (it grows by doubling). */
const FIRST_BYTES = 64 * 1024;

/**
 * What a chunk is expected to hold (the previous chunk of its table tells): its buffers are allocated
 * once at that size with a margin, not doubled from small ones as rows arrive (each doubling copies,
 * and large allocations outside the JS heap make V8 collect sooner).
 */
export interface ChunkSize {
  readonly rows: number;
  /** Text bytes of the rows (cells, unescaped). */
  readonly bytes: number;
}

/** The margin over an expected size (rows of one table vary in length). */
const SIZE_MARGIN = 1.15;

export class ChunkRows implements RowsInto {
  #data: SliceBuffer;
  private used = 0;
  /** Per cell (row-major): start and end in `data`; start -1 is NULL. */
  private starts: Int32Array;
  private ends: Int32Array;
  private rowCount = 0;
  /** Per cell of a timestamptz column: 1 when its text is UTC (`…+00`, isUtcTimestampBytes). */
  private utc: Uint8Array | undefined;
  /** A partial row at the end of the previous COPY data. */
  private carry: Buffer | undefined;
  private readonly width: number;
  private readonly checks: readonly Check[];
  private texts: readonly string[] | undefined;
  private textSet: ReadonlySet<string> | undefined;

  constructor(
    /** Column types in select-list order. */
    readonly types: readonly (PgTypeInfo | undefined)[],
    /** The key columns' positions in a row. */
    readonly keyIndexes: readonly number[],
    expect?: ChunkSize,
  ) {
    this.width = types.length;
    this.#data = Buffer.allocUnsafe(expect === undefined ? FIRST_BYTES : Math.max(1024, Math.ceil(expect.bytes * SIZE_MARGIN))) as SliceBuffer;
    const cells = expect === undefined ? 1024 : Math.max(16, expect.rows * this.width);
    this.starts = new Int32Array(cells);
    this.ends = new Int32Array(cells);
    this.checks = types.map(checkOf);
    if (this.checks.includes(Check.Utc)) this.utc = new Uint8Array(this.starts.length);
  }

  get length(): number {
    return this.rowCount;
  }

  /** Bytes of the rows' text. */
  get textBytes(): number {
    return this.used;
  }

  /** Bytes held (for the pipeline's memory bound). */
  get bytes(): number {
    return this.#data.length + this.starts.byteLength + this.ends.byteLength + 256;
  }

  // -- Input ----------------------------------------------------------------------------------------

  copyData(chunk: Buffer): void {
    let b = chunk;
    if (this.carry !== undefined) {
      b = Buffer.concat([this.carry, chunk]);
      this.carry = undefined;
    }
    let p = 0;
    while (p < b.length) {
      const nl = b.indexOf(0x0a, p);
      if (nl < 0) {
        this.carry = Buffer.from(b.subarray(p));
        return;
      }
      this.copyRow(b, p, nl);
      p = nl + 1;
    }
  }

  cells(cells: readonly (string | null)[]): void {
    if (cells.length !== this.width) throw new Error(`snapshot row has ${cells.length} cells, expected ${this.width}`);
    const at = this.newRow();
    for (let c = 0; c < this.width; c++) {
      const text = cells[c];
      if (text === null || text === undefined) {
        this.starts[at + c] = -1;
        this.ends[at + c] = -1;
        continue;
      }
      const n = Buffer.byteLength(text, 'utf8');
      this.room(n);
      const s = this.used;
      this.used += this.#data.write(text, s, 'utf8');
      this.starts[at + c] = s;
      this.ends[at + c] = this.used;
      this.check(c, s, this.used);
    }
  }

  /** Ends the input: a partial row left over is a format error. */
  end(): void {
    if (this.carry !== undefined) throw new Error('COPY data ended inside a row');
    this.trim();
  }

  /**
   * Gives back what the buffers grew beyond the rows (they double as rows arrive): a chunk is kept
   * until the sink has it durably, and counts against MAX_BUFFERED_BYTES at its size.
   */
  private trim(): void {
    if (this.used < (this.#data.length * 3) / 4) {
      const data = Buffer.allocUnsafe(Math.max(this.used, 1)) as SliceBuffer;
      this.#data.copy(data, 0, 0, this.used);
      this.#data = data;
    }
    const cells = this.rowCount * this.width;
    if (cells < (this.starts.length * 3) / 4) {
      this.starts = this.starts.slice(0, cells);
      this.ends = this.ends.slice(0, cells);
      if (this.utc !== undefined) this.utc = this.utc.slice(0, cells);
    }
  }

  /** Cells of `b[p, nl)` (one COPY text row): copied, unescaped where they hold a backslash. */
  private copyRow(b: Buffer, p: number, nl: number): void {
    const at = this.newRow();
    const w = this.width;
    this.room(nl - p);
    const data = this.#data;
    let bs = b.indexOf(0x5c, p);
    if (bs >= nl) bs = -1;
    if (bs < 0 && p === 0 && nl === b.length - 1) {
      this.wholeRow(b, at);
      return;
    }
    let s = p;
    for (let c = 0; c < w; c++) {
      const e = this.cellEnd(b, s, nl, c);
      if (bs < 0 || bs >= e) {
        // No backslash in this cell: copied as it is.
        const o = this.used;
        if (e - s > 32) b.copy(data, o, s, e);
        else for (let i = s, j = o; i < e; i++, j++) data[j] = b[i] as number;
        this.used = o + (e - s);
        this.starts[at + c] = o;
        this.ends[at + c] = this.used;
      } else if (e - s === 2 && b[s + 1] === 0x4e) {
        this.starts[at + c] = -1; // \N
        this.ends[at + c] = -1;
      } else {
        const o = this.used;
        this.used = unescapeInto(b, s, e, data, o);
        this.starts[at + c] = o;
        this.ends[at + c] = this.used;
      }
      if (bs >= 0 && bs < e) {
        bs = b.indexOf(0x5c, e);
        if (bs >= nl) bs = -1;
      }
      if (this.starts[at + c] !== -1) this.check(c, this.starts[at + c] as number, this.ends[at + c] as number);
      s = e + 1;
    }
  }

  /**
   * A row without a backslash that is its whole message (`b` = the row and its newline, as COPY sends
   * one row per CopyData): copied at once with its tabs and newline (one native copy of a whole Buffer
   * allocates nothing, unlike a copy of part of one), its cells the spans between the tabs.
   */
  private wholeRow(b: Buffer, at: number): void {
    const w = this.width;
    const nl = b.length - 1;
    this.room(b.length);
    const o = this.used;
    b.copy(this.#data, o);
    this.used = o + b.length;
    let s = 0;
    for (let c = 0; c < w; c++) {
      const e = this.cellEnd(b, s, nl, c);
      this.starts[at + c] = o + s;
      this.ends[at + c] = o + e;
      this.check(c, o + s, o + e);
      s = e + 1;
    }
  }

  /** Where cell `c` of the row ending at `nl` ends, the cell starting at `s` (its tab, or `nl` for the last). */
  private cellEnd(b: Buffer, s: number, nl: number, c: number): number {
    const w = this.width;
    if (c === w - 1) {
      const tab = b.indexOf(0x09, s);
      if (tab >= 0 && tab < nl) throw new Error(`COPY row has more than ${w} cells`);
      return nl;
    }
    const e = b.indexOf(0x09, s);
    if (e < 0 || e >= nl) throw new Error(`COPY row has ${c + 1} cells, expected ${w}`);
    return e;
  }

  /** Reserves a row's cell slots; returns the index of its first cell. */
  private newRow(): number {
    const at = this.rowCount * this.width;
    if (at + this.width > this.starts.length) {
      const n = Math.max(this.starts.length * 2, at + this.width);
      const starts = new Int32Array(n);
      starts.set(this.starts);
      const ends = new Int32Array(n);
      ends.set(this.ends);
      this.starts = starts;
      this.ends = ends;
      if (this.utc !== undefined) {
        const utc = new Uint8Array(n);
        utc.set(this.utc);
        this.utc = utc;
      }
    }
    this.rowCount += 1;
    this.texts = undefined;
    this.textSet = undefined;
    return at;
  }

  private room(n: number): void {
    if (this.used + n <= this.#data.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.#data.length * 2, this.used + n)) as SliceBuffer;
    this.#data.copy(bigger, 0, 0, this.used);
    this.#data = bigger;
  }

  /** Checks a cell as it arrives when its decoding can fail (CellDecodeError). */
  private check(c: number, s: number, e: number): void {
    const kind = this.checks[c];
    if (kind === Check.None) return;
    const d = this.#data;
    if (kind === Check.Utc && this.utc !== undefined) {
      const utc = isUtcTimestampBytes(d, s, e) ? 1 : 0;
      this.utc[(this.rowCount - 1) * this.width + c] = utc;
      if (utc === 1) return;
    }
    if (kind === Check.Integer) {
      // decodeTextValue's /^[+-]?\d+$/.
      let i = s;
      if (i < e && (d[i] === 0x2d || d[i] === 0x2b)) i++;
      if (i < e) {
        for (; i < e; i++) {
          const x = d[i] as number;
          if (x < 0x30 || x > 0x39) break;
        }
        if (i === e) return;
      }
    } else if (kind === Check.Boolean) {
      const n = e - s;
      if (n === 1 && (d[s] === 0x74 || d[s] === 0x66)) return;
      if ((n === 4 && d.latin1Slice(s, e) === 'true') || (n === 5 && d.latin1Slice(s, e) === 'false')) return;
    }
    // The decoder says what is wrong (or, for Check.Decode, whether anything is).
    decodeCell(d.utf8Slice(s, e), this.types[c] as PgTypeInfo, c);
  }

  /** The rows' text (cells at `cellStart`…`formEnd`). */
  get data(): Uint8Array {
    return this.#data;
  }

  /** Where row `i`'s cell `c` starts in `data`; -1 for NULL. */
  cellStart(i: number, c: number): number {
    return this.starts[i * this.width + c] as number;
  }

  /** Where row `i`'s cell `c` ends as text of its TextForm: a UTC timestamptz without its `+00`. */
  formEnd(i: number, c: number): number {
    const at = i * this.width + c;
    const e = this.ends[at] as number;
    return this.utc !== undefined && this.utc[at] === 1 ? e - 3 : e;
  }

  // -- Keys -----------------------------------------------------------------------------------------

  private text(cell: number): string | null {
    const s = this.starts[cell] as number;
    return s < 0 ? null : this.#data.utf8Slice(s, this.ends[cell] as number);
  }

  /** Row `i`'s key columns as text (as PostgreSQL printed them). */
  rawKey(i: number): readonly string[] {
    return this.keyIndexes.map((k) => this.text(i * this.width + k) ?? '');
  }

  /** The last row's key columns as text (undefined without rows). */
  lastRawKey(): readonly string[] | undefined {
    return this.rowCount === 0 ? undefined : this.rawKey(this.rowCount - 1);
  }

  /** Row `i`'s value of column `c` (decoded now). */
  value(i: number, c: number): Value {
    const text = this.text(i * this.width + c);
    if (text === null) return null;
    const type = this.types[c];
    return type === undefined ? text : decodeCell(text, type, c);
  }

  /** Every row's key text (key-text.ts), computed once on first use. */
  keyTexts(): readonly string[] {
    if (this.texts === undefined) {
      const out = new Array<string>(this.rowCount);
      const cells = new Array<Value>(this.width).fill(null);
      for (let i = 0; i < this.rowCount; i++) {
        for (const k of this.keyIndexes) cells[k] = this.value(i, k);
        out[i] = keyText(cells, this.keyIndexes);
      }
      this.texts = out;
    }
    return this.texts;
  }

  /** The rows' key texts as a set, computed once on first use. */
  keyTextSet(): ReadonlySet<string> {
    this.textSet ??= new Set(this.keyTexts());
    return this.textSet;
  }

  // -- Output ---------------------------------------------------------------------------------------

  /** Rows `keep` (indexes, in order; undefined: all) as a block of inserts at `version`. */
  block(o: { schema: TableSchema; version: Lsn; commitTimeMicros: bigint; snapshotRead: string; keep?: readonly number[] }): RowBlock {
    return new ChunkBlock(this, o.schema, o.version, o.commitTimeMicros, o.snapshotRead, o.keep);
  }

  /** Row `i`'s values into `out`. */
  valuesInto(i: number, out: Value[]): void {
    out.length = this.width;
    for (let c = 0; c < this.width; c++) out[c] = this.value(i, c);
  }
}

/** The form of a column's text (core TextForm), by family: PostgreSQL prints these canonically. */
function formOf(type: PgTypeInfo | undefined): TextForm | undefined {
  if (type === undefined) return 'text';
  switch (type.family) {
    case 'int2':
    case 'int4':
    case 'int8':
      return 'integer';
    case 'numeric':
      return 'decimal';
    case 'text':
    case 'uuid':
    case 'other':
      return 'text';
    case 'boolean':
      return 'boolean';
    case 'date':
    case 'timestamp':
    case 'timestamptz':
      return 'datetime';
    case 'json':
      return 'json';
    default:
      return undefined;
  }
}

/** A block of a chunk's rows (all of them, or those kept after reconciliation). */
class ChunkBlock implements RowBlock, BlockTexts {
  readonly length: number;
  readonly forms: readonly (TextForm | undefined)[];

  constructor(
    private readonly rows: ChunkRows,
    readonly schema: TableSchema,
    readonly version: Lsn,
    readonly commitTimeMicros: bigint,
    readonly snapshotRead: string,
    private readonly keep: readonly number[] | undefined,
  ) {
    this.length = keep === undefined ? rows.length : keep.length;
    this.forms = rows.types.map(formOf);
  }

  get texts(): BlockTexts {
    return this;
  }

  get data(): Uint8Array {
    return this.rows.data;
  }

  start(i: number, c: number): number {
    return this.rows.cellStart(this.row(i), c);
  }

  end(i: number, c: number): number {
    return this.rows.formEnd(this.row(i), c);
  }

  value(i: number, c: number): Value {
    return this.rows.value(this.row(i), c);
  }

  get bytes(): number {
    return this.rows.bytes;
  }

  private row(i: number): number {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`row ${i} of a block of ${this.length}`);
    return this.keep === undefined ? i : (this.keep[i] as number);
  }

  values(i: number, out: Value[]): void {
    this.rows.valuesInto(this.row(i), out);
  }

  record(i: number): InsertRecord {
    const after: Value[] = [];
    this.values(i, after);
    const v = this.version;
    return {
      schema: this.schema,
      lsn: v,
      ordinal: i,
      commitLsn: v,
      commitTimeMicros: this.commitTimeMicros,
      op: 'insert',
      after,
      snapshotRead: this.snapshotRead,
    };
  }
}

/** COPY text escapes (`\b \f \n \r \t \v \\`, `\X` for any other X) of `b[s, e)` into `out` at `o`; returns the end. */
function unescapeInto(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
  for (let i = s; i < e; i++) {
    let x = b[i] as number;
    if (x === 0x5c && i + 1 < e) {
      i++;
      const y = b[i] as number;
      x = ESCAPED[y] ?? y;
    }
    out[o++] = x;
  }
  return o;
}

const ESCAPED: Readonly<Record<number, number>> = { 0x62: 0x08, 0x66: 0x0c, 0x6e: 0x0a, 0x72: 0x0d, 0x74: 0x09, 0x76: 0x0b };

function decodeCell(text: string, type: PgTypeInfo, column: number): Value {
  try {
    return decodeTextValue(text, type);
  } catch (e) {
    if (e instanceof TextValueError) throw new CellDecodeError(column, e);
    throw e;
  }
}
