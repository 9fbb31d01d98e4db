/**
 * Stream Load reply → outcome (pure), docs/starrocks-protocol.md §3.
 *
 * - BE reply (§3.1, always HTTP 200): `Status` is `Success`, `Publish Timeout` (committed, becomes
 *   visible later: success, never retried), `Label Already Exists` (+ `ExistingJobStatus`
 *   `FINISHED` = already applied, `RUNNING` = an earlier attempt is in flight) or `Fail`.
 * - FE replies (§3.2): `{"Status":"FAILED","Message":"class …: <text>"}` with HTTP 200, 401 for
 *   authentication (§3.5), 500 `{"status":"FAILED","msg":…}` for unexpected exceptions.
 */
export interface LoadCounters {
  readonly txnId: number | undefined;
  readonly totalRows: number;
  readonly loadedRows: number;
  readonly filteredRows: number;
  readonly unselectedRows: number;
  readonly loadBytes: number;
  readonly loadTimeMs: number;
}

export type StreamLoadOutcome =
  | ({ readonly kind: 'success'; readonly status: string; readonly errorUrl: string | undefined } & LoadCounters)
  | { readonly kind: 'label-exists'; readonly existing: 'RUNNING' | 'FINISHED' | undefined; readonly message: string }
  | {
      readonly kind: 'fail';
      readonly message: string;
      readonly errorUrl: string | undefined;
      readonly filteredRows: number | undefined;
    }
  /** Not a Stream Load reply: an HTTP-level failure (401, 404, 5xx, unparsable body …). */
  | {
      readonly kind: 'http-error';
      readonly httpStatus: number;
      readonly message: string;
      readonly retryAfterMs: number | undefined;
    };

export function parseStreamLoadReply(httpStatus: number, bodyText: string, retryAfter?: string): StreamLoadOutcome {
  const json = parseObject(bodyText);
  if (httpStatus !== 200 || json === undefined) {
    const msg = json ? (str(json, 'msg') ?? str(json, 'message') ?? str(json, 'Message')) : undefined;
    return {
      kind: 'http-error',
      httpStatus,
      message: stripExceptionClass(msg ?? snippet(bodyText)) || `HTTP ${httpStatus}`,
      retryAfterMs: parseRetryAfter(retryAfter),
    };
  }
  const status = str(json, 'Status') ?? str(json, 'status') ?? '';
  const message = stripExceptionClass(str(json, 'Message') ?? str(json, 'msg') ?? str(json, 'message') ?? '');
  const errorUrl = str(json, 'ErrorURL') || undefined;
  switch (status.toLowerCase()) {
    case 'success':
    case 'publish timeout':
    case 'ok':
      return {
        kind: 'success',
        status,
        errorUrl,
        txnId: num(json, 'TxnId'),
        totalRows: num(json, 'NumberTotalRows') ?? 0,
        loadedRows: num(json, 'NumberLoadedRows') ?? 0,
        filteredRows: num(json, 'NumberFilteredRows') ?? 0,
        unselectedRows: num(json, 'NumberUnselectedRows') ?? 0,
        loadBytes: num(json, 'LoadBytes') ?? 0,
        loadTimeMs: num(json, 'LoadTimeMs') ?? 0,
      };
    case 'label already exists':
    case 'label_already_exists': {
      const existing = str(json, 'ExistingJobStatus')?.toUpperCase();
      return {
        kind: 'label-exists',
        existing: existing === 'RUNNING' || existing === 'FINISHED' ? existing : undefined,
        message,
      };
    }
    default:
      return {
        kind: 'fail',
        message: message || `Stream Load status ${status || '(missing)'}`,
        errorUrl,
        filteredRows: num(json, 'NumberFilteredRows'),
      };
  }
}

/** FE messages carry the Java exception class: `class com.starrocks.common.DdlException: text`. */
export function stripExceptionClass(message: string): string {
  return message.replace(/^class\s+[\w.$]+:\s*/, '').trim();
}

/** The JSON object in `text`, or undefined (not JSON, or not an object). */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function str(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}

function num(o: Record<string, unknown>, k: string): number | undefined {
  const v = o[k];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}

/** `Retry-After` in seconds or an HTTP date → ms. */
export function parseRetryAfter(v: string | undefined, now: number = Date.now()): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
