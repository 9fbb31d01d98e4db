/**
 * The PostgreSQL source connector (pgoutput logical replication). Exports the manifest that the
 * registry lists as a built-in, plus the pieces other tooling may reuse (decoders are pure).
 */
import { defineSource, PLUGIN_API_VERSION } from '../../core/index.js';
import { parseConfig, POSTGRES_SETTINGS, standbyProblems } from './config.js';
import { POSTGRES_CAPABILITIES, PostgresSource } from './source.js';

export const postgresSource = defineSource({
  apiVersion: PLUGIN_API_VERSION,
  kind: 'source',
  type: 'postgres',
  description: 'PostgreSQL logical replication (pgoutput): inserts, updates, deletes and truncates of the TABLES',
  version: '0.1.0',
  settings: POSTGRES_SETTINGS,
  capabilities: POSTGRES_CAPABILITIES,
  checkConfig: (settings) => standbyProblems(settings),
  create(settings, ctx) {
    const cfg = parseConfig(settings, ctx);
    return new PostgresSource(cfg, ctx.logger.child({ component: 'source:postgres' }));
  },
});

export { PostgresSource, POSTGRES_CAPABILITIES } from './source.js';
export { POSTGRES_SETTINGS, parseConfig, maskUrl, type PostgresConfig } from './config.js';
