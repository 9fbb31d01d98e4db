/**
 * Reads a Stream Load body into row operations (docs/starrocks-protocol.md §2 body shapes, §6.1 `__op`, §8.1
 * conversion, strict vs non-strict). Pure. Nothing is applied here; the caller checks
 * `max_filter_ratio` and applies atomically.
 */
import { toBinary } from './binary-format.js';
import type { ColumnsExpr } from './columns-header.js';
import { type Converted, convertJsonValue, convertText, formatDatetime, jsonAsText } from './convert.js';
import { evalJsonPath } from './json-path.js';
import { JsonBadString, JsonNumber, JsonObject, JsonReader, JsonSyntaxError, type JsonValue, jsonTypeName, stringifyJson } from './json-raw.js';
import type { LoadPlan, TargetColumn } from './load-plan.js';
import type { StoredValue } from './values.js';

export interface RowOp {
  readonly op: 0 | 1;
  /** Aligned with `plan.targets`. For deletes only the key positions are meaningful. */
  readonly values: StoredValue[];
}

export const MAX_ERROR_LINES = 50;

export interface ReadStats {
  total: number;
  filtered: number;
  unselected: number;
  /** Row-level error lines for the error log (at most MAX_ERROR_LINES). */
  readonly errorLines: string[];
}

export type ReadOutcome =
  { readonly ok: true; readonly rows: RowOp[]; readonly stats: ReadStats } | { readonly ok: false; readonly message: string; readonly stats: ReadStats };

/**
 * A value produced by a source field or an expression, before conversion. `invalid`: a source field
 * that could not be read as text for an expression (a string with a bad escape) — a reader error.
 */
type Raw = { k: 'missing' } | { k: 'json'; v: JsonValue } | { k: 'text'; s: string | null } | { k: 'bin'; b: Buffer } | { k: 'invalid'; message: string };

/**
 * Access to the fields of the current row. One per load, re-pointed at each row (no per-row closures).
 * `json` returns the JSON value of a source field directly (`undefined` when missing) for a JSON body,
 * sparing a `Raw` per cell; `NOT_JSON` for other bodies.
 */
interface RowAccess {
  get(field: string): Raw;
  autoOp(): Raw;
  json(field: string): JsonValue | undefined | typeof NOT_JSON;
}

const NOT_JSON: unique symbol = Symbol('not json');
const MISSING: Raw = { k: 'missing' };

function newStats(): ReadStats {
  return { total: 0, filtered: 0, unselected: 0, errorLines: [] };
}

function addError(stats: ReadStats, message: string, rowText: string): void {
  stats.filtered++;
  if (stats.errorLines.length < MAX_ERROR_LINES) {
    const shown = rowText.length > 1000 ? `${rowText.slice(0, 1000)}...` : rowText;
    stats.errorLines.push(`Error: ${message}${message.endsWith('.') ? '' : '.'} Row: ${shown}`);
  }
}

class OpError extends Error {}

function parseOp(raw: Raw): 0 | 1 {
  let text: string | null;
  if (raw.k === 'missing') return 0;
  if (raw.k === 'json') {
    const v = raw.v;
    if (v instanceof JsonNumber) text = v.raw;
    else if (typeof v === 'string') text = v.trim();
    else text = v === null ? 'null' : stringifyJson(v);
  } else if (raw.k === 'text') text = raw.s === null ? 'null' : raw.s.trim();
  else text = '<binary>';
  if (text === '0') return 0;
  if (text === '1') return 1;
  // [UNCONFIRMED] in StarRocks; the emulator's stricter choice is to fail the whole load.
  throw new OpError(`Invalid __op value ${text}: only 0 (upsert) and 1 (delete) are supported`);
}

