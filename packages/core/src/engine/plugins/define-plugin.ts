import semver from 'semver';
import type { PluginManifest, RadprobePlugin } from '../../contracts/plugin.js';
import { RadprobeError } from '../util/errors.js';
import { parseManifest } from './package-json.js';
import { componentSections } from './sections.js';

declare const __RADPROBE_CORE_VERSION__: string;

/** The version of this @radprobe/core, set at build time (tests define it too) from its package.json. */
const CORE_VERSION: string = __RADPROBE_CORE_VERSION__;

/**
 * Defines a plugin: what its module default-exports. Checks the plugin's shape at once (every component has a
 * `kind`, an `optionsSchema`, and its functions), so that a malformed plugin fails in its own tests with the message
 * the loader would give, and keeps the exact type of what is passed (`const` generic) for the plugin's own tests.
 */
export function definePlugin<const Plugin extends RadprobePlugin>(plugin: Plugin): Plugin {
  checkPluginShape(plugin, 'definePlugin()');
  return plugin;
}

/** The fields of a plugin's package.json that `checkPluginPackage` reads. */
export interface PluginPackageJson {
  name?: unknown;
  version?: unknown;
  radprobe?: unknown;
  peerDependencies?: unknown;
}

/**
 * What the loader checks when it loads an installed plugin, for a plugin's own tests: the `radprobe` field of its
 * package.json lists exactly the kinds the module exports, and its `@radprobe/core` peer range is declared and
 * includes this core. Throws a `RadprobeError` naming the package and each difference.
 *
 *     import packageJson from '../package.json' with { type: 'json' };
 *     import plugin from '../src/index.js';
 *     it('matches its manifest', () => checkPluginPackage(packageJson, plugin));
 */
export function checkPluginPackage(packageJson: PluginPackageJson, plugin: RadprobePlugin): void {
  const name = typeof packageJson.name === 'string' ? packageJson.name : 'package.json';
  const version = typeof packageJson.version === 'string' ? packageJson.version : '0.0.0';
  checkPluginShape(plugin, name);
  if (packageJson.radprobe === undefined) throw new RadprobeError(`plugin ${name}: package.json has no "radprobe" field listing what it contributes`);
  checkManifest(name, parseManifest(packageJson.radprobe, `${name}/package.json`), plugin);
  const range = declaredCoreRange(packageJson, name);
  if (range === null) throw new RadprobeError(`plugin ${name}: package.json declares no "@radprobe/core" range in "peerDependencies" (e.g. "^${CORE_VERSION}")`);
  checkCoreRange(name, version, range);
}

/** A plugin's `peerDependencies["@radprobe/core"]`, or null when it declares none. */
export function declaredCoreRange(packageJson: PluginPackageJson, packageName: string): string | null {
  const peers = packageJson.peerDependencies;
  if (peers === undefined || peers === null) return null;
  const range = typeof peers === 'object' && !Array.isArray(peers) ? (peers as Record<string, unknown>)['@radprobe/core'] : undefined;
  if (range === undefined) return null;
  if (typeof range !== 'string' || semver.validRange(range) === null) {
    throw new RadprobeError(`plugin ${packageName}: "peerDependencies" → "@radprobe/core" must be a semver range, not ${JSON.stringify(range)}`);
  }
  return range;
}

/** Refuses a plugin made for another core, in one line naming the plugin, its range and this core's version. */
export function checkCoreRange(packageName: string, version: string, range: string): void {
  if (semver.satisfies(CORE_VERSION, range, { includePrerelease: true })) return;
  throw new RadprobeError(
    `plugin ${packageName}@${version} supports @radprobe/core ${range}, but this is @radprobe/core ${CORE_VERSION}: install a version of ${packageName} made for core ${CORE_VERSION}`,
  );
}

/** Checks that a module's default export has the shape of a `RadprobePlugin`. */
export function checkPluginShape(value: unknown, packageName: string): RadprobePlugin {
  const fail = (what: string) => new RadprobeError(`plugin ${packageName}: ${what}`);
  if (!value || typeof value !== 'object') {
    throw fail('the module must default-export a plugin object ({ protocols?, backbones?, datasets? })');
  }
  const plugin = value as Record<string, unknown>;
  for (const section of ['protocols', 'backbones', 'datasets'] as const) {
    const list = plugin[section];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw fail(`"${section}" must be an array`);
    list.forEach((component: unknown, index) => {
      const where = `${section}[${index}]`;
      if (!component || typeof component !== 'object') throw fail(`${where} must be an object`);
      const entry = component as Record<string, unknown>;
      if (typeof entry.kind !== 'string' || entry.kind === '') throw fail(`${where} has no "kind" string`);
      const named = `${where} ('${entry.kind}')`;
      if (!entry.optionsSchema || typeof entry.optionsSchema !== 'object' || Array.isArray(entry.optionsSchema)) {
        throw fail(`${named} has no "optionsSchema" object`);
      }
      const functions = section === 'protocols' ? ['featureNeeds', 'run'] : ['create'];
      for (const name of functions) {
        if (typeof entry[name] !== 'function') throw fail(`${named} has no ${name}() function`);
      }
      if (section === 'protocols') {
        if (typeof entry.title !== 'string') throw fail(`${named} has no "title" string`);
        if (!Array.isArray(entry.tasks)) throw fail(`${named} has no "tasks" array`);
      }
    });
  }
  return value as RadprobePlugin;
}

/** The kinds a plugin's manifest declares against those its module exports: any difference is an error. */
export function checkManifest(packageName: string, manifest: PluginManifest, plugin: RadprobePlugin): void {
  const differences: string[] = [];
  for (const section of componentSections) {
    const declared = new Set(manifest[section] ?? []);
    const contributed = new Set((plugin[section] ?? []).map((component) => component.kind));
    const undelivered = [...declared].filter((kind) => !contributed.has(kind));
    const undeclared = [...contributed].filter((kind) => !declared.has(kind));
    if (undelivered.length) differences.push(`${section} ${undelivered.join(', ')} declared but not exported`);
    if (undeclared.length) differences.push(`${section} ${undeclared.join(', ')} exported but not declared`);
  }
  if (differences.length) {
    throw new RadprobeError(
      `plugin ${packageName}: its module does not match the "radprobe" field of its package.json: ${differences.join('; ')}`,
    );
  }
}
