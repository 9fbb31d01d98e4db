/**
 * Value conversion of JSON Stream Load and of SQL/CSV text into stored values (docs/starrocks-protocol.md §8.1–§8.3).
 * Pure. A failed conversion returns `{ ok: false, error }` with StarRocks' row-level message; the load
 * engine decides NULL (non-strict) vs filtered (strict_mode).
 */
import { JsonBadString, JsonNumber, JsonObject, type JsonValue, hasBadEscape, jsonColumnText, jsonTypeName, parseJson, stringifyJson } from './json-raw.js';
import { type ColumnType, INTEGER_RANGES, type IntegerKind, isIntegerKind } from './types.js';
import type { StoredValue } from './values.js';
import { parseDateTimeText } from './datetime.js';

export { formatDatetime, parseDateTimeText, type ParsedDateTime } from './datetime.js';

/**
 * A failed conversion. `check: 'length'` marks a CHAR/VARCHAR/VARBINARY value longer than the column,
 * which StarRocks finds in two places: the JSON/CSV readers read a plain column with the column's own
 * type and turn an over-long value into a reader error (NULL in non-strict mode); a value computed by a
 * `columns` expression reaches the table sink (`OlapTableSink::_validate_data`,
 * `be/src/exec/tablet_sink.cpp`), which filters the row whatever the mode. load-reader.ts decides.
 */
export type Converted = { readonly ok: true; readonly value: StoredValue } | { readonly ok: false; readonly error: string; readonly check?: 'length' };

const ok = (value: StoredValue): Converted => ({ ok: true, value });
const fail = (error: string, check?: 'length'): Converted => (check ? { ok: false, error, check } : { ok: false, error });

const FLOAT_MAX = 3.4028234663852886e38;

// ---------------------------------------------------------------------------------------------
// JSON value → stored value (§8.1)

