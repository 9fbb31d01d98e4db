/**
 * The built-in connectors: the explicit list (no filesystem scanning). They register through the same
 * check and registry as a connector named by an npm package in SOURCE_TYPE / SINK_TYPE.
 */
import type { ConnectorManifest } from '../core/index.js';
import { postgresSource } from './postgres/index.js';
import { starrocksSink } from './starrocks/index.js';

export const BUILTIN_CONNECTORS: readonly ConnectorManifest[] = [postgresSource, starrocksSink];
