/**
 * dbmazz-sink-jsonl: an example external dbmazz connector package (docs/writing-a-connector.md). The
 * default export is the manifest; SINK_TYPE=dbmazz-sink-jsonl selects it.
 */
// #region manifest
import { defineSink, PLUGIN_API_VERSION } from 'dbmazz';
import { SETTINGS } from './settings.js';
import { CAPABILITIES, JsonlSink } from './sink.js';

export const jsonlSink = defineSink({
  apiVersion: PLUGIN_API_VERSION,
  kind: 'sink',
  type: 'jsonl',
  description: 'One JSON-lines file per table, fsynced before each batch is acknowledged',
  version: '0.1.0',
  capabilities: CAPABILITIES,
  settings: SETTINGS.specs,
  create: (settings, ctx) => new JsonlSink(SETTINGS.read(settings), ctx),
});

export default jsonlSink;
// #endregion manifest
export { JsonlSink, tableFile } from './sink.js';
export { readTable, type Row } from './read.js';
export { toLine, type ChangeLine } from './encode.js';
