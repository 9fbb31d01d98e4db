/**
 * Value conversion of JSON Stream Load and of SQL/CSV text into stored values (PROTOCOL.md §8.1–§8.3).
 * Pure. A failed conversion returns `{ ok: false, error }` with StarRocks' row-level message; the load
 * engine decides NULL (non-strict) vs filtered (strict_mode).
 */
import { JsonNumber, JsonObject, type JsonValue, jsonTypeName, parseJson, stringifyJson } from './json-raw.js';
import { type ColumnType, INTEGER_RANGES, type IntegerKind, isIntegerKind } from './types.js';
import type { StoredValue } from './values.js';
import { parseDateTimeText } from './datetime.js';

export { formatDatetime, parseDateTimeText, type ParsedDateTime } from './datetime.js';

export type Converted = { readonly ok: true; readonly value: StoredValue } | { readonly ok: false; readonly error: string };

const ok = (value: StoredValue): Converted => ({ ok: true, value });
const fail = (error: string): Converted => ({ ok: false, error });

const FLOAT_MAX = 3.4028234663852886e38;

// ---------------------------------------------------------------------------------------------
// JSON value → stored value (§8.1)

/** Convert one JSON value for column `col` of type `t`. `null` → NULL (the caller checks NOT NULL). */
export function convertJsonValue(col: string, t: ColumnType, v: JsonValue): Converted {
  if (v === null) return ok(null);
  if (isIntegerKind(t.kind) && t.kind !== 'LARGEINT') return jsonToInteger(col, t.kind, v);
  switch (t.kind) {
    case 'FLOAT':
    case 'DOUBLE':
      return jsonToFloat(col, t.kind, v);
    case 'BOOLEAN':
      return jsonToBoolean(col, v);
    case 'JSON':
      return ok(stringifyJson(v));
    case 'ARRAY': {
      if (!Array.isArray(v)) return fail(`Failed to parse value as array, column=${col}`);
      return ok(v.map((e) => elementOrNull(col, t.element, e)));
    }
    case 'MAP': {
      if (!(v instanceof JsonObject)) return fail(`Expected value type [object], got [${jsonTypeName(v)}]`);
      const byKey = new Map<string, [StoredValue, StoredValue]>();
      for (const [k, x] of v.entries) {
        const key = convertText(col, t.key, k);
        const kv: StoredValue = key.ok ? key.value : null;
        byKey.set(JSON.stringify(String(kv)), [kv, elementOrNull(col, t.value, x)]); // duplicate keys de-duplicated (§8.2)
      }
      return ok([...byKey.values()]);
    }
    case 'STRUCT': {
      if (!(v instanceof JsonObject)) return fail(`Expected value type [object], got [${jsonTypeName(v)}]`);
      const out: Record<string, StoredValue> = {};
      for (const f of t.fields) {
        const x = v.get(f.name);
        out[f.name] = x === undefined ? null : elementOrNull(col, f.type, x);
      }
      return ok(out);
    }
    case 'VARBINARY':
      // Docs: JSON Stream Load does not support BINARY (§8.2). Stricter choice: reject; map a temp
      // column with to_binary(...) instead.
      return fail(`JSON load does not support VARBINARY column ${col}; map a temporary column with to_binary(). column=${col}`);
    default:
      // LARGEINT, DECIMAL, DATE, DATETIME, CHAR, VARCHAR: read as text, then CAST.
      return convertText(col, t, jsonAsText(v));
  }
}

/** Inside ARRAY/MAP/STRUCT an invalid element becomes NULL (§8.1). */
function elementOrNull(col: string, t: ColumnType, v: JsonValue): StoredValue {
  const r = convertJsonValue(col, t, v);
  return r.ok ? r.value : null;
}

/** JSON number → raw token, string → text, boolean → 1/0, array/object → minified JSON (§8.1). */
export function jsonAsText(v: JsonValue): string {
  if (typeof v === 'string') return v;
  if (v instanceof JsonNumber) return v.raw;
  if (v === true) return '1';
  if (v === false) return '0';
  return stringifyJson(v);
}

