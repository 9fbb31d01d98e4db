/**
 * Response bodies with StarRocks' exact key orders (docs/starrocks-protocol.md §3.1, §3.5, §4.3, §5.3).
 * BE bodies are rapidjson PrettyWriter style (4-space indent) — `JSON.stringify(o, null, 4)` matches.
 */

export type StreamLoadStatus = 'Success' | 'Publish Timeout' | 'Label Already Exists' | 'Fail';

export interface StreamLoadResult {
  txnId: number;
  label: string;
  status: StreamLoadStatus;
  existingJobStatus?: 'RUNNING' | 'FINISHED' | undefined;
  message: string;
  numberTotalRows: number;
  numberLoadedRows: number;
  numberFilteredRows: number;
  numberUnselectedRows: number;
  loadBytes: number;
  loadTimeMs: number;
  beginTxnTimeMs: number;
  streamLoadPlanTimeMs: number;
  readDataTimeMs: number;
  writeDataTimeMs: number;
  commitAndPublishTimeMs: number;
  errorUrl?: string | undefined;
}

export function emptyResult(label: string): StreamLoadResult {
  return {
    txnId: -1,
    label,
    status: 'Fail',
    message: '',
    numberTotalRows: 0,
    numberLoadedRows: 0,
    numberFilteredRows: 0,
    numberUnselectedRows: 0,
    loadBytes: 0,
    loadTimeMs: 0,
    beginTxnTimeMs: 0,
    streamLoadPlanTimeMs: 0,
    readDataTimeMs: 0,
    writeDataTimeMs: 0,
    commitAndPublishTimeMs: 0,
  };
}

/** §3.1 key order; ExistingJobStatus only with Label Already Exists; ErrorURL only when present. */
export function streamLoadBody(r: StreamLoadResult): string {
  const o: Record<string, unknown> = { TxnId: r.txnId, Label: r.label, Status: r.status };
  if (r.status === 'Label Already Exists' && r.existingJobStatus) o['ExistingJobStatus'] = r.existingJobStatus;
  o['Message'] = r.message;
  o['NumberTotalRows'] = r.numberTotalRows;
  o['NumberLoadedRows'] = r.numberLoadedRows;
  o['NumberFilteredRows'] = r.numberFilteredRows;
  o['NumberUnselectedRows'] = r.numberUnselectedRows;
  o['LoadBytes'] = r.loadBytes;
  o['LoadTimeMs'] = r.loadTimeMs;
  o['BeginTxnTimeMs'] = r.beginTxnTimeMs;
  o['StreamLoadPlanTimeMs'] = r.streamLoadPlanTimeMs;
  o['ReadDataTimeMs'] = r.readDataTimeMs;
  o['WriteDataTimeMs'] = r.writeDataTimeMs;
  o['CommitAndPublishTimeMs'] = r.commitAndPublishTimeMs;
  if (r.errorUrl !== undefined) o['ErrorURL'] = r.errorUrl;
  return JSON.stringify(o, null, 4);
}

/** FE `TransactionResult` (§3.2): `{"Status": "FAILED", "Message": "..."}` (Gson-like spacing as in the docs). */
export function feTransactionResult(status: 'OK' | 'FAILED' | 'LABEL_ALREADY_EXISTS', message: string, extra: Record<string, unknown> = {}): string {
  const o: Record<string, unknown> = { Status: status, Message: message, ...extra };
  return `{${Object.entries(o)
    .map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(', ')}}`;
}

/** FE `RestBaseResult` failure (§3.5, §4.3): `{"status":"FAILED","code":"1","msg":m,"message":m}`. */
export function restFailure(message: string): string {
  return JSON.stringify({ status: 'FAILED', code: '1', msg: message, message });
}

/** §4.3 success shape. */
export function loadStateBody(state: string, reason: string): string {
  return JSON.stringify({ status: 'OK', code: '0', msg: 'Success', message: 'OK', state, reason });
}

/**
 * BE transaction-API body (§5.3): `Status`, then `ExistingJobStatus` (LABEL_ALREADY_EXISTS) or `Label`
 * (TXN_IN_PROCESSING), `Message`, then the op-specific keys (on OK), then `ErrorURL` if any.
 */
export function txnBody(
  status: string,
  message: string,
  opts: {
    existingJobStatus?: string | undefined;
    label?: string | undefined;
    fields?: readonly (readonly [string, unknown])[] | undefined;
    errorUrl?: string | undefined;
  } = {},
): string {
  const o: Record<string, unknown> = { Status: status };
  if (status === 'LABEL_ALREADY_EXISTS' && opts.existingJobStatus !== undefined) o['ExistingJobStatus'] = opts.existingJobStatus;
  if (status === 'TXN_IN_PROCESSING' && opts.label !== undefined) o['Label'] = opts.label;
  o['Message'] = message;
  for (const [k, v] of opts.fields ?? []) o[k] = v;
  if (opts.errorUrl !== undefined) o['ErrorURL'] = opts.errorUrl;
  return JSON.stringify(o, null, 4);
}
