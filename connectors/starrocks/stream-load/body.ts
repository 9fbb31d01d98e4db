/**
 * Load plan → Stream Load JSON body (pure): one JSON array of row objects (`strip_outer_array`).
 *
 * Value representation (target column type decides, docs/starrocks-protocol.md §8.1):
 * - bigint → bare digits; int2/int4/float → JSON number; boolean → true/false (1/0 into numeric
 *   columns, "true"/"false" into string columns).
 * - DecimalValue → its text as a raw number token (the BE reads number tokens as text: no precision
 *   loss); text that is not a JSON number is sent as a string.
 * - JsonText → embedded raw (JSON/ARRAY/MAP/STRUCT and other non-string columns); a JSON string
 *   holding the text for CHAR/VARCHAR/STRING columns.
 * - TemporalValue → its text: dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS[.ffffff]`
 *   (timestamptz already in UTC); time/timetz/interval as text.
 * - Uint8Array → hex for VARBINARY columns (decoded by `to_binary(…, 'hex')` in the `columns`
 *   mapping, columns.ts; an empty bytea is `""`, which hex decodes to an empty binary);
 *   PostgreSQL's hex text `\x0a1b…` for string and other columns.
 * - arrays → JSON arrays (a JSON string with the array text for string columns).
 * - No StarRocks representation → `null`, counted in `nullified`: NaN/±Infinity (SpecialNumber or a
 *   non-finite number), `infinity`/`-infinity` dates and timestamps, and dates outside
 *   0000-01-01..9999-12-31 (BC or 5-digit years) in DATE/DATETIME columns. String columns get the
 *   text instead (`NaN`, `infinity`, `2000-01-01 BC`).
 *
 * Limits (when the load column knows them, columns.ts → type-map.ts `valueLimits`): StarRocks turns a
 * value that does not fit into NULL without telling (non-strict loads, §8.1), so the sink checks first:
 * - DECIMAL(P,S): extra fraction digits are rounded half away from zero (counted in `rounded`); an
 *   integer part wider than P−S is a SINK_DATA error.
 * - CHAR/VARCHAR/VARBINARY(M): more than M bytes is a SINK_DATA error (never truncated).
 * - Integer columns: a value outside the type's range is a SINK_DATA error.
 * - ARRAY: a value whose number of dimensions differs from the column's nesting is a SINK_DATA error
 *   (StarRocks would store NULL elements), unless the innermost element type is JSON.
 * See the type table in docs/starrocks.md.
 */
import type { Value } from '../../../core/index.js';
import { CdcError, codeAt, type CodeSource, DecimalValue, JsonText, SpecialNumber, TemporalValue } from '../../../core/index.js';
import type { OpType } from '../audit.js';
import type { TargetKind, ValueLimits } from '../type-map.js';
import { decimalCodesFitAsIs, decimalFitsAsIs, fitDecimal } from '../type-map.js';
import { mayHoldUnsupportedNumber, unsupportedJsonNumber } from '../json-numbers.js';
import type { LoadColumn } from './columns.js';
import { isJsonNumberText, JsonWriter, quoteJsonString } from './json-writer.js';

export interface BodyRow {
  /** Values aligned with the load columns (unused where `text` gives the cell). */
  readonly values: readonly Value[];
  readonly opType: OpType;
  readonly deleted: boolean;
  readonly version: bigint;
  /** Optional: cells as text (a block's rows, rows/block-rows.ts). */
  readonly text?: BodyRowText;
}

/**
 * A row's cells as text, aligned with the load columns: cell `j` is `data[starts[j], ends[j])` in the
 * form `forms[j]` (core TextForm: TEXT_INTEGER…), or NULL when `starts[j]` is -1. A cell whose text the
 * column's writer cannot take as it is (another form, out of range, not ASCII…) is written from
 * `value(j)`, its decoded value, as any other value: the bytes written are the same either way
 * (test/unit/starrocks/block-text.test.ts).
 */
export interface BodyRowText {
  readonly data: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly forms: Uint8Array;
  value(j: number): Value;
}

/** Text forms of BodyRowText (core TextForm); 0: none. */
export const TEXT_INTEGER = 1;
export const TEXT_DECIMAL = 2;
export const TEXT_STRING = 3;
export const TEXT_BOOLEAN = 4;
export const TEXT_DATETIME = 5;
export const TEXT_JSON = 6;

