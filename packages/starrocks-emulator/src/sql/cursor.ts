/**
 * Token cursor shared by the parser modules, with StarRocks-shaped syntax errors (§7.2):
 * `Getting syntax error at line L, column C. Detail message: Unexpected input 'x', the most similar
 * input is {a legal identifier}.`
 */
import type { QualifiedName } from './ast.js';
import { syntaxError, type SqlError } from './errors.js';
import { isReserved } from './keywords.js';
import { type Token, tokenize } from './tokenizer.js';

export class Cursor {
  readonly tokens: Token[];
  pos = 0;

  constructor(readonly sql: string) {
    this.tokens = tokenize(sql);
  }

  peek(offset = 0): Token {
    const t = this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)];
    if (!t) throw new Error('empty token stream');
    return t;
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  atEnd(): boolean {
    return this.peek().kind === 'eof';
  }

  /** Is the token at `offset` the (unquoted) keyword `kw`? */
  isKeyword(kw: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'word' && t.text.toUpperCase() === kw;
  }

  isSymbol(sym: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'symbol' && t.text === sym;
  }

  tryKeyword(...kws: string[]): boolean {
    for (let i = 0; i < kws.length; i++) if (!this.isKeyword(kws[i] ?? '', i)) return false;
    this.pos += kws.length;
    return true;
  }

  trySymbol(sym: string): boolean {
    if (!this.isSymbol(sym)) return false;
    this.pos++;
    return true;
  }

  expectKeyword(...kws: string[]): void {
    for (const kw of kws) {
      if (!this.tryKeyword(kw)) throw this.unexpected(`{'${kw}'}`);
    }
  }

  expectSymbol(sym: string): void {
    if (!this.trySymbol(sym)) throw this.unexpected(`{'${sym}'}`);
  }

  /** Source text of a token as the user wrote it. */
  tokenText(t: Token): string {
    return t.kind === 'eof' ? '<EOF>' : this.sql.slice(t.start, t.end);
  }

  /** Syntax error at the current token: `Unexpected input 'x', the most similar input is <expected>.` */
  unexpected(expected: string, token: Token = this.peek()): SqlError {
    return syntaxError(token.line, token.col, `Unexpected input '${this.tokenText(token)}', the most similar input is ${expected}.`);
  }

  errorAt(token: Token, detail: string): SqlError {
    return syntaxError(token.line, token.col, detail);
  }

  isIdentifier(offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'quoted' || (t.kind === 'word' && !isReserved(t.text));
  }

  /** An identifier: backtick-quoted, or an unquoted non-reserved word (§7.2). */
  identifier(): string {
    const t = this.peek();
    if (t.kind === 'quoted') {
      this.pos++;
      return t.text;
    }
    if (t.kind === 'word' && !isReserved(t.text)) {
      this.pos++;
      return t.text;
    }
    throw this.unexpected('{a legal identifier}');
  }

  /** `name` or `db.name`. */
  qualifiedName(): QualifiedName {
    const first = this.identifier();
    if (this.trySymbol('.')) return { db: first, name: this.identifier() };
    return { db: null, name: first };
  }

  /** `( ident, ident, ... )` */
  identifierList(): string[] {
    this.expectSymbol('(');
    const out = [this.identifier()];
    while (this.trySymbol(',')) out.push(this.identifier());
    this.expectSymbol(')');
    return out;
  }

  string(): string {
    const t = this.peek();
    if (t.kind !== 'string') throw this.unexpected('{<string>}');
    this.pos++;
    return t.text;
  }

  integer(): number {
    const t = this.peek();
    if (t.kind !== 'number' || !/^[0-9]+$/.test(t.text)) throw this.unexpected('{<integer>}');
    this.pos++;
    return Number(t.text);
  }

  /** Optional trailing `;`s, then EOF. */
  expectEnd(): void {
    while (this.trySymbol(';'));
    if (!this.atEnd()) throw this.unexpected("{<EOF>, ';'}");
  }
}
