/**
 * Command-line flags through `node:util` `parseArgs` (strict: unknown flags and missing values are
 * errors), for the daemon's subcommands, the demo, the emulator and the benchmark. Accepts `--flag value`
 * and `--flag=value`. Errors come back as one line naming the flag, never as an exception.
 */
import { parseArgs } from 'node:util';

export type FlagSpec = Readonly<Record<string, { readonly type: 'string' | 'boolean'; readonly short?: string; readonly multiple?: boolean }>>;

export interface Flags {
  /** Each flag given, by name without dashes: the last value (or every value for `multiple`). */
  readonly values: Readonly<Record<string, string | boolean | readonly (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

/** `argv` (without node and script) read against `spec`, or the first problem as one line. */
export function readFlags(argv: readonly string[], spec: FlagSpec, allowPositionals = false): Flags | string {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: spec, strict: true, allowPositionals });
    return { values, positionals };
  } catch (err) {
    return flagError(err);
  }
}

/**
 * Like `readFlags`, but reads on past problems and returns every one of them (for a command that lists
 * all its problems at once). A string flag given without a value is a problem and is left out.
 */
export function readAllFlags(argv: readonly string[], spec: FlagSpec): { readonly flags: Flags; readonly problems: readonly string[] } {
  const { tokens } = parseArgs({ args: [...argv], options: spec, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const problems: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      problems.push(`unexpected argument ${t.value}`);
      positionals.push(t.value);
    } else if (t.kind === 'option') {
      const known = spec[t.name];
      if (known === undefined) problems.push(`unknown option ${t.rawName}`);
      else if (known.type === 'string' && t.value === undefined) problems.push(`${t.rawName} needs a value`);
      else if (known.type === 'boolean' && t.value !== undefined) problems.push(`${t.rawName} takes no value`);
      else values[t.name] = t.value ?? true;
    }
  }
  return { flags: { values, positionals }, problems };
}

function flagError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  const message = e.message ?? String(err);
  const quoted = /'([^' ]+)/.exec(message)?.[1] ?? '';
  switch (e.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(message) ? `${quoted} takes no value` : `${quoted} needs a value`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}`;
    default:
      return message;
  }
}

/** The string value of `name`, if given. */
export function stringFlag(flags: Flags, name: string): string | undefined {
  const v = flags.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** `--name` as an integer in [min, max], `undefined` when not given, or the problem. */
export function intFlag(flags: Flags, name: string, min: number, max: number): number | string | undefined {
  const v = stringFlag(flags, name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) return `--${name} needs an integer between ${min} and ${max}`;
  return Number(v);
}