/**
 * The rows of a load: an array, or rows made one at a time (a block's, rows/block-rows.ts: `row(i)` may
 * reuse one object, which the encoder does not keep past the row).
 */
export type BodyRows = readonly BodyRow[] | { readonly length: number; row(i: number): BodyRow };

/** The target's spelling of the audit columns (JSON keys). */
export interface AuditKeys {
  readonly opType: string;
  readonly isDeleted: string;
  readonly syncedAt: string;
  readonly cdcVersion: string;
}

export interface EncodedBody {
  readonly body: Buffer;
  readonly rows: number;
  /** Values written as NULL because StarRocks has no representation for them. */
  readonly nullified: number;
  /** Decimals rounded to the target column's scale. */
  readonly rounded: number;
  /** Lone UTF-16 surrogates replaced by U+FFFD. */
  readonly replacedSurrogates: number;
}

/**
 * Audit values every row of a load shares (a snapshot block's rows: one version, inserts, not deleted).
 * Given to `encodeBody`, they are left out of the rows: the load sets them once, as constants of its
 * `columns` header (request.ts `columnsWithAudit`), and the body is about a quarter shorter.
 */
export interface ConstantAudit {
  readonly opType: OpType;
  readonly deleted: boolean;
  readonly version: bigint;
}

/** `syncedAt` is the load time in UTC, `YYYY-MM-DD HH:MM:SS.ffffff` (see formatSyncedAt). */
export function encodeBody(
  columns: readonly LoadColumn[],
  rows: BodyRows,
  audit: AuditKeys,
  syncedAt: string,
  /** Names the table in error messages, e.g. `shop.orders`. */
  table?: string,
  /** The rows' audit values when they all share them: then no row carries them (ConstantAudit). */
  constant?: ConstantAudit,
): EncodedBody {
  const encoder = new BodyEncoder(columns, rows, audit, syncedAt, table, constant);
  encoder.write(rows.length);
  return encoder.finish();
}

/**
 * `encodeBody` a slice of rows at a time: `write(n)` encodes the next `n` rows, `finish()` gives the
 * body once every row is written. The sink encodes a large body in slices and lets the event loop run
 * between them, so the load already on the wire keeps sending and its answer is read while the next
 * body is prepared (docs/performance.md, "A body encoded in slices"). The bytes are `encodeBody`'s.
 */
export class BodyEncoder {
  private readonly w = new JsonWriter();
  private readonly stats: Stats = { nullified: 0, rounded: 0 };
  private readonly writers: readonly CellWriter[];
  private readonly texts: readonly TextWriter[];
  /** `{"a":` before the first value, `,"b":` before the others: the text between two values. */
  private readonly prefixes: readonly string[];
  private readonly tails: readonly (readonly Uint8Array[])[];
  private readonly rowAt: (r: number) => BodyRow;
  private next = 0;
  private lastVersion: bigint | undefined;
  private versionText = '';
  private nextEstimate = 64;

  constructor(
    private readonly columns: readonly LoadColumn[],
    private readonly rows: BodyRows,
    audit: AuditKeys,
    syncedAt: string,
    table?: string,
    private readonly constant?: ConstantAudit,
  ) {
    const targets = columns.map((col): ValueTarget => ({ column: table === undefined ? col.name : `${table}.${col.name}`, limits: col.limits }));
    this.writers = columns.map((col, i) => cellWriter(col, targets[i] as ValueTarget));
    this.texts = columns.map((col, i) => textWriter(col, targets[i] as ValueTarget));
    this.prefixes = columns.map((c, i) => `${i === 0 ? '{' : ','}${quoteJsonString(c.jsonKey)}:`);
    this.tails = auditTails(audit, syncedAt, columns.length === 0 ? '{' : ',');
    this.rowAt = isRowArray(rows) ? (r) => rows[r] as BodyRow : (r) => rows.row(r);
    this.w.raw('[');
  }

  /** Rows not written yet. */
  get remaining(): number {
    return this.rows.length - this.next;
  }

