import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunConfig, RunReporter } from '../../contracts/index.js';
import { FeatureCache, cacheEntryIdentity } from '../cache/feature-cache.js';
import { groupDirectoryName, groupsFor, mergeNeeds, recordFloats } from '../cache/layout.js';
import { ShardStore } from '../cache/shard-store.js';
import { claimAlive, itemIdHash, readWork, type WorkerClaim } from '../cache/work-records.js';
import { loadConfig } from '../config/load.js';
import { resolvePreprocessing } from '../image/preprocessing.js';
import { readItemList, type ItemList } from '../scale/item-list.js';
import { partitionItems } from '../scale/partition.js';
import { openBackbone, openDataset } from './components.js';
import { protocolNeeds } from './run-extraction.js';
import type { BuiltinPlugin } from '../plugins/registry.js';
import { loadRegistryForConfig } from './registry.js';

/** Coverage of one backbone × dataset pair in the cache. */
export interface PairCoverage {
  backbone: string;
  dataset: string;
  /** The cache entry's folder. */
  entry: string;
  items: number;
  /** Items of finished parts whose shards are all there. */
  cached: number;
  /** The split the shard list is of: `--shards N`, else the count the finished parts were written with (1 when none). */
  shards: { count: number; complete: number[]; missing: number[] };
  /** Finished-part records of another version of the item list (items added, removed or changed since). */
  staleRecords: number;
  /** Claims of workers that left no record: running, or killed (`alive` says which where it can tell). */
  workers: Array<Omit<WorkerClaim, 'list'> & { alive: 'yes' | 'no' | 'unknown' }>;
}

/**
 * Where the feature cache stands for a config: per backbone × dataset, how many items are cached and which shards
 * of an N-way split are complete or missing, and what workers left. Reads the dataset listings (a `stat` per item),
 * the finished-part records and the shard manifests; no image and no feature is read, and nothing is written.
 */
export async function cacheStatus(options: { configPath: string; builtins: BuiltinPlugin[]; searchDirs?: string[]; reporter: RunReporter; shards?: number; device?: RunConfig['device'] }): Promise<{ cache: string; pairs: PairCoverage[] }> {
  const log = (message: string) => options.reporter({ type: 'log', level: 'info', message });
  const registry = await loadRegistryForConfig(options.configPath, options.builtins, options.searchDirs);
  const { config, baseDir } = await loadConfig(options.configPath, registry);
  if (options.device) config.device = options.device;
  const root = resolve(baseDir, config.cache);
  const datasets: Array<{ name: string; task: string; list: ItemList }> = [];
  for (const entry of config.datasets) {
    const dataset = await openDataset(registry, config, entry, baseDir, log);
    datasets.push({ name: entry.name!, task: dataset.task, list: await readItemList(dataset) });
  }
  const pairs: PairCoverage[] = [];
  for (const backboneEntry of config.backbones) {
    const backbone = await openBackbone(registry, config, backboneEntry, baseDir, log);
    try {
      const preprocessing = resolvePreprocessing(config.preprocessing, backbone.info);
      const side = backbone.info.patchSize > 0 ? backbone.info.patchSize : 1;
      const tokens = (preprocessing.outputSize.height / side) * (preprocessing.outputSize.width / side);
      const entryDir = join(root, FeatureCache.entryKey(cacheEntryIdentity(backbone.info, backbone.optionsHash, preprocessing.description)));
      const work = await readWork(entryDir);
      for (const { name, task, list } of datasets) {
        const needs = await protocolNeeds(config, task, backbone.info, registry);
        if (needs.length === 0) continue;
        const groups = groupsFor(mergeNeeds(needs), backbone.info, tokens);
        const stores = await Promise.all(
          groups.map(async (group) => {
            const dir = join(entryDir, groupDirectoryName(group));
            return (await stat(dir).then((found) => found.isDirectory(), () => false)) ? ShardStore.open(dir, recordFloats(group)) : null;
          }),
        );
        const names = groups.map(groupDirectoryName);
        const covered = new Set<string>();
        let stale = 0;
        const counts: number[] = [];
        for (const record of work.done) {
          if (record.dataset !== name && record.list !== list.hash) continue;
          if (record.list !== list.hash) {
            stale++;
            continue;
          }
          if (!names.every((group) => record.groups.includes(group))) continue;
          if (!record.items.every(([, key]) => key === null || stores.every((store) => store?.has(key)))) continue;
          for (const [id] of record.items) covered.add(id);
          counts.push(record.part.count);
        }
        const count = options.shards ?? (counts.length > 0 ? Math.max(...counts) : 1);
        const parts = partitionItems(list.weights, count);
        const incomplete = new Set<number>();
        const hashes = list.items.map((item) => itemIdHash(item.id));
        hashes.forEach((hash, index) => {
          if (!covered.has(hash)) incomplete.add(parts[index]);
        });
        const all = Array.from({ length: count }, (_, index) => index);
        pairs.push({
          backbone: backboneEntry.name!,
          dataset: name,
          entry: entryDir,
          items: list.items.length,
          cached: hashes.filter((hash) => covered.has(hash)).length,
          shards: { count, complete: all.filter((index) => !incomplete.has(index)), missing: all.filter((index) => incomplete.has(index)) },
          staleRecords: stale,
          workers: work.claims
            .filter((claim) => claim.list === list.hash)
            .map(({ list: _list, ...claim }) => ({ ...claim, alive: claimAlive({ ...claim, list: list.hash }) })),
        });
      }
    } finally {
      await backbone.dispose().catch(() => undefined);
    }
  }
  return { cache: root, pairs };
}
