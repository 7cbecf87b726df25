import { isAbsolute, resolve } from 'node:path';
import type { BackboneFactory } from '../../contracts/backbone.js';
import type { DatasetFactory } from '../../contracts/dataset.js';
import type { PluginManifest, RadprobePlugin } from '../../contracts/plugin.js';
import type { Protocol } from '../../contracts/protocol.js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import { checkCoreRange, checkManifest, declaredCoreRange } from './define-plugin.js';
import { findPackageDir, type PluginPackage } from './discover.js';
import { readPackageJson } from './package-json.js';
import { importPlugin, pluginEntryFile } from './plugin-module.js';
import { componentSections, sectionNoun, type ComponentSection } from './sections.js';

/** Where a registered kind comes from. */
export interface RegistrationSource {
  kind: string;
  packageName: string;
  version: string;
  builtin: boolean;
  /** The package's folder (symlinks resolved), or the module file of a plugin named by path; null when not known. */
  location: string | null;
}

export type ProtocolRegistration = RegistrationSource & { protocol: Protocol };
export type BackboneRegistration = RegistrationSource & { factory: BackboneFactory };
export type DatasetRegistration = RegistrationSource & { factory: DatasetFactory };

/** Every kind a run can use, by section, with the package that provides it. */
export interface PluginRegistry {
  protocols: Map<string, ProtocolRegistration>;
  backbones: Map<string, BackboneRegistration>;
  datasets: Map<string, DatasetRegistration>;
  /** Name clashes that were resolved (a built-in kept or lost a kind), naming both packages. */
  warnings: string[];
  /** Discovered plugins that could not be loaded (made for another core, or failed to import): left out, so that the others still serve. */
  failures: PluginFailure[];
}

/** A discovered plugin that failed to load, with what its package.json says it would contribute. */
export interface PluginFailure {
  packageName: string;
  version: string;
  manifest: PluginManifest | null;
  reason: string;
}

/** A plugin that ships with the program running radprobe (the CLI's backbone and dataset plugins). */
export interface BuiltinPlugin {
  packageName: string;
  plugin: RadprobePlugin;
  /** Shown by `radprobe list` and in provenance; defaults to the version of the installed package of that name, if discovered. */
  version?: string;
  /** The package's folder, shown in provenance; defaults to the folder of the installed package of that name, if discovered. */
  location?: string;
}

export interface LoadPluginRegistryOptions {
  /** Plugins the host bundles (the CLI's own): never imported, never overridden except by an explicit plugin. */
  builtins: BuiltinPlugin[];
  /** From `discoverPlugins`. */
  discovered: PluginPackage[];
  /** `config.plugins`: package names, or module paths relative to `baseDir`. */
  explicit: string[];
  baseDir: string;
}

interface PluginSource {
  packageName: string;
  version: string;
  builtin: boolean;
  explicit: boolean;
  location: string | null;
  manifest: PluginManifest | null;
  /** Module to import; `null` for a built-in, whose plugin object is at hand. */
  file: string | null;
  /** Its package.json's `peerDependencies`, where it declares the `@radprobe/core` range it supports; null for a built-in or a module path. */
  peerDependencies: unknown;
  plugin?: RadprobePlugin;
}

/**
 * Imports the discovered and explicitly listed plugins and maps every contributed kind to its provider.
 * Clashes are never silent: two plugins with the same kind are an error; a plugin shadowing a built-in kind is
 * ignored (or, when listed in `config.plugins`, wins) with a warning naming both packages. A discovered plugin that
 * fails to load (its `@radprobe/core` peer range excludes this core, or its import fails) is recorded in `failures` and
 * left out, so one broken package does not stop every command; a plugin the config lists explicitly must load.
 */
export async function loadPluginRegistry(options: LoadPluginRegistryOptions): Promise<PluginRegistry> {
  const sources = await collectSources(options);
  const imported = await Promise.allSettled(
    sources.map(async (source) => {
      // A plugin made for another core is refused before its code runs: importing it could already fail obscurely.
      const coreRange = declaredCoreRange({ peerDependencies: source.peerDependencies }, source.packageName);
      if (coreRange !== null) checkCoreRange(source.packageName, source.version, coreRange);
      const plugin = source.plugin ?? (await importPlugin(source.file!, source.packageName));
      if (source.manifest) checkManifest(source.packageName, source.manifest, plugin);
      return plugin;
    }),
  );
  const registry: PluginRegistry = { protocols: new Map(), backbones: new Map(), datasets: new Map(), warnings: [], failures: [] };
  const loaded: PluginSource[] = [];
  sources.forEach((source, index) => {
    const outcome = imported[index];
    if (outcome.status === 'fulfilled') {
      loaded.push({ ...source, plugin: outcome.value });
      return;
    }
    if (source.explicit || source.builtin) throw outcome.reason;
    registry.failures.push({ packageName: source.packageName, version: source.version, manifest: source.manifest, reason: errorMessage(outcome.reason) });
  });

  const pluginClaims = new Map<string, string>();
  for (const source of loaded) {
    for (const section of componentSections) {
      for (const component of source.plugin![section] ?? []) register(registry, pluginClaims, section, component, source);
    }
  }
  return registry;
}

