import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isAtomicTemporary } from '../util/atomic.js';
import { ENTRY_FILE, type CacheEntryFile } from './feature-cache.js';
import { ShardStore, type ShardProblem } from './shard-store.js';

export interface CacheGroupSummary {
  name: string;
  records: number;
  bytes: number;
  problems: ShardProblem[];
  /** Files left by killed processes (temporaries, data without a manifest). */
  leftovers: string[];
}

export interface CacheEntrySummary {
  key: string;
  dir: string;
  entry: CacheEntryFile | null;
  groups: CacheGroupSummary[];
  bytes: number;
}

/** Every entry of a cache folder, with its size and anything wrong in it. */
export async function listCache(root: string): Promise<CacheEntrySummary[]> {
  const names = await readdir(root).catch(() => [] as string[]);
  const entries: CacheEntrySummary[] = [];
  for (const key of names.sort()) {
    const dir = join(root, key);
    if (!(await stat(dir)).isDirectory()) continue;
    const entry = await readFile(join(dir, ENTRY_FILE), 'utf8').then((text) => JSON.parse(text) as CacheEntryFile, () => null);
    const groups: CacheGroupSummary[] = [];
    for (const name of (await readdir(dir)).sort()) {
      const groupDir = join(dir, name);
      if (!(await stat(groupDir)).isDirectory()) continue;
      groups.push(await summariseGroup(groupDir, name));
    }
    entries.push({ key, dir, entry, groups, bytes: groups.reduce((sum, group) => sum + group.bytes, 0) });
  }
  return entries;
}

async function summariseGroup(dir: string, name: string): Promise<CacheGroupSummary> {
  const files = await readdir(dir);
  let bytes = 0;
  for (const file of files) bytes += (await stat(join(dir, file))).size;
  const recordFloats = await firstRecordFloats(dir, files);
  const store = recordFloats ? await ShardStore.open(dir, recordFloats) : null;
  const manifests = new Set(files.filter((file) => file.endsWith('.json')).map((file) => file.slice(0, -5)));
  const leftovers = files.filter((file) => isAtomicTemporary(file) || (file.endsWith('.f32') && !manifests.has(file.slice(0, -4))));
  return { name, records: store?.size ?? 0, bytes, problems: store?.problems ?? [], leftovers };
}

async function firstRecordFloats(dir: string, files: string[]): Promise<number | null> {
  for (const file of files.filter((name) => name.endsWith('.json')).sort()) {
    const manifest = await readFile(join(dir, file), 'utf8').then((text) => JSON.parse(text) as { recordFloats?: number }, () => null);
    if (manifest?.recordFloats) return manifest.recordFloats;
  }
  return null;
}

export interface PruneOptions {
  /** Remove whole entries not used for this many days. */
  olderThanDays?: number;
  /** Remove every entry. */
  all?: boolean;
}

export interface PruneReport {
  removedEntries: string[];
  removedFiles: string[];
  freedBytes: number;
}

/**
 * Removes what a killed run left behind and broken shards (always), and whole entries when asked. Safe while no
 * other run writes to the same cache.
 */
export async function pruneCache(root: string, options: PruneOptions = {}): Promise<PruneReport> {
  const report: PruneReport = { removedEntries: [], removedFiles: [], freedBytes: 0 };
  const cutoff = options.olderThanDays === undefined ? null : Date.now() - options.olderThanDays * 86_400_000;
  for (const summary of await listCache(root)) {
    const lastUsed = summary.entry ? Date.parse(summary.entry.lastUsedAt) : 0;
    if (options.all || (cutoff !== null && lastUsed < cutoff) || !summary.entry) {
      await rm(summary.dir, { recursive: true, force: true });
      report.removedEntries.push(summary.key);
      report.freedBytes += summary.bytes;
      continue;
    }
    for (const group of summary.groups) {
      const broken = group.problems.flatMap((problem) => [`${problem.shard}.json`, `${problem.shard}.f32`]);
      for (const file of [...group.leftovers, ...broken]) {
        const path = join(summary.dir, group.name, file);
        const size = await stat(path).then((s) => s.size, () => -1);
        if (size < 0) continue;
        await rm(path, { force: true });
        report.removedFiles.push(path);
        report.freedBytes += size;
      }
    }
  }
  return report;
}
