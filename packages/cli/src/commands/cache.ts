import { resolve } from 'node:path';
import { listCache, pruneCache } from '@radprobe/core';

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

/** `radprobe cache ls`: entries (backbone × preprocessing), their feature groups, sizes and problems. */
export async function cacheListCommand(options: { dir: string; json: boolean }): Promise<number> {
  const entries = await listCache(resolve(options.dir));
  if (options.json) {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) process.stdout.write(`the cache at ${resolve(options.dir)} is empty\n`);
  for (const entry of entries) {
    const what = entry.entry ? `${entry.entry.backboneDescription}, last used ${entry.entry.lastUsedAt}` : 'no entry.json (left by a killed run)';
    process.stdout.write(`${entry.key}  ${formatBytes(entry.bytes)}  ${what}\n`);
    for (const group of entry.groups) {
      const issues = group.problems.length + group.leftovers.length;
      process.stdout.write(`  ${group.name}: ${group.records} records, ${formatBytes(group.bytes)}${issues ? `, ${issues} file(s) to prune` : ''}\n`);
    }
  }
  return 0;
}

/** `radprobe cache prune`: removes leftovers of killed runs and broken shards, and old or all entries when asked. */
export async function cachePruneCommand(options: { dir: string; all: boolean; olderThanDays?: number }): Promise<number> {
  const report = await pruneCache(resolve(options.dir), { all: options.all, olderThanDays: options.olderThanDays });
  process.stdout.write(`removed ${report.removedEntries.length} entr${report.removedEntries.length === 1 ? 'y' : 'ies'} and ${report.removedFiles.length} file(s), freed ${formatBytes(report.freedBytes)}\n`);
  return 0;
}
