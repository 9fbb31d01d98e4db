#!/usr/bin/env node
/** `dbmazz-demo`: the demo's own command (the same as `dbmazz demo`). */
import { runDemoCli } from './cli.js';

process.exitCode = await runDemoCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signals: process });
