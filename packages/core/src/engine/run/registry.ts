import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parse } from 'jsonc-parser';
import { discoverPlugins } from '../plugins/discover.js';
import { loadPluginRegistry, type BuiltinPlugin, type PluginRegistry } from '../plugins/registry.js';
import type { PluginPackage } from '../plugins/discover.js';
import { substituteEnvVariables } from '../config/env-variables.js';
import { excessiveNesting } from '../config/json-source.js';
import { RadprobeError } from '../util/errors.js';

export interface RegistryOptions {
  /** Where relative plugin paths resolve and where the search for installed plugins starts. */
  baseDir: string;
  /** Plugin packages or module paths named by the config. */
  explicit: string[];
  builtins: BuiltinPlugin[];
  /** Other folders to search for installed plugins (the CLI's own install location). */
  searchDirs?: string[];
}

/**
 * The plugins a run can use: the caller's built-ins, every plugin installed where the config lives (or where the
 * CLI is installed), and the config's own `plugins` list. A package found in several places counts once.
 */
export async function loadRegistry(options: RegistryOptions): Promise<PluginRegistry> {
  const builtinNames = new Set(options.builtins.map((builtin) => builtin.packageName));
  const found = new Map<string, PluginPackage>();
  for (const dir of [options.baseDir, ...(options.searchDirs ?? [])]) {
    for (const pkg of await discoverPlugins(dir)) {
      if (!builtinNames.has(pkg.name) && !found.has(pkg.name)) found.set(pkg.name, pkg);
    }
  }
  return loadPluginRegistry({ builtins: options.builtins, discovered: [...found.values()], explicit: options.explicit, baseDir: options.baseDir });
}

/** `loadRegistry` for a config file: its `plugins` list is read before validation, which needs the plugins' schemas. */
export async function loadRegistryForConfig(configPath: string, builtins: BuiltinPlugin[], searchDirs: string[] = []): Promise<PluginRegistry> {
  const path = resolve(configPath);
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new RadprobeError(`${path}: cannot read the config (${error.code === 'ENOENT' ? 'no such file' : error.message})`, { file: path });
  });
  // Unresolved variables are left in place here, and a config nested too deep to parse is not read: validating the
  // config reports both with their line.
  const raw = (excessiveNesting(text) ? undefined : substituteEnvVariables(parse(text), process.env).value) as { plugins?: unknown } | undefined;
  const explicit = Array.isArray(raw?.plugins) ? raw.plugins.filter((entry): entry is string => typeof entry === 'string') : [];
  return loadRegistry({ baseDir: dirname(path), explicit, builtins, searchDirs });
}