function jsonToInteger(col: string, kind: IntegerKind, v: JsonValue): Converted {
  let n: bigint | null;
  let shown: string;
  if (v instanceof JsonNumber) {
    n = truncateNumericText(v.raw);
    shown = v.raw;
    if (n === null) return fail(`Value is overflow. column=${col}, value=${shown}`);
  } else if (typeof v === 'string') {
    shown = v;
    n = parseIntegerText(v) ?? (isFloatText(v) ? truncateNumericText(v.trim()) : null);
    if (n === null) return fail(`Unable to cast string value to ${kind}. value=${v}, column=${col}`);
  } else {
    return fail(`Unsupported value type. Numeric type is required. column=${col}`);
  }
  const r = INTEGER_RANGES[kind];
  if (n < r.min || n > r.max) return fail(`Value is overflow. column=${col}, value=${shown}`);
  return ok(n);
}

function jsonToFloat(col: string, kind: 'FLOAT' | 'DOUBLE', v: JsonValue): Converted {
  let x: number;
  if (v instanceof JsonNumber) x = Number(v.raw);
  else if (typeof v === 'string') {
    if (!isFloatText(v)) return fail(`Unable to cast string value to ${kind}. value=${v}, column=${col}`);
    x = Number(v.trim());
  } else return fail(`Unsupported value type. Numeric type is required. column=${col}`);
  const shown = v instanceof JsonNumber ? v.raw : String(v);
  if (!Number.isFinite(x) || (kind === 'FLOAT' && Math.abs(x) > FLOAT_MAX)) return fail(`Value is overflow. column=${col}, value=${shown}`);
  return ok(x);
}

function jsonToBoolean(col: string, v: JsonValue): Converted {
  if (typeof v === 'boolean') return ok(v);
  if (v instanceof JsonNumber) return ok(Number(v.raw) !== 0);
  if (typeof v === 'string') return textToBoolean(col, v);
  return fail(`Unsupported value type. Numeric type is required. column=${col}`);
}

function textToBoolean(col: string, s: string): Converted {
  const t = s.trim().toLowerCase();
  if (t === '1' || t === 'true') return ok(true);
  if (t === '0' || t === 'false') return ok(false);
  return fail(`Failed to parse string value as boolean. column=${col}, value=${s}`);
}

// ---------------------------------------------------------------------------------------------
// Text → stored value (CAST semantics used for text-read JSON values, SQL literals, defaults)

