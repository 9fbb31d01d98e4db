/**
 * `dbmazz/tools`: for programs built around the daemon rather than connectors (the demo, scripts that
 * watch a pipeline): the command-line flag helpers the daemon's own commands use, and the JSON shape of
 * the dashboard's `GET /api/status`.
 */
import { fileURLToPath } from 'node:url';

export { intFlag, readAllFlags, readFlags, stringFlag } from './config/cli-flags.js';
export type { FlagSpec, Flags } from './config/cli-flags.js';
export type { DashboardStatus } from './metrics/dashboard-api.js';

/** The daemon's command line (`dist/core/runtime/cli.js`, the package's `dbmazz` bin), for tools that spawn it. */
export const DAEMON_CLI_PATH: string = fileURLToPath(new URL('./runtime/cli.js', import.meta.url));
