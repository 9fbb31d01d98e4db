/**
 * The StarRocks sink connector: CDC changes → Primary Key tables through Stream Load.
 * See docs/starrocks.md.
 */
import { defineSink, PLUGIN_API_VERSION } from '../../core/index.js';
import { checkStarRocksConfig, readStarRocksConfig, STARROCKS_SETTINGS } from './config.js';
import { STARROCKS_CAPABILITIES, StarRocksSink } from './sink.js';

export const starrocksSink = defineSink({
  apiVersion: PLUGIN_API_VERSION,
  kind: 'sink',
  type: 'starrocks',
  description: 'StarRocks Primary Key tables via Stream Load (upserts, soft deletes, partial updates)',
  settings: STARROCKS_SETTINGS,
  capabilities: STARROCKS_CAPABILITIES,
  checkConfig: checkStarRocksConfig,
  create: (settings, ctx) => new StarRocksSink(readStarRocksConfig(settings), ctx),
});

export { StarRocksSink } from './sink.js';
export type { SqlRunner, StarRocksSinkDeps } from './sink.js';
export { readStarRocksConfig, STARROCKS_SETTINGS } from './config.js';
export type { StarRocksConfig } from './config.js';
export type { Query } from './setup/mysql.js';
