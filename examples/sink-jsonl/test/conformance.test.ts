// #region kit
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sinkConformance, type StoredRow } from 'dbmazz/testing';
import { jsonlSink, readTable } from '../src/index.js';

sinkConformance({
  manifest: jsonlSink,
  // A directory that cannot be created: validateConnection must say so, as a CdcError with a hint.
  unreachable: { SINK_JSONL_DIR: '/dev/null/jsonl' },
  target() {
    const dir = mkdtempSync(join(tmpdir(), 'sink-jsonl-'));
    return {
      env: { SINK_JSONL_DIR: dir },
      read: async (schema) =>
        (await readTable(dir, schema.id)).map((row): StoredRow => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null ? null : String(v)]))),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
// #endregion kit
