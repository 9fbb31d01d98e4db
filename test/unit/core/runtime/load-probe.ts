/**
 * Loaded with `--import` into a child running the dbmazz CLI (v8-tuning.test.ts). It writes to stderr
 * a line `load-probe-module <url>` for every ES module the process loads (from a loader hook, as it
 * loads), and when the process exits one line `load-probe {json}` with the young generation's size and
 * the CommonJS modules in require.cache.
 */
import { createRequire, register } from 'node:module';
import { writeSync } from 'node:fs';
import v8 from 'node:v8';

const hooks = `
import { writeSync } from 'node:fs';
export async function load(url, context, next) { writeSync(2, 'load-probe-module ' + url + '\\n'); return next(url, context); }
`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

process.on('exit', () => {
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  const cjs = Object.keys(createRequire(import.meta.url).cache);
  writeSync(2, `load-probe ${JSON.stringify({ newSpaceBytes: newSpace?.space_size ?? -1, cjs })}\n`);
});
