/** Pipeline tuning, filled from the core settings (FLUSH_SIZE, MAX_BUFFERED_*, SINK_RETRY_*…). */
import { ConfigError } from '../errors/errors.js';
import type { RetryPolicy } from './backoff.js';

/**
 * TRUNCATE_POLICY: what a source TRUNCATE does. `ignore` (default): warn, keep the target rows.
 * `apply`: `Sink.truncate` in stream order (after every earlier change is written, before any later
 * one). `fail`: stop with a stage error, the TRUNCATE and everything after it unconfirmed.
 */
export const TRUNCATE_POLICIES = ['ignore', 'apply', 'fail'] as const;
export type TruncatePolicy = (typeof TRUNCATE_POLICIES)[number];
export const DEFAULT_TRUNCATE_POLICY: TruncatePolicy = 'ignore';

export interface PipelineOptions {
  /** Identifies the pipeline (the slot name); passed to the sink in every batch for labels. */
  pipelineId: string;
  /** FLUSH_SIZE: events per flush. */
  flushSize: number;
  /** FLUSH_INTERVAL_MS: a flush starts at most this long after its first event was buffered. */
  flushIntervalMs: number;
  /** MAX_BUFFERED_EVENTS: buffered plus in-flight events at which the source must wait. */
  maxBufferedEvents: number;
  /** MAX_BUFFERED_BYTES: the same bound in (estimated) bytes. */
  maxBufferedBytes: number;
  /** SINK_RETRY_*: attempts in total, first delay, delay cap. */
  retry: RetryPolicy;
  /** Tables loaded in parallel inside one flush. */
  tableConcurrency: number;
  /** Period of the info summary log; 0 disables it. */
  summaryIntervalMs: number;
  /** TRUNCATE_POLICY (default `ignore`). */
  truncatePolicy?: TruncatePolicy;
}

/** The source resumes once buffered + in-flight drops below this fraction of both bounds. */
export const LOW_WATERMARK_RATIO = 0.5;

function positiveInteger(problems: string[], name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) problems.push(`${name} must be an integer >= ${min} (got ${value})`);
}

/** Throws a ConfigError listing every invalid option. */
export function validatePipelineOptions(options: PipelineOptions): void {
  const problems: string[] = [];
  if (options.pipelineId === '') problems.push('pipelineId must not be empty');
  positiveInteger(problems, 'flushSize', options.flushSize, 1);
  positiveInteger(problems, 'flushIntervalMs', options.flushIntervalMs, 0);
  positiveInteger(problems, 'maxBufferedEvents', options.maxBufferedEvents, 1);
  positiveInteger(problems, 'maxBufferedBytes', options.maxBufferedBytes, 1);
  positiveInteger(problems, 'retry.maxAttempts', options.retry.maxAttempts, 1);
  positiveInteger(problems, 'retry.initialDelayMs', options.retry.initialDelayMs, 0);
  positiveInteger(problems, 'retry.maxDelayMs', options.retry.maxDelayMs, 0);
  positiveInteger(problems, 'tableConcurrency', options.tableConcurrency, 1);
  positiveInteger(problems, 'summaryIntervalMs', options.summaryIntervalMs, 0);
  const policy: string | undefined = options.truncatePolicy;
  if (policy !== undefined && !(TRUNCATE_POLICIES as readonly string[]).includes(policy)) {
    problems.push(`truncatePolicy must be one of ${TRUNCATE_POLICIES.join(', ')} (got ${policy})`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

export interface ReloadChanges {
  flushSize?: number | undefined;
  flushIntervalMs?: number | undefined;
}
