/** The pipeline: buffer, flush, per-table batches, backpressure, retries, checkpoint. */
export * from './backoff.js';
export * from './checkpointer.js';
export * from './clock.js';
export * from './flush-plan.js';
export * from './options.js';
export * from './pipeline.js';
export * from './record-size.js';
export * from './retry.js';
