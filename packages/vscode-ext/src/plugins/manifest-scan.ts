import type { Dirent } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { PluginManifest } from '@radprobe/core';

/** An installed package whose package.json has a `radprobe` field. */
export interface InstalledPlugin {
  name: string;
  version: string;
  /** package.json's `description`, '' when it has none. */
  description: string;
  dir: string;
  protocols: string[];
  backbones: string[];
  datasets: string[];
}

/**
 * The plugins installed for a workspace, read from their package.json manifests only. The extension does this
 * itself rather than asking `radprobe list --json`, because listing must work in an untrusted workspace, where
 * nothing may run and no plugin code may load (the CLI imports every plugin), and because it is cheap enough to
 * repeat on every node_modules change. Node's resolution order is followed: `node_modules` of each folder from
 * `fromDir` up, nearest first, and a package name found twice counts once (the nearest, as an import would).
 * `extraDirs` are searched last: the CLI's own install, which holds its built-in plugins.
 */
export async function scanInstalledPlugins(fromDir: string, extraDirs: readonly string[] = []): Promise<InstalledPlugin[]> {
  const seen = new Set<string>();
  const found: InstalledPlugin[] = [];
  for (const modulesDir of [...nodeModulesChain(fromDir), ...extraDirs.flatMap(nodeModulesChain)]) {
    for (const { name, dir } of await packageDirs(modulesDir)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const plugin = await readPlugin(dir);
      if (plugin) found.push(plugin);
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** `node_modules` folders Node searches from `fromDir`, nearest first. */
export function nodeModulesChain(fromDir: string): string[] {
  const chain: string[] = [];
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    if (basename(dir) !== 'node_modules') chain.push(join(dir, 'node_modules'));
    if (dirname(dir) === dir) return chain;
  }
}

const stringList = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/** The plugin a package folder holds, or null when its package.json is missing, unreadable or has no `radprobe` field. */
export async function readPlugin(dir: string): Promise<InstalledPlugin | null> {
  let manifest: { name?: unknown; version?: unknown; description?: unknown; radprobe?: PluginManifest };
  try {
    manifest = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  } catch {
    return null;
  }
  const contributions = manifest.radprobe;
  if (!contributions || typeof contributions !== 'object' || typeof manifest.name !== 'string') return null;
  return {
    name: manifest.name,
    version: typeof manifest.version === 'string' ? manifest.version : '',
    description: typeof manifest.description === 'string' ? manifest.description : '',
    dir,
    protocols: stringList(contributions.protocols),
    backbones: stringList(contributions.backbones),
    datasets: stringList(contributions.datasets),
  };
}

async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

const isFolderLike = (entry: Dirent) => entry.isDirectory() || entry.isSymbolicLink();

async function packageDirs(modulesDir: string): Promise<Array<{ name: string; dir: string }>> {
  const dirs: Array<{ name: string; dir: string }> = [];
  for (const entry of await entriesOf(modulesDir)) {
    if (!isFolderLike(entry) || entry.name.startsWith('.')) continue;
    if (!entry.name.startsWith('@')) {
      dirs.push({ name: entry.name, dir: join(modulesDir, entry.name) });
      continue;
    }
    for (const scoped of await entriesOf(join(modulesDir, entry.name))) {
      if (isFolderLike(scoped)) dirs.push({ name: `${entry.name}/${scoped.name}`, dir: join(modulesDir, entry.name, scoped.name) });
    }
  }
  return dirs;
}
