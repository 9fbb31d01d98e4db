#!/usr/bin/env node
// The `dbmazz` bin. reflect-metadata must load before anything imports tsyringe (style §4.5).
import 'reflect-metadata';
import { limitHeapGrowth } from './heap-growth.js';
import { main } from './main.js';

limitHeapGrowth();

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
