import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { printablePath } from '@radprobe/core';
import {
  CACHE_MARKER,
  cacheOfConfig,
  cacheStatus,
  formatIndexRanges,
  defaultCacheFolder,
  listCache,
  pruneCache,
  type CacheLocation,
  type CacheSummary,
} from '@radprobe/core/engine';
import { builtinPlugins, cliSearchDirs } from '../builtins.js';
import { DEMO_DIR, STUDY_DEMO_DIR } from './demo.js';

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

const counted = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const write = (line: string) => process.stdout.write(`${line}\n`);

/** Some paths, escaped for the terminal; a long list is cut after ten. */
function pathList(paths: string[]): string {
  const shown = paths.slice(0, 10).map(printablePath).join(', ');
  return paths.length > 10 ? `${shown} and ${paths.length - 10} more` : shown;
}

/** `cache <path> (why this one)`: the first line of every `radprobe cache` command. */
function writeLocation(location: CacheLocation): void {
  const why =
    location.source === '--cache' ? 'from --cache'
    : location.source === 'config' ? `the "cache" of ${printablePath(location.config!)}`
    : 'the default: no radprobe.json here, no --cache';
  write(`cache ${printablePath(location.path)} (${why})`);
}

/** What is unusual about the folder as a whole, one line each. */
function writeFolderState(summary: CacheSummary): void {
  if (!summary.exists) write('  does not exist yet');
  else if (summary.marker === 'absent' && summary.entries.length + summary.foreign.length > 0) {
    write(`  no ${CACHE_MARKER} marker: verify and prune accept this folder only if it holds nothing but cache entries`);
  } else if (summary.marker === 'unknown') write(`  its ${CACHE_MARKER} is not a marker this radprobe writes: verify and prune refuse this folder`);
  else if (summary.entries.length === 0) write('  empty');
  if (summary.foreign.length > 0) write(`  ${counted(summary.foreign.length, 'item')} radprobe did not write (left alone): ${pathList(summary.foreign)}`);
}

/** The feature caches the configs in and below `cwd` that radprobe knows of (the demos') use, other than `current`. */
async function otherCaches(current: string, cwd: string): Promise<Array<CacheLocation & { bytes: number; entries: number }>> {
  const studyConfigs = await readdir(join(cwd, STUDY_DEMO_DIR)).catch(() => [] as string[]);
  const configs = [join(cwd, 'radprobe.json'), join(cwd, DEMO_DIR, 'radprobe.json'), ...studyConfigs.filter((name) => /^study-.+\.json$/.test(name)).sort().map((name) => join(cwd, STUDY_DEMO_DIR, name))];
  const candidates: CacheLocation[] = [];
  for (const config of configs) {
    const path = await cacheOfConfig(config, process.env).catch(() => null);
    if (path) candidates.push({ path, source: 'config', config });
  }
  candidates.push({ path: resolve(cwd, defaultCacheFolder), source: 'default' });
  const seen = new Set([current]);
  const others: Array<CacheLocation & { bytes: number; entries: number }> = [];
  for (const candidate of candidates) {
    if (seen.has(candidate.path)) continue;
    seen.add(candidate.path);
    const summary = await listCache(candidate.path).catch(() => null);
    if (summary?.exists) others.push({ ...candidate, bytes: summary.bytes, entries: summary.entries.length });
  }
  return others;
}

/**
 * `radprobe cache ls`: which cache (and why that one), its entries (backbone × preprocessing), their feature
 * groups, sizes and what there is to prune; then the other caches radprobe knows of here.
 */
