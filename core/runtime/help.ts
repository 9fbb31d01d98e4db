/**
 * `dbmazz --help`: usage, then every variable (core, each built-in connector, and the external
 * connectors SOURCE_TYPE / SINK_TYPE select) with alias, default, description and, when set, the
 * current value, masked like everything else dbmazz prints.
 */
import { CORE_SETTINGS } from '../config/core-settings.js';
import { displayDefault, expectedText, typeNoun } from '../config/describe.js';
import { sentence } from '../config/docs-table.js';
import { ENV_FILE_VARIABLE, loadEnvironment } from '../config/env-file.js';
import { displayValue, scrubText, secretParts } from '../config/mask.js';
import type { Environment } from '../config/read-settings.js';
import { CdcError } from '../errors/errors.js';
import type { ConnectorLoader } from '../plugin/loader.js';
import type { ConnectorKind } from '../plugin/registry.js';
import type { SettingSpec } from '../plugin/settings.js';

export interface HelpGroup {
  readonly title: string;
  readonly specs: readonly SettingSpec[];
}

const WIDTH = 100;

function wrap(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && indent.length + line.length + 1 + word.length > WIDTH) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(indent + line);
  return lines;
}

function currentValue(spec: SettingSpec, env: Environment): { name: string; text: string } | undefined {
  for (const name of [spec.env, ...(spec.aliases ?? [])]) {
    const v = env[name];
    if (v !== undefined && v !== '') return { name, text: displayValue(spec, v) };
  }
  return undefined;
}

function renderSpec(spec: SettingSpec, env: Environment): string[] {
  const head = [`  ${spec.env}`];
  if (spec.aliases && spec.aliases.length > 0) head.push(`(alias: ${spec.aliases.join(', ')})`);
  if (spec.required) head.push('[required]');
  else if (spec.default !== undefined) head.push(`[default: ${displayDefault(spec) === '' ? '""' : displayDefault(spec)}]`);
  if (spec.secret) head.push('[secret]');
  const lines = [head.join('  '), ...wrap(sentence(spec.description), '      ')];
  // A plain text setting's expected form is its description; say it once.
  if (spec.expected !== undefined || typeNoun(spec) !== 'a text value') lines.push(...wrap(`Expected: ${sentence(expectedText(spec))}`, '      '));
  const current = currentValue(spec, env);
  if (current) lines.push(`      Set${current.name !== spec.env ? ` (as ${current.name})` : ''}: ${current.text}`);
  return lines;
}

export function renderHelp(input: { version: string; groups: readonly HelpGroup[]; env: Environment; notes: readonly string[] }): string {
  const out = [
    `dbmazz ${input.version}: change-data-capture daemon (PostgreSQL logical replication → StarRocks Stream Load)`,
    '',
    'Usage:',
    '  dbmazz                          run the daemon, configured by the environment variables below',
    '  dbmazz --help, -h               print this help',
    '  dbmazz --version, -v            print the version',
    '  dbmazz starrocks-emulator ...   run the in-memory StarRocks emulator (see its --help)',
    '  dbmazz demo [--rate N] ...      run the demo: PostgreSQL, the emulator, traffic, live view, validation (see its --help)',
    '  dbmazz resnapshot TABLE...      ask the running daemon to copy the current rows of tables again (see its --help)',
    '',
    ...wrap(
      `Configuration comes from environment variables and an optional .env file: ./.env, or the file named by ${ENV_FILE_VARIABLE}. ` +
        'A variable set in the real environment wins over the file; an empty value counts as unset. Older names (aliases) are accepted; setting both names to different values is an error.',
      '',
    ),
    '',
    'Exit codes: 0 stopped after draining (SIGTERM/SIGINT), 1 fatal pipeline error, 2 invalid configuration (nothing was touched), 130 stopped at once by a second signal.',
  ];
  for (const g of input.groups) {
    out.push('', `${g.title}:`);
    for (const spec of g.specs) out.push(...renderSpec(spec, input.env));
  }
  if (input.notes.length > 0) out.push('', 'Notes:', ...input.notes.map((n) => `  ${n}`));
  const secrets = input.groups.flatMap((g) => g.specs.flatMap((s) => [s.env, ...(s.aliases ?? [])].flatMap((n) => secretParts(s, input.env[n]))));
  return scrubText(`${out.join('\n')}\n`, secrets);
}

/** Core, every registered (built-in) connector, and the external ones the environment selects. */
export async function collectHelpGroups(
  loader: ConnectorLoader,
  rawEnv: Environment,
  cwd: string,
): Promise<{ groups: HelpGroup[]; env: Environment; notes: string[] }> {
  const { env, problems } = loadEnvironment(rawEnv, cwd);
  const notes: string[] = [...problems];
  const selected: { kind: ConnectorKind; name: string }[] = [];
  for (const [kind, variable] of [
    ['source', 'SOURCE_TYPE'],
    ['sink', 'SINK_TYPE'],
  ] as const) {
    const name = env[variable];
    if (name !== undefined && name !== '' && !loader.registry.has(kind, name)) selected.push({ kind, name });
  }
  const selectedBy = new Map<object, string>();
  for (const { kind, name } of selected) {
    try {
      selectedBy.set(await loader.load(kind, name), name);
    } catch (err) {
      notes.push(err instanceof CdcError ? err.operatorMessage : String(err));
    }
  }
  const groups: HelpGroup[] = [{ title: 'Core settings', specs: CORE_SETTINGS }];
  for (const m of loader.registry.list()) {
    const label = m.kind === 'source' ? 'Source' : 'Sink';
    const variable = m.kind === 'source' ? 'SOURCE_TYPE' : 'SINK_TYPE';
    const origin = selectedBy.has(m) ? 'external' : 'built-in';
    groups.push({ title: `${label} '${m.type}' (${origin}, ${variable}=${selectedBy.get(m) ?? m.type}): ${m.description}`, specs: m.settings });
  }
  return { groups, env, notes };
}
