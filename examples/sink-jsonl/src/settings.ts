// #region settings
import { defineSettings } from 'dbmazz';

export const SETTINGS = defineSettings({
  dir: {
    env: 'SINK_JSONL_DIR',
    type: 'string',
    required: true,
    schema: { minLength: 1 },
    description: 'Directory of the JSON-lines files, one per table: <schema>.<table>.jsonl',
    expected: 'a directory path, e.g. /var/lib/dbmazz/jsonl',
  },
  before: {
    env: 'SINK_JSONL_BEFORE',
    type: 'boolean',
    default: false,
    description: 'Also write the old row of updates and deletes when the source sent it ("before")',
  },
});
// #endregion settings