function evalExpr(e: ColumnsExpr, get: RowAccess, now: Date): Raw {
  switch (e.kind) {
    case 'ref':
      return get.get(e.name);
    case 'const':
      return { k: 'text', s: e.value };
    case 'now':
      return { k: 'text', s: formatDatetime(now) };
    case 'to_binary': {
      const a = evalExpr(e.arg, get, now);
      if (a.k === 'invalid') return a;
      if (a.k === 'missing' || (a.k === 'json' && a.v === null) || (a.k === 'text' && a.s === null)) return { k: 'text', s: null };
      if (a.k === 'json' && a.v instanceof JsonBadString)
        return { k: 'invalid', message: `Failed to parse value, column=${exprName(e.arg)}, error=${a.v.reason}` };
      const input = a.k === 'bin' ? a.b : Buffer.from(a.k === 'json' ? jsonAsText(a.v) : (a.s ?? ''), 'utf8');
      const out = toBinary(input, e.format);
      return out === null ? { k: 'text', s: null } : { k: 'bin', b: out };
    }
  }
}

/**
 * The value a constant `columns` mapping (`col = 'text'`, a number, TRUE/FALSE, NULL) gives every row,
 * as `buildRow` computes it; undefined when the mapping is not a constant or its value does not
 * convert (the row-level rules decide then, row by row).
 */
export function constantValue(t: TargetColumn, e: ColumnsExpr): StoredValue | undefined {
  if (e.kind !== 'const') return undefined;
  const conv = convertRaw(t, { k: 'text', s: e.value });
  return conv.ok ? conv.value : undefined;
}

function exprName(e: ColumnsExpr): string {
  return e.kind === 'ref' ? e.name : e.kind;
}

type Conv = Converted;

const MISSING_CONV: Conv = { ok: true, value: null };

function convertRaw(t: TargetColumn, raw: Raw): Conv {
  switch (raw.k) {
    case 'missing':
      return { ok: true, value: null };
    case 'invalid':
      return { ok: false, error: raw.message };
    case 'json':
      return convertJsonValue(t.name, t.type, raw.v);
    case 'text':
      return raw.s === null ? { ok: true, value: null } : convertText(t.name, t.type, raw.s);
    case 'bin':
      if (t.type.kind === 'VARBINARY') {
        if (raw.b.length > t.type.length) return { ok: false, error: 'the length of input is too long than schema.', check: 'length' };
        return { ok: true, value: raw.b };
      }
      return convertText(t.name, t.type, raw.b.toString('utf8'));
  }
}

/** The bytes of a computed value, for the sink's length message. */
function rawBytes(raw: Raw): Buffer {
  if (raw.k === 'bin') return raw.b;
  if (raw.k === 'text') return Buffer.from(raw.s ?? '', 'utf8');
  if (raw.k === 'json') return Buffer.from(jsonAsText(raw.v), 'utf8');
  return Buffer.alloc(0);
}

/** `OlapTableSink::_print_varchar_error_msg` (be/src/exec/tablet_sink.cpp). */
function tooLongMessage(t: TargetColumn, raw: Raw): string {
  const b = rawBytes(raw);
  const text = b.toString('utf8');
  const shown = text.length > 100 ? `${text.slice(0, 100)}...` : text;
  const max = t.type.kind === 'CHAR' || t.type.kind === 'VARCHAR' || t.type.kind === 'VARBINARY' ? t.type.length : 0;
  return `String '${shown}'(length=${b.length}) is too long. The max length of '${t.name}' is ${max}`;
}

/**
 * Build one row operation, or a row-level error message. Throws OpError for a bad `__op` (fails the load).
 */