  /** Writes the next `count` rows (fewer when fewer are left). */
  write(count: number): void {
    const { w, stats, writers, texts, prefixes, tails, rowAt, constant } = this;
    const n = this.columns.length;
    const total = this.rows.length;
    const end = Math.min(total, this.next + count);
    for (let r = this.next; r < end; r++) {
      const row = rowAt(r);
      if (r > 0) w.byte(0x2c); // ,
      const values = row.values;
      const text = row.text;
      if (text === undefined) {
        for (let i = 0; i < n; i++) {
          w.raw(prefixes[i] as string);
          (writers[i] as CellWriter)(w, values[i] ?? null, stats);
        }
      } else {
        for (let i = 0; i < n; i++) {
          w.raw(prefixes[i] as string);
          const s = text.starts[i] as number;
          if (s < 0) (writers[i] as CellWriter)(w, null, stats);
          else if (!(texts[i] as TextWriter)(w, text.data, s, text.ends[i] as number, text.forms[i] as number))
            (writers[i] as CellWriter)(w, text.value(i), stats);
        }
      }
      if (constant !== undefined) {
        if (row.version !== constant.version || row.opType !== constant.opType || row.deleted !== constant.deleted)
          throw new Error(`row ${r} of the load does not have the audit values its header sets (version ${constant.version})`);
        if (n === 0) w.byte(0x7b); // a row without columns: `{}`
        w.byte(0x7d); // }
      } else {
        if (row.version !== this.lastVersion) {
          this.lastVersion = row.version;
          this.versionText = row.version.toString();
        }
        w.bytes((tails[row.opType] as readonly Uint8Array[])[row.deleted ? 1 : 0] as Uint8Array);
        w.raw(this.versionText);
        w.byte(0x7d); // }
      }
      if (r + 1 === this.nextEstimate && r + 1 < total) {
        // Sized from the rows so far (re-estimated at 64, 128, 256, … rows): grown, with a fifth more,
        // only when the estimate outgrows the buffer (every resize allocates and copies the whole body).
        const estimate = (w.written / (r + 1)) * total;
        if (estimate > w.capacity) w.reserve(Math.ceil(estimate * 1.2));
        this.nextEstimate *= 2;
      }
    }
    this.next = end;
  }

  /** The body; every row must have been written. */
  finish(): EncodedBody {
    if (this.next < this.rows.length) throw new Error(`body finished with ${this.rows.length - this.next} rows not written`);
    const w = this.w;
    w.raw(']');
    return {
      body: w.toBuffer(),
      rows: this.rows.length,
      nullified: this.stats.nullified,
      rounded: this.stats.rounded,
      replacedSurrogates: w.replacedSurrogates,
    };
  }
}

function isRowArray(rows: BodyRows): rows is readonly BodyRow[] {
  return Array.isArray(rows);
}

/**
 * The audit columns after a row's values, up to the version, as UTF-8 (encoded once per body, copied
 * per row): by op type, then deleted (0/1).
 */
function auditTails(audit: AuditKeys, syncedAt: string, lead: string): readonly (readonly Uint8Array[])[] {
  const synced = `,${quoteJsonString(audit.syncedAt)}:${quoteJsonString(syncedAt)}`;
  const version = `,${quoteJsonString(audit.cdcVersion)}:`;
  return [0, 1, 2].map((op) =>
    [false, true].map((deleted) =>
      TAIL_ENCODER.encode(`${lead}${quoteJsonString(audit.opType)}:${op},${quoteJsonString(audit.isDeleted)}:${deleted ? 'true' : 'false'}${synced}${version}`),
    ),
  );
}

/** The same UTF-8 as JsonWriter's (TextEncoder: a lone surrogate, already replaced by quoteJsonString, would be U+FFFD). */
const TAIL_ENCODER = new TextEncoder();

type CellWriter = (w: JsonWriter, v: Value, stats: Stats) => void;

/** Writes a cell from its text when the column takes that text as it is; false (nothing written) otherwise. */
type TextWriter = (w: JsonWriter, b: Uint8Array, s: number, e: number, form: number) => boolean;

/**
 * The text writer of one load column: only what writes exactly the bytes `cellWriter` writes for the
 * cell's value (an integer in range, a decimal that fits as it is, ASCII text within the byte limit, a
 * boolean, a date or timestamp of the plain shape, ASCII JSON whose numbers StarRocks keeps); anything
 * else returns false, with nothing written, and the value takes the general way.
 */
