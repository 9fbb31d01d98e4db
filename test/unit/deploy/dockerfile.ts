/** A Dockerfile read into stages of instructions (continuation lines joined, comments dropped). */

export interface Instruction {
  readonly keyword: string;
  /** The text after the keyword. */
  readonly args: string;
}

export interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push(pending + line);
    pending = '';
  }
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(line);
    const keyword = (m?.[1] ?? '').toUpperCase();
    const args = m?.[2] ?? '';
    if (keyword === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      stages.push({ image: from?.[1] ?? '', name: from?.[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage !== undefined) stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** An exec-form (JSON array) argument, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((a): a is string => typeof a === 'string')) throw new Error(`not a JSON string array: ${args}`);
  return parsed;
}

export interface Copy {
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
}

export function copyOf(args: string): Copy {
  const words = args.split(/\s+/).filter((w) => w !== '');
  let from: string | undefined;
  const rest: string[] = [];
  for (const w of words) {
    const f = /^--from=(.+)$/.exec(w);
    if (f?.[1] !== undefined) from = f[1];
    else if (!w.startsWith('--')) rest.push(w);
  }
  const dest = rest.pop();
  if (dest === undefined || rest.length === 0) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: rest, dest };
}

/** KEY=value pairs of an ENV instruction (the `ENV KEY value` form included). */
export function envOf(args: string): [string, string][] {
  if (!args.includes('=')) {
    const m = /^(\S+)\s+(.*)$/.exec(args);
    return m?.[1] === undefined ? [] : [[m[1], m[2] ?? '']];
  }
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => [m[1] ?? '', (m[2] ?? '').replace(/^"(.*)"$/, '$1')]);
}

/** Whether a .dockerignore excludes `path` (plain names and `*` globs, matched on the path or a parent). */
export function dockerIgnored(ignore: string, path: string): boolean {
  const patterns = ignore
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (patterns.some((p) => p.startsWith('!'))) throw new Error('.dockerignore exceptions (!) are not supported by this check');
  const parts = path.replace(/^\.\//, '').replace(/\/$/, '').split('/');
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .replace(/\/$/, '')
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')}$`,
    );
    return parts.some((_, i) => re.test(parts.slice(0, i + 1).join('/')));
  });
}
