// #region kit
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sourceConformance, type ConformanceChange } from 'dbmazz/testing';
import { jsonlSource } from '../src/index.js';

const line = (changes: readonly ConformanceChange[]): string =>
  JSON.stringify({
    table: 'public.items',
    changes: changes.map((c) => (c.op === 'delete' ? { op: 'delete', key: { id: String(c.id) } } : { op: c.op, row: { id: String(c.id), note: c.note } })),
  });

sourceConformance({
  manifest: jsonlSource,
  // An inbox in a directory that does not exist: validateConnection must say so.
  unreachable: { SOURCE_JSONL_FILE: '/nonexistent/inbox.jsonl' },
  target() {
    const dir = mkdtempSync(join(tmpdir(), 'source-jsonl-'));
    const inbox = join(dir, 'inbox.jsonl');
    return {
      env: { SOURCE_JSONL_FILE: inbox, SOURCE_JSONL_POLL_MS: '20' },
      table: { schema: 'public', name: 'items' },
      apply: async (changes) => appendFileSync(inbox, `${line(changes)}\n`),
      truncate: async () => appendFileSync(inbox, `${JSON.stringify({ table: 'public.items', truncate: true })}\n`),
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
// #endregion kit
