/**
 * Capabilities are declared once, in the manifest, and checked source against sink when the
 * configuration is loaded, before anything is created or connected. Every capability has a rule
 * here: a refusal (a configuration problem: exit 2, nothing touched), a startup warning, or the
 * reason it needs no check (CAPABILITY_RULES, listed in docs/architecture.md).
 */
import type { SinkCapabilities, SourceCapabilities } from './capabilities.js';
import type { SinkManifest, SourceManifest } from './manifest.js';

export type CapabilityName = `source.${keyof SourceCapabilities}` | `sink.${keyof SinkCapabilities}`;

export interface CapabilityRule {
  readonly capability: CapabilityName;
  /** `refused`: a mismatch is a configuration problem; `warned`: logged at startup; `runtime`: the runtime adapts; `informational`: no check. */
  readonly check: 'refused' | 'warned' | 'runtime' | 'informational';
  readonly rule: string;
}

/** One rule per capability; a test checks that every flag of both interfaces has exactly one. */
export const CAPABILITY_RULES: readonly CapabilityRule[] = [
  {
    capability: 'source.unchangedColumns',
    check: 'refused',
    rule: 'A source that sends updates with UNCHANGED cells needs a sink with `partialUpdate`: any other sink would have to write those columns as something (NULL), losing their values.',
  },
  {
    capability: 'sink.partialUpdate',
    check: 'refused',
    rule: 'Required by a source with `unchangedColumns` (see there); with any other source it is not used.',
  },
  {
    capability: 'source.keyChanges',
    check: 'informational',
    rule: 'An update may carry `oldKey`. Every sink must honour it (remove or soft-delete the row of the old key): it is part of the Sink contract, not an option, so there is no sink flag to compare.',
  },
  {
    capability: 'source.transactions',
    check: 'runtime',
    rule: 'Without transactions (no `commit` events) the pipeline confirms each change by itself once it is durable; any sink works with either.',
  },
  {
    capability: 'sink.idempotentBatches',
    check: 'warned',
    rule: 'The runtime retries a failed write with the same batch and replays unconfirmed changes after a restart. A sink without idempotent batches may then write a batch twice: the daemon runs, and warns at startup that the target may get duplicates.',
  },
  {
    capability: 'sink.rowBlocks',
    check: 'runtime',
    rule: 'Snapshot rows a source emits as blocks (`rows` events) reach a sink with `rowBlocks` as one batch per block; for any other sink the runtime hands over the rows as records. Any source works with either.',
  },
  {
    capability: 'sink.softDelete',
    check: 'informational',
    rule: 'Describes the target (deleted rows stay, flagged) for operators and readers; no source depends on it.',
  },
];

/** A source capability the sink cannot serve: a configuration problem naming both connectors. */
export function capabilityProblems(source: SourceManifest, sink: SinkManifest): string[] {
  const problems: string[] = [];
  if (source.capabilities.unchangedColumns && !sink.capabilities.partialUpdate) {
    problems.push(
      `SOURCE_TYPE/SINK_TYPE: the source '${source.type}' declares capabilities.unchangedColumns (its updates may leave columns out, e.g. unchanged TOAST values), ` +
        `but the sink '${sink.type}' does not declare capabilities.partialUpdate, so it would overwrite those columns. ` +
        `Use a sink that writes partial updates (e.g. starrocks), or a source that always sends whole rows`,
    );
  }
  return problems;
}

/** Combinations that work with a caveat the operator should know: one log line each at startup. */
export function capabilityWarnings(source: SourceManifest, sink: SinkManifest): string[] {
  const warnings: string[] = [];
  if (!sink.capabilities.idempotentBatches) {
    warnings.push(
      `the sink '${sink.type}' does not declare capabilities.idempotentBatches: a batch retried after a failed write, or changes of the source '${source.type}' ` +
        'replayed after a restart, may be written twice (duplicates in the target)',
    );
  }
  return warnings;
}
