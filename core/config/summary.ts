/** The effective configuration as printable text (secrets masked), for the startup log. */
import type { SettingSpec, Settings } from '../plugin/settings.js';
import type { DbmazzConfig } from './load-config.js';
import { CORE_SETTINGS } from './core-settings.js';
import { displayValue } from './mask.js';

function group(specs: readonly SettingSpec[], settings: Settings): Record<string, string> {
  const out: Record<string, string> = {};
  for (const spec of specs) {
    const v = settings[spec.env];
    if (v !== undefined) out[spec.env] = displayValue(spec, v);
  }
  return out;
}

export function configSummary(config: DbmazzConfig): Record<string, string> {
  return {
    ...group(CORE_SETTINGS, config.coreSettings),
    // Unset, it follows FLUSH_SIZE (load-config.ts): the log shows the value in effect.
    MAX_BUFFERED_EVENTS: String(config.core.maxBufferedEvents),
    ...group(config.source.manifest.settings, config.source.settings),
    ...group(config.sink.manifest.settings, config.sink.settings),
  };
}
