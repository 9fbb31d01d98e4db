/**
 * A small linear JSON parser that keeps number tokens as their raw text (so big integers and
 * decimals survive byte-exact, PROTOCOL.md §8.1 "Raw-token reading keeps full precision"), plus a
 * minifying writer. Strict RFC 8259 grammar: no NaN/Infinity, no comments, no trailing commas, no raw
 * control characters in strings. Duplicate object keys: the last value wins (first position kept).
 */

export class JsonNumber {
  constructor(readonly raw: string) {}
}

export class JsonObject {
  readonly entries = new Map<string, JsonValue>();
  get(key: string): JsonValue | undefined {
    return this.entries.get(key);
  }
  has(key: string): boolean {
    return this.entries.has(key);
  }
}

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;

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
  constructor(readonly text: string) {}

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

  private object(depth: number): JsonObject {
    const obj = new JsonObject();
    this.pos++; // {
    this.skipWs();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      return obj;
    }
    for (;;) {
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x22) throw new JsonSyntaxError('expected object key', this.pos);
      const key = this.string();
      this.skipWs();
      if (this.text.charCodeAt(this.pos) !== 0x3a) throw new JsonSyntaxError("expected ':'", this.pos);
      this.pos++;
      obj.entries.set(key, this.value(depth + 1));
      this.skipWs();
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x2c) {
        this.pos++;
        continue;
      }
      if (c === 0x7d) {
        this.pos++;
        return obj;
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

  private string(): string {
    const t = this.text;
    let p = this.pos + 1;
    let start = p;
    let out = '';
    for (;;) {
      if (p >= t.length) throw new JsonSyntaxError('unterminated string', this.pos);
      const c = t.charCodeAt(p);
      if (c === 0x22) {
        out += t.slice(start, p);
        this.pos = p + 1;
        return out;
      }
      if (c < 0x20) throw new JsonSyntaxError('control character in string', p);
      if (c === 0x5c) {
        out += t.slice(start, p);
        const e = t[p + 1];
        switch (e) {
          case '"':
            out += '"';
            break;
          case '\\':
            out += '\\';
            break;
          case '/':
            out += '/';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = t.slice(p + 2, p + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError('invalid \\u escape', p);
            out += String.fromCharCode(parseInt(hex, 16));
            p += 4;
            break;
          }
          default:
            throw new JsonSyntaxError('invalid escape', p);
        }
        p += 2;
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

/** Minified JSON text; numbers are written as their raw tokens. */
export function stringifyJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof JsonNumber) return v.raw;
  if (Array.isArray(v)) return `[${v.map(stringifyJson).join(',')}]`;
  const parts: string[] = [];
  for (const [k, x] of v.entries) parts.push(`${JSON.stringify(k)}:${stringifyJson(x)}`);
  return `{${parts.join(',')}}`;
}

export function jsonTypeName(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'string';
  if (v instanceof JsonNumber) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}
