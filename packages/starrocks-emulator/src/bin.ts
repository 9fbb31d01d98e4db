#!/usr/bin/env node
/** `dbmazz-starrocks-emulator`: the emulator's own command (the same as `dbmazz starrocks-emulator` in a clone). */
import { runEmulatorCli } from './cli.js';

process.exitCode = await runEmulatorCli(process.argv.slice(2));