async function collectSources({ builtins, discovered, explicit, baseDir }: LoadPluginRegistryOptions): Promise<PluginSource[]> {
  const builtinNames = new Set(builtins.map((builtin) => builtin.packageName));
  const explicitNames = new Set(explicit);
  const sources: PluginSource[] = builtins.map((builtin) => {
    const installed = discovered.find((found) => found.name === builtin.packageName);
    return {
      packageName: builtin.packageName,
      version: builtin.version ?? installed?.version ?? 'builtin',
      builtin: true,
      explicit: false,
      location: builtin.location ?? installed?.dir ?? null,
      manifest: null,
      file: null,
      peerDependencies: null,
      plugin: builtin.plugin,
    };
  });
  for (const found of discovered) {
    if (builtinNames.has(found.name)) continue;
    const packageJson = await readPackageJson(found.dir);
    sources.push({
      packageName: found.name,
      version: found.version,
      builtin: false,
      explicit: explicitNames.has(found.name),
      location: found.dir,
      manifest: found.manifest,
      file: pluginEntryFile(found.dir, packageJson ?? {}, found.manifest),
      peerDependencies: packageJson?.peerDependencies ?? null,
    });
  }
  const discoveredNames = new Set(discovered.map((found) => found.name));
  for (const entry of explicit) {
    if (discoveredNames.has(entry) || builtinNames.has(entry)) continue;
    sources.push(await explicitSource(entry, baseDir));
  }
  return sources;
}

/** Whether a `plugins` entry is a module path (relative or absolute) rather than a package name. */
export function isModulePath(entry: string): boolean {
  return entry.startsWith('.') || isAbsolute(entry);
}

async function explicitSource(entry: string, baseDir: string): Promise<PluginSource> {
  if (isModulePath(entry)) {
    const file = resolve(baseDir, entry);
    return { packageName: entry, version: 'local', builtin: false, explicit: true, location: file, manifest: null, file, peerDependencies: null };
  }
  const dir = await findPackageDir(entry, baseDir);
  if (!dir) {
    throw new RadprobeError(
      `plugin ${entry} (listed in "plugins") is not installed: no node_modules/${entry} from ${baseDir} up; install it with npm i ${entry}`,
      { pointer: '/plugins' },
    );
  }
  const packageJson = (await readPackageJson(dir)) ?? {};
  return {
    packageName: entry,
    version: typeof packageJson.version === 'string' ? packageJson.version : '0.0.0',
    builtin: false,
    explicit: true,
    location: dir,
    manifest: null,
    file: pluginEntryFile(dir, packageJson, null),
    peerDependencies: packageJson.peerDependencies ?? null,
  };
}

type Component = Protocol | BackboneFactory | DatasetFactory;

function register(
  registry: PluginRegistry,
  pluginClaims: Map<string, string>,
  section: ComponentSection,
  component: Component,
  source: PluginSource,
): void {
  const { kind } = component;
  const noun = `${sectionNoun(section)} kind '${kind}'`;
  const map = registry[section] as Map<string, RegistrationSource & ({ protocol: Component } | { factory: Component })>;
  if (!source.builtin) {
    const claimKey = `${section}\u0000${kind}`;
    const rival = pluginClaims.get(claimKey);
    if (rival !== undefined) {
      throw new RadprobeError(
        rival === source.packageName
          ? `plugin ${rival} contributes ${noun} twice`
          : `${noun} is contributed by two plugins: ${rival} and ${source.packageName}; uninstall one of them`,
      );
    }
    pluginClaims.set(claimKey, source.packageName);
  }
  const existing = map.get(kind);
  if (existing?.builtin) {
    if (source.builtin) {
      throw new RadprobeError(`${noun} is contributed by two built-in plugins: ${existing.packageName} and ${source.packageName}`);
    }
    if (!source.explicit) {
      registry.warnings.push(
        `${noun} of plugin ${source.packageName} is ignored: the built-in from ${existing.packageName} keeps the name (list ${source.packageName} in "plugins" to use it instead)`,
      );
      return;
    }
    registry.warnings.push(
      `${noun}: plugin ${source.packageName} (listed in "plugins") replaces the built-in from ${existing.packageName}`,
    );
  }
  const registration: RegistrationSource = {
    kind,
    packageName: source.packageName,
    version: source.version,
    builtin: source.builtin,
    location: source.location,
  };
  map.set(kind, section === 'protocols' ? { ...registration, protocol: component } : { ...registration, factory: component });
}
