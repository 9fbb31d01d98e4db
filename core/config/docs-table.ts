/**
 * The settings reference as Markdown, generated from the SettingSpecs: docs/configuration.md holds it
 * between markers, and a test fails when the file is out of date (UPDATE_DOCS=1 rewrites it).
 */
import type { ConnectorManifest } from '../plugin/manifest.js';
import type { SettingSpec } from '../plugin/settings.js';
import { displayDefault } from './describe.js';

export const DOC_START = '<!-- settings-table:start (generated from the SettingSpecs; run the docs test with UPDATE_DOCS=1 to refresh) -->';
export const DOC_END = '<!-- settings-table:end -->';

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** Ends a description with a full stop, so notes can follow it. */
export function sentence(text: string): string {
  const t = text.trim();
  return t === '' || /[.!?]$/.test(t) ? t : `${t}.`;
}

function code(text: string): string {
  return text === '' ? '' : `\`${text}\``;
}

export function renderSettingsTable(specs: readonly SettingSpec[]): string {
  const rows = specs.map((s) => {
    const alias = (s.aliases ?? []).map(code).join(', ');
    const def = s.required ? '**required**' : s.default === undefined ? '' : code(displayDefault(s)) || '`""`';
    const notes = [s.secret ? 'Secret: printed as `****`.' : '', s.url ? 'The password is masked when printed.' : ''].filter((n) => n !== '');
    return `| ${code(s.env)} | ${alias} | ${def} | ${cell([sentence(s.description), ...notes].join(' '))} |`;
  });
  return ['| Variable | Alias | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** Every group: core, then each built-in connector. */
export function renderSettingsDoc(core: readonly SettingSpec[], connectors: readonly ConnectorManifest[]): string {
  const parts = ['### Core', '', renderSettingsTable(core)];
  for (const m of connectors) {
    const selector = m.kind === 'source' ? 'SOURCE_TYPE' : 'SINK_TYPE';
    parts.push('', `### ${m.kind === 'source' ? 'Source' : 'Sink'} \`${m.type}\` (\`${selector}=${m.type}\`)`, '', sentence(m.description), '');
    parts.push(m.settings.length > 0 ? renderSettingsTable(m.settings) : '_No settings._');
  }
  return parts.join('\n');
}

/** Replaces the generated block inside `doc`; throws when the markers are missing. */
export function replaceGeneratedBlock(doc: string, block: string): string {
  const start = doc.indexOf(DOC_START);
  const end = doc.indexOf(DOC_END);
  if (start < 0 || end < start) throw new Error('docs/configuration.md lacks the settings-table markers');
  return `${doc.slice(0, start + DOC_START.length)}\n${block}\n${doc.slice(end)}`;
}
