/**
 * Parser of the Stream Load `columns` header (docs/starrocks-protocol.md §2): a comma list of source names and
 * `col = expr` mappings; names may be backtick-quoted. Supported expressions (emulator subset):
 * a source-column reference, a constant (`'text'`, `"text"`, number, NULL, TRUE/FALSE),
 * `to_binary(expr[, format])` (any format name: StarRocks' rules in binary-format.ts), `now()` /
 * `current_timestamp()`.
 */
import { type BinaryFormat, binaryFormatOf } from './binary-format.js';

export type ColumnsExpr =
  | { readonly kind: 'ref'; readonly name: string }
  /** `literal`: how the constant was written (`'x'`/`"x"`, a number, NULL, TRUE/FALSE). */
  | { readonly kind: 'const'; readonly value: string | null; readonly literal: 'string' | 'number' | 'null' | 'bool' }
  | { readonly kind: 'to_binary'; readonly arg: ColumnsExpr; readonly format: BinaryFormat }
  | { readonly kind: 'now' };

export interface ColumnsItem {
  readonly name: string;
  readonly expr: ColumnsExpr | null;
}

export class ColumnsHeaderError extends Error {
  override readonly name = 'ColumnsHeaderError';
}

type Tok = { t: 'id'; v: string } | { t: 'str'; v: string } | { t: 'num'; v: string } | { t: 'sym'; v: string };

function tokenize(text: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] ?? '';
    if (/\s/.test(c)) {
      i++;
    } else if (c === '`') {
      const end = text.indexOf('`', i + 1);
      if (end < 0) throw new ColumnsHeaderError(`Invalid columns header: unterminated backtick in ${text}`);
      out.push({ t: 'id', v: text.slice(i + 1, end) });
      i = end + 1;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let v = '';
      for (;;) {
        if (j >= text.length) throw new ColumnsHeaderError(`Invalid columns header: unterminated string in ${text}`);
        const d = text[j] ?? '';
        if (d === '\\' && j + 1 < text.length) {
          v += text[j + 1] ?? '';
          j += 2;
        } else if (d === c) {
          if (text[j + 1] === c) {
            v += c;
            j += 2;
          } else break;
        } else {
          v += d;
          j++;
        }
      }
      out.push({ t: 'str', v });
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const m = /^-?\d+(\.\d+)?/.exec(text.slice(i));
      const v = m?.[0] ?? c;
      out.push({ t: 'num', v });
      i += v.length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i));
      const v = m?.[0] ?? c;
      out.push({ t: 'id', v });
      i += v.length;
    } else {
      out.push({ t: 'sym', v: c });
      i++;
    }
  }
  return out;
}

class Parser {
  i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly text: string,
  ) {}

  peek(): Tok | undefined {
    return this.toks[this.i];
  }

  next(): Tok | undefined {
    return this.toks[this.i++];
  }

  isSym(v: string): boolean {
    const t = this.peek();
    return t !== undefined && t.t === 'sym' && t.v === v;
  }

  expectSym(v: string): void {
    if (!this.isSym(v)) throw new ColumnsHeaderError(`Invalid columns header, expected '${v}': ${this.text}`);
    this.i++;
  }

  item(): ColumnsItem {
    const t = this.next();
    if (!t || t.t !== 'id') throw new ColumnsHeaderError(`Invalid columns header: ${this.text}`);
    if (this.isSym('=')) {
      this.i++;
      return { name: t.v, expr: this.expr() };
    }
    return { name: t.v, expr: null };
  }

  expr(): ColumnsExpr {
    const t = this.next();
    if (!t) throw new ColumnsHeaderError(`Invalid columns header: missing expression in ${this.text}`);
    if (t.t === 'str') return { kind: 'const', value: t.v, literal: 'string' };
    if (t.t === 'num') return { kind: 'const', value: t.v, literal: 'number' };
    if (t.t === 'sym') throw new ColumnsHeaderError(`Invalid columns header: unexpected '${t.v}' in ${this.text}`);
    const upper = t.v.toUpperCase();
    if (this.isSym('(')) {
      this.i++;
      const args: ColumnsExpr[] = [];
      if (!this.isSym(')')) {
        args.push(this.expr());
        while (this.isSym(',')) {
          this.i++;
          args.push(this.expr());
        }
      }
      this.expectSym(')');
      return this.call(t.v, args);
    }
    if (upper === 'NULL') return { kind: 'const', value: null, literal: 'null' };
    if (upper === 'TRUE') return { kind: 'const', value: '1', literal: 'bool' };
    if (upper === 'FALSE') return { kind: 'const', value: '0', literal: 'bool' };
    return { kind: 'ref', name: t.v };
  }

  call(name: string, args: ColumnsExpr[]): ColumnsExpr {
    const lower = name.toLowerCase();
    if ((lower === 'now' || lower === 'current_timestamp') && args.length === 0) return { kind: 'now' };
    if (lower === 'to_binary' && (args.length === 1 || args.length === 2)) {
      const arg = args[0];
      if (!arg) throw new ColumnsHeaderError(`Invalid columns header: ${this.text}`);
      // The format is read only from a non-NULL constant; NULL or a column reference → hex
      // (binary_functions.cpp to_binary_prepare). Unknown names → hex, no error (binary_functions.h).
      const fmtArg = args[1];
      const format = binaryFormatOf(fmtArg?.kind === 'const' ? fmtArg.value : null);
      return { kind: 'to_binary', arg, format };
    }
    throw new ColumnsHeaderError(`The emulator does not support the expression ${name}(...) in the columns header: ${this.text}`);
  }
}

/** Parse the `columns` header; throws ColumnsHeaderError. */
export function parseColumnsHeader(text: string): ColumnsItem[] {
  const toks = tokenize(text);
  const p = new Parser(toks, text);
  const items: ColumnsItem[] = [];
  if (toks.length === 0) throw new ColumnsHeaderError(`Invalid columns header: ${text}`);
  for (;;) {
    items.push(p.item());
    if (p.peek() === undefined) break;
    p.expectSym(',');
  }
  return items;
}

/** Names of the source columns an expression references. */
export function exprRefs(e: ColumnsExpr): string[] {
  if (e.kind === 'ref') return [e.name];
  if (e.kind === 'to_binary') return exprRefs(e.arg);
  return [];
}
