import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'jsonc-parser';
import { nodeModulesChain, readPlugin, type InstalledPlugin } from './manifest-scan.js';

/**
 * The plugins a config names in its `plugins` list, read from their manifests. `unknown` counts those that are
 * module files (no package.json) or cannot be found: what they contribute cannot be known without importing
 * them, so the caller must not claim a kind is missing.
 */
export async function configPlugins(configPath: string, configText: string): Promise<{ plugins: InstalledPlugin[]; unknown: number }> {
  const config = parse(configText, [], { allowTrailingComma: true }) as { plugins?: unknown } | undefined;
  const listed = Array.isArray(config?.plugins) ? config.plugins.filter((item): item is string => typeof item === 'string') : [];
  const baseDir = dirname(configPath);
  const plugins: InstalledPlugin[] = [];
  let unknown = 0;
  for (const specifier of listed) {
    const candidates = specifier.startsWith('.') || isAbsolute(specifier)
      ? [resolve(baseDir, specifier)]
      : nodeModulesChain(baseDir).map((modules) => join(modules, ...specifier.split('/')));
    const dir = candidates.find((candidate) => existsSync(join(candidate, 'package.json')));
    const plugin = dir ? await readPlugin(dir) : null;
    if (plugin) plugins.push(plugin);
    else unknown += 1;
  }
  return { plugins, unknown };
}
