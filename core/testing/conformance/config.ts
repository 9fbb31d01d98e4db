/**
 * Configuration checks shared by the source and sink kits, and how the kit turns environment text
 * into a connector instance exactly as the daemon does (read, coerce and validate the settings, then
 * the manifest's own `checkConfig`, then `create`).
 */
import { CORE_SETTINGS } from '../../config/core-settings.js';
import { readSettings, type Environment } from '../../config/read-settings.js';
import type { TableId } from '../../model/table.js';
import { CdcError } from '../../errors/errors.js';
import { connectorContext } from '../../plugin/context.js';
import { createSink, createSource } from '../../plugin/instance-check.js';
import type { ConnectorManifest, SinkManifest, SourceManifest } from '../../plugin/manifest.js';
import type { Sink } from '../../plugin/sink.js';
import type { Source } from '../../plugin/source.js';
import type { Settings } from '../../plugin/settings.js';
import { ConformanceError, expect, skip, type ConformanceCheck } from './checks.js';

export type { Environment };

/** Reads `env` for `manifest` as the daemon would; throws the problems as one ConformanceError. */
export function settingsOf(manifest: ConnectorManifest, env: Environment, tables: readonly TableId[]): Settings {
  const { settings, problems } = readSettings(manifest.settings, env, manifest.type);
  const all = problems.length > 0 ? problems : (manifest.checkConfig?.(settings, tables) ?? []);
  if (all.length > 0) throw new ConformanceError(`the harness environment is not a valid configuration of '${manifest.type}':\n  - ${all.join('\n  - ')}`);
  return settings;
}

/** A source from environment text, as the daemon makes one (its `create()` result checked). */
export function sourceFrom(manifest: SourceManifest, env: Environment, tables: readonly TableId[], pipelineId: string): Source {
  const settings = settingsOf(manifest, env, tables);
  return createSource(manifest, settings, connectorContext({ tables, pipelineId, settings }));
}

/** A sink from environment text, as the daemon makes one (its `create()` result checked). */
export function sinkFrom(manifest: SinkManifest, env: Environment, tables: readonly TableId[], pipelineId: string): Sink {
  const settings = settingsOf(manifest, env, tables);
  return createSink(manifest, settings, connectorContext({ tables, pipelineId, settings }));
}

function connectorFrom(manifest: ConnectorManifest, env: Environment, tables: readonly TableId[], pipelineId: string): Source | Sink {
  return manifest.kind === 'source' ? sourceFrom(manifest, env, tables, pipelineId) : sinkFrom(manifest, env, tables, pipelineId);
}

/**
 * `settings are declared with the connector's prefix and reported all at once`: every setting has
 * one of `prefixes`, a description, and no core setting's name; with nothing set, every required
 * setting is reported in one pass (the daemon lists every problem and exits 2); the harness's valid
 * environment passes `checkConfig`.
 */
export function configCheck(
  manifest: ConnectorManifest,
  prefixes: readonly string[],
  target: () => Promise<{ readonly env: Environment; dispose?(): Promise<void> }> | { readonly env: Environment; dispose?(): Promise<void> },
  tables: readonly TableId[],
): ConformanceCheck {
  return {
    name: 'config: settings are prefixed, described, validated all at once',
    async run() {
      const core = new Set(CORE_SETTINGS.flatMap((s) => [s.env, ...(s.aliases ?? [])]));
      for (const spec of manifest.settings) {
        expect(
          prefixes.some((p) => spec.env.startsWith(p)),
          () => `setting ${spec.env} does not start with ${prefixes.join(' or ')} (docs/writing-a-connector.md, "Settings")`,
        );
        expect(spec.description.trim() !== '', () => `setting ${spec.env} has no description (--help and docs print it)`);
        for (const name of [spec.env, ...(spec.aliases ?? [])]) expect(!core.has(name), () => `setting ${name} is also a core setting`);
      }
      const required = manifest.settings.filter((s) => s.required === true && s.default === undefined);
      const { problems } = readSettings(manifest.settings, {}, manifest.type);
      for (const spec of required) {
        expect(
          problems.some((p) => p.includes(spec.env)),
          () => `with nothing set, the required setting ${spec.env} is not reported (problems: ${problems.join('; ')})`,
        );
      }
      const valid = await target();
      try {
        await connectorFrom(manifest, valid.env, tables, 'conformance_config').close();
      } finally {
        await valid.dispose?.();
      }
    },
  };
}

/**
 * `a connection failure is a typed error that says what to do`: `validateConnection` with the
 * `unreachable` environment rejects with a CdcError of the connector's side (SOURCE_* or SINK_*) that
 * has a hint, whose text holds no secret setting's value, and that settles (no hang).
 */
export function connectionErrorCheck(
  manifest: ConnectorManifest,
  unreachable: Environment | undefined,
  tables: readonly TableId[],
  timeoutMs: number,
): ConformanceCheck {
  return {
    name: 'errors: an unreachable server is a CdcError with a hint and no secret',
    async run() {
      if (unreachable === undefined) return skip('no `unreachable` environment given');
      const connector = connectorFrom(manifest, unreachable, tables, 'conformance_errors');
      try {
        const timeout = new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), timeoutMs).unref());
        const outcome = await Promise.race([
          connector.validateConnection().then(
            () => 'resolved' as const,
            (err: unknown) => err,
          ),
          timeout,
        ]);
        expect(outcome !== 'pending', () => `validateConnection did not settle within ${timeoutMs} ms against an unreachable server (use a connect timeout)`);
        expect(outcome !== 'resolved', () => 'validateConnection resolved against an unreachable server');
        expect(outcome instanceof CdcError, () => `validateConnection rejected with ${String(outcome)}, not a CdcError (code, retry directive, hint)`);
        const side = manifest.kind === 'source' ? 'SOURCE_' : 'SINK_';
        expect(outcome.code.startsWith(side), () => `the error code ${outcome.code} is not one of the ${manifest.kind}'s (${side}*)`);
        expect((outcome.hint ?? '').trim() !== '', () => `the error has no hint saying what to do: ${outcome.message}`);
        const text = `${outcome.message} ${outcome.hint ?? ''}`;
        for (const spec of manifest.settings.filter((s) => s.secret === true)) {
          const value = unreachable[spec.env];
          if (value !== undefined && value !== '') expect(!text.includes(value), () => `the error shows the value of the secret setting ${spec.env}`);
        }
      } finally {
        await connector.close();
      }
      return undefined;
    },
  };
}