function textWriter(col: LoadColumn, target: ValueTarget): TextWriter {
  const limits = col.limits;
  switch (col.kind) {
    case 'integer':
    case 'largeint': {
      const range = limits.integer;
      const lo = range === undefined ? -Infinity : Number(range.min);
      const hi = range === undefined ? Infinity : Number(range.max);
      return (w, b, s, e, form) => {
        if (form !== TEXT_INTEGER) return false;
        const v = smallInteger(b, s, e);
        if (v === undefined || v < lo || v > hi) return false;
        w.ascii(b, s, e);
        return true;
      };
    }
    case 'decimal': {
      const d = limits.decimal;
      const intDigits = d === undefined ? Infinity : d.precision - d.scale;
      const scale = d === undefined ? Infinity : d.scale;
      return (w, b, s, e, form) => {
        if (form !== TEXT_DECIMAL || !decimalCodesFitAsIs(b, s, e - s, intDigits, scale)) return false;
        w.ascii(b, s, e);
        return true;
      };
    }
    case 'string': {
      const max = limits.maxBytes ?? Infinity;
      return (w, b, s, e, form) => form === TEXT_STRING && e - s <= max && w.asciiString(b, s, e);
    }
    case 'date':
    case 'datetime':
      return (w, b, s, e, form) => {
        if (form !== TEXT_DATETIME || !isDateOrTimestamp(b, s, e - s)) return false;
        w.byte(0x22);
        w.ascii(b, s, e);
        w.byte(0x22);
        return true;
      };
    case 'json':
      return (w, b, s, e, form) => {
        if (form !== TEXT_JSON || e <= s) return false;
        for (let i = s; i < e; i++) if ((b[i] as number) >= 0x80) return false;
        const first = b[s] as number;
        const last = b[e - 1] as number;
        if (!isTrimmedJsonStartCodes(first, last)) return false;
        // Only a document with a long number token can hold one StarRocks' JSON type refuses (json-numbers.ts).
        if (mayHoldUnsupportedNumber(b, s, e)) checkJsonNumbers(Buffer.from(b.buffer, b.byteOffset + s, e - s).toString('latin1'), target);
        w.ascii(b, s, e);
        return true;
      };
    case 'boolean':
      return (w, b, s, e, form) => {
        if (form !== TEXT_BOOLEAN || e - s !== 1) return false;
        const c = b[s];
        if (c === 0x74) w.raw('true');
        else if (c === 0x66) w.raw('false');
        else return false;
        return true;
      };
    default:
      return () => false;
  }
}

/** A canonical integer text (`0`, `-?[1-9][0-9]*`) of at most 15 digits as a number; else undefined. */
function smallInteger(b: Uint8Array, s: number, e: number): number | undefined {
  let i = s;
  const negative = b[i] === 0x2d;
  if (negative) i++;
  const n = e - i;
  if (n < 1 || n > 15 || (b[i] === 0x30 && n > 1) || (negative && b[i] === 0x30)) return undefined;
  let v = 0;
  for (; i < e; i++) {
    const c = (b[i] as number) - 0x30;
    if (c < 0 || c > 9) return undefined;
    v = v * 10 + c;
  }
  return negative ? -v : v;
}

/**
 * The writer of one load column, chosen once per load: the common value of the column's kind is
 * written directly (no per-cell dispatch on the kind, no RegExp, no intermediate strings), anything
 * else goes through `writeValue`, which every fast path must equal (body-fast.test.ts).
 */
