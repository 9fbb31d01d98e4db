/**
 * SQL tokenizer (pure). Positions follow ANTLR, which StarRocks' parser uses: `line` is 1-based,
 * `col` is the 0-based character offset in the line (§7.2 example: `CREATE DATABASE LIKE` → column 16).
 *
 * Token kinds: `word` (unquoted identifier or keyword), `quoted` (backtick identifier, value unquoted),
 * `string` ('..' or ".." with MySQL escapes), `number`, `symbol`, `param` (`?`), `variable`
 * (`@x`, `@@x`, `@@session.x`; `text` is the name after the `@`s), `eof`.
 */
import { syntaxError } from './errors.js';

export type TokenKind = 'word' | 'quoted' | 'string' | 'number' | 'symbol' | 'param' | 'variable' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** word: as written; quoted/string: unquoted value; symbol: the operator; variable: name. */
  readonly text: string;
  /** `@@` (system) or `@` (user) for variables, '' otherwise. */
  readonly prefix: string;
  readonly line: number;
  readonly col: number;
  /** Offsets in the source text, [start, end). */
  readonly start: number;
  readonly end: number;
}

const SYMBOLS3 = ['<=>'];
const SYMBOLS2 = ['<=', '>=', '<>', '!=', '||', '&&', '->'];
const SYMBOLS1 = '(),;.*=<>+-/%![]{}:|&^~';

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  b: '\b',
  '0': '\0',
  Z: '\x1a',
};

export function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;

  const make = (kind: TokenKind, text: string, start: number, startLine: number, startCol: number, prefix = ''): Token => ({
    kind,
    text,
    prefix,
    line: startLine,
    col: startCol,
    start,
    end: i,
  });
  const advanceNewlines = (from: number, to: number): void => {
    for (let k = from; k < to; k++) {
      if (sql[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
  };

  while (i < sql.length) {
    const c = sql[i] ?? '';
    if (/\s/.test(c)) {
      advanceNewlines(i, i + 1);
      i++;
      continue;
    }
    // comments: -- (followed by space/EOL), #, /* */
    if ((c === '-' && sql[i + 1] === '-' && /[\s]|^$/.test(sql[i + 2] ?? '')) || c === '#') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      advanceNewlines(i, stop);
      i = stop;
      continue;
    }
    const start = i;
    const startLine = line;
    const startCol = i - lineStart;

    if (c === '`' || c === "'" || c === '"') {
      // Backtick identifiers: a doubled backtick is one backtick. String literals: also backslash escapes.
      const identifier = c === '`';
      const what = identifier ? 'identifier quote' : 'string literal';
      let value = '';
      i++;
      for (;;) {
        if (i >= sql.length) throw syntaxError(startLine, startCol, `Unterminated ${what} starting at '${sql.slice(start, start + 20)}'`);
        const ch = sql[i] ?? '';
        if (!identifier && ch === '\\' && i + 1 < sql.length) {
          const nx = sql[i + 1] ?? '';
          value += ESCAPES[nx] ?? nx;
          i += 2;
          continue;
        }
        if (ch === c) {
          if (sql[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += ch;
        i++;
      }
      advanceNewlines(start, i);
      out.push(make(identifier ? 'quoted' : 'string', value, start, startLine, startCol));
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(sql[i + 1] ?? ''))) {
      const m = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i));
      const text = m?.[0] ?? c;
      // `1abc` is a DIGIT_IDENTIFIER in StarRocks' grammar
      const rest = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(sql.slice(i + text.length));
      if (rest && /^[0-9]+$/.test(text)) {
        i += text.length + rest[0].length;
        out.push(make('word', text + rest[0], start, startLine, startCol));
        continue;
      }
      i += text.length;
      out.push(make('number', text, start, startLine, startCol));
      continue;
    }
    if (/[A-Za-z_$\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i));
      const text = m?.[0] ?? c;
      i += text.length;
      out.push(make('word', text, start, startLine, startCol));
      continue;
    }
    if (c === '@') {
      const system = sql[i + 1] === '@';
      const prefix = system ? '@@' : '@';
      i += prefix.length;
      let name: string;
      if (sql[i] === '`' || sql[i] === "'" || sql[i] === '"') {
        const q = sql[i] ?? '';
        const end = sql.indexOf(q, i + 1);
        if (end < 0) throw syntaxError(startLine, startCol, 'Unterminated variable name');
        name = sql.slice(i + 1, end);
        i = end + 1;
      } else {
        const m = /^[A-Za-z0-9_$.]*/.exec(sql.slice(i));
        name = m?.[0] ?? '';
        i += name.length;
      }
      out.push(make('variable', name, start, startLine, startCol, prefix));
      continue;
    }
    if (c === '?') {
      i++;
      out.push(make('param', '?', start, startLine, startCol));
      continue;
    }
    const three = sql.slice(i, i + 3);
    const two = sql.slice(i, i + 2);
    if (SYMBOLS3.includes(three)) {
      i += 3;
      out.push(make('symbol', three, start, startLine, startCol));
      continue;
    }
    if (SYMBOLS2.includes(two)) {
      i += 2;
      out.push(make('symbol', two, start, startLine, startCol));
      continue;
    }
    if (SYMBOLS1.includes(c)) {
      i++;
      out.push(make('symbol', c, start, startLine, startCol));
      continue;
    }
    throw syntaxError(startLine, startCol, `Unexpected input '${c}', the most similar input is {<EOF>, ';'}.`);
  }
  out.push({ kind: 'eof', text: '<EOF>', prefix: '', line, col: i - lineStart, start: i, end: i });
  return out;
}
