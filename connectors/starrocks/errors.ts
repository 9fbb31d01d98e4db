/**
 * Stream Load failures and HTTP/network errors → `CdcError` with a retry directive.
 * The sink only classifies; the pipeline retries `retry` errors with backoff (same batch, so the
 * same labels: a `Fail` aborted the txn and the label is reusable, docs/starrocks-protocol.md §3.1).
 */
import type { ErrorCode, RetryDirective } from '../../core/index.js';
import { CdcError } from '../../core/index.js';
import { parseObject } from './stream-load/response.js';

export interface LoadContext {
  readonly db: string;
  readonly table: string;
  readonly label: string;
}

export interface FailureClass {
  readonly code: ErrorCode;
  readonly retry: RetryDirective;
  readonly hint: string | undefined;
}

interface Rule extends FailureClass {
  readonly test: RegExp;
}

const CREDENTIALS_HINT = 'Check SINK_USER and SINK_PASSWORD (the user needs INSERT on the table).';
const SCHEMA_HINT = 'Fix the target table (see docs/starrocks.md, "Table requirements"), then restart the pipeline.';
const DATA_HINT =
  'Inspect the rejected rows (error log above) and fix the target column types or the data; set SINK_MAX_FILTER_RATIO > 0 only if losing rows is acceptable.';

/** Ordered: the first match wins (specific texts before the broad transient ones). */
const RULES: readonly Rule[] = [
  // Authentication / privileges (§3.3, §3.5).
  { test: /access denied|no valid basic authorization|need auth information/i, code: 'SINK_AUTH', retry: 'never', hint: CREDENTIALS_HINT },
  // Missing objects and table-shape problems.
  { test: /unknown database/i, code: 'SINK_SCHEMA', retry: 'never', hint: 'Check SINK_DATABASE.' },
  { test: /unknown table|no table selected|no database selected/i, code: 'SINK_SCHEMA', retry: 'never', hint: SCHEMA_HINT },
  {
    test: /column has no default value|not in partial update columns|merge condition|conditional update|generated column|needs to be used for expression|duplicate column|mapping column is not in table|only olap\/lake table|materialized view|system reserved name/i,
    code: 'SINK_SCHEMA',
    retry: 'never',
    hint: SCHEMA_HINT,
  },
  // Rejected data.
  { test: /too many filtered rows/i, code: 'SINK_DATA', retry: 'never', hint: DATA_HINT },
  // The BE's encoded-key limit (§6.1; a "Cancelled" status, but the same load fails the same way again).
  {
    test: /primary key size exceed/i,
    code: 'SINK_DATA',
    retry: 'never',
    hint: 'A primary key is longer than StarRocks accepts (128 bytes by default, BE primary_key_limit_size); see docs/starrocks.md, "Keys".',
  },
  {
    test: /unrecognized json format|illegal json started|document that big|json payload limit|value is overflow|unable to cast|unsupported value type|failed to parse|too long than schema|non-nullable|int part length|frac part length/i,
    code: 'SINK_DATA',
    retry: 'never',
    hint: DATA_HINT,
  },
  // Requests the server will never accept as sent (a sink bug or a setting out of range).
  {
    test: /label format error|invalid .*format|no 100-continue header|unknown data format|invalid json path|must be bool|must be equal or greater/i,
    code: 'SINK_LOAD',
    retry: 'never',
    hint: 'This is a dbmazz bug or an invalid setting; please report it with this message.',
  },
  // Body too large for the server: retrying the same batch cannot help.
  {
    test: /streaming_load_max_mb|body size .*exceed|exceed the max size|body exceed max size/i,
    code: 'SINK_LOAD',
    retry: 'never',
    hint: 'The batch is larger than the BE accepts: lower the batch size or raise streaming_load_max_mb.',
  },
  // Transient: back-pressure, leader changes, commit/publish hiccups, shutdowns (§3.3, §9.2).
  {
    test: /too many versions|compaction score|current running txns|commit transaction fail|transaction status unknown|service is shutting down|cuncurrent limit|concurrent limit|txn num per be exceeds limit|no backend alive|not master|not leader|in processing|please retry|try again|retry later|timeout|timed out|time out|rpc|connection|reset by peer|broken pipe|memory|mem_limit|mem limit|cancelled|canceled|busy|unavailable/i,
    code: 'SINK_LOAD',
    retry: 'retry',
    hint: undefined,
  },
];

