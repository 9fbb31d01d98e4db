/**
 * A tiny `.env` reader. Lines are `KEY=value` (optionally `export KEY=value`); `#` starts a comment
 * line, or an inline comment after whitespace in an unquoted value. Values may be single-quoted
 * (literal) or double-quoted (`\n`, `\t`, `\"`, `\\` escapes; may span lines). The real environment
 * wins over the file.
 *
 * Not `util.parseEnv`: on Node 20 it reports nothing. A line that is not `KEY=value` is skipped silently,
 * and an unterminated double quote swallows the rest of the file into one value
 * (`A=1\nB="x\nC=3` gives `{ A: '1', B: 'x\nC=3' }`: C is lost without a word). Configuration
 * errors must be listed with their line (docs/configuration.md), so this reader stays.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Environment } from './read-settings.js';

export const ENV_FILE_VARIABLE = 'DBMAZZ_ENV_FILE';

export interface EnvFileResult {
  readonly vars: Readonly<Record<string, string>>;
  readonly problems: readonly string[];
}

const KEY = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*/;
const ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

export function parseEnvFile(text: string, fileName = '.env'): EnvFileResult {
  const vars: Record<string, string> = {};
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const m = KEY.exec(trimmed);
    if (!m || m[1] === undefined) {
      // Never echo the line: it may hold a secret.
      problems.push(`${fileName} line ${i + 1}: expected KEY=value`);
      continue;
    }
    let rest = trimmed.slice(m[0].length);
    const quote = rest[0];
    if (quote === "'" || quote === '"') {
      let value = '';
      let j = 1;
      let closed = false;
      for (;;) {
        if (j >= rest.length) {
          if (quote === '"' && i + 1 < lines.length) {
            value += '\n';
            i++;
            rest = lines[i] ?? '';
            j = 0;
            continue;
          }
          break;
        }
        const ch = rest[j] ?? '';
        if (ch === quote) {
          closed = true;
          j++;
          break;
        }
        if (quote === '"' && ch === '\\' && j + 1 < rest.length) {
          const next = rest[j + 1] ?? '';
          value += ESCAPES[next] ?? `\\${next}`;
          j += 2;
          continue;
        }
        value += ch;
        j++;
      }
      const after = rest.slice(j).trim();
      if (!closed) problems.push(`${fileName} line ${i + 1}: ${m[1]} has an unterminated ${quote === '"' ? 'double' : 'single'} quote`);
      else if (after !== '' && !after.startsWith('#')) problems.push(`${fileName} line ${i + 1}: ${m[1]} has text after its closing quote`);
      else vars[m[1]] = value;
      continue;
    }
    const hash = rest.search(/\s#/);
    vars[m[1]] = (hash >= 0 ? rest.slice(0, hash) : rest).trim();
  }
  return { vars, problems };
}

export interface LoadedEnvironment {
  /** The file's variables overlaid by the real environment. */
  readonly env: Environment;
  /** The file read, if any. */
  readonly file: string | undefined;
  readonly problems: readonly string[];
}

/** Reads `DBMAZZ_ENV_FILE` (must exist) or `./.env` (optional) and merges it under `env`. */
export function loadEnvironment(env: Environment, cwd: string): LoadedEnvironment {
  const explicit = env[ENV_FILE_VARIABLE];
  const file = explicit !== undefined && explicit !== '' ? (isAbsolute(explicit) ? explicit : resolve(cwd, explicit)) : join(cwd, '.env');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (explicit === undefined || explicit === '') {
      if (code === 'ENOENT' || code === 'EISDIR') return { env, file: undefined, problems: [] };
    }
    return { env, file: undefined, problems: [`${ENV_FILE_VARIABLE}: cannot read '${file}' (${code ?? String(err)})`] };
  }
  const parsed = parseEnvFile(text, file);
  const merged: Record<string, string | undefined> = { ...parsed.vars };
  for (const [k, v] of Object.entries(env)) if (v !== undefined) merged[k] = v;
  return { env: merged, file, problems: parsed.problems };
}
