/**
 * Load plan → Stream Load JSON body (pure): one JSON array of row objects (`strip_outer_array`).
 *
 * Value representation (target column type decides, PROTOCOL.md §8.1):
 * - bigint → bare digits; int2/int4/float → JSON number; boolean → true/false (1/0 into numeric
 *   columns, "true"/"false" into string columns).
 * - DecimalValue → its text as a raw number token (the BE reads number tokens as text: no precision
 *   loss); text that is not a JSON number is sent as a string.
 * - JsonText → embedded raw (JSON/ARRAY/MAP/STRUCT and other non-string columns); a JSON string
 *   holding the text for CHAR/VARCHAR/STRING columns.
 * - TemporalValue → its text: dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS[.ffffff]`
 *   (timestamptz already in UTC); time/timetz/interval as text.
 * - Uint8Array → base64 for VARBINARY columns (decoded by the `columns` mapping, columns.ts);
 *   PostgreSQL's hex text `\x0a1b…` for string and other columns.
 * - arrays → JSON arrays (a JSON string with the array text for string columns).
 * - No StarRocks representation → `null`, counted in `nullified`: NaN/±Infinity (SpecialNumber or a
 *   non-finite number), `infinity`/`-infinity` dates and timestamps, and dates outside
 *   0000-01-01..9999-12-31 (BC or 5-digit years) in DATE/DATETIME columns. String columns get the
 *   text instead (`NaN`, `infinity`, `2000-01-01 BC`).
 */
import type { Value } from '../../../core/index.js';
import { DecimalValue, JsonText, SpecialNumber, TemporalValue } from '../../../core/index.js';
import type { OpType } from '../audit.js';
import type { TargetKind } from '../type-map.js';
import type { LoadColumn } from './columns.js';
import { isJsonNumberText, JsonWriter, quoteJsonString } from './json-writer.js';

export interface BodyRow {
  /** Values aligned with the load columns. */
  readonly values: readonly Value[];
  readonly opType: OpType;
  readonly deleted: boolean;
  readonly version: bigint;
}

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
  /** Lone UTF-16 surrogates replaced by U+FFFD. */
  readonly replacedSurrogates: number;
}

/** `syncedAt` is the load time in UTC, `YYYY-MM-DD HH:MM:SS.ffffff` (see formatSyncedAt). */
export function encodeBody(
  columns: readonly LoadColumn[],
  rows: readonly BodyRow[],
  audit: AuditKeys,
  syncedAt: string,
): EncodedBody {
  const w = new JsonWriter();
  const stats = { nullified: 0 };
  const keys = columns.map((c) => quoteJsonString(c.jsonKey));
  const auditOp = `${quoteJsonString(audit.opType)}:`;
  const auditDeleted = `,${quoteJsonString(audit.isDeleted)}:`;
  const auditSynced = `,${quoteJsonString(audit.syncedAt)}:${quoteJsonString(syncedAt)}`;
  const auditVersion = `,${quoteJsonString(audit.cdcVersion)}:`;
  w.raw('[');
  rows.forEach((row, r) => {
    w.raw(r === 0 ? '{' : ',{');
    columns.forEach((col, i) => {
      w.raw(`${keys[i] ?? '""'}:`);
      writeValue(w, row.values[i] ?? null, col.kind, stats);
      w.raw(',');
    });
    w.raw(`${auditOp}${row.opType}${auditDeleted}${row.deleted ? 'true' : 'false'}${auditSynced}${auditVersion}`);
    w.bigint(row.version);
    w.raw('}');
  });
  w.raw(']');
  return { body: w.toBuffer(), rows: rows.length, nullified: stats.nullified, replacedSurrogates: w.replacedSurrogates };
}

/** UTC `YYYY-MM-DD HH:MM:SS.ffffff` (DATETIME text without offset, §8.3). */
export function formatSyncedAt(d: Date): string {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000`;
}

const DATE_TEXT = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;
const JSON_START = /^\s*[[{"\-0-9tfn]/;

interface Stats {
  nullified: number;
}

function isStringKind(kind: TargetKind): boolean {
  return kind === 'string';
}

/** Writes one value for a column of `kind`. Nested array elements use kind `other`. */
export function writeValue(w: JsonWriter, v: Value, kind: TargetKind, stats: Stats): void {
  if (v === null) return w.null();
  if (kind === 'binary') return w.string(binaryBase64(v));
  if (Array.isArray(v)) {
    if (isStringKind(kind)) {
      const inner = new JsonWriter();
      writeArray(inner, v, stats);
      return w.string(inner.toBuffer().toString('utf8'));
    }
    return writeArray(w, v, stats);
  }
  switch (typeof v) {
    case 'boolean':
      if (isStringKind(kind)) return w.string(v ? 'true' : 'false');
      if (kind === 'integer' || kind === 'largeint' || kind === 'float' || kind === 'decimal') return w.raw(v ? '1' : '0');
      return w.boolean(v);
    case 'number':
      if (!Number.isFinite(v)) {
        if (isStringKind(kind)) return w.string(String(v));
        stats.nullified++;
        return w.null();
      }
      return w.number(v);
    case 'bigint':
      return w.bigint(v);
    case 'string':
      return w.string(v);
    default:
      break;
  }
  if (v instanceof DecimalValue) return isJsonNumberText(v.text) ? w.raw(v.text) : w.string(v.text);
  if (v instanceof SpecialNumber) {
    if (isStringKind(kind)) return w.string(v.text);
    stats.nullified++;
    return w.null();
  }
  if (v instanceof JsonText) {
    if (isStringKind(kind) || !JSON_START.test(v.text)) return w.string(v.text);
    return w.raw(v.text.trim());
  }
  if (v instanceof TemporalValue) return writeTemporal(w, v, kind, stats);
  if (v instanceof Uint8Array) return w.string(pgHex(v));
  // Unknown object shape: its text form.
  return w.string(String(v));
}

function writeArray(w: JsonWriter, items: readonly Value[], stats: Stats): void {
  w.raw('[');
  items.forEach((item, i) => {
    if (i > 0) w.raw(',');
    writeValue(w, item, 'other', stats);
  });
  w.raw(']');
}

function writeTemporal(w: JsonWriter, v: TemporalValue, kind: TargetKind, stats: Stats): void {
  if (isStringKind(kind)) return w.string(v.text);
  const dateLike = v.type === 'date' || v.type === 'timestamp' || v.type === 'timestamptz';
  if (v.infinite || (dateLike && !DATE_TEXT.test(v.text) && !TIMESTAMP_TEXT.test(v.text))) {
    stats.nullified++;
    return w.null();
  }
  return w.string(v.text);
}

function pgHex(b: Uint8Array): string {
  return `\\x${Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex')}`;
}

function binaryBase64(v: Value): string {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  const text = typeof v === 'string' ? v : String(v);
  return Buffer.from(text, 'utf8').toString('base64');
}
