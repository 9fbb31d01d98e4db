/**
 * PostgreSQL array output syntax → a tree of element texts: `{1,NULL,"a \"b\"",{2,3}}`.
 * Handles quoting and backslash escapes, unquoted NULL, nesting (multi-dimensional arrays), empty
 * arrays and the `[1:2]=` dimension decoration of arrays whose lower bound is not 1.
 */

/** Element texts (null for NULL), nested as the array is. */
export type ArrayTree = ReadonlyArray<string | null | ArrayTree>;

export class ArrayLiteralError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArrayLiteralError';
  }
}

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

export function parseArrayLiteral(text: string, delimiter = ','): ArrayTree {
  let pos = 0;
  const fail = (what: string): never => {
    throw new ArrayLiteralError(`malformed array literal at offset ${pos}: ${what}`);
  };
  const skipSpace = (): void => {
    while (isSpace(text[pos])) pos++;
  };

  // Optional dimension decoration: [lo:hi][lo:hi]=
  skipSpace();
  if (text[pos] === '[') {
    const eq = text.indexOf('=', pos);
    if (eq < 0) fail('dimension decoration without "="');
    pos = eq + 1;
    skipSpace();
  }

  const parseQuoted = (): string => {
    pos++; // opening quote
    let out = '';
    for (;;) {
      const c = text[pos];
      if (c === undefined) return fail('unterminated quoted element');
      if (c === '\\') {
        const next = text[pos + 1];
        if (next === undefined) return fail('dangling backslash');
        out += next;
        pos += 2;
      } else if (c === '"') {
        pos++;
        return out;
      } else {
        out += c;
        pos++;
      }
    }
  };

  const parseUnquoted = (): string | null => {
    let out = '';
    let significant = 0; // length of `out` up to the last non-space or escaped character
    let escaped = false;
    for (;;) {
      const c = text[pos];
      if (c === undefined) return fail('unterminated array');
      if (c === delimiter || c === '}') break;
      if (c === '"' || c === '{') fail(`unexpected ${c}`);
      if (c === '\\') {
        const next = text[pos + 1];
        if (next === undefined) return fail('dangling backslash');
        out += next;
        significant = out.length;
        escaped = true;
        pos += 2;
        continue;
      }
      out += c;
      if (!isSpace(c)) significant = out.length;
      pos++;
    }
    const value = out.slice(0, significant);
    if (value === '') fail('empty element');
    return !escaped && value.toUpperCase() === 'NULL' ? null : value;
  };

  const parseArray = (): ArrayTree => {
    if (text[pos] !== '{') fail('expected "{"');
    pos++;
    const items: Array<string | null | ArrayTree> = [];
    skipSpace();
    if (text[pos] === '}') {
      pos++;
      return items;
    }
    for (;;) {
      skipSpace();
      const c = text[pos];
      if (c === '{') items.push(parseArray());
      else if (c === '"') items.push(parseQuoted());
      else items.push(parseUnquoted());
      skipSpace();
      const sep = text[pos];
      if (sep === delimiter) {
        pos++;
        continue;
      }
      if (sep === '}') {
        pos++;
        return items;
      }
      fail(sep === undefined ? 'unterminated array' : `unexpected ${sep}`);
    }
  };

  const tree = parseArray();
  skipSpace();
  if (pos !== text.length) fail('trailing characters');
  return tree;
}
