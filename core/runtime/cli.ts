#!/usr/bin/env node
// The `dbmazz` bin. reflect-metadata must load before anything imports tsyringe (docs/stack-traps.md §4.5).
import 'reflect-metadata';
import { tuneV8 } from './v8-tuning.js';

// Before the daemon's modules load: loading them is the start-up's largest allocation, and the young
// generation must not have grown by then (v8-tuning.ts). So main.js is imported afterwards, dynamically.
tuneV8();
const { main } = await import('./main.js');

/** Exit with `code` once stdout/stderr are flushed; never wait forever for a leaked handle. */
function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), 2000).unref();
}

try {
  const code = await main(process.argv.slice(2), {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    signals: process,
  });
  exitSoon(code);
} catch (err) {
  process.stderr.write(`dbmazz: ${err instanceof Error ? err.message : String(err)}\n`);
  exitSoon(1);
}