/** CAST a text to column type `t`. */
export function convertText(col: string, t: ColumnType, s: string): Converted {
  if (isIntegerKind(t.kind)) {
    const kind = t.kind as IntegerKind;
    // LARGEINT reads text: integer syntax only. Other integers accept a float text (truncated).
    const n = parseIntegerText(s) ?? (kind !== 'LARGEINT' && isFloatText(s) ? truncateNumericText(s.trim()) : null);
    if (n === null) return fail(`Unable to cast string value to ${kind}. value=${s}, column=${col}`);
    const r = INTEGER_RANGES[kind];
    if (n < r.min || n > r.max) return fail(`Value is overflow. column=${col}, value=${s}`);
    return ok(n);
  }
  switch (t.kind) {
    case 'BOOLEAN':
      return textToBoolean(col, s);
    case 'FLOAT':
    case 'DOUBLE': {
      if (!isFloatText(s)) return fail(`Unable to cast string value to ${t.kind}. value=${s}, column=${col}`);
      const x = Number(s.trim());
      if (!Number.isFinite(x) || (t.kind === 'FLOAT' && Math.abs(x) > FLOAT_MAX)) return fail(`Value is overflow. column=${col}, value=${s}`);
      return ok(x);
    }
    case 'DECIMAL': {
      const r = parseDecimal(s, t.precision, t.scale);
      return typeof r === 'string' && r.startsWith('!') ? fail(r.slice(1)) : ok(r);
    }
    case 'CHAR':
    case 'VARCHAR':
      if (Buffer.byteLength(s, 'utf8') > t.length) return fail('the length of input is too long than schema.');
      return ok(s);
    case 'DATE': {
      const d = parseDateTimeText(s);
      return d ? ok(d.date) : fail(`Invalid date value. value=${s}, column=${col}`);
    }
    case 'DATETIME': {
      const d = parseDateTimeText(s);
      return d ? ok(d.datetime) : fail(`Invalid datetime value. value=${s}, column=${col}`);
    }
    case 'JSON': {
      try {
        return ok(stringifyJson(parseJson(s)));
      } catch {
        return fail(`Invalid json value. value=${s}, column=${col}`);
      }
    }
    case 'VARBINARY': {
      const b = Buffer.from(s, 'utf8');
      if (b.length > t.length) return fail('the length of input is too long than schema.');
      return ok(b);
    }
    case 'ARRAY':
    case 'MAP':
    case 'STRUCT': {
      let j: JsonValue;
      try {
        j = parseJson(s);
      } catch {
        return t.kind === 'ARRAY' ? fail(`Failed to parse value as array, column=${col}`) : fail(`Invalid value for column ${col}: ${s}`);
      }
      return convertJsonValue(col, t, j);
    }
    default:
      return fail(`Unsupported type for column ${col}`);
  }
}

/** DEFAULT text of a column; throws on an invalid default. */
export function convertDefaultText(t: ColumnType, text: string): StoredValue {
  const r = convertText('default', t, text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Strict integer text (surrounding whitespace allowed). */
export function parseIntegerText(s: string): bigint | null {
  const t = s.trim();
  if (!/^[+-]?\d+$/.test(t)) return null;
  return BigInt(t.startsWith('+') ? t.slice(1) : t);
}

function isFloatText(s: string): boolean {
  return /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s.trim());
}

/** Exact truncation toward zero of a decimal/scientific number text; null if out of any sane range. */
export function truncateNumericText(raw: string): bigint | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  if (!m) return null;
  const sign = m[1] === '-' ? -1n : 1n;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? '0');
  if (intPart === '' && frac === '') return null;
  const digits = (intPart + frac).replace(/^0+/, '');
  if (digits === '') return 0n;
  const pointPos = intPart.length + exp; // digits before the decimal point after applying the exponent
  const lead = intPart + frac;
  if (pointPos > 60) return null; // far beyond LARGEINT
  if (pointPos <= 0) return 0n;
  const whole = pointPos >= lead.length ? lead + '0'.repeat(pointPos - lead.length) : lead.slice(0, pointPos);
  return sign * BigInt(whole === '' ? '0' : whole);
}

/**
 * DECIMAL(p,s) text → canonical string, or `'!' + message` on error. No scientific notation (§8.2).
 * Excess fraction digits are an error (`the frac part length longer than schema scale.`), excess
 * integer digits too (`the int part length longer than schema precision.`).
 */
function parseDecimal(s: string, p: number, scale: number): string {
  const t = s.trim();
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
  if (!m || ((m[2] ?? '') === '' && (m[3] ?? '') === '')) return `!Invalid decimal value. value=${s}`;
  const neg = m[1] === '-';
  const intDigits = (m[2] ?? '').replace(/^0+/, '');
  let frac = m[3] ?? '';
  if (frac.length > scale) {
    if (/^0*$/.test(frac.slice(scale))) frac = frac.slice(0, scale);
    else return '!the frac part length longer than schema scale.';
  }
  if (intDigits.length > p - scale) return '!the int part length longer than schema precision.';
  frac = frac.padEnd(scale, '0');
  const body = (intDigits === '' ? '0' : intDigits) + (scale > 0 ? `.${frac}` : '');
  const isZero = /^[0.]*$/.test(body);
  return neg && !isZero ? `-${body}` : body;
}
