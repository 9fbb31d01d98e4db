/**
 * A small linear JSON parser that keeps number tokens as their raw text (so big integers and
 * decimals survive byte-exact, docs/starrocks-protocol.md §8.1 "Raw-token reading keeps full precision"), plus a
 * minifying writer. Strict RFC 8259 grammar: no NaN/Infinity, no comments, no trailing commas, no raw
 * control characters in strings. Duplicate object keys: the last value wins (first position kept).
 *
 * Escapes in strings: StarRocks reads a Stream Load body with simdjson On Demand, which checks the
 * document structure up front but unescapes a string only when a value is read
 * (`simdjson/src/generic/stage2/stringparsing.h` `parse_string`: an unknown escape such as `\s`, a bad
 * `\u` sequence or an unpaired surrogate is an error at that moment). So a bad escape does not make the
 * body unparseable: only reading that value fails. `JsonReader` with `lazyEscapes` reproduces this: a
 * string with a bad escape becomes a `JsonBadString` (keys: the object records it in `badKeys`), and the
 * load's conversion decides (convert.ts). Without `lazyEscapes` (SQL literals, headers) a bad escape is a
 * syntax error, as in a full parser.
 */

import { jsonColumnNumber, jsonColumnString } from './json-number.js';

export class JsonNumber {
  constructor(readonly raw: string) {}
}

const NO_BAD_KEYS: ReadonlySet<string> = new Set<string>();

/** The keys of an object in first-seen order and their positions; shared by objects with the same keys. */
interface Shape {
  readonly keys: readonly string[];
  readonly index: ReadonlyMap<string, number>;
}

/**
 * A JSON object: keys in first-seen order, the last value of a duplicate key. The rows of a Stream Load
 * mostly repeat one key sequence, so the parser shares one key list and index (a `Shape`) between
 * consecutive objects with the same keys: each row object is only an array of values.
 */
export class JsonObject {
  readonly #shape: Shape;
  readonly #vals: readonly JsonValue[];
  readonly #badKeys: ReadonlySet<string>;
  constructor(shape: Shape = { keys: [], index: new Map() }, vals: readonly JsonValue[] = [], badKeys: ReadonlySet<string> | null = null) {
    this.#shape = shape;
    this.#vals = vals;
    this.#badKeys = badKeys ?? NO_BAD_KEYS;
  }
  /** Keys (raw source text, quotes included) whose escapes are invalid (lazy reading only). */
  get badKeys(): ReadonlySet<string> {
    return this.#badKeys;
  }
  get size(): number {
    return this.#shape.keys.length;
  }
  /** Keys in first-seen order. */
  keyList(): readonly string[] {
    return this.#shape.keys;
  }
  /** Values aligned with `keyList()`. */
  valueList(): readonly JsonValue[] {
    return this.#vals;
  }
  /** A copy as a Map (insertion order). */
  get entries(): ReadonlyMap<string, JsonValue> {
    return new Map(this.#shape.keys.map((k, i) => [k, this.#vals[i] ?? null]));
  }
  get(key: string): JsonValue | undefined {
    const i = this.#shape.index.get(key);
    return i === undefined ? undefined : this.#vals[i];
  }
  has(key: string): boolean {
    return this.#shape.index.has(key);
  }
}

/** A string whose escapes simdjson would reject; `raw` is its source text including the quotes. */
export class JsonBadString {
  constructor(
    readonly raw: string,
    readonly reason: string,
  ) {}
}

export type JsonValue = null | boolean | string | JsonNumber | JsonBadString | JsonValue[] | JsonObject;

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(`${message} at position ${position}`);
  }
}

const WS = new Uint8Array(128);
WS[0x20] = WS[0x09] = WS[0x0a] = WS[0x0d] = 1;

/** A cursor over one text holding one or more JSON documents. */
export class JsonReader {
  pos = 0;
  constructor(
    readonly text: string,
    /** Keep strings with invalid escapes as JsonBadString instead of failing (see the file comment). */
    readonly lazyEscapes = false,
  ) {}

