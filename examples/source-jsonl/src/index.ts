/** dbmazz-source-jsonl: an example external dbmazz source package (docs/writing-a-connector.md). */
// #region manifest
import { defineSettings, defineSource, PLUGIN_API_VERSION } from 'dbmazz';
import { JsonlSource } from './source.js';

export const SETTINGS = defineSettings({
  file: { env: 'SOURCE_JSONL_FILE', type: 'string', required: true, description: 'The inbox: a JSON-lines file, one transaction per line' },
  columns: {
    env: 'SOURCE_JSONL_COLUMNS',
    type: 'list',
    default: ['id:int8:key', 'note:text'],
    description: 'Columns of every table: name:type[:key], type int8 or text',
  },
  pollMs: { env: 'SOURCE_JSONL_POLL_MS', type: 'integer', default: 100, schema: { minimum: 1 }, description: 'How often (ms) the inbox is read for new lines' },
});

export const jsonlSource = defineSource({
  apiVersion: PLUGIN_API_VERSION,
  kind: 'source',
  type: 'jsonl-inbox',
  description: 'Transactions appended to a JSON-lines inbox file',
  version: '0.1.0',
  capabilities: { unchangedColumns: false, keyChanges: false, transactions: true },
  settings: SETTINGS.specs,
  create: (settings, ctx) => new JsonlSource(SETTINGS.read(settings), ctx),
});

export default jsonlSource;
// #endregion manifest
export { JsonlSource } from './source.js';
