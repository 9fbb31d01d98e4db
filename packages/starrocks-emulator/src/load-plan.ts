/**
 * Stream Load header validation and planning (docs/starrocks-protocol.md §2, §6.3, §6.4). Pure apart from reading the
 * table definition. Two stages, as in StarRocks:
 * - `parseBeHeaders`: what the BE checks in `on_header` before the txn begins (format, timeout,
 *   compression, JSON size) — failures leave TxnId -1.
 * - `planLoad`: what the FE checks when planning after begin (bool flags, columns, partial update,
 *   merge_condition, defaults) — failures abort the txn (label becomes ABORTED, reusable).
 */
import type { ColumnDefinition, Table } from './catalog.js';
import { defaultValueOf } from './catalog.js';
import { type ColumnsExpr, ColumnsHeaderError, type ColumnsItem, exprRefs, parseColumnsHeader } from './columns-header.js';
import { type JsonPath, parseJsonPath, parseJsonPathsHeader } from './json-path.js';
import type { ColumnType, KeysType } from './types.js';
import type { StoredValue } from './values.js';

export type HeaderMap = ReadonlyMap<string, string>;

export interface BeHeaders {
  readonly format: 'json' | 'csv';
  readonly compression: 'none' | 'gzip' | 'deflate';
  readonly timeoutSec: number;
  readonly ignoreJsonSize: boolean;
}

export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };
const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const err = <T>(message: string): Result<T> => ({ ok: false, message });

export const DEFAULT_TIMEOUT_SEC = 600;
export const MAX_TIMEOUT_SEC = 259200;

/** BE-side header checks (before begin). */
export function parseBeHeaders(h: HeaderMap): Result<BeHeaders> {
  const fmtRaw = h.get('format');
  let format: 'json' | 'csv' = 'csv';
  if (fmtRaw !== undefined) {
    const f = fmtRaw.toLowerCase();
    if (f === 'json') format = 'json';
    else if (f === 'csv') format = 'csv';
    else return err(`unknown data format, format=${fmtRaw}`);
  }
  const ce = h.get('content-encoding');
  const cm = h.get('compression');
  if (ce !== undefined && cm !== undefined) return err('Only one of http header content-encoding and compression can be set');
  let compression: BeHeaders['compression'] = 'none';
  const c = (ce ?? cm)?.toLowerCase();
  if (c !== undefined && c !== '' && c !== 'identity') {
    if (c === 'gzip') compression = 'gzip';
    else if (c === 'deflate') compression = 'deflate';
    else return err(`The emulator does not support compression type ${ce ?? cm ?? ''} (supported: gzip, deflate)`);
  }
  let timeoutSec = DEFAULT_TIMEOUT_SEC;
  const t = h.get('timeout');
  if (t !== undefined) {
    if (!/^\s*\d+\s*$/.test(t)) return err('Invalid timeout format');
    timeoutSec = Number(t);
    if (timeoutSec < 1 || timeoutSec > MAX_TIMEOUT_SEC) return err(`Invalid timeout: ${t}. Expected values should be between 1 and ${MAX_TIMEOUT_SEC} seconds`);
  }
  return ok({ format, compression, timeoutSec, ignoreJsonSize: h.get('ignore_json_size')?.toLowerCase() === 'true' });
}

function parseBool(v: string | undefined, message: string): Result<boolean> {
  if (v === undefined) return ok(false);
  const l = v.trim().toLowerCase();
  if (l === 'true') return ok(true);
  if (l === 'false') return ok(false);
  return err(message);
}

/** How one column of the load set gets its value. */
export type TargetSource =
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'expr'; readonly expr: ColumnsExpr }
  | { readonly kind: 'default'; readonly value: StoredValue };

export interface TargetColumn {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly isKey: boolean;
  readonly source: TargetSource;
}

export type OpSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'auto' }
  | { readonly kind: 'field'; readonly field: string }
  | { readonly kind: 'const'; readonly value: 0 | 1 };

export interface LoadPlan {
  readonly db: string;
  readonly table: string;
  readonly keysType: KeysType;
  readonly format: 'json' | 'csv';
  readonly strict: boolean;
  readonly maxFilterRatio: number;
  readonly partialUpdate: boolean;
  readonly mergeCondition: string | null;
  readonly stripOuterArray: boolean;
  readonly jsonRoot: JsonPath | null;
  /** Positional source fields (jsonpaths / CSV order). */
  readonly sourceFields: readonly string[];
  readonly jsonPaths: readonly JsonPath[] | null;
  /** Columns written by the load: the partial-update set, or every table column for full-row loads. */
  readonly targets: readonly TargetColumn[];
  readonly op: OpSource;
  readonly csv: { readonly columnSeparator: string; readonly rowDelimiter: string; readonly skipHeader: number };
  /** Canonical text of the data-affecting headers (`load request not equal last.`, §5.2). */
  readonly signature: string;
}

const SIGNATURE_HEADERS = [
  'format',
  'columns',
  'jsonpaths',
  'json_root',
  'strip_outer_array',
  'partial_update',
  'partial_update_mode',
  'merge_condition',
  'strict_mode',
  'max_filter_ratio',
  'where',
  'column_separator',
  'row_delimiter',
  'skip_header',
];