  skipWs(): void {
    const t = this.text;
    let p = this.pos;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c < 128 && WS[c] === 1) p++;
      else break;
    }
    this.pos = p;
  }

  atEnd(): boolean {
    this.skipWs();
    return this.pos >= this.text.length;
  }

  /** Parse exactly one value at the cursor. */
  value(depth = 0): JsonValue {
    if (depth > 1000) throw new JsonSyntaxError('nesting too deep', this.pos);
    this.skipWs();
    const t = this.text;
    const c = t.charCodeAt(this.pos);
    switch (c) {
      case 0x7b: // {
        return this.object(depth);
      case 0x5b: // [
        return this.array(depth);
      case 0x22: // "
        return this.string();
      case 0x74: // t
        return this.literal('true', true);
      case 0x66: // f
        return this.literal('false', false);
      case 0x6e: // n
        return this.literal('null', null);
      default:
        if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
        if (Number.isNaN(c)) throw new JsonSyntaxError('unexpected end of input', this.pos);
        throw new JsonSyntaxError(`unexpected character '${t[this.pos] ?? ''}'`, this.pos);
    }
  }

  private literal<T extends JsonValue>(word: string, v: T): T {
    if (this.text.startsWith(word, this.pos)) {
      this.pos += word.length;
      return v;
    }
    throw new JsonSyntaxError('invalid literal', this.pos);
  }

  /** The shape of the last object read at each depth (consecutive rows usually share it). */
  readonly #shapes: (Shape | undefined)[] = [];

  private object(depth: number): JsonObject {
    this.pos++; // {
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return new JsonObject();
    }
    const last = this.#shapes[depth];
    // While the keys repeat `last` (n of them so far) nothing else is built; at the first difference,
    // own keys and index (which also resolve duplicate keys: first position, last value).
    let same = last !== undefined;
    let n = 0;
    let keys: string[] = [];
    let index: Map<string, number> | null = last === undefined ? new Map() : null;
    const vals: JsonValue[] = [];
    let bad: Set<string> | null = null;
    for (;;) {
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x22) throw new JsonSyntaxError('expected object key', this.pos);
      const k = this.string();
      let key: string;
      if (k instanceof JsonBadString) {
        key = k.raw;
        (bad ??= new Set<string>()).add(key);
      } else key = k;
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x3a) throw new JsonSyntaxError("expected ':'", this.pos);
      this.pos++;
      const v = this.value(depth + 1);
      if (same && last !== undefined && n < last.keys.length && last.keys[n] === key) {
        vals.push(v);
        n++;
      } else {
        same = false;
        if (index === null) {
          keys = last?.keys.slice(0, n) ?? [];
          index = new Map(keys.map((x, i) => [x, i]));
        }
        const at = index.get(key);
        if (at !== undefined) vals[at] = v;
        else {
          index.set(key, keys.length);
          keys.push(key);
          vals.push(v);
        }
      }
      this.skipWs();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        if (same && last !== undefined && n === last.keys.length) return new JsonObject(last, vals, bad);
        if (index === null) {
          keys = last?.keys.slice(0, n) ?? [];
          index = new Map(keys.map((x, i) => [x, i]));
        }
        const shape: Shape = { keys, index };
        this.#shapes[depth] = shape;
        return new JsonObject(shape, vals, bad);
      }
      throw new JsonSyntaxError("expected ',' or '}'", this.pos);
    }
  }

  private array(depth: number): JsonValue[] {
    const arr: JsonValue[] = [];
    this.pos++; // [
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      return arr;
    }
    for (;;) {
      arr.push(this.value(depth + 1));
      this.skipWs();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x5d) {
        this.pos++;
        return arr;
      }
      throw new JsonSyntaxError("expected ',' or ']'", this.pos);
    }
  }

  private string(): string | JsonBadString {
    const t = this.text;
    const begin = this.pos;
    let p = this.pos + 1;
    let start = p;
    let out = '';
    let bad: string | null = null;
    for (;;) {
      if (p >= t.length) throw new JsonSyntaxError('unterminated string', this.pos);
      const c = t.charCodeAt(p);
      if (c === 0x22) {
        out += t.slice(start, p);
        this.pos = p + 1;
        return bad === null ? out : new JsonBadString(t.slice(begin, p + 1), bad);
      }
      if (c < 0x20) throw new JsonSyntaxError('control character in string', p);
      if (c === 0x5c) {
        out += t.slice(start, p);
        const e = t[p + 1];
        let len = 2;
        const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
        if (simple !== undefined) out += simple;
        else if (e === 'u') {
          const u = readUnicodeEscape(t, p);
          if (typeof u === 'string') {
            out += u;
            len = u.length === 2 ? 12 : 6;
          } else {
            bad ??= u.reason;
            len = u.consumed;
          }
        } else {
          if (e === undefined) throw new JsonSyntaxError('unterminated string', this.pos);
          bad ??= `invalid escape \\${e}`;
        }
        if (bad !== null && !this.lazyEscapes) throw new JsonSyntaxError(bad, p);
        p += len;
        start = p;
        continue;
      }
      p++;
    }
  }

  private number(): JsonNumber {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === 0x2d) p++;
    const d0 = t.charCodeAt(p);
    if (d0 === 0x30) p++;
    else if (d0 >= 0x31 && d0 <= 0x39) while (isDigit(t.charCodeAt(p))) p++;
    else throw new JsonSyntaxError('invalid number', start);
    if (t.charCodeAt(p) === 0x2e) {
      p++;
      if (!isDigit(t.charCodeAt(p))) throw new JsonSyntaxError('invalid number', start);
      while (isDigit(t.charCodeAt(p))) p++;
    }
    const e = t.charCodeAt(p);
    if (e === 0x65 || e === 0x45) {
      p++;
      const s = t.charCodeAt(p);
      if (s === 0x2b || s === 0x2d) p++;
      if (!isDigit(t.charCodeAt(p))) throw new JsonSyntaxError('invalid number', start);
      while (isDigit(t.charCodeAt(p))) p++;
    }
    this.pos = p;
    return new JsonNumber(t.slice(start, p));
  }
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/**
 * `\uXXXX` at `p` (the backslash), with simdjson's rules (`handle_unicode_codepoint`, replacement
 * off): 4 hex digits; a high surrogate must be followed by `\uXXXX` with a low surrogate; a lone low
 * surrogate is an error. Returns the decoded text, or why it is invalid and how many characters to skip.
 */
