/**
 * Test kit for connector authors and core tests (`dbmazz/testing`): the conformance kit
 * (`sourceConformance`, `sinkConformance`), in-memory source and sink, stream builders, a fake clock
 * and a capturing logger. Not imported by the runtime.
 */
export * from './fake-clock.js';
export * from './fixtures.js';
export * from './memory-sink.js';
export * from './memory-source.js';
export * from './test-logger.js';
export * from './conformance/index.js';
