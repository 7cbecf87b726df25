import { lstat, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertFeatureCache, foreignPaths, readCacheContents, type EntryContents, type GroupContents } from './cache-contents.js';
import { markCacheRoot } from './cache-marker.js';
import { ENTRY_FILE, type CacheEntryFile } from './feature-cache.js';
import { recordFloats } from './layout.js';
import { ShardStore, type ShardProblem } from './shard-store.js';
import { claimAlive, readWork, type WorkerClaim } from './work-records.js';

export interface CacheGroupSummary {
  name: string;
  records: number;
  /** Shards in use. */
  shards: number;
  bytes: number;
  /** Shards that fail their checks (with `verify`, every record was read). */
  problems: ShardProblem[];
  /** Shards a run found bad and renamed `*.bad`. */
  setAside: string[];
  /** Files left by killed processes: temporaries, data without a manifest. */
  leftovers: string[];
}

export interface CacheEntrySummary {
  key: string;
  dir: string;
  entry: CacheEntryFile | null;
  groups: CacheGroupSummary[];
  /**
   * Workers' claims that no finished record replaced: `alive` `no` is a killed worker's leftover (ignored; rerun
   * its shard), `yes` a worker running on this machine, `unknown` one on another machine, running or killed.
   */
  workers: Array<WorkerClaim & { alive: 'yes' | 'no' | 'unknown' }>;
  /** Shards of item lists recorded as finished. */
  finishedParts: number;
  bytes: number;
}

export interface CacheSummary {
  root: string;
  exists: boolean;
  /** Whether the folder carries the cache marker (see cache-marker.ts); `unknown`: a file by that name radprobe does not vouch for. */
  marker: 'present' | 'absent' | 'unknown';
  entries: CacheEntrySummary[];
  /** Paths radprobe did not write, from the root down: never read as cache, never removed. */
  foreign: string[];
  bytes: number;
}

/** The entries of a cache folder, their sizes and what is wrong in them; with `verify`, after reading every record. */
export async function listCache(root: string, options: { verify?: boolean } = {}): Promise<CacheSummary> {
  const contents = await readCacheContents(root);
  if (options.verify) assertFeatureCache(contents);
  const entries: CacheEntrySummary[] = [];
  for (const entry of contents.entries) {
    const groups = await Promise.all(entry.groups.map((group) => summariseGroup(group, Boolean(options.verify))));
    const work = entry.work ? await readWork(entry.dir) : { done: [], claims: [] };
    const workBytes = entry.work?.files.reduce((sum, file) => sum + file.bytes, 0) ?? 0;
    entries.push({
      key: entry.key,
      dir: entry.dir,
      entry: entry.entry,
      groups,
      workers: work.claims.map((claim) => ({ ...claim, alive: claimAlive(claim) })),
      finishedParts: work.done.length,
      bytes: entry.entryBytes + workBytes + groups.reduce((sum, group) => sum + group.bytes, 0),
    });
  }
  const bytes = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  return { root, exists: contents.exists, marker: contents.marker, entries, foreign: foreignPaths(contents), bytes };
}

async function summariseGroup(group: GroupContents, verify: boolean): Promise<CacheGroupSummary> {
  const store = await ShardStore.open(group.dir, recordFloats(group.group));
  if (verify) await store.verify();
  const manifests = new Set(group.files.filter((file) => file.role === 'manifest').map((file) => file.shard));
  return {
    name: group.name,
    records: store.size,
    shards: store.shardCount,
    bytes: group.files.reduce((sum, file) => sum + file.bytes, 0),
    problems: store.problems,
    setAside: [...new Set(group.files.filter((file) => file.role === 'set-aside').map((file) => file.shard))],
    leftovers: group.files.filter((file) => file.role === 'temporary' || (file.role === 'data' && !manifests.has(file.shard))).map((file) => file.name),
  };
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
  /** Paths radprobe did not write, left in place. */
  kept: string[];
  /** The folder had no marker but held only cache entries (a cache from before markers); the marker was written. */
  adopted: boolean;
}

/**
 * Removes what killed runs left, set-aside shards and shards that fail their checks (every record is read), and
 * whole entries when asked. It deletes only files it can prove it wrote, in a folder it can prove is a cache (see
 * `assertFeatureCache`), never following a link; anything else stays and is reported. Safe while no other run
 * writes to the same cache.
 */
export async function pruneCache(root: string, options: PruneOptions = {}): Promise<PruneReport> {
  const contents = await readCacheContents(root);
  const report: PruneReport = { removedEntries: [], removedFiles: [], freedBytes: 0, kept: foreignPaths(contents), adopted: false };
  if (!contents.exists) return report;
  assertFeatureCache(contents);
  if (contents.marker === 'absent' && contents.entries.length > 0) {
    await markCacheRoot(root);
    report.adopted = true;
  }
  const remove = async (path: string) => {
    report.freedBytes += await removeFile(path);
    report.removedFiles.push(path);
  };
  for (const path of contents.leftovers) await remove(path);
  const cutoff = options.olderThanDays === undefined ? null : Date.now() - options.olderThanDays * 86_400_000;
  for (const entry of contents.entries) {
    const lastUsed = entry.entry ? Date.parse(entry.entry.lastUsedAt) : 0;
    if (options.all || (cutoff !== null && lastUsed < cutoff) || !entry.entry) {
      report.freedBytes += await removeEntry(entry);
      report.removedEntries.push(entry.key);
      continue;
    }
    for (const path of entry.leftovers) await remove(path);
    // Claims of workers known to be gone (on this machine), and temporaries of records, are what killed workers left.
    const gone = new Set((await readWork(entry.dir)).claims.filter((claim) => claimAlive(claim) === 'no').map((claim) => claim.file));
    for (const file of entry.work?.files ?? []) {
      const path = join(entry.work!.dir, file.name);
      if (file.kind === 'temporary' || gone.has(path)) await remove(path);
    }
    for (const group of entry.groups) {
      const summary = await summariseGroup(group, true);
      const bad = new Set([...summary.problems.map((problem) => problem.shard), ...summary.setAside]);
      for (const file of group.files) {
        if (bad.has(file.shard) || summary.leftovers.includes(file.name)) await remove(join(group.dir, file.name));
      }
    }
  }
  return report;
}

/** Deletes a file radprobe wrote (a link is removed, never followed); returns the bytes freed. */
async function removeFile(path: string): Promise<number> {
  const bytes = await lstat(path).then((file) => file.size, () => 0);
  await rm(path, { force: true });
  return bytes;
}

/** Deletes an entry's files (the ones radprobe wrote), then its folders where nothing else is left; returns the bytes freed. */
async function removeEntry(entry: EntryContents): Promise<number> {
  let freed = 0;
  for (const group of entry.groups) {
    for (const file of group.files) freed += await removeFile(join(group.dir, file.name));
    await removeIfEmpty(group.dir);
  }
  if (entry.work) {
    for (const file of entry.work.files) freed += await removeFile(join(entry.work.dir, file.name));
    await removeIfEmpty(entry.work.dir);
  }
  for (const path of entry.leftovers) freed += await removeFile(path);
  if (entry.entry) freed += await removeFile(join(entry.dir, ENTRY_FILE));
  await removeIfEmpty(entry.dir);
  return freed;
}

async function removeIfEmpty(dir: string): Promise<void> {
  await rmdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
}
