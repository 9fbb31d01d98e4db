/** The connector conformance kit (docs/writing-a-connector.md, "Testing with the conformance kit"). */
export { ConformanceError, runChecks, type CheckResult, type ConformanceCheck } from './checks.js';
export { conformanceSchema, type ConformanceChange, type StoredRow } from './rows.js';
export { runSinkConformance, sinkChecks, sinkConformance, type SinkConformanceOptions, type SinkTarget } from './sink.js';
export { runSourceConformance, sourceChecks, sourceConformance, type SourceConformanceOptions, type SourceTarget } from './source.js';