/**
 * Classifies a `Fail` message. Unknown messages are retried: a `Fail` never commits anything and
 * the label stays reusable; a failure that keeps repeating outlasts the pipeline's retry limit and the
 * daemon restarts the pipeline until RECONNECT_MAX_DURATION_MS (health reports the message meanwhile).
 */
export function classifyFailMessage(message: string): FailureClass {
  for (const r of RULES) if (r.test.test(message)) return { code: r.code, retry: r.retry, hint: r.hint };
  return { code: 'SINK_LOAD', retry: 'retry', hint: undefined };
}

/** The column a StarRocks message names (`column=<c>`, `column: <c>`, `key column <c>` …). */
export function columnFromMessage(text: string): string | undefined {
  const patterns = [
    /\bcolumn\s*[=:]\s*`?([^,`\s]+)`?/i,
    /\bkey column\s+`?([^\s`,]+)`?/i,
    /merge condition column\s+`?([^\s`,]+)`?/i,
    /non-nullable column\s+['`]?([^\s'`,]+)['`]?/i,
  ];
  for (const p of patterns) {
    const m = p.exec(text);
    if (m?.[1]) return m[1].replace(/[.,;:]+$/, '');
  }
  return undefined;
}

/** A `Fail` (or FE `FAILED`) reply → CdcError naming table, label and, when known, the column. */
export function loadFailError(ctx: LoadContext, message: string, errorLog: readonly string[] = []): CdcError {
  const cls = classifyFailMessage(message);
  const column = columnFromMessage(message) ?? errorLog.map(columnFromMessage).find((c) => c !== undefined);
  const where = `${ctx.db}.${ctx.table}${column ? ` (column ${column})` : ''}`;
  const log = errorLog.length > 0 ? `\nFirst rejected rows (error log):\n  ${errorLog.join('\n  ')}` : '';
  return new CdcError({
    code: cls.code,
    retry: cls.retry,
    message: `Stream Load into ${where} failed: ${message} [label ${ctx.label}]${log}`,
    ...(cls.hint ? { hint: cls.hint } : {}),
  });
}

/** A non-200 reply (or a body that is not a Stream Load reply). */
export function httpStatusError(ctx: LoadContext, status: number, message: string, retryAfterMs?: number): CdcError {
  const where = `${ctx.db}.${ctx.table}`;
  const base = { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status === 401 || status === 403) {
    return new CdcError({
      code: 'SINK_AUTH',
      retry: 'never',
      message: `StarRocks refused the credentials for a Stream Load into ${where} (HTTP ${status}): ${message}`,
      hint: CREDENTIALS_HINT,
    });
  }
  if (status === 404) {
    return new CdcError({
      code: 'SINK_CONNECTION',
      retry: 'never',
      message: `Stream Load URL not found for ${where} (HTTP 404): ${message}`,
      hint: 'SINK_URL must be the FE HTTP address (port 8030 by default).',
    });
  }
  const retriable = status === 200 || status === 408 || status === 429 || status >= 500;
  if (status >= 500 || status === 200) {
    const cls = classifyFailMessage(message);
    if (cls.retry === 'never') return loadFailError(ctx, message);
  }
  return new CdcError({
    code: 'SINK_LOAD',
    retry: retriable ? 'retry' : 'never',
    message: `Stream Load into ${where} failed with HTTP ${status}: ${message} [label ${ctx.label}]`,
    ...base,
  });
}

/** Raised by the HTTP client when a phase takes too long. */
export class HttpTimeoutError extends Error {
  override readonly name = 'HttpTimeoutError';
  constructor(
    readonly phase: 'connect' | 'response',
    readonly ms: number,
    readonly target: string,
  ) {
    super(`${phase === 'connect' ? 'connect' : 'no reply'} timeout after ${ms} ms (${target})`);
  }
}

/** A socket/DNS/TLS error or a timeout → CdcError. `bodySent`: the outcome may be unknown. */
export function networkError(what: string, err: unknown, bodySent: boolean): CdcError {
  if (err instanceof CdcError) return err;
  const e: NodeJS.ErrnoException = err instanceof Error ? err : new Error(String(err));
  const unknownOutcome = bodySent ? ' (the load may or may not have been applied; the retry reuses the label)' : '';
  if (err instanceof HttpTimeoutError) {
    return new CdcError({ code: 'SINK_TIMEOUT', retry: 'retry', message: `${what}: ${err.message}${unknownOutcome}`, cause: err });
  }
  const code = e.code ?? '';
  if (/CERT|ERR_TLS|SSL/i.test(code)) {
    return new CdcError({
      code: 'SINK_CONNECTION',
      retry: 'never',
      message: `${what}: TLS error ${code}: ${e.message}`,
      hint: 'Check the certificate of SINK_URL.',
      cause: err,
    });
  }
  return new CdcError({
    code: 'SINK_CONNECTION',
    retry: 'retry',
    message: `${what}: ${code ? `${code} ` : ''}${e.message}${unknownOutcome}`,
    cause: err,
  });
}

/** How SINK_URL is named in messages: scheme, host and port (never user info from the URL). */
export function sinkUrlForDisplay(url: URL): string {
  return `SINK_URL=${url.origin}`;
}

const FE_URL_HINT =
  'SINK_URL must be the StarRocks FE HTTP address (http_port, 8030 by default), e.g. http://starrocks-fe:8030, reachable from dbmazz; not a BE (8040) nor the MySQL port (9030).';

/** What the startup check learned from the FE's `get_load_state` reply. */
export interface FeProbeReply {
  readonly status: number;
  readonly body: string;
}

/**
 * The startup check of SINK_URL (`GET /api/{db}/get_load_state?label=<a label never used>`), judged
 * (pure). A StarRocks FE authenticates first (401 with a RestBaseResult for bad or missing
 * credentials), then answers 200 with RestBaseResult JSON: `status: "OK"` and `state: "UNKNOWN"`, or
 * `status: "FAILED"` with `msg` (`unknown database, database=<db>`: the database is checked at setup).
 * Anything else is not a StarRocks FE. Undefined when the reply is a StarRocks FE accepting the user.
 */
export function feProbeError(url: URL, user: string, reply: FeProbeReply): CdcError | undefined {
  const where = sinkUrlForDisplay(url);
  const json = parseObject(reply.body);
  const msg = json && typeof json['msg'] === 'string' ? json['msg'] : undefined;
  if (reply.status === 401 || reply.status === 403) {
    return new CdcError({
      code: 'SINK_AUTH',
      retry: 'never',
      message: `StarRocks at ${where} refused the credentials of SINK_USER '${user}' (HTTP ${reply.status}${msg ? `: ${msg}` : ''}).`,
      hint: 'Check SINK_USER and SINK_PASSWORD (the user needs INSERT on the target tables).',
    });
  }
  if (reply.status === 200 && json && typeof json['status'] === 'string') {
    if (json['status'] === 'OK' && typeof json['state'] === 'string') return undefined;
    if (json['status'] === 'FAILED' && msg !== undefined) {
      if (/^unknown database/i.test(msg)) return undefined;
      return new CdcError({
        code: 'SINK_CONNECTION',
        retry: 'never',
        message: `The StarRocks FE at ${where} refused the connection check (get_load_state): ${msg}`,
        hint: FE_URL_HINT,
      });
    }
  }
  const text = reply.body.replace(/\s+/g, ' ').trim();
  const shown = text === '' ? 'an empty body' : JSON.stringify(text.length > 160 ? `${text.slice(0, 160)}…` : text);
  return new CdcError({
    code: 'SINK_CONNECTION',
    // A 5xx may be an FE still starting up; a wrong address does not fix itself.
    retry: reply.status >= 500 ? 'retry' : 'never',
    message: `${where} does not answer like a StarRocks FE: GET /api/{db}/get_load_state returned HTTP ${reply.status} with ${shown}.`,
    hint: FE_URL_HINT,
  });
}

/** The startup check could not reach SINK_URL at all (refused, unknown host, timeout, TLS). */
export function feUnreachableError(url: URL, err: unknown): CdcError {
  // The HTTP client already wraps socket errors (networkError); describe the socket error itself.
  const root = err instanceof CdcError && err.cause !== undefined ? err.cause : err;
  const e = networkError('connection check (get_load_state)', err, false);
  const detail = root instanceof Error ? root.message : String(root);
  const code = root instanceof Error && !(root instanceof CdcError) ? (root as NodeJS.ErrnoException).code : undefined;
  const why = code && !detail.includes(code) ? `${code} ${detail}` : detail;
  return new CdcError({
    code: 'SINK_CONNECTION',
    retry: e.retry,
    message: `Cannot reach the StarRocks FE HTTP endpoint ${sinkUrlForDisplay(url)} (${why}).`,
    hint: e.hint ?? FE_URL_HINT,
    cause: err,
  });
}
