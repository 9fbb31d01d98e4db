/**
 * Resolves SOURCE_TYPE / SINK_TYPE to a manifest: a registered (built-in) type, else an npm package
 * installed under the working directory's node_modules, or a path (absolute, or relative to the
 * working directory) of a module file or of a package directory (its package.json `exports` / `main`,
 * like an installed package's), loaded with `import()`. The
 * module must export a manifest (default export, or named `manifest` / `connector`; an array of
 * manifests is accepted, one per kind). What it exports is checked (apiVersion, shape) and registered
 * exactly as a built-in is.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CdcError } from '../errors/errors.js';
import type { ConnectorManifest } from './manifest.js';
import { checkManifest, looksLikeManifest } from './manifest-check.js';
import { ConnectorRegistry, KIND_VARIABLE, UnknownConnectorError, type ConnectorKind, type ManifestOf } from './registry.js';

const EXPORT_NAMES = ['default', 'manifest', 'connector', 'manifests'] as const;
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*(\/[^\s]*)?$/;
const CONDITIONS = ['import', 'node', 'default'] as const;

/** Registers built-in manifests through the same check an external package goes through. */
export function registerBuiltins(registry: ConnectorRegistry, manifests: readonly unknown[]): void {
  manifests.forEach((m, i) => {
    const manifest = checkManifest(m, `built-in connector #${i + 1}`);
    registry.register(manifest, `built-in connector '${manifest.type}'`);
  });
}

export function createRegistry(builtins: readonly unknown[]): ConnectorRegistry {
  const registry = new ConnectorRegistry();
  registerBuiltins(registry, builtins);
  return registry;
}

function isPathLike(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || spec.startsWith('file:');
}

function resolveTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const r = resolveTarget(t);
      if (r !== undefined) return r;
    }
    return undefined;
  }
  if (typeof target === 'object' && target !== null) {
    const conditions = target as Record<string, unknown>;
    for (const c of CONDITIONS) if (c in conditions) return resolveTarget(conditions[c]);
  }
  return undefined;
}

/** The entry of `subpath` ('.' or './x') in a package.json, honouring "import" exports. */
function packageEntry(pkg: Record<string, unknown>, subpath: string): string | undefined {
  const exp = pkg['exports'];
  if (exp !== undefined && exp !== null) {
    const isSubpathMap = typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'));
    if (isSubpathMap) return resolveTarget((exp as Record<string, unknown>)[subpath]);
    return subpath === '.' ? resolveTarget(exp) : undefined;
  }
  if (subpath !== '.') return subpath;
  return typeof pkg['main'] === 'string' ? pkg['main'] : 'index.js';
}

/** The entry module of a package directory (package.json `exports` "." / `main`, else index.js). */
export function packageDirectoryEntry(dir: string): { readonly file: string } | { readonly problem: string } {
  const pkgFile = join(dir, 'package.json');
  let entry = 'index.js';
  if (existsSync(pkgFile)) {
    let pkg: unknown;
    try {
      pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    } catch (err) {
      return { problem: `${pkgFile} is not valid JSON (${err instanceof Error ? err.message : String(err)})` };
    }
    const found = typeof pkg === 'object' && pkg !== null ? packageEntry(pkg as Record<string, unknown>, '.') : undefined;
    if (found === undefined) return { problem: `${pkgFile} names no entry module for "." (give it "exports" or "main")` };
    entry = found;
  }
  const file = resolve(dir, entry);
  return existsSync(file) ? { file } : { problem: `the package directory ${dir} has no entry module ${file}` };
}

/** Resolves an npm specifier from `cwd`'s node_modules; undefined when it is not installed. */
export function resolvePackage(spec: string, cwd: string): string | undefined {
  const req = createRequire(join(cwd, 'package.json'));
  try {
    return req.resolve(spec);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'MODULE_NOT_FOUND' && code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw err;
  }
  // ESM-only packages (exports with an "import" condition only) are not visible to require.resolve.
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const rest = parts.slice(nameLength).join('/');
  const subpath = rest === '' ? '.' : `./${rest}`;
  for (const dir of req.resolve.paths(name) ?? []) {
    const pkgFile = join(dir, name, 'package.json');
    if (!existsSync(pkgFile)) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, unknown>;
    const entry = packageEntry(pkg, subpath);
    return entry === undefined ? undefined : join(dir, name, entry);
  }
  return undefined;
}

function exportedCandidates(mod: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const key of EXPORT_NAMES) {
    const v = mod[key];
    for (const item of Array.isArray(v) ? v : [v]) if (item !== undefined && !out.includes(item)) out.push(item);
  }
  return out;
}

