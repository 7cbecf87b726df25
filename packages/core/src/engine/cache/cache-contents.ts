import type { Dirent } from 'node:fs';
import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicTemporaryTarget } from '../util/atomic.js';
import { RadprobeError } from '../util/errors.js';
import { printablePath } from '../util/printable-path.js';
import { CACHE_MARKER, isKnownMarker } from './cache-marker.js';
import { ENTRY_FILE, type CacheEntryFile } from './feature-cache.js';
import { parseGroupDirectoryName, type FeatureGroup } from './layout.js';
import { shardFileOf, type ShardFile } from './shard-store.js';
import { WORK_FOLDER, workFileOf, type WorkFile } from './work-records.js';

export interface GroupContents {
  name: string;
  dir: string;
  group: FeatureGroup;
  files: Array<ShardFile & { name: string; bytes: number }>;
  /** Everything else in the folder (other files, folders, links), by path. */
  foreign: string[];
}

export interface EntryContents {
  key: string;
  dir: string;
  /** Null for a folder holding only temporaries of `entry.json`, left by a run killed as it created the entry. */
  entry: CacheEntryFile | null;
  entryBytes: number;
  groups: GroupContents[];
  /** The `work/` folder of workers' claims and finished-part records (see work-records.ts), when there is one. */
  work: { dir: string; files: Array<WorkFile & { name: string; bytes: number }>; foreign: string[] } | null;
  /** Temporaries of `entry.json`, by path. */
  leftovers: string[];
  foreign: string[];
}

/**
 * What is in a cache folder, sorted into what radprobe provably wrote and what it did not. `present`: the marker
 * is there; `absent`: it is not; `unknown`: a `.radprobe-cache` that is not a marker this radprobe writes (damaged,
 * a link, or from a newer radprobe).
 */
export interface CacheContents {
  root: string;
  exists: boolean;
  marker: 'present' | 'absent' | 'unknown';
  entries: EntryContents[];
  /** Temporaries of the marker, by path. */
  leftovers: string[];
  /** What in the folder itself is not a cache entry, by path. */
  foreign: string[];
}

/**
 * Reads a cache folder (itself possibly a link: the user named it) without following any link inside it: an entry
 * is a folder whose `entry.json` names it, a group a folder named as `groupDirectoryName` names them, a shard file
 * a plain file named as `ShardStore` names them.
 */
export async function readCacheContents(root: string): Promise<CacheContents> {
  const contents: CacheContents = { root, exists: false, marker: 'absent', entries: [], leftovers: [], foreign: [] };
  const top = await stat(root).catch(() => null);
  if (!top) return contents;
  if (!top.isDirectory()) throw new RadprobeError(`${printablePath(root)} is a file, not a feature cache folder`, { file: root });
  contents.exists = true;
  for (const item of await sortedItems(root)) {
    const path = join(root, item.name);
    if (item.name === CACHE_MARKER) contents.marker = (await isMarker(path, item)) ? 'present' : 'unknown';
    else if (item.isFile() && atomicTemporaryTarget(item.name) === CACHE_MARKER) contents.leftovers.push(path);
    else {
      const entry = item.isDirectory() ? await readEntry(path, item.name) : null;
      if (entry) contents.entries.push(entry);
      else contents.foreign.push(path);
    }
  }
  return contents;
}

/** Every path under a cache folder that radprobe did not write, from the root down. */
export function foreignPaths(contents: CacheContents): string[] {
  return [...contents.foreign, ...contents.entries.flatMap((entry) => [...entry.foreign, ...(entry.work?.foreign ?? []), ...entry.groups.flatMap((group) => group.foreign)])];
}

/**
 * Refuses (one line: what was found, what to do) a folder that cannot be proven to be a feature cache: one
 * without the marker, unless everything in it is a cache entry (a cache written before markers existed).
 */
export function assertFeatureCache(contents: CacheContents): void {
  const root = printablePath(contents.root);
  if (contents.marker === 'unknown') {
    throw new RadprobeError(
      `${root}: its ${CACHE_MARKER} is not a marker this radprobe writes (damaged, a link, or from a newer radprobe); nothing was removed or read`,
      { file: join(contents.root, CACHE_MARKER) },
    );
  }
  if (contents.marker === 'present' || contents.foreign.length === 0) return;
  const names = contents.foreign.slice(0, 5).map((path) => printablePath(path.slice(contents.root.length + 1)));
  const more = contents.foreign.length > names.length ? ` and ${contents.foreign.length - names.length} more` : '';
  throw new RadprobeError(
    `${root} is not a radprobe feature cache: it has no ${CACHE_MARKER} marker and holds ${names.join(', ')}${more}, which are not cache entries; ` +
      `nothing was removed (name the folder a config's "cache" points to: radprobe cache ls shows it)`,
    { file: contents.root },
  );
}

async function readEntry(dir: string, key: string): Promise<EntryContents | null> {
  const items = await sortedItems(dir);
  const entryItem = items.find((item) => item.name === ENTRY_FILE && item.isFile());
  const entry = entryItem ? await readFile(join(dir, ENTRY_FILE), 'utf8').then((text) => JSON.parse(text) as CacheEntryFile, () => null) : null;
  const leftovers = items.filter((item) => item.isFile() && atomicTemporaryTarget(item.name) === ENTRY_FILE).map((item) => join(dir, item.name));
  if (entry?.key !== key) {
    return items.length > 0 && leftovers.length === items.length ? { key, dir, entry: null, entryBytes: 0, groups: [], work: null, leftovers, foreign: [] } : null;
  }
  const contents: EntryContents = { key, dir, entry, entryBytes: (await lstat(join(dir, ENTRY_FILE))).size, groups: [], work: null, leftovers, foreign: [] };
  for (const item of items) {
    if (item === entryItem || leftovers.includes(join(dir, item.name))) continue;
    if (item.name === WORK_FOLDER && item.isDirectory()) {
      contents.work = await readWorkFolder(join(dir, item.name));
      continue;
    }
    const group = item.isDirectory() ? parseGroupDirectoryName(item.name) : null;
    if (group) contents.groups.push(await readGroup(join(dir, item.name), item.name, group));
    else contents.foreign.push(join(dir, item.name));
  }
  return contents;
}

async function readGroup(dir: string, name: string, group: FeatureGroup): Promise<GroupContents> {
  const contents: GroupContents = { name, dir, group, files: [], foreign: [] };
  for (const item of await sortedItems(dir)) {
    const file = item.isFile() ? shardFileOf(item.name) : null;
    if (file) contents.files.push({ ...file, name: item.name, bytes: (await lstat(join(dir, item.name))).size });
    else contents.foreign.push(join(dir, item.name));
  }
  return contents;
}

async function readWorkFolder(dir: string): Promise<NonNullable<EntryContents['work']>> {
  const work: NonNullable<EntryContents['work']> = { dir, files: [], foreign: [] };
  for (const item of await sortedItems(dir)) {
    const file = item.isFile() ? workFileOf(item.name) : null;
    if (file) work.files.push({ ...file, name: item.name, bytes: (await lstat(join(dir, item.name))).size });
    else work.foreign.push(join(dir, item.name));
  }
  return work;
}

async function isMarker(path: string, item: Dirent): Promise<boolean> {
  return item.isFile() && isKnownMarker(await readFile(path, 'utf8').catch(() => ''));
}

async function sortedItems(dir: string): Promise<Dirent[]> {
  return (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