function unescapeSeparator(s: string): string {
  if (/^\\x([0-9a-fA-F]{2})+$/.test(s)) return Buffer.from(s.slice(2), 'hex').toString('latin1');
  return s.replace(/\\t/g, '\t').replace(/\\n/g, '\n').replace(/\\r/g, '\r');
}

/** FE-side planning (after begin). */
export function planLoad(table: Table, h: HeaderMap, format: 'json' | 'csv', now: Date = new Date()): Result<LoadPlan> {
  const strict = parseBool(h.get('strict_mode'), 'Invalid strict mode format. Must be bool type');
  if (!strict.ok) return strict;
  const partial = parseBool(h.get('partial_update'), 'Invalid partial update flag format. Must be bool type');
  if (!partial.ok) return partial;
  const mergeCommit = h.get('enable_merge_commit');
  if (mergeCommit !== undefined) {
    const l = mergeCommit.toLowerCase();
    if (l !== 'true' && l !== 'false') return err(`Invalid parameter enable_merge_commit. The value must be bool type, but is ${mergeCommit}`);
    if (l === 'true') return err('The emulator does not support merge commit (enable_merge_commit: true)');
  }
  if (h.get('where') !== undefined) return err('The emulator does not support the where header');
  if (h.get('envelope') !== undefined) return err('The emulator does not support the envelope header');
  if (h.get('partitions') !== undefined && h.get('temporary_partitions') !== undefined) return err('Can not specify both partitions and temporary partitions');
  const lrn = h.get('log_rejected_record_num');
  if (lrn !== undefined) {
    if (!/^-?\d+$/.test(lrn.trim())) return err('Invalid log_rejected_record_num format');
    if (Number(lrn) < -1) return err('log_rejected_record_num must be equal or greater than -1');
  }
  const lml = h.get('load_mem_limit');
  if (lml !== undefined && (!/^-?\d+$/.test(lml.trim()) || Number(lml) < 0)) return err('load_mem_limit must be equal or greater than 0');
  const sh = h.get('skip_header');
  if (sh !== undefined && (!/^-?\d+$/.test(sh.trim()) || Number(sh) < 0)) return err('skip_header must be equal or greater than 0');

  let maxFilterRatio = 0;
  const mfr = h.get('max_filter_ratio');
  if (mfr !== undefined) {
    maxFilterRatio = Number(mfr.trim());
    if (mfr.trim() === '' || !Number.isFinite(maxFilterRatio) || maxFilterRatio < 0 || maxFilterRatio > 1)
      return err(`Invalid max_filter_ratio: ${mfr}. It should be a number between 0 and 1`);
  }

  // columns header
  let items: ColumnsItem[] | null = null;
  const colsHeader = h.get('columns');
  if (colsHeader !== undefined && colsHeader.trim() !== '') {
    try {
      items = parseColumnsHeader(colsHeader);
    } catch (e) {
      return err(e instanceof ColumnsHeaderError ? e.message : String(e));
    }
  }
  const isPk = table.keysType === 'PRIMARY_KEYS';
  const seen = new Set<string>();
  const sourceFields: string[] = [];
  const mappings = new Map<string, { item: ColumnsItem; expr: ColumnsExpr }>(); // lower table col → expr
  const fieldFor = new Map<string, string>(); // lower table col → source field name
  let op: OpSource = isPk ? { kind: 'auto' } : { kind: 'none' };
  if (items) {
    for (const it of items) {
      const lower = it.name.toLowerCase();
      if (seen.has(lower)) return err(`Duplicate column: ${it.name}`);
      seen.add(lower);
      if (it.expr === null) {
        sourceFields.push(it.name);
        if (lower === '__op') {
          if (isPk) op = { kind: 'field', field: it.name };
        } else if (table.findColumn(it.name)) fieldFor.set(lower, it.name);
      } else if (lower === '__op') {
        if (!isPk) continue;
        const e = it.expr;
        if (e.kind === 'const') {
          // Load.initColumns: a string literal must be upsert/delete (lower-cased); an integer literal
          // passes the FE (the emulator accepts only 0/1, stricter); any other literal is refused.
          const v = (e.value ?? '').toLowerCase();
          if (e.literal === 'string') {
            if (v === 'upsert') op = { kind: 'const', value: 0 };
            else if (v === 'delete') op = { kind: 'const', value: 1 };
            else return err(`load op type string not supported: ${v}`);
          } else if (e.literal === 'number' && (v === '0' || v === '1')) op = { kind: 'const', value: v === '0' ? 0 : 1 };
          else return err('const load op type column should only be upsert(0)/delete(1)');
        } else if (e.kind === 'ref') op = { kind: 'field', field: e.name };
        else return err('The emulator supports only a constant or a column reference for __op');
      } else {
        if (!table.findColumn(it.name)) return err(`Mapping column is not in table. column: ${it.name}`);
        mappings.set(lower, { item: it, expr: it.expr });
      }
    }
    // Only mappings (e.g. `__op='delete'`, `k = 1`): the file fields are the table's columns in order
    // (Load.initColumns: `specifyFileFieldNames` is false → every base-schema column is added), and a
    // mapping of a column overrides its field.
    if (!items.some((it) => it.expr === null)) {
      for (const c of table.columns) {
        sourceFields.push(c.name);
        if (!mappings.has(c.name.toLowerCase())) fieldFor.set(c.name.toLowerCase(), c.name);
      }
    }
    const sourceLower = new Set(sourceFields.map((s) => s.toLowerCase()));
    for (const [, m] of mappings) {
      for (const r of exprRefs(m.expr)) {
        if (!sourceLower.has(r.toLowerCase())) return err(`Unknown column '${r}' in the mapping of column ${m.item.name}; list it in the columns header`);
      }
    }
    if (op.kind === 'field' && !sourceLower.has(op.field.toLowerCase()) && op.field.toLowerCase() !== '__op') {
      return err(`Unknown column '${op.field}' in the mapping of column __op; list it in the columns header`);
    }
  } else {
    for (const c of table.columns) {
      sourceFields.push(c.name);
      fieldFor.set(c.name.toLowerCase(), c.name);
    }
  }

  if (partial.value && !isPk) return err(`Partial update is only supported by primary key table ${table.name}`);

  const targets: TargetColumn[] = [];
  for (const c of table.columns) {
    const lower = c.name.toLowerCase();
    const base = { name: c.name, type: c.type, nullable: c.nullable, isKey: c.isKey };
    const f = fieldFor.get(lower);
    const m = mappings.get(lower);
    if (f !== undefined) targets.push({ ...base, source: { kind: 'field', field: f } });
    else if (m) targets.push({ ...base, source: { kind: 'expr', expr: m.expr } });
    else if (partial.value) {
      if (c.isKey) return err(`key column ${c.name} not in partial update columns`);
    } else {
      const dv = columnDefault(c, now);
      if (dv === undefined) return err(`Column has no default value. column: ${c.name}`);
      targets.push({ ...base, source: { kind: 'default', value: dv } });
    }
  }

  // merge_condition (§6.4)
  let mergeCondition: string | null = null;
  const mc = h.get('merge_condition');
  if (mc !== undefined && mc.trim() !== '') {
    const name = mc.trim();
    if (!isPk) return err(`Conditional update only support primary key table ${table.name}`);
    const col = table.findColumn(name);
    const inSet = col !== undefined && targets.some((t) => t.name === col.name && (!partial.value || t.source.kind !== 'default'));
    if (!col || !inSet)
      return err(
        `Merge condition column ${name} does not exist. If you are doing partial update with condition update, please check condition column is in the given update columns. Otherwise please check condition column is in table ${table.name}`,
      );
    if (col.isKey) return err(`Merge condition column ${name} should not be primary key!`);
    const k = col.type.kind;
    if (k === 'CHAR' || k === 'VARCHAR' || k === 'JSON' || k === 'VARBINARY' || k === 'ARRAY' || k === 'MAP' || k === 'STRUCT')
      return err('Merge condition column has invalid type maybe bitmap/hll/percentile/json/varchar!');
    mergeCondition = col.name;
  }

  let jsonPaths: JsonPath[] | null = null;
  const jp = h.get('jsonpaths');
  if (jp !== undefined && jp.trim() !== '') {
    try {
      jsonPaths = parseJsonPathsHeader(jp);
    } catch (e) {
      return err(e instanceof Error ? e.message : String(e));
    }
    if (jsonPaths.length !== sourceFields.length)
      return err(`The number of jsonpaths (${jsonPaths.length}) does not match the number of source columns (${sourceFields.length})`);
  }
  let jsonRoot: JsonPath | null = null;
  const jr = h.get('json_root');
  if (jr !== undefined && jr.trim() !== '') {
    jsonRoot = parseJsonPath(jr);
    if (!jsonRoot) return err(`Invalid json path: ${jr}`);
  }

  const signature = JSON.stringify(SIGNATURE_HEADERS.map((k) => h.get(k) ?? null));
  return ok({
    db: table.dbName,
    table: table.name,
    keysType: table.keysType,
    format,
    strict: strict.value,
    maxFilterRatio,
    partialUpdate: partial.value,
    mergeCondition,
    stripOuterArray: h.get('strip_outer_array')?.trim().toLowerCase() === 'true',
    jsonRoot,
    sourceFields,
    jsonPaths,
    targets,
    op,
    csv: {
      columnSeparator: unescapeSeparator(h.get('column_separator') ?? '\t'),
      rowDelimiter: unescapeSeparator(h.get('row_delimiter') ?? '\n'),
      skipHeader: sh !== undefined ? Number(sh) : 0,
    },
    signature,
  });
}

/** DEFAULT of an omitted column in a full-row load; undefined when NOT NULL without default. */
function columnDefault(c: ColumnDefinition, now: Date): StoredValue | undefined {
  if (c.default.kind === 'none') return c.nullable ? null : undefined;
  return defaultValueOf(c, now);
}
