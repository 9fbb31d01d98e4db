/**
 * Stream Load URL path and headers (pure), docs/starrocks-protocol.md §1.2 and §2.
 * `Expect`, `Authorization` and `Content-Length` are added by the HTTP client.
 */
import { CdcError } from '../../../core/index.js';
import { CDC_VERSION_COLUMN } from '../audit.js';
import { quoteIdent } from '../identifiers.js';
import { isDateOrTimestampText } from './body.js';

export interface LoadHeaderOptions {
  readonly label: string;
  /** The full `columns` header value (load columns and audit columns, quoted). */
  readonly columns: string;
  readonly partial: boolean;
  readonly maxFilterRatio: number;
  readonly timeoutMs: number;
  /** The target's spelling of `dbmazz_cdc_version`. */
  readonly mergeConditionColumn?: string;
}

/** `/api/{db}/{table}/_stream_load`, each segment percent-encoded (the BE URL-decodes them). */
export function streamLoadPath(db: string, table: string): string {
  return `/api/${encodeURIComponent(db)}/${encodeURIComponent(table)}/_stream_load`;
}

/** `timeout` header: whole seconds within 1..259200 (§2). */
export function timeoutSeconds(ms: number): number {
  return Math.min(259_200, Math.max(1, Math.ceil(ms / 1000)));
}

export function streamLoadHeaders(o: LoadHeaderOptions): Record<string, string> {
  const headers: Record<string, string> = {
    label: o.label,
    format: 'json',
    strip_outer_array: 'true',
    ignore_json_size: 'true',
    columns: headerText(o.columns),
    // Every load: an older change can never overwrite a newer row (§6.4; deletes here are upserts).
    merge_condition: headerText(o.mergeConditionColumn ?? CDC_VERSION_COLUMN),
    max_filter_ratio: formatRatio(o.maxFilterRatio),
    timeout: String(timeoutSeconds(o.timeoutMs)),
  };
  if (o.partial) {
    headers['partial_update'] = 'true';
    headers['partial_update_mode'] = 'row';
  }
  return headers;
}

/**
 * Audit values a load sets once for all its rows (body.ts ConstantAudit), with its sync time: each
 * audit column becomes a constant mapping of the `columns` header, `\`dbmazz_op_type\`=0,…` (§2: a
 * `col = expr` mapping; the conditional update compares the stored rows, which hold the mapped values).
 */
export interface AuditConstants {
  readonly opType: number;
  readonly deleted: boolean;
  /** `YYYY-MM-DD HH:MM:SS.ffffff` (formatSyncedAt). */
  readonly syncedAt: string;
  readonly version: bigint;
}

/** BIGINT's range: a version beyond it cannot be written as a BIGINT literal. */
const BIGINT_MAX = 2n ** 63n - 1n;

/** Whether `c` can be set by the header (an integer literal in BIGINT's range, a plain DATETIME text). */
export function headerCanSetAudit(c: AuditConstants): boolean {
  return c.version >= 0n && c.version <= BIGINT_MAX && isDateOrTimestampText(c.syncedAt);
}

/**
 * The `columns` header value for load columns plus the audit columns: read from each row's fields, or,
 * with `constants`, set by the header for every row (names in `auditNames` order: op type, deleted,
 * sync time, version).
 */
export function columnsWithAudit(loadColumnsHeader: string, auditNames: readonly string[], constants?: AuditConstants): string {
  let entries = auditNames.map(quoteIdent);
  if (constants !== undefined) {
    if (!headerCanSetAudit(constants)) throw new Error(`audit values cannot be set by the columns header: ${constants.syncedAt}, ${constants.version}`);
    const values = [String(constants.opType), constants.deleted ? 'true' : 'false', `'${constants.syncedAt}'`, constants.version.toString()];
    entries = entries.map((name, i) => `${name}=${values[i] ?? 'NULL'}`);
  }
  const audit = entries.join(',');
  return loadColumnsHeader === '' ? audit : `${loadColumnsHeader},${audit}`;
}

function formatRatio(r: number): string {
  if (!Number.isFinite(r) || r <= 0) return '0';
  if (r >= 1) return '1';
  return String(r);
}

/**
 * Header values must reach the BE as UTF-8 bytes (it reads them as raw bytes). Node's client writes
 * the header block of a request that carries `Expect: 100-continue` as a UTF-8 string (it flushes
 * the headers at once, without an encoding), but refuses any char above U+00FF. So names up to
 * U+00FF (`prénom`) travel correctly as they are; anything beyond cannot be sent in a header.
 */
export function headerText(s: string): string {
  const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(s);
  if (bad) {
    throw new CdcError({
      code: 'SINK_SCHEMA',
      message: `The name ${JSON.stringify(s)} contains ${JSON.stringify(bad[0])}, which cannot be sent in a Stream Load header (only characters up to U+00FF are supported)`,
      hint: 'Rename the column in StarRocks and PostgreSQL, or exclude it.',
    });
  }
  return s;
}