/** The first `file:` location (file:line:column) in an error's stack: where a module failed to load. */
export function errorLocation(err: unknown): string | undefined {
  const stack = err instanceof Error ? err.stack : undefined;
  return stack?.match(/file:\/\/[^\s)]+?:\d+(?::\d+)?/)?.[0];
}

export class ConnectorLoader {
  readonly #loaded = new Map<string, ConnectorManifest>();

  constructor(
    readonly registry: ConnectorRegistry,
    readonly cwd: string,
  ) {}

  /** The manifest for SOURCE_TYPE / SINK_TYPE = `name`; throws a CdcError that says what to do. */
  async load<K extends ConnectorKind>(kind: K, name: string): Promise<ManifestOf<K>> {
    const builtin = this.registry.find(kind, name);
    if (builtin) return builtin;
    const cached = this.#loaded.get(`${kind}:${name}`);
    if (cached) return cached as ManifestOf<K>;

    const variable = KIND_VARIABLE[kind];
    let file: string | undefined;
    if (isPathLike(name)) {
      file = name.startsWith('file:') ? fileURLToPath(name) : resolve(this.cwd, name);
      if (!existsSync(file)) {
        throw new CdcError({
          code: 'CONNECTOR_UNKNOWN',
          message: `${variable} '${name}': no file at ${file} (a relative path starts from the working directory ${this.cwd}).`,
          hint: 'Give the path of a module, or of a package directory, that exports a dbmazz connector manifest.',
        });
      }
      if (statSync(file).isDirectory()) {
        const entry = packageDirectoryEntry(file);
        if ('problem' in entry) {
          throw new CdcError({
            code: 'CONNECTOR_INVALID',
            message: `${variable} '${name}': ${entry.problem}.`,
            hint: 'A package directory needs a package.json whose "exports" or "main" names the module that exports the manifest.',
          });
        }
        file = entry.file;
      }
    } else if (PACKAGE_NAME.test(name)) {
      file = resolvePackage(name, this.cwd);
    }
    if (file === undefined && existsSync(resolve(this.cwd, name))) {
      // `sink-jsonl` or `connectors/x` name a package; a path relative to the working directory starts with ./
      throw new CdcError({
        code: 'CONNECTOR_UNKNOWN',
        message: `${variable} '${name}' is not an installed package, but ${resolve(this.cwd, name)} exists.`,
        hint: `To load that path, write ${variable}=./${name}.`,
      });
    }
    if (file === undefined) throw new UnknownConnectorError(kind, name, this.registry.types(kind));

    const origin = `${variable} '${name}' (${file})`;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch (err) {
      const at = errorLocation(err);
      throw new CdcError({
        code: 'CONNECTOR_INVALID',
        message: `${origin}: loading the module failed: ${err instanceof Error ? err.message : String(err)}${at === undefined ? '' : ` (at ${at})`}`,
        hint: 'The error was thrown while importing the connector module (a missing dependency, a syntax error, code that runs at import); its stack is the cause.',
        cause: err,
      });
    }
    const manifest = this.#pick(kind, mod, origin);
    // The same module named another way (./x and /abs/x) yields the same manifest: registered once.
    if (this.registry.find(kind, manifest.type) !== manifest) this.registry.register(manifest, origin);
    this.#loaded.set(`${kind}:${name}`, manifest);
    return manifest as ManifestOf<K>;
  }

  #pick(kind: ConnectorKind, mod: Record<string, unknown>, origin: string): ConnectorManifest {
    const candidates = exportedCandidates(mod).filter(looksLikeManifest);
    if (candidates.length === 0) {
      throw new CdcError({
        code: 'CONNECTOR_INVALID',
        message: `${origin} does not export a dbmazz connector manifest.`,
        hint: 'Export it as the default export or as `manifest` / `connector` (an array of manifests is accepted, one per kind).',
      });
    }
    const ofKind = candidates.filter((c) => c['kind'] === kind);
    if (ofKind.length === 0) {
      const other = candidates.map((c) => `${String(c['kind'])} '${String(c['type'])}'`).join(', ');
      throw new CdcError({
        code: 'CONNECTOR_INVALID',
        message: `${origin} exports no ${kind} connector (it exports ${other}).`,
        hint: `Name it in ${kind === 'source' ? 'SINK_TYPE' : 'SOURCE_TYPE'} instead, or name a package that provides a ${kind}.`,
      });
    }
    if (ofKind.length > 1) {
      throw new CdcError({
        code: 'CONNECTOR_INVALID',
        message: `${origin} exports ${ofKind.length} ${kind} manifests; dbmazz cannot tell which one to use.`,
        hint: 'Export one manifest per kind.',
      });
    }
    return checkManifest(ofKind[0], origin);
  }
}
