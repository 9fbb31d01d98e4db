import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_CONNECTORS } from '../../../../connectors/index.js';
import { CAPABILITIES, OPTIONAL_CAPABILITIES } from '../../../../core/plugin/manifest-check.js';
import { CAPABILITY_RULES, capabilityProblems, capabilityWarnings } from '../../../../core/plugin/compatibility.js';
import { PLUGIN_API_VERSION, type SinkManifest, type SourceManifest } from '../../../../core/plugin/manifest.js';
import type { SinkCapabilities, SourceCapabilities } from '../../../../core/plugin/capabilities.js';

const base = {
  apiVersion: PLUGIN_API_VERSION as typeof PLUGIN_API_VERSION,
  description: 'test',
  settings: [],
  create: (): never => {
    throw new Error('not created here');
  },
};
const source = (type: string, capabilities: Partial<SourceCapabilities> = {}): SourceManifest => ({
  ...base,
  kind: 'source',
  type,
  capabilities: { unchangedColumns: false, keyChanges: false, transactions: true, ...capabilities },
});
const sink = (type: string, capabilities: Partial<SinkCapabilities> = {}): SinkManifest => ({
  ...base,
  kind: 'sink',
  type,
  capabilities: { partialUpdate: false, softDelete: false, idempotentBatches: true, ...capabilities },
});

test('every capability flag has exactly one rule (a check or the reason it needs none)', () => {
  const flags = BUILTIN_CONNECTORS.flatMap((m) => {
    const { kind, capabilities } = m;
    return Object.keys(capabilities).map((flag) => `${kind}.${flag}`);
  });
  assert.deepEqual([...CAPABILITY_RULES.map((r) => r.capability)].sort(), [...flags].sort());
  // The manifest check knows exactly these flags (required, or optional booleans).
  const known = [
    ...CAPABILITIES.source.map((f) => `source.${f}`),
    ...CAPABILITIES.sink.map((f) => `sink.${f}`),
    ...OPTIONAL_CAPABILITIES.sink.map((f) => `sink.${f}`),
  ];
  assert.deepEqual([...flags].sort(), known.sort());
});

test('a source that sends UNCHANGED cells into a sink without partial updates is refused, naming both and what to do', () => {
  const problems = capabilityProblems(source('toasty', { unchangedColumns: true }), sink('flat'));
  assert.equal(problems.length, 1);
  assert.match(
    problems[0] ?? '',
    /^SOURCE_TYPE\/SINK_TYPE: the source 'toasty' declares capabilities\.unchangedColumns .* the sink 'flat' does not declare capabilities\.partialUpdate.* Use a sink that writes partial updates/,
  );
  assert.deepEqual(capabilityProblems(source('toasty', { unchangedColumns: true }), sink('partial', { partialUpdate: true })), []);
  assert.deepEqual(capabilityProblems(source('whole-rows'), sink('flat')), []);
});

test('the built-in pair is accepted without warnings', () => {
  const [src, snk] = [
    BUILTIN_CONNECTORS.find((m) => (m as SourceManifest).kind === 'source'),
    BUILTIN_CONNECTORS.find((m) => (m as SinkManifest).kind === 'sink'),
  ];
  assert.deepEqual(capabilityProblems(src as SourceManifest, snk as SinkManifest), []);
  assert.deepEqual(capabilityWarnings(src as SourceManifest, snk as SinkManifest), []);
});

test('a sink without idempotent batches runs, with a warning naming both connectors', () => {
  const warnings = capabilityWarnings(source('gen'), sink('append', { idempotentBatches: false }));
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /the sink 'append' does not declare capabilities\.idempotentBatches: .* of the source 'gen' replayed .* \(duplicates/);
  assert.deepEqual(capabilityProblems(source('gen'), sink('append', { idempotentBatches: false })), []);
});