function cellWriter(col: LoadColumn, target: ValueTarget): CellWriter {
  const kind = col.kind;
  const general: CellWriter = (w, v, stats) => writeValue(w, v, kind, stats, target);
  const limits = target.limits;
  switch (kind) {
    case 'integer':
    case 'largeint': {
      const range = limits.integer;
      const lo = range === undefined ? -Infinity : Number(range.min);
      const hi = range === undefined ? Infinity : Number(range.max);
      return (w, v, stats) => {
        if (typeof v === 'bigint') {
          if (range === undefined || (v >= range.min && v <= range.max)) return w.raw(v.toString());
        } else if (typeof v === 'number') {
          // A safe integer compares exactly with the bounds as numbers (beyond 2^53 only for BIGINT and wider).
          if (Number.isSafeInteger(v) && v >= lo && v <= hi) return w.raw(String(v));
        }
        return general(w, v, stats);
      };
    }
    case 'float':
      return (w, v, stats) => (typeof v === 'number' && Number.isFinite(v) ? w.raw(String(v)) : general(w, v, stats));
    case 'boolean':
      return (w, v, stats) => (typeof v === 'boolean' ? w.raw(v ? 'true' : 'false') : general(w, v, stats));
    case 'decimal': {
      const d = limits.decimal;
      const intDigits = d === undefined ? Infinity : d.precision - d.scale;
      const scale = d === undefined ? Infinity : d.scale;
      return (w, v, stats) => (v instanceof DecimalValue && decimalFitsAsIs(v.text, intDigits, scale) ? w.raw(v.text) : general(w, v, stats));
    }
    case 'string': {
      const max = limits.maxBytes;
      return (w, v, stats) => (typeof v === 'string' && (max === undefined || v.length * 3 <= max) ? w.string(v) : general(w, v, stats));
    }
    case 'date':
    case 'datetime':
      // Date and timestamp texts are digits and `-: .`: nothing to escape.
      return (w, v, stats) =>
        v instanceof TemporalValue && v.type !== 'time' && v.type !== 'timetz' && v.type !== 'interval' && isDateOrTimestampText(v.text)
          ? quotedAscii(w, v.text)
          : general(w, v, stats);
    case 'json':
      return (w, v, stats) => {
        if (!(v instanceof JsonText && isTrimmedJsonStart(v.text))) return general(w, v, stats);
        checkJsonNumbers(v.text, target);
        return w.raw(v.text);
      };
    default:
      return general;
  }
}

/** `"text"` for text known to be ASCII with nothing to escape. */
function quotedAscii(w: JsonWriter, text: string): void {
  w.byte(0x22);
  w.raw(text);
  w.byte(0x22);
}

/** A JSON text starting with a JSON value's first character and with no white space at either end. */
function isTrimmedJsonStart(text: string): boolean {
  return isTrimmedJsonStartCodes(text.charCodeAt(0), text.charCodeAt(text.length - 1));
}

function isTrimmedJsonStartCodes(first: number, last: number): boolean {
  // Printable ASCII is never white space; anything else takes the general path (JSON_START, trim).
  if (!(last > 0x20 && last < 0x7f)) return false;
  return (
    first === 0x7b ||
    first === 0x5b ||
    first === 0x22 ||
    first === 0x2d ||
    (first >= 0x30 && first <= 0x39) ||
    first === 0x74 ||
    first === 0x66 ||
    first === 0x6e
  );
}

/** A plain DATE or DATETIME text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.f{1,6}]`, digits unchecked for range), without a RegExp. */
export function isDateOrTimestampText(t: string): boolean {
  return isDateOrTimestamp(t, 0, t.length);
}

/** isDateOrTimestampText of the `n` codes at `s` of a text or bytes. */
function isDateOrTimestamp(src: CodeSource, s: number, n: number): boolean {
  if (n !== 10 && n !== 19 && (n < 21 || n > 26)) return false;
  if (!digits(src, s, 4) || codeAt(src, s + 4) !== 0x2d || !digits(src, s + 5, 2) || codeAt(src, s + 7) !== 0x2d || !digits(src, s + 8, 2)) return false;
  if (n === 10) return true;
  if (
    codeAt(src, s + 10) !== 0x20 ||
    !digits(src, s + 11, 2) ||
    codeAt(src, s + 13) !== 0x3a ||
    !digits(src, s + 14, 2) ||
    codeAt(src, s + 16) !== 0x3a ||
    !digits(src, s + 17, 2)
  )
    return false;
  return n === 19 || (codeAt(src, s + 19) === 0x2e && digits(src, s + 20, n - 20));
}

