/**
 * `dbmazz-demo/parts`: the demo's building blocks (schema, seed, workload, traffic, validation, the
 * live view, flags), for dbmazz's own tests; not a stable API.
 */
export { exportLines, shellQuote, whereToLook } from './info.js';
export { Cleanup, StopSignal, until } from './lifecycle.js';
export { DEFAULT_OPTIONS, parseDemoArgs, parseDuration } from './options.js';
export { DEMO_DB, DEMO_TABLES, linesOf, PG_DDL, SR_DDL, TABLE_SPECS } from './schema.js';
export type { DemoTableSpec } from './schema.js';
export { seed, seedPlan } from './seed.js';
export { TrafficGenerator } from './traffic.js';
export { validateTable } from './validate.js';
export { bar, liveLines, plainLine, Screen } from './view.js';
export type { ViewModel } from './view.js';
export { Workload } from './workload.js';
export { parseSnapshotLine, SnapshotBoard } from './snapshot-progress.js';
export { Stage } from './stage.js';