export async function cacheListCommand(options: { location: CacheLocation; json: boolean }): Promise<number> {
  const { location } = options;
  const summary = await listCache(location.path);
  const others = await otherCaches(location.path, process.cwd());
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ cache: { ...location, ...summary }, others }, null, 2)}\n`);
    return 0;
  }
  writeLocation(location);
  writeFolderState(summary);
  for (const entry of summary.entries) {
    const what = entry.entry ? `${printablePath(entry.entry.backboneDescription)}, last used ${entry.entry.lastUsedAt}` : 'unfinished (left by a killed run)';
    write(`${printablePath(entry.key)}  ${formatBytes(entry.bytes)}  ${what}`);
    for (const group of entry.groups) {
      const toPrune = [
        group.problems.length ? counted(group.problems.length, 'bad shard') : '',
        group.setAside.length ? counted(group.setAside.length, 'set-aside shard') : '',
        group.leftovers.length ? counted(group.leftovers.length, 'leftover file') : '',
      ].filter(Boolean);
      write(`  ${group.name}: ${group.records} records, ${formatBytes(group.bytes)}${toPrune.length ? `, to prune: ${toPrune.join(', ')}` : ''}`);
    }
    if (entry.finishedParts > 0) write(`  ${counted(entry.finishedParts, 'finished shard record')} (radprobe cache status CONFIG shows coverage)`);
    for (const worker of entry.workers) {
      const state =
        worker.alive === 'no' ? 'killed: its process is gone; its shard is incomplete (rerun it), radprobe cache prune deletes the claim'
        : worker.alive === 'yes' ? 'running'
        : 'running, or killed (on another machine)';
      write(`  worker ${printablePath(worker.host)} pid ${worker.pid} on shard ${worker.part.index}/${worker.part.count} of ${printablePath(worker.dataset)} since ${worker.startedAt}: ${state}`);
    }
  }
  if (others.length > 0) {
    write('other caches:');
    for (const other of others) {
      const why = other.config ? `the "cache" of ${printablePath(other.config)}` : 'the default folder here';
      write(`  ${printablePath(other.path)}  ${formatBytes(other.bytes)}, ${counted(other.entries, 'entry', 'entries')}  (${why})`);
    }
  }
  return 0;
}

/** `radprobe cache verify`: reads every record of every shard against its checksum; exit 1 when a shard is bad. */
export async function cacheVerifyCommand(options: { location: CacheLocation; json: boolean }): Promise<number> {
  const { location } = options;
  const summary = await listCache(location.path, { verify: true });
  const groups = summary.entries.flatMap((entry) => entry.groups);
  const bad = groups.reduce((sum, group) => sum + group.problems.length, 0);
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ ...location, ...summary, bad }, null, 2)}\n`);
    return bad > 0 ? 1 : 0;
  }
  writeLocation(location);
  writeFolderState(summary);
  for (const entry of summary.entries) {
    write(`${printablePath(entry.key)}  ${entry.entry ? printablePath(entry.entry.backboneDescription) : 'unfinished (left by a killed run)'}`);
    for (const group of entry.groups) {
      const state = group.problems.length ? `${group.problems.length} bad:` : 'ok';
      write(`  ${group.name}: ${group.records} records in ${counted(group.shards, 'shard')}, ${state}`);
      for (const problem of group.problems) write(`    ${printablePath(problem.shard)}: ${printablePath(problem.reason)}`);
    }
  }
  const entries = counted(summary.entries.length, 'entry', 'entries');
  const setAside = groups.reduce((sum, group) => sum + group.setAside.length, 0);
  const leftovers = groups.reduce((sum, group) => sum + group.leftovers.length, 0);
  if (bad > 0) {
    const withBad = summary.entries.filter((entry) => entry.groups.some((group) => group.problems.length > 0)).length;
    const [them, their] = bad === 1 ? ['it', 'its'] : ['them', 'their'];
    write(`${counted(bad, 'bad shard')} in ${counted(withBad, 'entry', 'entries')}; a run sets ${them} aside and embeds ${their} items again, radprobe cache prune deletes ${them}`);
    return 1;
  }
  const records = groups.reduce((sum, group) => sum + group.records, 0);
  const notes = [
    setAside ? `${counted(setAside, 'shard')} set aside by a run: radprobe cache prune deletes ${setAside === 1 ? 'it' : 'them'}` : '',
    leftovers ? `${counted(leftovers, 'leftover file')} of killed runs: radprobe cache prune deletes ${leftovers === 1 ? 'it' : 'them'}` : '',
  ].filter(Boolean);
  write(`no bad shard in ${entries} (${records} records)${notes.map((note) => `; ${note}`).join('')}`);
  return 0;
}

/** `radprobe cache prune`: removes leftovers of killed runs and bad shards, and old or all entries when asked. */
export async function cachePruneCommand(options: { location: CacheLocation; all: boolean; olderThanDays?: number }): Promise<number> {
  const { location } = options;
  const report = await pruneCache(location.path, { all: options.all, olderThanDays: options.olderThanDays });
  writeLocation(location);
  if (report.adopted) write(`  had no ${CACHE_MARKER} marker but holds only cache entries (a cache from before markers): marker written`);
  write(`removed ${counted(report.removedEntries.length, 'entry', 'entries')} and ${report.removedFiles.length} file(s), freed ${formatBytes(report.freedBytes)}`);
  if (report.kept.length > 0) write(`kept ${report.kept.length} item(s) radprobe did not write: ${pathList(report.kept)}`);
  return 0;
}

/**
 * `radprobe cache status CONFIG`: per backbone × dataset of the config, the items cached of all, the shards of an
 * N-way split complete and missing, and the claims workers left (running, or killed). Reads listings, records and
 * shard manifests only; writes nothing.
 */
export async function cacheStatusCommand(options: { config: string; shards?: number; json: boolean }): Promise<number> {
  const status = await cacheStatus({
    configPath: options.config,
    builtins: builtinPlugins,
    searchDirs: cliSearchDirs,
    shards: options.shards,
    reporter: (event) => {
      if (event.type === 'log' && event.level !== 'info') process.stderr.write(`${event.level}: ${event.message}\n`);
    },
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    return 0;
  }
  write(`cache ${printablePath(status.cache)} (the "cache" of ${printablePath(options.config)})`);
  for (const pair of status.pairs) {
    const { count, complete, missing } = pair.shards;
    const shards = missing.length === 0 ? `all ${count} shards complete` : `shards of ${count}: ${complete.length} complete, missing ${formatIndexRanges(missing)}`;
    write(`${printablePath(pair.backbone)} × ${printablePath(pair.dataset)}: ${pair.cached} / ${pair.items} items cached; ${shards}`);
    if (pair.staleRecords > 0) write(`  ${counted(pair.staleRecords, 'record')} of shards of an earlier version of the item list (items added, removed or changed): their items are checked again by the next worker`);
    for (const worker of pair.workers) {
      const state = worker.alive === 'no' ? 'killed (its process is gone): rerun its shard' : worker.alive === 'yes' ? 'running' : 'running, or killed (on another machine)';
      write(`  shard ${worker.part.index}/${worker.part.count}: worker ${printablePath(worker.host)} pid ${worker.pid} since ${worker.startedAt}, ${state}`);
    }
  }
  return 0;
}