function buildRow(plan: LoadPlan, get: RowAccess, now: Date): RowOp | string {
  let op: 0 | 1 = 0;
  if (plan.op.kind === 'auto') op = parseOp(get.autoOp());
  else if (plan.op.kind === 'field') op = parseOp(get.get(plan.op.field));
  else if (plan.op.kind === 'const') op = plan.op.value;
  const values: StoredValue[] = new Array<StoredValue>(plan.targets.length).fill(null);
  for (let i = 0; i < plan.targets.length; i++) {
    const t = plan.targets[i];
    if (!t) continue;
    if (op === 1 && !t.isKey) continue; // DELETE rows need only the key columns (§6.1)
    const src = t.source;
    let conv: Conv;
    // strict_mode filters a row whose value failed while its source was not NULL — for a column read
    // straight from a source field (or a plain `col = field` mapping) only: FileScanner::materialize
    // checks `_dest_slot_desc_mappings`, which exist only for untransformed columns
    // (be/src/exec/file_scanner.cpp). A reader error (invalid_as_null = !strict_mode) also filters.
    let strictApplies = true;
    if (src.kind === 'default') conv = { ok: true, value: src.value };
    else if (src.kind === 'field') {
      const j = get.json(src.field);
      if (j === NOT_JSON) conv = convertRaw(t, get.get(src.field));
      else if (j === undefined) conv = MISSING_CONV;
      else conv = convertJsonValue(t.name, t.type, j);
    } else {
      const raw = evalExpr(src.expr, get, now);
      conv = convertRaw(t, raw);
      strictApplies = src.expr.kind === 'ref' || raw.k === 'invalid';
      // A computed value reaches the table sink, which filters an over-long string whatever the mode.
      if (!conv.ok && conv.check === 'length') return tooLongMessage(t, raw);
    }
    let v: StoredValue;
    if (conv.ok) v = conv.value;
    else {
      if (plan.strict && strictApplies) return conv.error; // strict: the row is filtered (§8.1)
      v = null; // non-strict: invalid → NULL
      if (!t.nullable) return conv.error;
    }
    if (v === null && !t.nullable) return `NULL value in non-nullable column '${t.name}'`;
    values[i] = v;
  }
  return { op, values };
}

function positions(plan: LoadPlan): Map<string, number> {
  const byPos = new Map<string, number>();
  plan.sourceFields.forEach((f, i) => byPos.set(f.toLowerCase(), i));
  return byPos;
}

/** The fields of one JSON row object: by `jsonpaths` when given, else by name. */
class JsonRowAccess implements RowAccess {
  readonly #plan: LoadPlan;
  readonly #byPos: Map<string, number>;
  #row: JsonObject = new JsonObject();
  #vals: (JsonValue | undefined)[] = [];

  constructor(plan: LoadPlan) {
    this.#plan = plan;
    this.#byPos = positions(plan);
  }

  setRow(row: JsonObject): void {
    this.#row = row;
    if (this.#plan.jsonPaths) this.#vals = this.#plan.jsonPaths.map((p) => evalJsonPath(row, p));
  }

  json(field: string): JsonValue | undefined {
    if (this.#plan.jsonPaths) {
      const i = this.#byPos.get(field.toLowerCase());
      return i === undefined ? undefined : this.#vals[i];
    }
    let v = this.#row.get(field);
    if (v === undefined) {
      // expression refs may differ in case from the listed source name
      const i = this.#byPos.get(field.toLowerCase());
      const listed = i === undefined ? undefined : this.#plan.sourceFields[i];
      if (listed !== undefined && listed !== field) v = this.#row.get(listed);
    }
    return v;
  }

  get(field: string): Raw {
    const v = this.json(field);
    return v === undefined ? MISSING : { k: 'json', v };
  }

  autoOp(): Raw {
    const v = this.#row.get('__op');
    return v === undefined ? MISSING : { k: 'json', v };
  }
}

/** The positional fields of one CSV line. */
class CsvRowAccess implements RowAccess {
  readonly #byPos: Map<string, number>;
  fields: readonly string[] = [];

  constructor(plan: LoadPlan) {
    this.#byPos = positions(plan);
  }

  json(): typeof NOT_JSON {
    return NOT_JSON;
  }

