/**
 * Connector manifests keyed by kind and type name. Built-ins and external packages register the same
 * way; SOURCE_TYPE / SINK_TYPE resolve only through here (or the loader, which registers what it loads).
 */
import { CdcError } from '../errors/errors.js';
import type { ConnectorManifest, SinkManifest, SourceManifest } from './manifest.js';

export type ConnectorKind = ConnectorManifest['kind'];
export type ManifestOf<K extends ConnectorKind> = K extends 'source' ? SourceManifest : SinkManifest;

export const KIND_VARIABLE: Readonly<Record<ConnectorKind, string>> = { source: 'SOURCE_TYPE', sink: 'SINK_TYPE' };

export class DuplicateConnectorError extends CdcError {
  constructor(
    readonly kind: ConnectorKind,
    readonly type: string,
    origin: string,
  ) {
    super({
      code: 'CONNECTOR_INVALID',
      message: `A ${kind} connector named '${type}' is already registered; ${origin} registers another one with that name.`,
      hint: `Give the connector another \`type\`, or install only one package that provides the ${kind} '${type}'.`,
    });
    this.name = 'DuplicateConnectorError';
  }
}

export class UnknownConnectorError extends CdcError {
  constructor(
    readonly kind: ConnectorKind,
    readonly type: string,
    readonly known: readonly string[],
  ) {
    const plural = `${kind}s`;
    super({
      code: 'CONNECTOR_UNKNOWN',
      message: `${KIND_VARIABLE[kind]} '${type}' is not a known ${kind}. Known ${plural}: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
      hint: 'It can also name an installed npm package that exports a dbmazz connector manifest.',
    });
    this.name = 'UnknownConnectorError';
  }
}

export class ConnectorRegistry {
  readonly #manifests = new Map<string, ConnectorManifest>();
  readonly #origins = new Map<string, string>();

  /** Adds a manifest; a second manifest with the same kind and type throws DuplicateConnectorError. */
  register(manifest: ConnectorManifest, origin = 'a connector'): void {
    const key = `${manifest.kind}:${manifest.type}`;
    if (this.#manifests.has(key)) {
      const first = this.#origins.get(key) ?? 'another connector';
      throw new DuplicateConnectorError(manifest.kind, manifest.type, `${origin} (the first came from ${first})`);
    }
    this.#manifests.set(key, manifest);
    this.#origins.set(key, origin);
  }

  find<K extends ConnectorKind>(kind: K, type: string): ManifestOf<K> | undefined {
    return this.#manifests.get(`${kind}:${type}`) as ManifestOf<K> | undefined;
  }

  /** The manifest, or UnknownConnectorError listing the known types of that kind. */
  get<K extends ConnectorKind>(kind: K, type: string): ManifestOf<K> {
    const m = this.find(kind, type);
    if (!m) throw new UnknownConnectorError(kind, type, this.types(kind));
    return m;
  }

  /** Where the manifest registered as `kind`/`type` came from (built-in, or the package / path named). */
  origin(kind: ConnectorKind, type: string): string | undefined {
    return this.#origins.get(`${kind}:${type}`);
  }

  has(kind: ConnectorKind, type: string): boolean {
    return this.#manifests.has(`${kind}:${type}`);
  }

  types(kind: ConnectorKind): string[] {
    return this.list(kind).map((m) => m.type);
  }

  list(kind?: ConnectorKind): ConnectorManifest[] {
    const all = [...this.#manifests.values()];
    return kind === undefined ? all : all.filter((m) => m.kind === kind);
  }
}