/** Convert one JSON value for column `col` of type `t`. `null` → NULL (the caller checks NOT NULL). */
export function convertJsonValue(col: string, t: ColumnType, v: JsonValue): Converted {
  if (v === null) return ok(null);
  // Reading a string with a bad escape throws in simdjson (json-raw.ts): a reader error, like any
  // other failed conversion (NULL in non-strict mode, `add_adaptive_nullable_column` in
  // `be/src/formats/json/nullable_column.cpp`; the row is filtered in strict mode).
  if (v instanceof JsonBadString) return fail(`Failed to parse value, column=${col}, error=${v.reason}`);
  if (isIntegerKind(t.kind) && t.kind !== 'LARGEINT') return jsonToInteger(col, t.kind, v);
  switch (t.kind) {
    case 'FLOAT':
    case 'DOUBLE':
      return jsonToFloat(col, t.kind, v);
    case 'BOOLEAN':
      return jsonToBoolean(col, v);
    case 'JSON':
      // A bad escape anywhere inside fails the whole value (`JsonValue::from_simdjson` →
      // SimdJsonConverter, `be/src/util/json_converter.cpp`).
      if (hasBadEscape(v)) return fail(`Failed to parse value as json type, column=${col}, error=STRING_ERROR: Problem while parsing a string`);
      return jsonColumnValue(col, v);
    case 'ARRAY': {
      if (!Array.isArray(v)) return fail(`Failed to parse value as array, column=${col}`);
      return ok(v.map((e) => elementOrNull(col, t.element, e)));
    }
    case 'MAP': {
      if (!(v instanceof JsonObject)) return fail(`Expected value type [object], got [${jsonTypeName(v)}]`);
      const byKey = new Map<string, [StoredValue, StoredValue]>();
      const values = v.valueList();
      for (const [i, k] of v.keyList().entries()) {
        const x = values[i] ?? null;
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

/** A JSON column value; a number StarRocks cannot hold fails the value (json-number.ts). */
function jsonColumnValue(col: string, v: JsonValue): Converted {
  const text = jsonColumnText(v);
  return text === null
    ? fail(`Failed to parse value as json type, column=${col}, error=unsupported json number (beyond 64-bit integers or doubles)`)
    : ok(text);
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

/**
 * JSON → TINYINT/SMALLINT/INT/BIGINT (`be/src/formats/json/numeric_column.cpp`):
 * - an integer token is range-checked exactly;
 * - a token with a fraction or exponent is a double (simdjson `get_double`): `checked_cast` compares the
 *   double with the type's limits converted to double and truncates toward zero when inside — so
 *   2147483647.5 into INT overflows although its truncation would fit, and digits beyond double
 *   precision are lost (9007199254740993.5 → 9007199254740994);
 * - a string is parsed as an integer (`string_to_int`), else as a double with the same check.
 * BIGINT: a double equal to 2^63 passes StarRocks' check and then hits an undefined cast; the emulator
 * calls it an overflow (stricter).
 */
function jsonToInteger(col: string, kind: IntegerKind, v: JsonValue): Converted {
  const r = INTEGER_RANGES[kind];
  if (v instanceof JsonNumber) {
    if (hasFractionOrExponent(v.raw)) return doubleToInteger(col, kind, Number(v.raw));
    const n = BigInt(v.raw);
    return n < r.min || n > r.max ? fail(`Value is overflow. column=${col}, value=${v.raw}`) : ok(n);
  }
  if (typeof v === 'string') {
    const n = parseIntegerText(v);
    if (n !== null && n >= r.min && n <= r.max) return ok(n);
    if (n !== null || isFloatText(v)) return doubleToInteger(col, kind, Number(v.trim()));
    return fail(`Unable to cast string value to ${kind}. value=${v}, column=${col}`);
  }
  return fail(`Unsupported value type. Numeric type is required. column=${col}`);
}

/** A JSON number token with `.`, `e` or `E` (a double for simdjson). */
function hasFractionOrExponent(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x2e || c === 0x65 || c === 0x45) return true;
  }
  return false;
}

/** `checked_cast<double, T>` then `static_cast` (truncation toward zero). */
function doubleToInteger(col: string, kind: IntegerKind, d: number): Converted {
  const r = INTEGER_RANGES[kind];
  const overflow = !(d >= Number(r.min) && d <= Number(r.max)) || (kind === 'BIGINT' && d >= 2 ** 63);
  if (overflow) return fail(`Value is overflow. column=${col}, value=${String(d)}`);
  return ok(BigInt(Math.trunc(d)));
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
    const kind = t.kind;
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
    case 'DECIMAL':
      return castToDecimal(col, s, t.precision, t.scale);
    case 'CHAR':
    case 'VARCHAR':
      // A UTF-16 unit is at most 3 UTF-8 bytes: short strings need no byte count.
      if (s.length * 3 > t.length && Buffer.byteLength(s, 'utf8') > t.length) return fail('the length of input is too long than schema.', 'length');
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
      let j: JsonValue;
      try {
        j = parseJson(s);
      } catch {
        return fail(`Invalid json value. value=${s}, column=${col}`);
      }
      return jsonColumnValue(col, j);
    }
    case 'VARBINARY': {
      const b = Buffer.from(s, 'utf8');
      if (b.length > t.length) return fail('the length of input is too long than schema.', 'length');
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

// ---------------------------------------------------------------------------------------------
// DECIMAL

/** Bits of the storage type: `decimal_precision_limit<T>` of int32/int64/int128/int256. */
function decimalPrecisionLimit(precision: number): number {
  return precision <= 9 ? 9 : precision <= 18 ? 18 : precision <= 38 ? 38 : 76;
}

type ParseResult = 'success' | 'failure' | 'overflow' | 'underflow';

const WHITESPACE = new Set([' ', '\t', '\n', '\v', '\f', '\r']);

/** `StringParser::string_to_int_internal<int8_t>` for the exponent of a decimal. */
function parseExponent(s: string): { value: number; result: ParseResult } {
  if (!/^[+-]?\d+$/.test(s)) return { value: 0, result: 'failure' };
  const n = Number(s);
  if (n > 127) return { value: 127, result: 'overflow' };
  if (n < -128) return { value: -128, result: 'overflow' };
  return { value: n, result: 'success' };
}

/**
 * A port of `StringParser::string_to_decimal` (`be/src/util/string_parser.hpp`), which
 * `DecimalV3Cast::from_string` (`be/src/runtime/decimalv3.h`) uses for every text → DECIMAL(p,s) CAST
 * (JSON Stream Load reads DECIMAL columns as text, docs/starrocks-protocol.md §8.1). Returns the value scaled by
 * `typeScale`. Behaviour worth knowing:
 * - surrounding whitespace, a sign, leading zeros, `.5`, `5.` and an exponent (`1.5e2`, int8) are accepted;
 * - more integer digits than p−s → `overflow` (the CAST gives NULL);
 * - more fraction digits than s are rounded half away from zero (`underflow`, still a success;
 *   be/test/runtime/decimalv3_test.cpp `testStringDecimal128CastWithRounding`: 360.005 → 360.01) —
 *   but only digits among the first p significant ones take part: the rest are dropped before rounding
 *   ("Ignore digits once the type's precision limit is reached"), so DECIMAL(5,2) '123.4567' gives
 *   123.45 and DECIMAL(5,2) '999.995' gives 999.99. Hence a rounding carry never exceeds the precision.
 */
export function stringToDecimal(text: string, typePrecision: number, typeScale: number): { value: bigint; result: ParseResult } {
  const limit = decimalPrecisionLimit(typePrecision);
  let b = 0;
  let e = text.length;
  while (b < e && WHITESPACE.has(text[b] ?? '')) b++;
  while (e > b && WHITESPACE.has(text[e - 1] ?? '')) e--;
  const s = text.slice(b, e);
  let i = 0;
  let negative = false;
  if (s[i] === '-' || s[i] === '+') {
    negative = s[i] === '-';
    i++;
  }
  let foundValue = false;
  while (i < s.length && s[i] === '0') {
    foundValue = true;
    i++;
  }
  let scale = 0;
  let foundDot = 0;
  if (s[i] === '.') {
    foundDot = 1;
    i++;
    while (i < s.length && s[i] === '0') {
      foundValue = true;
      scale++;
      i++;
    }
  }
  let precision = 0;
  let exponent = 0;
  let kept = ''; // the digits that make the value (the first typePrecision ones)
  for (; i < s.length; i++) {
    const c = s[i] ?? '';
    if (c >= '0' && c <= '9') {
      foundValue = true;
      if (typePrecision > precision) kept += c;
      precision++;
      scale += foundDot;
    } else if (c === '.' && !foundDot) {
      foundDot = 1;
    } else if (c === 'e' || c === 'E') {
      // The exponent ends the digits: the loop stops here.
      const ex = parseExponent(s.slice(i + 1));
      exponent = ex.value;
      if (ex.result !== 'success') return { value: 0n, result: ex.result === 'overflow' && exponent < 0 ? 'underflow' : ex.result };
      break;
    } else {
      return { value: 0n, result: 'failure' };
    }
  }
  let value = kept === '' ? 0n : BigInt(kept);
  const truncatedDigits = precision - typePrecision;
  if (exponent > scale) {
    const shift = exponent - scale;
    precision += shift;
    if (shift > limit) return { value: 0n, result: 'failure' };
    value *= 10n ** BigInt(shift);
    scale = 0;
  } else {
    scale -= exponent;
  }
  if (scale > precision) precision = scale;
  let result: ParseResult = 'success';
  if (precision - scale > typePrecision - typeScale) {
    result = 'overflow';
  } else if (scale > typeScale) {
    result = 'underflow';
    let shift = scale - typeScale;
    if (truncatedDigits > 0) shift -= truncatedDigits;
    if (shift > 0) {
      if (shift <= limit) {
        const divisor = 10n ** BigInt(shift);
        const remainder = value % divisor;
        value /= divisor;
        if (remainder >= divisor / 2n) value += 1n;
      } else {
        value = 0n;
      }
    }
  } else if (!foundValue && !foundDot) {
    result = 'failure';
  }
  if (typeScale > scale) value *= 10n ** BigInt(typeScale - scale);
  return { value: negative ? -value : value, result };
}

/** CAST(text AS DECIMAL(p,s)) as a load does it: a failure or an integer overflow is an error (NULL). */
function castToDecimal(col: string, s: string, precision: number, scale: number): Converted {
  const { value, result } = stringToDecimal(s, precision, scale);
  if (result === 'failure') return fail(`Invalid decimal value. value=${s}, column=${col}`);
  if (result === 'overflow') return fail('the int part length longer than schema precision.');
  return ok(scaledToText(value, scale));
}

/** A value scaled by `scale` → canonical text with exactly `scale` fraction digits (never `-0`). */
function scaledToText(value: bigint, scale: number): string {
  const neg = value < 0n;
  const digits = (neg ? -value : value).toString().padStart(scale + 1, '0');
  const body = scale > 0 ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
  return neg ? `-${body}` : body;
}