  get(field: string): Raw {
    const i = this.#byPos.get(field.toLowerCase());
    if (i === undefined) return MISSING;
    const s = this.fields[i] ?? '';
    return { k: 'text', s: s === '\\N' ? null : s };
  }

  autoOp(): Raw {
    return MISSING;
  }
}

/** JSON body (format: json). */
export function readJsonBody(plan: LoadPlan, text: string, now: Date = new Date()): ReadOutcome {
  const stats = newStats();
  const rows: RowOp[] = [];
  const reader = new JsonReader(text, true);
  reader.skipWs();
  if (reader.pos >= text.length) return { ok: false, message: 'The JSON body is empty (emulator: an empty body is rejected)', stats };
  const first = text[reader.pos] ?? '';
  if (first !== '[' && first !== '{') return { ok: false, message: `illegal json started with ${first}`, stats };
  const access = new JsonRowAccess(plan);
  const handleRow = (row: JsonValue): void => {
    stats.total++;
    if (!(row instanceof JsonObject)) {
      addError(stats, `Expected value type [object], got [${jsonTypeName(row)}]`, stringifyJson(row));
      return;
    }
    if (row.badKeys.size > 0) {
      // simdjson unescapes every key of the row (`field.unescaped_key()` in
      // JsonReader::_construct_row_without_jsonpath, be/src/exec/json_scanner.cpp): the row fails.
      addError(stats, 'construct row in object order failed, error: STRING_ERROR: Problem while parsing a string', stringifyJson(row));
      return;
    }
    access.setRow(row);
    const r = buildRow(plan, access, now);
    if (typeof r === 'string') addError(stats, r, stringifyJson(row));
    else rows.push(r);
  };
  try {
    while (!reader.atEnd()) {
      const start = reader.pos;
      let doc: JsonValue | undefined = reader.value();
      if (plan.jsonRoot) {
        doc = evalJsonPath(doc, plan.jsonRoot);
        if (doc === undefined) {
          stats.total++;
          addError(stats, 'JSON Root not found', text.slice(start, Math.min(reader.pos, start + 1000)));
          continue;
        }
      }
      if (plan.stripOuterArray) {
        if (!Array.isArray(doc)) return { ok: false, message: 'JSON data is an object, strip_outer_array must be set false', stats };
        for (const r of doc) handleRow(r);
      } else {
        if (Array.isArray(doc)) return { ok: false, message: 'JSON data is an array, strip_outer_array must be set true', stats };
        handleRow(doc);
      }
    }
  } catch (e) {
    if (e instanceof OpError) return { ok: false, message: e.message, stats };
    if (e instanceof JsonSyntaxError) {
      stats.errorLines.push(`Error: Unrecognized json format: ${e.message}`);
      return { ok: false, message: 'Unrecognized json format, stop json loader.', stats };
    }
    throw e;
  }
  return { ok: true, rows, stats };
}

/** CSV body (format: csv): positional fields, `\N` = NULL. */
export function readCsvBody(plan: LoadPlan, text: string, now: Date = new Date()): ReadOutcome {
  const stats = newStats();
  const rows: RowOp[] = [];
  const { columnSeparator, rowDelimiter, skipHeader } = plan.csv;
  const lines = text.split(rowDelimiter);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const access = new CsvRowAccess(plan);
  try {
    for (const line of lines.slice(skipHeader)) {
      stats.total++;
      const fields = line.split(columnSeparator);
      if (fields.length !== plan.sourceFields.length) {
        addError(stats, `Value count does not match column count. Expect ${plan.sourceFields.length}, but got ${fields.length}`, line);
        continue;
      }
      access.fields = fields;
      const r = buildRow(plan, access, now);
      if (typeof r === 'string') addError(stats, r, line);
      else rows.push(r);
    }
  } catch (e) {
    if (e instanceof OpError) return { ok: false, message: e.message, stats };
    throw e;
  }
  return { ok: true, rows, stats };
}