function readUnicodeEscape(t: string, p: number): string | { reason: string; consumed: number } {
  const hex = t.slice(p + 2, p + 6);
  if (!/^[0-9a-fA-F]{4}$/.test(hex)) return { reason: 'invalid \\u escape', consumed: 2 };
  const cp = parseInt(hex, 16);
  if (cp >= 0xdc00 && cp <= 0xdfff) return { reason: 'lone low surrogate', consumed: 6 };
  if (cp < 0xd800 || cp > 0xdbff) return String.fromCharCode(cp);
  const lowHex = t.startsWith('\\u', p + 6) ? t.slice(p + 8, p + 12) : '';
  const low = /^[0-9a-fA-F]{4}$/.test(lowHex) ? parseInt(lowHex, 16) : -1;
  if (low < 0xdc00 || low > 0xdfff) return { reason: 'unpaired high surrogate', consumed: 6 };
  return String.fromCharCode(cp, low);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Parse a text holding exactly one JSON value. */
export function parseJson(text: string): JsonValue {
  const r = new JsonReader(text);
  const v = r.value();
  if (!r.atEnd()) throw new JsonSyntaxError('trailing characters', r.pos);
  return v;
}

/**
 * Minified JSON text; numbers are written as their raw tokens, strings with invalid escapes as their
 * source text. Object keys keep their order unless `sortKeys` (the order of a StarRocks JSON value, see
 * `jsonColumnText`).
 */
export function stringifyJson(v: JsonValue, sortKeys = false): string {
  return write(v, sortKeys ? SORTED : AS_READ);
}

/** How `write` renders keys order, numbers and strings. */
interface Style {
  readonly sortKeys: boolean;
  number(raw: string): string;
  string(s: string): string;
}

const AS_READ: Style = { sortKeys: false, number: (raw) => raw, string: (s) => JSON.stringify(s) };
const SORTED: Style = { ...AS_READ, sortKeys: true };

/** A number StarRocks does not store in a JSON column (thrown inside `write`). */
class UnsupportedNumber extends Error {}

const STARROCKS: Style = {
  sortKeys: true,
  number(raw) {
    const text = jsonColumnNumber(raw);
    if (text === null) throw new UnsupportedNumber(raw);
    return text;
  },
  string: jsonColumnString,
};

function write(v: JsonValue, style: Style): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return style.string(v);
  if (v instanceof JsonNumber) return style.number(v.raw);
  if (v instanceof JsonBadString) return v.raw;
  if (Array.isArray(v)) {
    let out = '[';
    for (let i = 0; i < v.length; i++) out += (i === 0 ? '' : ',') + write(v[i] ?? null, style);
    return `${out}]`;
  }
  const keys = style.sortKeys && !inKeyOrder(v.keyList()) ? [...v.keyList()].sort(compareKeyBytes) : v.keyList();
  const bad = v.badKeys;
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] ?? '';
    out += `${i === 0 ? '' : ','}${bad.has(k) ? k : style.string(k)}:${write(v.get(k) ?? null, style)}`;
  }
  return `${out}}`;
}

function inKeyOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (compareKeyBytes(keys[i - 1] ?? '', keys[i] ?? '') > 0) return false;
  return true;
}

/**
 * Unsigned byte order of the UTF-8 keys (memcmp, shorter first on a common prefix). Code-point order is
 * the same order, and keys hold no lone surrogate (a `\uD800` escape makes a bad key, kept as source
 * text), so UTF-16 units are compared without encoding: below U+D800 and from U+E000 up, unit order is
 * code-point order; a surrogate (U+10000 and up) must sort after U+E000..U+FFFF.
 */
function compareKeyBytes(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/**
 * The text of a value stored in a JSON column, as StarRocks gives it back: minified (StarRocks prints
 * `{"a": 1, "b": [1, 2]}` with a space after `:` and `,` — velocypack `singleLinePrettyPrint` in
 * `JsonValue::to_string`; the emulator keeps the minified form), object keys in StarRocks' order,
 * numbers and strings as VelocyPack writes them (json-number.ts: int64/uint64 exact, other numbers as
 * doubles). Null when StarRocks rejects the value: an integer beyond 64 bits or a number beyond a
 * double (the load treats it like any value that fails to convert).
 *
 * Key order: StarRocks stores JSON as VelocyPack built with default options
 * (`be/src/util/json_converter.cpp` SimdJsonConverter, `vpack::Builder`), whose objects carry an index
 * sorted by key bytes (velocypack `Builder::sortObjectIndexShort/Long`: memcmp over the common length,
 * then the shorter key first), and prints it with `dumpAttributesInIndexOrder` (default true;
 * `be/src/util/json.cpp` `JsonValue::to_string`) — so keys come out in UTF-8 byte order whatever order
 * was loaded.
 */
export function jsonColumnText(v: JsonValue): string | null {
  try {
    return write(v, STARROCKS);
  } catch (e) {
    if (e instanceof UnsupportedNumber) return null;
    throw e;
  }
}

/** Whether a value holds a string or key with an invalid escape anywhere. */
export function hasBadEscape(v: JsonValue): boolean {
  if (v instanceof JsonBadString) return true;
  if (Array.isArray(v)) {
    for (const x of v) if (hasBadEscape(x)) return true;
    return false;
  }
  if (v instanceof JsonObject) {
    if (v.badKeys.size > 0) return true;
    for (const x of v.valueList()) if (hasBadEscape(x)) return true;
  }
  return false;
}

export function jsonTypeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string' || v instanceof JsonBadString) return 'string';
  if (v instanceof JsonNumber) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}