/** Whether the `count` codes at `from` are ASCII digits. */
function digits(src: CodeSource, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) {
    const c = codeAt(src, i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** UTC `YYYY-MM-DD HH:MM:SS.ffffff` (DATETIME text without offset, §8.3). */
export function formatSyncedAt(d: Date): string {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

const JSON_START = /^\s*[[{"\-0-9tfn]/;

export interface Stats {
  nullified: number;
  rounded: number;
}

/** The column a value goes to: its name for messages and the limits it must fit. */
export interface ValueTarget {
  readonly column: string;
  readonly limits: ValueLimits;
}

const UNCHECKED: ValueTarget = { column: '?', limits: {} };

function isStringKind(kind: TargetKind): boolean {
  return kind === 'string';
}

/** A JSON column's document must hold only numbers StarRocks' JSON type keeps (json-numbers.ts). */
function checkJsonNumbers(text: string, target: ValueTarget): void {
  const token = unsupportedJsonNumber(text);
  if (token === undefined) return;
  const shown = token.length > 40 ? `${token.slice(0, 40)}… (${token.length} characters)` : token;
  throw doesNotFit(
    target,
    `the JSON number ${shown} does not fit StarRocks' JSON type (integers must fit 64 bits, other numbers a double); StarRocks would load the whole document as NULL`,
    'Create the target column as STRING instead of JSON to keep the exact jsonb text, or change the value in PostgreSQL; then restart dbmazz (the batch is written again).',
  );
}

function doesNotFit(t: ValueTarget, what: string, hint: string): CdcError {
  return new CdcError({ code: 'SINK_DATA', message: `Column ${t.column}: ${what}`, hint });
}

/** Writes one value for a column of `kind`. Nested array elements use kind `other`. */
export function writeValue(w: JsonWriter, v: Value, kind: TargetKind, stats: Stats, target: ValueTarget = UNCHECKED): void {
  if (v === null) return w.null();
  if (kind === 'binary') return writeBinary(w, v, target);
  if (isStringKind(kind)) return writeStringColumn(w, v, target);
  if (Array.isArray(v)) {
    checkArrayShape(v, kind, target);
    return writeArray(w, v, stats);
  }
  switch (typeof v) {
    case 'boolean':
      if (kind === 'integer' || kind === 'largeint' || kind === 'float' || kind === 'decimal') return w.raw(v ? '1' : '0');
      return w.boolean(v);
    case 'number':
      if (!Number.isFinite(v)) {
        stats.nullified++;
        return w.null();
      }
      if (Number.isInteger(v)) checkInteger(BigInt(v), kind, target);
      return w.number(v);
    case 'bigint':
      checkInteger(v, kind, target);
      return w.bigint(v);
    case 'string':
      return w.string(v);
    default:
      break;
  }
  if (v instanceof DecimalValue) return writeDecimal(w, v.text, kind, stats, target);
  if (v instanceof SpecialNumber) {
    stats.nullified++;
    return w.null();
  }
  if (v instanceof JsonText) {
    if (!JSON_START.test(v.text)) return w.string(v.text);
    if (kind === 'json') checkJsonNumbers(v.text, target);
    return w.raw(v.text.trim());
  }
  if (v instanceof TemporalValue) return writeTemporal(w, v, stats);
  if (v instanceof Uint8Array) return w.string(pgHex(v));
  // Unknown object shape: its text form.
  return w.string(String(v));
}

/**
 * The text a CHAR/VARCHAR/STRING column stores for `v`, and whether it is sent as a raw JSON number
 * token (the BE reads number tokens as their text, §8.1). Also what the replay guard compares keys by.
 */
export function stringColumnText(v: Value): { readonly text: string; readonly raw: boolean } {
  if (Array.isArray(v)) {
    const inner = new JsonWriter();
    writeArray(inner, v, { nullified: 0, rounded: 0 });
    return { text: inner.toBuffer().toString('utf8'), raw: false };
  }
  if (typeof v === 'boolean') return { text: v ? 'true' : 'false', raw: false };
  if (typeof v === 'number') {
    const finite = Number.isFinite(v);
    return { text: finite && Object.is(v, -0) ? '0' : String(v), raw: finite };
  }
  if (typeof v === 'bigint') return { text: v.toString(), raw: true };
  if (typeof v === 'string') return { text: v, raw: false };
  if (v instanceof DecimalValue) return { text: v.text, raw: isJsonNumberText(v.text) };
  if (v instanceof Uint8Array) return { text: pgHex(v), raw: false };
  return { text: String(v), raw: false }; // SpecialNumber, JsonText, TemporalValue: their text
}

/**
 * CHAR/VARCHAR/STRING columns: every value as the text StarRocks will store. Number tokens are sent
 * raw (the BE reads them as their text, §8.1), everything else as a JSON string.
 */
function writeStringColumn(w: JsonWriter, v: Value, target: ValueTarget): void {
  const { text, raw } = stringColumnText(v);
  const max = target.limits.maxBytes;
  if (max !== undefined && text.length * 3 > max) {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only long texts need counting.
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > max) {
      throw doesNotFit(
        target,
        `a value of ${bytes} bytes does not fit the column's ${max} bytes (StarRocks would store NULL)`,
        'Widen the StarRocks column (VARCHAR lengths are bytes, up to 1048576; STRING is only 65533).',
      );
    }
  }
  return raw ? w.raw(text) : w.string(text);
}

function writeDecimal(w: JsonWriter, text: string, kind: TargetKind, stats: Stats, target: ValueTarget): void {
  const d = target.limits.decimal;
  if (kind === 'decimal' && d !== undefined) {
    const fit = fitDecimal(text, d.precision, d.scale);
    if (!fit.ok) {
      throw doesNotFit(
        target,
        `${abbreviate(text)} does not fit DECIMAL(${d.precision},${d.scale}): ${fit.reason} (StarRocks would store NULL)`,
        'Widen the StarRocks column, or use a STRING column for the exact text.',
      );
    }
    if (fit.rounded) stats.rounded++;
    return w.raw(fit.text);
  }
  return isJsonNumberText(text) ? w.raw(text) : w.string(text);
}

function checkInteger(n: bigint, kind: TargetKind, target: ValueTarget): void {
  const r = target.limits.integer;
  if ((kind === 'integer' || kind === 'largeint') && r !== undefined && (n < r.min || n > r.max)) {
    throw doesNotFit(
      target,
      `${n} is outside the range of ${r.type} (StarRocks would store NULL)`,
      'Use a wider integer type in StarRocks (BIGINT, LARGEINT).',
    );
  }
  if (kind === 'decimal' && target.limits.decimal !== undefined) {
    const d = target.limits.decimal;
    const fit = fitDecimal(n.toString(), d.precision, d.scale);
    if (!fit.ok) throw doesNotFit(target, `${n} does not fit DECIMAL(${d.precision},${d.scale}): ${fit.reason}`, 'Widen the StarRocks column.');
  }
}

/** Number of dimensions of a PostgreSQL array value (arrays are rectangular; `{}` has none). */
export function arrayDimensions(v: readonly Value[]): number {
  let dims = 0;
  let cur: Value = v;
  while (Array.isArray(cur) && cur.length > 0) {
    dims++;
    cur = (cur as readonly Value[])[0] ?? null;
  }
  return dims;
}

function checkArrayShape(v: readonly Value[], kind: TargetKind, target: ValueTarget): void {
  const a = target.limits.array;
  if (kind !== 'array' || a === undefined) return;
  const dims = arrayDimensions(v);
  if (dims === 0 || dims === a.depth || (dims > a.depth && a.jsonElements)) return;
  throw doesNotFit(
    target,
    `a ${dims}-dimensional array does not fit a column of ${a.depth} ARRAY level(s) (StarRocks would store NULL elements)`,
    `Declare the column with one ARRAY<…> level per dimension (${'ARRAY<'.repeat(dims)}…${'>'.repeat(dims)}), as ARRAY<JSON>, JSON or STRING.`,
  );
}

function writeArray(w: JsonWriter, items: readonly Value[], stats: Stats): void {
  w.raw('[');
  items.forEach((item, i) => {
    if (i > 0) w.raw(',');
    writeValue(w, item, 'other', stats);
  });
  w.raw(']');
}

function writeTemporal(w: JsonWriter, v: TemporalValue, stats: Stats): void {
  const dateLike = v.type === 'date' || v.type === 'timestamp' || v.type === 'timestamptz';
  if (v.infinite || (dateLike && !isDateOrTimestampText(v.text))) {
    stats.nullified++;
    return w.null();
  }
  return w.string(v.text);
}

function writeBinary(w: JsonWriter, v: Value, target: ValueTarget): void {
  const bytes = v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : Buffer.from(typeof v === 'string' ? v : String(v), 'utf8');
  const max = target.limits.maxBytes;
  if (max !== undefined && bytes.length > max) {
    throw doesNotFit(
      target,
      `a value of ${bytes.length} bytes does not fit VARBINARY(${max})`,
      'Widen the StarRocks column (VARBINARY holds up to 1048576 bytes).',
    );
  }
  return w.string(bytes.toString('hex'));
}

function pgHex(b: Uint8Array): string {
  return `\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
}

function abbreviate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 40)}…(${text.length} chars)` : text;
}
