import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PluginManifest, RadprobePlugin } from '../../contracts/plugin.js';
import { RadprobeError, errorMessage } from '../util/errors.js';
import { checkPluginShape } from './define-plugin.js';
import type { PackageJson } from './package-json.js';

/** Conditions a plugin is imported under, as Node's ESM loader would match them. */
const importConditions = new Set(['import', 'node', 'default']);

/**
 * The module file a plugin package asks to be imported: `radprobe.entry`, else its main export (`exports["."]`
 * under the import conditions), else `main`, else `index.js`.
 */
export function pluginEntryFile(dir: string, packageJson: PackageJson, manifest: PluginManifest | null): string {
  if (manifest?.entry) return join(dir, manifest.entry);
  const exported = mainExport(packageJson.exports);
  if (exported) return join(dir, exported);
  return join(dir, typeof packageJson.main === 'string' ? packageJson.main : 'index.js');
}

function mainExport(exports: unknown): string | null {
  if (typeof exports === 'string' || Array.isArray(exports)) return matchConditions(exports);
  if (!exports || typeof exports !== 'object') return null;
  const map = exports as Record<string, unknown>;
  const isSubpathMap = Object.keys(map).some((key) => key.startsWith('.'));
  return matchConditions(isSubpathMap ? map['.'] : map);
}

function matchConditions(target: unknown): string | null {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const candidate of target) {
      const match = matchConditions(candidate);
      if (match) return match;
    }
    return null;
  }
  if (!target || typeof target !== 'object') return null;
  // Node takes the first key, in the object's own order, whose condition it matches.
  for (const [condition, value] of Object.entries(target)) {
    if (!importConditions.has(condition)) continue;
    const match = matchConditions(value);
    if (match) return match;
  }
  return null;
}

/** Imports a plugin module and checks that its default export has the shape of a `RadprobePlugin`. */
export async function importPlugin(file: string, packageName: string): Promise<RadprobePlugin> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(file).href)) as { default?: unknown };
  } catch (error) {
    throw new RadprobeError(`plugin ${packageName}: cannot import ${file}: ${errorMessage(error)}`, { file, cause: error });
  }
  return checkPluginShape(module.default, packageName);
}
