import type { Dirent } from 'node:fs';
import { readFile, readdir, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { PluginManifest } from '../../contracts/plugin.js';
import { parseManifest, parsePackageJson } from './package-json.js';

/** An installed package whose package.json declares what it contributes to radprobe. */
export interface PluginPackage {
  name: string;
  version: string;
  /** The package's folder, symlinks resolved. */
  dir: string;
  manifest: PluginManifest;
}

/**
 * Finds installed radprobe plugins the way Node would resolve them from `fromDir`: every `node_modules` folder
 * from `fromDir` up to the root, scoped packages and symlinked workspace packages included. Only package.json
 * files are read (no plugin code runs). A package name found in several folders counts once: the nearest wins,
 * as it would for an import.
 */
export async function discoverPlugins(fromDir: string): Promise<PluginPackage[]> {
  const seen = new Set<string>();
  const found: PluginPackage[] = [];
  for (const modulesDir of nodeModulesChain(fromDir)) {
    const packageDirs = await listPackageDirs(modulesDir);
    const fresh = packageDirs.filter(({ name }) => !seen.has(name));
    for (const { name } of fresh) seen.add(name);
    const plugins = await Promise.all(fresh.map(({ dir }) => readPluginPackage(dir)));
    for (const plugin of plugins) if (plugin) found.push(plugin);
  }
  return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `node_modules` folders Node searches from `fromDir`, nearest first. */
export function nodeModulesChain(fromDir: string): string[] {
  const chain: string[] = [];
  let dir = resolve(fromDir);
  for (;;) {
    // Node never looks for node_modules/node_modules.
    if (basename(dir) !== 'node_modules') chain.push(join(dir, 'node_modules'));
    const parent = dirname(dir);
    if (parent === dir) return chain;
    dir = parent;
  }
}

/** The folder of an installed package as seen from `fromDir`, or `null` when it is not installed there. */
export async function findPackageDir(name: string, fromDir: string): Promise<string | null> {
  for (const modulesDir of nodeModulesChain(fromDir)) {
    const dir = join(modulesDir, ...name.split('/'));
    try {
      await readFile(join(dir, 'package.json'));
      return await realpath(dir);
    } catch {
      continue;
    }
  }
  return null;
}

async function listPackageDirs(modulesDir: string): Promise<Array<{ name: string; dir: string }>> {
  const entries = await readdirOrEmpty(modulesDir);
  const scopes = entries.filter((entry) => entry.name.startsWith('@') && isFolderLike(entry));
  const scoped = await Promise.all(
    scopes.map(async (scope) =>
      (await readdirOrEmpty(join(modulesDir, scope.name)))
        .filter(isFolderLike)
        .map((entry) => ({ name: `${scope.name}/${entry.name}`, dir: join(modulesDir, scope.name, entry.name) })),
    ),
  );
  const unscoped = entries
    .filter((entry) => !entry.name.startsWith('@') && !entry.name.startsWith('.') && isFolderLike(entry))
    .map((entry) => ({ name: entry.name, dir: join(modulesDir, entry.name) }));
  return [...unscoped, ...scoped.flat()];
}

async function readdirOrEmpty(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFolderLike(entry: Dirent): boolean {
  return entry.isDirectory() || entry.isSymbolicLink();
}

async function readPluginPackage(dir: string): Promise<PluginPackage | null> {
  const path = join(dir, 'package.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return null;
  }
  // Most packages never mention radprobe: skipping their JSON.parse keeps discovery fast on a real node_modules.
  if (!text.includes('"radprobe"')) return null;
  const packageJson = parsePackageJson(text, path);
  if (packageJson.radprobe === undefined || typeof packageJson.name !== 'string') return null;
  return {
    name: packageJson.name,
    version: typeof packageJson.version === 'string' ? packageJson.version : '0.0.0',
    dir: await realpath(dir),
    manifest: parseManifest(packageJson.radprobe, path),
  };
}
